// Undoing a node's provisioning, for hosts that outlive the lab (the ssh
// driver; a Vagrant machine is simply destroyed): a generated bash script that
// undoes only the steps ovnlab made itself, the ones provisioning found missing
// (`--check` before it ran). The daemons it started are stopped, the bridges
// it added deleted, the underlay address moved back from br-phy to the
// interface that held it. Packages stay installed, and what was there before
// ovnlab (a host's own OVS, say) is left alone. Pure; the text is an input.
//
//   unprovision.sh PORT STEP...   PORT: the interface br-phy took the underlay address from ("" if none), STEP: the steps to undo
import { PHYSICAL_BRIDGE } from "../../commands/names";
import { validInterface, validIpv4Cidr, validName } from "../../plan/validate";
import { ProvisionSpec, provisionSteps } from "./provisionScript";

/** The order steps are undone: ovn-controller first (it would make br-int again), the bridges while OVS still runs, OVS last. */
export const UNDO_ORDER = ["ovn_controller", "ovn_central", "underlay_bridge", "integration_bridge", "openvswitch"] as const;
/** Steps ovnlab never undoes: packages stay installed. */
export const KEPT_STEPS = ["packages"];
/** The last line of a run: `ovnlab-unprovision: 3 undone`. */
export const UNPROVISION_SUMMARY = /^ovnlab-unprovision: (\d+) undone$/m;

function undoLines(spec: ProvisionSpec): Record<(typeof UNDO_ORDER)[number], string[]> {
    const bridge = validInterface(spec.bridge);
    const underlay = validIpv4Cidr(spec.underlayCidr);
    return {
        ovn_controller: [`if systemd; then systemctl disable --now ovn-host; else /usr/share/ovn/scripts/ovn-ctl stop_controller; fi`],
        ovn_central: [`if systemd; then systemctl disable --now ovn-central; else /usr/share/ovn/scripts/ovn-ctl stop_northd; fi`],
        underlay_bridge: [
            `local port=$underlay_port`,
            `[ -n "$port" ] || port=$(ovs-vsctl --timeout=5 list-ports ${PHYSICAL_BRIDGE} 2>/dev/null | awk 'NR == 1')`,
            `ovs-vsctl --timeout=20 --if-exists del-br ${PHYSICAL_BRIDGE} || ! ovs_up`,
            `[ -n "$port" ] && ip link show dev "$port" >/dev/null 2>&1 || return 0`,
            `ip -o -4 addr show dev "$port" | grep -w 'inet ${underlay}' >/dev/null || ip addr add ${underlay} dev "$port"`,
            `ip link set dev "$port" up`,
        ],
        integration_bridge: [`ovs-vsctl --timeout=20 --if-exists del-br ${bridge} || ! ovs_up`],
        openvswitch: [`if systemd; then systemctl disable --now openvswitch-switch; else /usr/share/openvswitch/scripts/ovs-ctl stop; fi`],
    };
}

export function unprovisionScript(spec: ProvisionSpec): string {
    const node = validName("node name", spec.node);
    const made = new Set(provisionSteps(spec));
    const lines = undoLines(spec);
    const order = UNDO_ORDER.filter((step) => made.has(step));
    return [
        `#!/usr/bin/env bash`,
        `# ovnlab: undoes what provisioning made on ${node}, nothing else (packages stay). Generated, idempotent.`,
        `#   unprovision.sh PORT STEP...  prints each step it undoes, then "ovnlab-unprovision: N undone"`,
        `set -uo pipefail`,
        `underlay_port=$1; shift`,
        `wanted=" $* "`,
        `count=0`,
        `systemd() { [ -d /run/systemd/system ]; }`,
        `# Whether the switch's database answers: with OVS stopped there is no bridge left to delete.`,
        `ovs_up() { ovs-vsctl --timeout=5 show >/dev/null 2>&1; }`,
        ``,
        ...order.flatMap((step) => [`undo_${step}() {`, ...lines[step].map((l) => `  ${l}`), `}`]),
        ``,
        `for step in ${order.join(" ")}; do`,
        `  case "$wanted" in *" $step "*) ;; *) continue ;; esac`,
        `  echo "ovnlab-unprovision: undo $step"`,
        `  undo_$step || { echo "ovnlab-unprovision: undoing $step failed" >&2; exit 1; }`,
        `  count=$((count + 1))`,
        `done`,
        `echo "ovnlab-unprovision: $count undone"`,
        ``,
    ].join("\n");
}
