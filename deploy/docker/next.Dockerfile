# syntax=docker/dockerfile:1.7
# Hera, Athena and the Site: Next.js 16 apps built with `output: "standalone"`. One image per app,
# started once per domain: everything domain-specific is read from the environment at run time.
#
#   docker build -f deploy/docker/next.Dockerfile --build-arg APP=hera   -t olympus/hera:0.1.0 .
#   docker build -f deploy/docker/next.Dockerfile --build-arg APP=athena -t olympus/athena:0.1.0 .
#   docker build -f deploy/docker/next.Dockerfile --build-arg APP=site   -t olympus/site:0.1.0 .
#
# The standalone output mirrors the monorepo (outputFileTracingRoot is the repository root):
# .next/standalone/{node_modules,apps/<app>/server.js,...}, plus docs/ for the Site. Next leaves
# .next/static and public/ out of it; they are copied next to server.js here.

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG APP
# package.json "packageManager" (deploy/docker/dockerfiles.test.ts checks it).
ARG PNPM_VERSION=10.34.9
ENV CI=true \
    NEXT_TELEMETRY_DISABLED=1
RUN case "${APP}" in hera|athena|site) ;; *) echo "build with --build-arg APP=hera|athena|site" >&2; exit 1 ;; esac
# The workspace install compiles the identity core's Jsonnet addon (C++).
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends g++ make cmake >/dev/null \
 && rm -rf /var/lib/apt/lists/*
RUN npm install --global --no-audit --no-fund "pnpm@${PNPM_VERSION}"
WORKDIR /src
COPY . .
# The whole workspace: `next build` type-checks with the root's TypeScript.
RUN --mount=type=cache,id=olympus-pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --config.store-dir=/pnpm/store
RUN pnpm --filter "@olympus/${APP}" build \
 && test -f "apps/${APP}/.next/standalone/apps/${APP}/server.js" \
 && mkdir -p "apps/${APP}/public"

FROM ${NODE_IMAGE} AS runtime
ARG APP
# HOSTNAME: Next's standalone server binds to it (and Docker would set it to the container id).
# OLYMPUS_SERVICE: the `service` of its JSON log lines.
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOSTNAME=0.0.0.0 \
    PORT=3000 \
    OLYMPUS_SERVICE=${APP}
COPY --from=build /src/apps/${APP}/.next/standalone /app
COPY --from=build /src/apps/${APP}/.next/static /app/apps/${APP}/.next/static
COPY --from=build /src/apps/${APP}/public /app/apps/${APP}/public
COPY deploy/docker/healthcheck.mjs /usr/local/lib/olympus/healthcheck.mjs
# Console output as JSON lines from the server's first line on (packages/web/src/json-console.mjs).
COPY packages/web/src/log.mjs packages/web/src/json-console.mjs /usr/local/lib/olympus/
WORKDIR /app/apps/${APP}
# The only place Next writes at run time (image and fetch caches); the code stays root's, read-only.
RUN mkdir -p .next/cache && chown node:node .next/cache
USER node
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "/usr/local/lib/olympus/healthcheck.mjs"]
CMD ["node", "--import", "/usr/local/lib/olympus/json-console.mjs", "server.js"]
