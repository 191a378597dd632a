#!/usr/bin/env bash
# The lab ovnlab builds, built the walk-through's manual way: the same commands,
# typed one after another (no Pulumi, no parallelism). The baseline for
# bench/labUp.ts.
#
#   bash bench/manual-lab.sh up   LAB_ID NODES PER_NODE [NAME_PREFIX]
#   bash bench/manual-lab.sh down LAB_ID NODES PER_NODE [NAME_PREFIX]
#
# NODES nodes (node1..nodeN, node1 the OVN central), PER_NODE containers each,
# named NAME_PREFIX1.. (default c) and assigned in blocks: the first PER_NODE to
# node1, the next to node2, ... (PER_NODE=2, NAME_PREFIX=netsho: stack dev's lab).
#
# Names, addresses and command lines are ovnlab's (components/hostCommands.ts,
# ipPlan.ts, the netns recipe in shared/design): namespace ovnlab-<id>-nodeN,
# underlay bridge <id>_br, host veth <id>-nodeN, container ovnlab-<id>-<name>
# labelled ovnlab.lab=<id>, br-int port c-<name>, node N on 172.16.56.(N+1)/24
# with ls-nodeN 10.244.N.0/24, container MACs 02:00:00:00:NN:HH. So a lab id
# from the same scheme as ovnlab's (test/helpers/names.ts) cannot collide with
# another lab, and test/helpers/lab.ts's cleanupLab can clean up after it.
#
# State (databases, pidfiles, logs, sockets) goes to OVNLAB_MANUAL_STATE_DIR,
# default /tmp/ovnlab-manual-<id>. `down` follows the recipe's teardown order
# (pitfall 6) and stops every daemon by the PID in its pidfile, never by name.
# Phase timings go to stderr as `[manual] <phase> <seconds>`.
set -Eeuo pipefail
trap 'echo "manual-lab.sh: line ${LINENO}: command failed: ${BASH_COMMAND}" >&2' ERR

usage() {
  echo "usage: $0 up|down LAB_ID NODES PER_NODE [NAME_PREFIX]" >&2
  exit 2
}

[[ $# -ge 4 && $# -le 5 ]] || usage
ACTION="$1"
LAB_ID="$2"
NODES="$3"
PER_NODE="$4"
PREFIX="${5:-c}"

[[ "$ACTION" == up || "$ACTION" == down ]] || usage
[[ "$LAB_ID" =~ ^[a-z][a-z0-9]{0,7}$ ]] || { echo "invalid lab id '$LAB_ID': 1-8 of a-z, 0-9, starting with a letter" >&2; exit 2; }
[[ "$NODES" =~ ^[1-9][0-9]{0,1}$ ]] || { echo "invalid node count '$NODES': 1-99" >&2; exit 2; }
[[ "$PER_NODE" =~ ^[0-9]{1,3}$ && "$PER_NODE" -le 250 ]] || { echo "invalid containers per node '$PER_NODE': 0-250" >&2; exit 2; }
[[ "$PREFIX" =~ ^[a-z][a-z0-9-]{0,20}$ ]] || { echo "invalid name prefix '$PREFIX'" >&2; exit 2; }

STATE_DIR="${OVNLAB_MANUAL_STATE_DIR:-/tmp/ovnlab-manual-${LAB_ID}}"
[[ "$STATE_DIR" =~ ^/[A-Za-z0-9._/-]{1,60}$ && "$STATE_DIR" != *..* ]] || { echo "invalid state directory '$STATE_DIR': absolute, short, no '..'" >&2; exit 2; }
BRIDGE="${LAB_ID}_br"
CENTRAL_IP="172.16.56.2"
MTU=1442
ROUTER=lr0
NB="unix:${STATE_DIR}/central/ovnnb_db.sock"
SB="unix:${STATE_DIR}/central/ovnsb_db.sock"
LABEL="ovnlab.lab=${LAB_ID}"

# ---- Names, as hostCommands.ts makes them ----------------------------------------

# 32-bit FNV-1a of an ASCII string, as 8 hex digits (hostCommands' fnv1a).
fnv1a() {
  local text="$1" hash=2166136261 i code
  for ((i = 0; i < ${#text}; i++)); do
    printf -v code '%d' "'${text:i:1}"
    hash=$(( ((hash ^ code) * 16777619) & 0xFFFFFFFF ))
  done
  printf '%08x' "$hash"
}

# <prefix>-<name> when it fits in 15 bytes, else <prefix>_<6 hex digits of its hash>.
iface_name() {
  local prefix="$1" name="$2" readable
  readable="${prefix}-${name}"
  if [[ "${#readable}" -le 15 ]]; then
    printf '%s' "$readable"
  else
    local hash
    hash="$(fnv1a "$name")"
    printf '%s_%s' "$prefix" "${hash:0:6}"
  fi
}

ns_name() { printf 'ovnlab-%s-node%s' "$LAB_ID" "$1"; }
node_dir() { printf '%s/node%s' "$STATE_DIR" "$1"; }
container_name() { printf 'ovnlab-%s-%s' "$LAB_ID" "$1"; }
# Container i (1-based) lives on node ceil(i / PER_NODE), as the k-th there.
container_node() { printf '%s' "$(( ($1 - 1) / PER_NODE + 1 ))"; }
container_slot() { printf '%s' "$(( ($1 - 1) % PER_NODE + 1 ))"; }

# Runs a command in node N's namespace with that node's OVS/OVN directories (nodeEnvironment).
in_node() {
  local n="$1" dir
  shift
  dir="$(node_dir "$n")"
  OVS_RUNDIR="$dir/run" OVS_DBDIR="$dir/db" OVS_LOGDIR="$dir/log" OVS_SYSCONFDIR="$dir/etc" \
    OVN_RUNDIR="$dir/run" OVN_DBDIR="$dir/db" OVN_LOGDIR="$dir/log" OVN_SYSCONFDIR="$dir/etc" \
    ip netns exec "$(ns_name "$n")" "$@"
}

# Runs a command in the central node's namespace with the central's directory.
in_central() {
  local dir="$STATE_DIR/central"
  OVS_RUNDIR="$dir" OVN_RUNDIR="$dir" OVS_LOGDIR="$dir" OVN_LOGDIR="$dir" OVS_DBDIR="$dir" OVN_DBDIR="$dir" \
    ip netns exec "$(ns_name 1)" "$@"
}

vsctl() {
  local n="$1"
  shift
  in_node "$n" ovs-vsctl "--db=unix:$(node_dir "$n")/run/db.sock" --timeout=20 "$@"
}

nbctl() { ovn-nbctl "--db=${NB}" --timeout=20 "$@"; }

PHASE_START="$EPOCHREALTIME"
phase_done() {
  local now="$EPOCHREALTIME"
  awk -v a="$PHASE_START" -v b="$now" -v p="$1" 'BEGIN { printf "[manual] %s %.3f\n", p, b - a }' >&2
  PHASE_START="$now"
}

# ---- up --------------------------------------------------------------------------

image_ref() {
  local banner version
  banner="$(/bin/busybox 2>&1 | head -n 1 || true)"
  [[ "$banner" =~ BusyBox\ v([0-9]+(\.[0-9]+)*) ]] || { echo "cannot tell the busybox version from '$banner'" >&2; return 1; }
  version="${BASH_REMATCH[1]}"
  printf 'ovnlab/busybox:%s' "$version"
}

# The image ovnlab's ContainerImage builds; built the same way when missing (and then left for other labs).
ensure_image() {
  local image="$1" work applet
  local applet_pattern='^[a-z0-9_/.[-]+$'
  docker image inspect "$image" >/dev/null 2>&1 && return 0
  work="$(mktemp -d)"
  mkdir -p "$work/rootfs/bin"
  mkdir -m 1777 "$work/rootfs/tmp"
  cp /bin/busybox "$work/rootfs/bin/busybox"
  chmod 755 "$work/rootfs/bin/busybox"
  while IFS= read -r applet; do
    [[ "$applet" =~ $applet_pattern && "$applet" != *..* && "$applet" != bin/busybox ]] || continue
    mkdir -p "$work/rootfs/$(dirname "$applet")"
    [[ -e "$work/rootfs/$applet" ]] || ln -s /bin/busybox "$work/rootfs/$applet"
  done < <(/bin/busybox --list-full)
  tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
  docker import --change "LABEL ovnlab.image=busybox-${image##*:}" --change 'CMD ["sh"]' "$work/rootfs.tar" "$image" >/dev/null
  rm -rf "$work"
}

underlay_up() {
  ip link add name "$BRIDGE" type bridge
  ip link set dev "$BRIDGE" up
  # Bridged frames traverse FORWARD (bridge-nf-call-iptables=1), whose policy dockerd sets to DROP (pitfall 1).
  local chain=FORWARD
  if iptables -w 5 -n -L DOCKER-USER >/dev/null 2>&1; then chain=DOCKER-USER; fi
  iptables -w 5 -I "$chain" -i "$BRIDGE" -o "$BRIDGE" -m comment --comment "ovnlab:${LAB_ID}" -j ACCEPT
}

node_up() {
  local n="$1" ns dir run hostveth ip
  ns="$(ns_name "$n")"
  dir="$(node_dir "$n")"
  run="$dir/run"
  hostveth="$(iface_name "$LAB_ID" "node$n")"
  ip="172.16.56.$((n + 1))"

  mkdir -p "$run" "$dir/db" "$dir/log" "$dir/etc"
  ip netns add "$ns"
  ip netns exec "$ns" ip link set dev lo up
  # The underlay veth: one end on the lab's bridge, the other in the node as "underlay".
  ip link add "$hostveth" type veth peer name underlay netns "$ns"
  ip link set dev "$hostveth" master "$BRIDGE"
  ip link set dev "$hostveth" up
  ip netns exec "$ns" ip link set dev underlay up

  # The node's own ovsdb-server and ovs-vswitchd, started directly (no ovs-ctl).
  ovsdb-tool create "$dir/db/conf.db" /usr/share/openvswitch/vswitch.ovsschema
  in_node "$n" ovsdb-server "--remote=punix:$run/db.sock" "--unixctl=$run/ovsdb-server.ctl" \
    "--pidfile=$run/ovsdb-server.pid" "--log-file=$dir/log/ovsdb-server.log" --detach --no-chdir "$dir/db/conf.db"
  in_node "$n" ovs-vsctl "--db=unix:$run/db.sock" --timeout=20 --no-wait init
  in_node "$n" ovs-vswitchd "unix:$run/db.sock" "--unixctl=$run/ovs-vswitchd.ctl" \
    "--pidfile=$run/ovs-vswitchd.pid" "--log-file=$dir/log/ovs-vswitchd.log" --detach --no-chdir

  # br-phy holds the underlay address (userspace tunnelling); br-int is OVN's.
  vsctl "$n" --may-exist add-br br-phy -- set bridge br-phy datapath_type=netdev -- --may-exist add-port br-phy underlay \
    -- --may-exist add-br br-int -- set bridge br-int datapath_type=netdev -- set-fail-mode br-int secure \
    -- set bridge br-int other-config:disable-in-band=true
  ip netns exec "$ns" ip addr add "$ip/24" dev br-phy
  ip netns exec "$ns" ip link set dev br-phy up

  # The walk-through's `ovs-vsctl set open . external-ids:...`, then ovn-controller.
  vsctl "$n" set open_vswitch . "external_ids:ovn-remote=tcp:${CENTRAL_IP}:6642" external_ids:ovn-encap-type=geneve \
    "external_ids:ovn-encap-ip=$ip" "external_ids:system-id=${LAB_ID}-node$n" "external_ids:hostname=node$n" \
    external_ids:ovn-bridge=br-int external_ids:ovn-bridge-datapath-type=netdev external_ids:ovn-monitor-all=true
  in_node "$n" ovn-controller "unix:$run/db.sock" "--pidfile=$run/ovn-controller.pid" \
    "--log-file=$dir/log/ovn-controller.log" --detach --no-chdir
}

central_up() {
  local dir="$STATE_DIR/central"
  mkdir -p "$dir"
  ovsdb-tool create "$dir/ovnnb_db.db" /usr/share/ovn/ovn-nb.ovsschema
  ovsdb-tool create "$dir/ovnsb_db.db" /usr/share/ovn/ovn-sb.ovsschema
  in_central ovsdb-server "--remote=punix:$dir/ovnnb_db.sock" --remote=db:OVN_Northbound,NB_Global,connections \
    --private-key=db:OVN_Northbound,SSL,private_key --certificate=db:OVN_Northbound,SSL,certificate \
    --ca-cert=db:OVN_Northbound,SSL,ca_cert "--unixctl=$dir/ovnnb_db.ctl" "--pidfile=$dir/ovnnb_db.pid" \
    "--log-file=$dir/ovsdb-server-nb.log" --detach --no-chdir "$dir/ovnnb_db.db"
  in_central ovsdb-server "--remote=punix:$dir/ovnsb_db.sock" --remote=db:OVN_Southbound,SB_Global,connections \
    --private-key=db:OVN_Southbound,SSL,private_key --certificate=db:OVN_Southbound,SSL,certificate \
    --ca-cert=db:OVN_Southbound,SSL,ca_cert "--unixctl=$dir/ovnsb_db.ctl" "--pidfile=$dir/ovnsb_db.pid" \
    "--log-file=$dir/ovsdb-server-sb.log" --detach --no-chdir "$dir/ovnsb_db.db"
  ovn-nbctl "--db=${NB}" --timeout=20 init
  ovn-sbctl "--db=${SB}" --timeout=20 init
  in_central ovn-northd "--ovnnb-db=${NB}" "--ovnsb-db=${SB}" "--unixctl=$dir/ovn-northd.ctl" \
    "--pidfile=$dir/ovn-northd.pid" "--log-file=$dir/ovn-northd.log" --detach --no-chdir
  ovn-nbctl "--db=${NB}" --timeout=20 set-connection "ptcp:6641:${CENTRAL_IP}"
  ovn-sbctl "--db=${SB}" --timeout=20 set-connection "ptcp:6642:${CENTRAL_IP}"
}

topology_up() {
  local n
  nbctl lr-add "$ROUTER"
  for ((n = 1; n <= NODES; n++)); do
    nbctl ls-add "ls-node$n"
    nbctl lrp-add "$ROUTER" "lr-node$n" "$(printf '00:00:%02x:%02x:01:01' "$((n / 256))" "$((n % 256))")" "10.244.$n.1/24"
    nbctl lsp-add "ls-node$n" "ls-node$n-lr"
    nbctl lsp-set-type "ls-node$n-lr" router
    nbctl lsp-set-addresses "ls-node$n-lr" router
    nbctl lsp-set-options "ls-node$n-lr" "router-port=lr-node$n"
  done
}

# docker run --network none, then the ovs-docker plumbing and the OVN port.
container_up() {
  local i="$1" image="$2" name n slot ip mac cname pid port
  name="${PREFIX}${i}"
  n="$(container_node "$i")"
  slot="$(container_slot "$i")"
  ip="10.244.$n.$((slot + 2))"
  mac="$(printf '02:00:00:00:%02x:%02x' "$n" "$((slot + 2))")"
  cname="$(container_name "$name")"
  port="$(iface_name c "$name")"

  docker run -d --network none --pull=missing --name "$cname" --label "$LABEL" --hostname "$name" \
    --cap-add NET_ADMIN "$image" sleep 2147483647 >/dev/null
  pid="$(docker inspect -f '{{.State.Pid}}' "$cname")"
  [[ "$pid" =~ ^[1-9][0-9]*$ ]] || { echo "container $cname has no PID ($pid)" >&2; return 1; }

  ip netns exec "$(ns_name "$n")" ip link add "$port" mtu "$MTU" type veth peer name eth0 address "$mac" mtu "$MTU" netns "$pid"
  nsenter -t "$pid" -n ip addr add "$ip/24" dev eth0
  nsenter -t "$pid" -n ip link set dev eth0 up
  nsenter -t "$pid" -n ip route replace default via "10.244.$n.1" dev eth0
  nsenter -t "$pid" -n ethtool -K eth0 tx off >/dev/null
  ip netns exec "$(ns_name "$n")" ip link set dev "$port" up
  vsctl "$n" --may-exist add-port br-int "$port" -- set interface "$port" "external_ids:container_id=$name" \
    external_ids:container_iface=eth0 "external_ids:iface-id=$name"

  nbctl lsp-add "ls-node$n" "$name"
  nbctl lsp-set-addresses "$name" "$mac $ip"
}

up() {
  local n i image
  if [[ -e "/run/netns/$(ns_name 1)" || -e "$STATE_DIR" ]]; then
    echo "lab $LAB_ID looks up already (namespace $(ns_name 1) or $STATE_DIR exists): run down first" >&2
    return 1
  fi
  image="$(image_ref)"
  ensure_image "$image"
  phase_done image
  underlay_up
  phase_done underlay
  node_up 1
  central_up
  for ((n = 2; n <= NODES; n++)); do node_up "$n"; done
  phase_done nodes+central
  topology_up
  phase_done topology
  for ((i = 1; i <= NODES * PER_NODE; i++)); do container_up "$i" "$image"; done
  phase_done containers
}

# ---- down ------------------------------------------------------------------------

# Whether PID runs (a zombie has exited: pitfall 7) and was started with this very pidfile.
daemon_alive() {
  local pid="$1" pidfile="$2" stat rest word
  [[ -r "/proc/$pid/stat" ]] || return 1
  stat="$(cat -- "/proc/$pid/stat" 2>/dev/null)" || return 1
  rest="${stat##*) }"
  [[ "${rest%% *}" != Z && "${rest%% *}" != X ]] || return 1
  local -a argv=()
  mapfile -d '' argv 2>/dev/null <"/proc/$pid/cmdline" || return 1
  for word in "${argv[@]}"; do [[ "$word" == "--pidfile=$pidfile" ]] && return 0; done
  return 1
}

# SIGTERM the PID in a pidfile, wait up to 5 s, then SIGKILL; nothing to do when it is not running.
stop_pidfile() {
  local pidfile="$1" pid i
  [[ -f "$pidfile" ]] || return 0
  pid="$(<"$pidfile")"
  [[ "$pid" =~ ^[1-9][0-9]*$ ]] || return 0
  daemon_alive "$pid" "$pidfile" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 250; i++)); do
    daemon_alive "$pid" "$pidfile" || return 0
    sleep 0.02
  done
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    daemon_alive "$pid" "$pidfile" || return 0
    sleep 0.02
  done
  echo "process $pid of $pidfile survived SIGKILL" >&2
  return 1
}

down() {
  local n i chain hostveth failed=0
  local -a names=()
  for ((i = 1; i <= NODES * PER_NODE; i++)); do names+=("$(container_name "${PREFIX}${i}")"); done
  # The workloads (their eth0 and its veth peer go with them); one command, as one would type it.
  if [[ "${#names[@]}" -gt 0 ]]; then docker rm -f "${names[@]}" >/dev/null 2>&1 || true; fi
  phase_done containers
  # The recipe's order (pitfall 6): ovn-controllers, ovn-northd and NB/SB, then ovs-vswitchd and ovsdb-server.
  for ((n = 1; n <= NODES; n++)); do stop_pidfile "$(node_dir "$n")/run/ovn-controller.pid" || failed=1; done
  stop_pidfile "$STATE_DIR/central/ovn-northd.pid" || failed=1
  stop_pidfile "$STATE_DIR/central/ovnnb_db.pid" || failed=1
  stop_pidfile "$STATE_DIR/central/ovnsb_db.pid" || failed=1
  for ((n = 1; n <= NODES; n++)); do stop_pidfile "$(node_dir "$n")/run/ovs-vswitchd.pid" || failed=1; done
  for ((n = 1; n <= NODES; n++)); do stop_pidfile "$(node_dir "$n")/run/ovsdb-server.pid" || failed=1; done
  phase_done daemons
  # Then the namespaces, the underlay veths and bridge, the iptables rule and the state directory.
  # Every step is tried even when one fails, so a half-built lab comes down too.
  # The host end of the veth first (it takes its peer along), then the namespace, as ovnlab's node delete does.
  for ((n = 1; n <= NODES; n++)); do
    hostveth="$(iface_name "$LAB_ID" "node$n")"
    if ip link show dev "$hostveth" >/dev/null 2>&1; then ip link delete dev "$hostveth" || failed=1; fi
    if [[ -e "/run/netns/$(ns_name "$n")" ]]; then ip netns delete "$(ns_name "$n")" || failed=1; fi
  done
  if ip link show dev "$BRIDGE" >/dev/null 2>&1; then ip link delete dev "$BRIDGE" || failed=1; fi
  for chain in DOCKER-USER FORWARD; do
    for ((i = 0; i < 10; i++)); do
      iptables -w 5 -C "$chain" -i "$BRIDGE" -o "$BRIDGE" -m comment --comment "ovnlab:${LAB_ID}" -j ACCEPT 2>/dev/null || break
      iptables -w 5 -D "$chain" -i "$BRIDGE" -o "$BRIDGE" -m comment --comment "ovnlab:${LAB_ID}" -j ACCEPT || failed=1
    done
  done
  rm -rf -- "$STATE_DIR" || failed=1
  phase_done network+files
  return "$failed"
}

"$ACTION"
