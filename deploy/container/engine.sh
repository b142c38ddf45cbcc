#!/usr/bin/env bash
# The container engine for the compose stack on a Debian machine without systemd (CI): Debian's
# docker.io (dockerd, containerd, runc) and docker-compose, installed with apt when missing, started
# and stopped by this script. Run as root.
#
#   deploy/container/engine.sh start     # install if needed, start dockerd, wait until it answers
#   deploy/container/engine.sh stop      # stop what `start` started (containers keep their volumes)
#   deploy/container/engine.sh status    # exit 0 when the daemon answers
#
# Settings that work on a fresh machine of this kind: overlay2 when the kernel mounts it over the
# data root (else vfs, slower and bigger but works anywhere), and no host firewall changes
# (--iptables=false: containers reach each other on the bridge and the host through published ports,
# which the userland proxy forwards; builds that need the internet use the host network).
set -euo pipefail

DATA_ROOT=${OLYMPUS_DOCKER_DATA_ROOT:-/var/lib/docker}
RUN_DIR=${OLYMPUS_DOCKER_RUN_DIR:-/run/olympus-docker}
LOG=${OLYMPUS_DOCKER_LOG:-/var/log/olympus-dockerd.log}
SOCK=/var/run/docker.sock
# Debian's CLI, the version of its daemon (a newer docker CLI elsewhere on PATH may lack the builder).
DOCKER=/usr/bin/docker

answers() { [ -S "$SOCK" ] && "$DOCKER" version >/dev/null 2>&1; }

install_engine() {
  local missing=()
  [ -x /usr/sbin/dockerd ] || missing+=(docker.io)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "engine: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

storage_driver() {
  if [ -n "${OLYMPUS_DOCKER_STORAGE_DRIVER:-}" ]; then echo "$OLYMPUS_DOCKER_STORAGE_DRIVER"; return; fi
  # Try an overlay mount where the daemon would make them.
  local t
  mkdir -p "$DATA_ROOT"
  t=$(mktemp -d "$DATA_ROOT/.overlay-probe.XXXXXX")
  mkdir -p "$t/l" "$t/u" "$t/w" "$t/m"
  if mount -t overlay overlay -o "lowerdir=$t/l,upperdir=$t/u,workdir=$t/w" "$t/m" 2>/dev/null; then
    umount "$t/m"; rm -rf "$t"; echo overlay2
  else
    rm -rf "$t"; echo vfs
  fi
}

start() {
  if answers; then echo "engine: dockerd already answers on $SOCK"; return 0; fi
  install_engine
  mkdir -p "$RUN_DIR"
  local driver
  driver=$(storage_driver)
  echo "engine: starting dockerd (storage driver $driver, data root $DATA_ROOT, log $LOG)"
  # setsid: the daemon outlives this shell and is not killed with the caller's process group.
  setsid /usr/sbin/dockerd \
    --data-root "$DATA_ROOT" \
    --exec-root "$RUN_DIR/exec" \
    --pidfile "$RUN_DIR/dockerd.pid" \
    --host "unix://$SOCK" \
    --storage-driver "$driver" \
    --iptables=false --ip6tables=false --ip-masq=false \
    >>"$LOG" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    if answers; then echo "engine: dockerd is up"; return 0; fi
    sleep 1
  done
  echo "engine: dockerd did not answer within 60 s; last lines of $LOG:" >&2
  tail -20 "$LOG" >&2
  return 1
}

stop() {
  local pidfile="$RUN_DIR/dockerd.pid"
  if [ ! -f "$pidfile" ]; then echo "engine: not started by this script (no $pidfile)"; return 0; fi
  local pid
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    # dockerd stops its containers (10 s grace each) and its containerd before exiting.
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$pid" 2>/dev/null; then echo "engine: dockerd still running after 60 s; killing it" >&2; kill -KILL "$pid"; fi
  fi
  rm -f "$pidfile"
  echo "engine: dockerd stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) answers ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
