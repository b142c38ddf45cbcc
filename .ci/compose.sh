# The compose part of CI, sourced by .ci/run (bash): a container engine (Debian's docker.io and
# docker-compose, installed when missing), the stack's images (deploy/container/images.sh reuses the
# base images a previous run built; Olympus's own are rebuilt from this checkout, BuildKit's cache
# keeping unchanged layers), and E2E_COMPOSE=required so `npm test` runs e2e's test:compose — last of
# the e2e suites, so no octl stack holds the same ports then. compose_ci_stop takes the stack down
# with its volumes, removes untagged images and stops the engine (the tagged images stay for the next
# run); .ci/run traps it on exit.
#
# The host's PostgreSQL holds 5432: the compose PostgreSQL publishes 5433 (only on 127.0.0.1).
# OLYMPUS_CI_COMPOSE=0 leaves the compose part out (test:compose then says it did not run).

compose_ci_start() {
  local t0=$SECONDS
  export E2E_COMPOSE=required
  export POSTGRES_PORT="${POSTGRES_PORT:-5433}"
  COMPOSE_CI_STARTED=1
  # When either fails the tests still run: test:compose then fails (E2E_COMPOSE=required), the rest
  # of the suite still reports.
  if ! deploy/container/engine.sh start; then
    echo "compose: the container engine did not start; e2e's test:compose will fail" >&2
    return 0
  fi
  if ! /usr/bin/nice -n 5 deploy/container/images.sh; then
    echo "compose: building the images failed; e2e's test:compose will fail" >&2
    return 0
  fi
  # NODE_IMAGE, POSTGRES_IMAGE, MAILSLURPER_IMAGE, … as compose.yml reads them.
  local line
  while IFS= read -r line; do
    case "$line" in [A-Z_]*=*) export "${line?}" ;; esac
  done < <(deploy/container/images.sh --env)
  echo "compose: engine and images ready in $((SECONDS - t0)) s"
}

compose_ci_stop() {
  [ "${COMPOSE_CI_STARTED:-}" = 1 ] || return 0
  COMPOSE_CI_STARTED=
  if deploy/container/engine.sh status; then
    local compose=(docker-compose)
    docker compose version >/dev/null 2>&1 && compose=(docker compose)
    "${compose[@]}" -f deploy/compose/compose.yml -p olympus down -v --remove-orphans || true
    # The previous run's Olympus images, untagged when this run rebuilt them (tagged ones stay).
    docker image prune -f >/dev/null || true
  fi
  deploy/container/engine.sh stop || true
}
