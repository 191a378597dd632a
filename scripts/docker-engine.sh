#!/usr/bin/env bash
# start: makes sure a Docker engine answers, starting dockerd (detached, PID in
# .lab/dockerd.pid) where no service manager runs one. stop: stops only the
# dockerd this script started, by that PID.
set -euo pipefail
cd "$(dirname "$0")/.."
pidfile=.lab/dockerd.pid

case "${1:-}" in
  start)
    docker info >/dev/null 2>&1 && exit 0
    mkdir -p .lab
    echo "[docker] starting dockerd"
    nohup dockerd >.lab/dockerd.log 2>&1 &
    echo $! >"$pidfile"
    for _ in $(seq 1 60); do
      docker info >/dev/null 2>&1 && exit 0
      sleep 0.5
    done
    echo "[docker] dockerd did not answer within 30 s; see .lab/dockerd.log" >&2
    exit 1
    ;;
  stop)
    [[ -f "$pidfile" ]] || exit 0
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    fi
    rm -f "$pidfile"
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
