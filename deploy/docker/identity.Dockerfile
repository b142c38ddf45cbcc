# syntax=docker/dockerfile:1.7
# The identity core (apps/identity): one image for both domains; the domain is configuration
# (OLYMPUS_CONFIG or --config, plus environment overrides), read at run time.
#
#   docker build -f deploy/docker/identity.Dockerfile -t olympus/identity:0.1.0 .
#
# It runs the TypeScript sources with `node --import tsx`, as octl and the tests do, rather than an
# esbuild bundle: the sources import each other with `.ts` specifiers and find their SQL migrations
# relative to their own file (src/db/client.ts -> ../../drizzle), PGlite and the argon2/bcrypt
# addons must stay in node_modules anyway, and the image then runs exactly the code the tests ran.
# The price is tsx (plus its esbuild binary) in the image and a second or two of transpiling at
# start, cached in /tmp.

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
# Same versions as the repository: package.json "packageManager" and the tsx of pnpm-lock.yaml
# (deploy/docker/dockerfiles.test.ts checks both).
ARG PNPM_VERSION=10.34.9
ARG TSX_VERSION=4.23.15
ENV CI=true
RUN npm install --global --no-audit --no-fund "pnpm@${PNPM_VERSION}"
WORKDIR /src
COPY . .
# The production dependencies of @olympus/identity only, from the lockfile. Injected workspace
# packages are what lets pnpm 10 deploy a single project (identity has no workspace dependency).
RUN --mount=type=cache,id=olympus-pnpm-store,target=/pnpm/store \
    pnpm --config.inject-workspace-packages=true --config.store-dir=/pnpm/store \
      --filter @olympus/identity deploy --prod /out/apps/identity \
 && cd /out/apps/identity \
 && rm -rf pnpm-lock.yaml vitest.config.ts drizzle.config.ts src/testing \
 && find src -name '*.test.ts' -delete
RUN npm install --prefix /opt/tsx --omit=dev --no-audit --no-fund --no-package-lock "tsx@${TSX_VERSION}"

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    OLYMPUS_CONFIG=/etc/olympus/identity.yml
# Code and configuration belong to root and are read-only for the process; /etc/olympus is where
# the domain's identity.yml and schemas/ are mounted (compose: seeds/<domain>; Kubernetes: ConfigMaps).
COPY --from=build /opt/tsx /opt/tsx
COPY --from=build /out/apps/identity /app/apps/identity
# apps/identity/tsconfig.json extends it; tsx reads the compiler options from there.
COPY tsconfig.base.json /app/tsconfig.base.json
COPY deploy/docker/healthcheck.mjs /usr/local/lib/olympus/healthcheck.mjs
RUN mkdir -p /etc/olympus
WORKDIR /app/apps/identity
USER node
# Ports are configuration (serve.*.port, oauth2.serve.*.port): 3100-3103 / 4100-4103 in compose,
# 4433/4434/4444/4445 on Kubernetes. The check reads the admin port the same way the core does.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/usr/local/lib/olympus/healthcheck.mjs"]
ENTRYPOINT ["node", "--import", "/opt/tsx/node_modules/tsx/dist/loader.mjs", "src/main.ts"]
CMD ["serve"]
