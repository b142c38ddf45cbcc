# syntax=docker/dockerfile:1.7
# The identity core (apps/identity): one image for both domains; the domain is configuration
# (OLYMPUS_CONFIG or --config, plus environment overrides), read at run time.
#
#   docker build -f deploy/docker/identity.Dockerfile -t olympus/identity:0.1.0 .
#
# It runs the production bundle (`dist/main.mjs`, built by apps/identity/build.mjs with esbuild), as
# octl does: no transpiling at start and no loader thread, so the core is ready in about half a second
# and holds less memory. PGlite, the argon2/bcrypt addons and the Jsonnet evaluator stay external and come from the
# production node_modules; the SQL migrations are found next to the bundle (apps/identity/drizzle).

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
# Same pnpm as the repository's package.json "packageManager" (deploy/docker/dockerfiles.test.ts checks it).
ARG PNPM_VERSION=10.34.9
ENV CI=true
# The Jsonnet evaluator (@hanazuki/node-jsonnet) is a C++ addon compiled at install; it links libjsonnet
# statically, so the runtime stage needs only the libstdc++ Node itself uses.
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends g++ make cmake >/dev/null \
 && rm -rf /var/lib/apt/lists/*
RUN npm install --global --no-audit --no-fund "pnpm@${PNPM_VERSION}"
WORKDIR /src
COPY . .
# Build the bundle with the identity core's full dependencies (esbuild is a dev dependency), then
# deploy its production dependencies only, from the lockfile. Injected workspace packages are what
# lets pnpm 10 deploy a single project (identity has no workspace dependency).
RUN --mount=type=cache,id=olympus-pnpm-store,target=/pnpm/store \
    pnpm --config.store-dir=/pnpm/store install --frozen-lockfile --filter @olympus/identity \
 && pnpm --filter @olympus/identity build \
 && pnpm --config.inject-workspace-packages=true --config.store-dir=/pnpm/store \
      --filter @olympus/identity deploy --prod /out/apps/identity \
 && cd /out/apps/identity \
 && rm -rf pnpm-lock.yaml vitest.config.ts drizzle.config.ts src dist \
 && cp -r /src/apps/identity/dist /out/apps/identity/dist

FROM ${NODE_IMAGE} AS runtime
# apps/identity/runtime.json: the flags and malloc settings the core runs with everywhere.
ENV NODE_ENV=production \
    OLYMPUS_CONFIG=/etc/olympus/identity.yml \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=131072 \
    MALLOC_TRIM_THRESHOLD_=131072
# Code and configuration belong to root and are read-only for the process; /etc/olympus is where
# the domain's identity.yml and schemas/ are mounted (compose: seeds/<domain>; Kubernetes: ConfigMaps).
COPY --from=build /out/apps/identity /app/apps/identity
COPY deploy/docker/healthcheck.mjs /usr/local/lib/olympus/healthcheck.mjs
RUN mkdir -p /etc/olympus
WORKDIR /app/apps/identity
USER node
# Ports are configuration (serve.*.port, oauth2.serve.*.port): 3100-3103 / 4100-4103 in compose,
# 4433/4434/4444/4445 on Kubernetes. The check reads the admin port the same way the core does.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/usr/local/lib/olympus/healthcheck.mjs"]
ENTRYPOINT ["node", "--max-semi-space-size=4", "--heap-growing-percent=10", "dist/main.mjs"]
CMD ["serve"]
