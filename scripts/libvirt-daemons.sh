#!/usr/bin/env bash
# start: makes sure libvirt answers (virsh -c qemu:///system), starting virtlogd
# and libvirtd (detached, PIDs in .lab/virtlogd.pid and .lab/libvirtd.pid) where
# no service manager runs them. stop: stops only the daemons this script
# started, by those PIDs.
#
# QEMU runs as root (scripts/setup.sh writes /etc/libvirt/qemu.conf): it opens
# /dev/kvm as it is, so libvirt does not re-probe QEMU every few seconds (a
# QEMU user that cannot open /dev/kvm made each domain definition take ~50 s),
# and it reads the box's kernel under root's Vagrant home. /dev/kvm is not changed.
#
# Whether guests run under KVM or QEMU's TCG is not decided here: the vagrant
# driver reads the CPU flags (components/plan/virtualization.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .lab
lab=$PWD/.lab

answers() { virsh -c qemu:///system version >/dev/null 2>&1; }

start_daemon() { # NAME ARGS...: detached, its pid file ours
  local name=$1
  shift
  if [[ -f "$lab/$name.pid" ]] && kill -0 "$(cat "$lab/$name.pid")" 2>/dev/null; then return; fi
  "$@" --daemon --pid-file "$lab/$name.pid"
  for _ in $(seq 1 40); do [[ -s "$lab/$name.pid" ]] && return; sleep 0.25; done
  echo "[libvirt] $name wrote no pid file" >&2
  exit 1
}

stop_daemon() {
  local pidfile="$lab/$1.pid" pid
  [[ -f "$pidfile" ]] || return 0
  pid=$(cat "$pidfile")
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  start)
    answers && exit 0
    echo "[libvirt] starting virtlogd and libvirtd"
    # What the packages' service units would make: log, state and image directories.
    mkdir -p /var/log/libvirt/qemu /var/lib/libvirt/images /run/libvirt
    start_daemon virtlogd virtlogd
    start_daemon libvirtd libvirtd
    for _ in $(seq 1 60); do answers && exit 0; sleep 0.5; done
    echo "[libvirt] libvirtd did not answer within 30 s" >&2
    exit 1
    ;;
  stop)
    stop_daemon libvirtd
    stop_daemon virtlogd
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
