// The provisioning of a remote node (a Vagrant machine, or an SSH host), as one generated bash script: the
// walk-through's packages (openvswitch-switch, ovn-host, ovn-central on the
// central node, docker.io and ovs-docker), their daemons running, br-int
// fail-secure, and with the userspace datapath br-phy holding the underlay
// address (recipe: Geneve needs it). Pure; the text is a resource input.
//
// Each step is a `have_X` check and a `make_X` action; `make_X` runs only when
// `have_X` fails, so re-provisioning a provisioned node changes nothing, and
// `--check` runs the checks alone (what a refresh does). Under pipefail no
// pipeline ends in `grep -q` or `head`: their early exit would fail the writer.
import { DatapathType } from "../../plan/config";
import { PHYSICAL_BRIDGE } from "../../commands/names";
import { validDatapathType, validInterface, validIpv4Cidr, validName } from "../../plan/validate";

export interface ProvisionSpec {
    node: string;
    /** Installs and runs ovn-central (NB/SB databases, ovn-northd). */
    central: boolean;
    /** Installs and runs ovn-host (ovn-controller); false in single-l2. */
    ovn: boolean;
    /** Installs docker.io: workloads are containers on the node (VMs); docker-provider nodes run them as network namespaces. */
    dockerWorkloads: boolean;
    bridge: string;
    datapathType: DatapathType;
    /** The node's host-only address with prefix, e.g. 172.16.56.2/24; with netdev it moves to br-phy. */
    underlayCidr: string;
}

/** The last line of a run: `ovnlab-provision: 3 changed` (apply) or `ovnlab-provision: 1 missing` (--check). */
export const PROVISION_SUMMARY = /^ovnlab-provision: (\d+) (changed|missing)$/m;
/** One line per step that changed or is missing: `ovnlab-provision: missing integration_bridge`. */
const STEP_LINE = /^ovnlab-provision: (?:changed|missing) (\w+)$/gm;

export function provisionPackages(spec: ProvisionSpec): string[] {
    return [
        "openvswitch-switch", "openvswitch-common", // ovs-docker is in openvswitch-common
        ...(spec.ovn ? ["ovn-host"] : []),
        ...(spec.ovn && spec.central ? ["ovn-central"] : []),
        ...(spec.dockerWorkloads ? ["docker.io"] : []),
        "iproute2", "ethtool", "iputils-arping", "iputils-ping", "tcpdump",
    ];
}

interface Step {
    name: string;
    have: string[];
    make: string[];
}

function steps(spec: ProvisionSpec): Step[] {
    const bridge = validInterface(spec.bridge);
    const datapath = validDatapathType(spec.datapathType);
    const underlay = validIpv4Cidr(spec.underlayCidr);
    const failMode = spec.ovn ? "secure" : "standalone";
    const packages = provisionPackages(spec).join(" ");
    const list: Step[] = [
        {
            name: "packages",
            have: [`for p in ${packages}; do [ "$(dpkg-query -W -f='\${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || return 1; done`],
            make: [`apt-get update -qq`, `apt-get install -y -qq --no-install-recommends ${packages} >/dev/null`],
        },
        {
            name: "openvswitch",
            have: [`ovs-vsctl --timeout=5 show >/dev/null && ovs-appctl -t ovs-vswitchd version >/dev/null`],
            make: [
                `if systemd; then systemctl enable --now openvswitch-switch; return; fi`,
                `# No init system (a container node): ovs-ctl for the database, ovs-vswitchd directly, as ovs-ctl`,
                `# would start it but without loading the kernel module the userspace datapath does not need.`,
                `/usr/share/openvswitch/scripts/ovs-ctl --no-ovs-vswitchd --system-id=random start`,
                `ovs-vswitchd unix:/var/run/openvswitch/db.sock -vconsole:emer -vsyslog:err -vfile:info --no-chdir \\`,
                `    --log-file=/var/log/openvswitch/ovs-vswitchd.log --pidfile=/var/run/openvswitch/ovs-vswitchd.pid --detach`,
            ],
        },
    ];
    if (spec.ovn && spec.central) {
        list.push({
            name: "ovn_central",
            have: [`ovn-nbctl --timeout=5 show >/dev/null && ovn-sbctl --timeout=5 show >/dev/null && ovn-appctl -t ovn-northd version >/dev/null`],
            make: [`if systemd; then systemctl enable --now ovn-central; else /usr/share/ovn/scripts/ovn-ctl start_northd; fi`],
        });
    }
    if (spec.ovn) {
        list.push({
            name: "ovn_controller",
            have: [`ovn-appctl -t ovn-controller version >/dev/null`],
            make: [`if systemd; then systemctl enable --now ovn-host; else /usr/share/ovn/scripts/ovn-ctl start_controller; fi`],
        });
    }
    list.push({
        name: "integration_bridge",
        have: [
            `[ "$(ovs-vsctl --timeout=5 get bridge ${bridge} fail_mode 2>/dev/null)" = ${failMode} ] &&`,
            `    [ "$(ovs-vsctl --timeout=5 get bridge ${bridge} datapath_type)" = ${datapath} ]`,
        ],
        make: [
            `ovs-vsctl --timeout=20 --may-exist add-br ${bridge} -- set bridge ${bridge} datapath_type=${datapath} \\`,
            `    fail_mode=${failMode} other-config:disable-in-band=true`,
        ],
    });
    if (datapath === "netdev") {
        // The recipe's userspace tunnelling: ovs-vswitchd routes and ARPs for Geneve itself only when the
        // underlay address is on br-phy's internal port and the interface that held it is br-phy's port.
        list.push({
            name: "underlay_bridge",
            have: [
                `[ -n "$(ovs-vsctl --timeout=5 list-ports ${PHYSICAL_BRIDGE} 2>/dev/null)" ] &&`,
                `    ip -o -4 addr show dev ${PHYSICAL_BRIDGE} 2>/dev/null | grep -w 'inet ${underlay}' >/dev/null &&`,
                `    [ -z "$(underlay_holder)" ] && ip link show dev ${PHYSICAL_BRIDGE} | grep '[<,]UP[,>]' >/dev/null`,
            ],
            make: [
                `local holder; holder=$(underlay_holder)`,
                `if [ -z "$holder" ]; then holder=$(ovs-vsctl --timeout=5 list-ports ${PHYSICAL_BRIDGE} 2>/dev/null | awk 'NR == 1'); fi`,
                `[ -n "$holder" ] || { echo "no interface holds ${underlay}" >&2; return 1; }`,
                `ovs-vsctl --timeout=20 --may-exist add-br ${PHYSICAL_BRIDGE} -- set bridge ${PHYSICAL_BRIDGE} datapath_type=netdev \\`,
                `    -- --may-exist add-port ${PHYSICAL_BRIDGE} "$holder"`,
                `ip addr del ${underlay} dev "$holder" 2>/dev/null || true`,
                `ip -o -4 addr show dev ${PHYSICAL_BRIDGE} | grep -w 'inet ${underlay}' >/dev/null || ip addr add ${underlay} dev ${PHYSICAL_BRIDGE}`,
                `ip link set dev ${PHYSICAL_BRIDGE} up`,
                `# A node made anew has a new br-phy MAC, which the other nodes' ovs-vswitchd would not learn for`,
                `# minutes (ovs-appctl tnl/neigh/show): a gratuitous ARP updates their tunnel neighbour caches now.`,
                `arping -U -c 1 -I ${PHYSICAL_BRIDGE} ${underlay.split("/")[0]} >/dev/null`,
            ],
        });
    }
    return list;
}

/** The steps of a node's script, in the order they run. */
export function provisionSteps(spec: ProvisionSpec): string[] {
    return steps(spec).map((s) => s.name);
}

export function provisionScript(spec: ProvisionSpec): string {
    const node = validName("node name", spec.node);
    const list = steps(spec);
    const indent = (lines: string[]) => lines.map((l) => `  ${l}`).join("\n");
    return [
        `#!/usr/bin/env bash`,
        `# ovnlab provisioning of ${node}: generated from the stack configuration, idempotent.`,
        `#   provision.sh          brings the node to its wanted state; prints each change, then "ovnlab-provision: N changed"`,
        `#   provision.sh --check  changes nothing; prints each missing step, then "ovnlab-provision: N missing"`,
        `set -euo pipefail`,
        `export DEBIAN_FRONTEND=noninteractive`,
        `mode=apply; [ "\${1:-}" = --check ] && mode=check`,
        `count=0`,
        `systemd() { [ -d /run/systemd/system ]; }`,
        `# The interface other than ${PHYSICAL_BRIDGE} that holds the underlay address (the host-only NIC before provisioning).`,
        `underlay_holder() { ip -o -4 addr show | awk -v a=${validIpv4Cidr(spec.underlayCidr)} '$4 == a && $2 != "${PHYSICAL_BRIDGE}" { print $2; exit }'; }`,
        ``,
        ...list.flatMap((s) => [`have_${s.name}() {`, indent(s.have), `}`, `make_${s.name}() {`, indent(s.make), `}`]),
        ``,
        `for step in ${list.map((s) => s.name).join(" ")}; do`,
        `  have_$step 2>/dev/null && continue`,
        `  count=$((count + 1))`,
        `  if [ "$mode" = check ]; then echo "ovnlab-provision: missing $step"; continue; fi`,
        `  echo "ovnlab-provision: changed $step"`,
        `  make_$step`,
        `  have_$step 2>/dev/null || { echo "ovnlab-provision: $step is still not in place after make_$step" >&2; exit 1; }`,
        `done`,
        `if [ "$mode" = check ]; then echo "ovnlab-provision: $count missing"; else echo "ovnlab-provision: $count changed"; fi`,
        ``,
    ].join("\n");
}

/** What a run printed: how many steps changed (or are missing, with --check), and which. */
export function parseProvisionOutput(stdout: string): { count: number; steps: string[] } {
    const summary = PROVISION_SUMMARY.exec(stdout);
    if (!summary) throw new Error(`the provisioning script printed no summary line:\n${stdout.trim().slice(-2000)}`);
    return { count: Number(summary[1]), steps: [...stdout.matchAll(STEP_LINE)].map((m) => m[1]) };
}
