// What ovnlab asks a chassis to find out whether its ports are ready, and to
// make it recompute: `ovn-appctl -t ovn-controller connection-status |
// recompute`, and the Interface rows with the external_ids ovn-controller sets
// once a port's flows are installed (ovn-installed="true"), and the OpenFlow
// table 0 that admits a port's packets (a restarted ovs-vswitchd keeps the
// flag in its database but has no flows until ovn-controller reconnects).
import { Argv } from "./argv";
import { VsctlCommand, parseOvsMap } from "./ovs";
import { checked, validIpv4, validInterface, validPath, validSocketPath } from "../plan/validate";

export type ControllerCommand = "connection-status" | "recompute";

/**
 * `ovn-appctl -t ovn-controller <command>`, with OVN_RUNDIR naming the node's
 * run directory (where ovn-controller.pid is); empty: the tool's default
 * (/var/run/ovn, a VM's system ovn-controller).
 */
export function ovnControllerAppctl(runDir: string, command: ControllerCommand, timeoutSeconds = 5): Argv {
    checked("ovn-controller command", command, command === "connection-status" || command === "recompute", "connection-status | recompute");
    checked("ovn-appctl timeout", timeoutSeconds, Number.isInteger(timeoutSeconds) && timeoutSeconds > 0 && timeoutSeconds <= 60, "1-60 seconds");
    const appctl = ["ovn-appctl", `--timeout=${timeoutSeconds}`, "-t", "ovn-controller", command];
    return runDir === "" ? appctl : ["env", `OVN_RUNDIR=${validPath("OVN run directory", runDir)}`, ...appctl];
}

/** Every Interface's name, OpenFlow port number and external_ids (ovs-vsctl's table format, read by parseInterfaceIds). */
export const vsListInterfaceIds = (): VsctlCommand => ["--columns=name,ofport,external_ids", "list", "interface"];

export interface InterfaceIds {
    ofport: number;
    externalIds: Record<string, string>;
}

/** `name : X` / `ofport : N` / `external_ids : {...}` records of `ovs-vsctl list interface`, by name. */
export function parseInterfaceIds(stdout: string): Map<string, InterfaceIds> {
    const interfaces = new Map<string, InterfaceIds>();
    for (const record of stdout.split(/\n\s*\n/)) {
        const field = (column: string) => record.match(new RegExp(`^${column}\\s*:\\s*(.*)$`, "m"))?.[1]?.trim();
        const raw = field("name");
        if (raw === undefined) continue;
        const name = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
        interfaces.set(name, { ofport: Number(field("ofport") ?? -1), externalIds: parseOvsMap(field("external_ids") ?? "{}") });
    }
    return interfaces;
}

/**
 * `ovs-ofctl dump-flows <bridge> table=0` with port numbers: through the
 * bridge's management socket in `runDir`, or by bridge name in the tool's
 * default run directory when runDir is empty.
 */
export function ofctlDumpTable0(runDir: string, bridge: string): Argv {
    const target = runDir === "" ? validInterface(bridge) : `unix:${validSocketPath(`${validPath("run directory", runDir)}/${validInterface(bridge)}.mgmt`)}`;
    return ["ovs-ofctl", "--timeout=5", "--no-names", "--no-stats", "dump-flows", target, "table=0"];
}

/** The OpenFlow ports that table 0 admits packets from (`in_port=N`). */
export function parseTable0Ports(stdout: string): Set<number> {
    return new Set([...stdout.matchAll(/\bin_port=(\d+)/g)].map((m) => Number(m[1])));
}

/** `ovs-appctl [-t <ctl>] tnl/neigh/show`: the userspace datapath's tunnel neighbour cache (ARP of the other chassis). */
export function tunnelNeighbours(vswitchdCtl: string): Argv {
    return ["ovs-appctl", "--timeout=5", ...(vswitchdCtl === "" ? [] : ["-t", validSocketPath(vswitchdCtl)]), "tnl/neigh/show"];
}

/** The IPv4 addresses the tunnel neighbour cache holds (its first column). */
export function parseTunnelNeighbours(stdout: string): Set<string> {
    return new Set([...stdout.matchAll(/^(\d+\.\d+\.\d+\.\d+)\s/gm)].map((m) => m[1]));
}

/**
 * One echo to another chassis's underlay address. When the kernel has no ARP
 * entry for it (see ipNeighDelete), the ARP reply crosses the bridge and the
 * userspace datapath snoops it into its tunnel neighbour cache.
 */
export const pingOnce = (ip: string): Argv => ["ping", "-c", "1", "-W", "1", "-q", validIpv4(ip)];

/** `ip neigh del <ip> dev <dev>`: the kernel ARPs afresh, and the datapath sees the reply. */
export const ipNeighDelete = (ip: string, device: string): Argv => ["ip", "neigh", "del", validIpv4(ip), "dev", validInterface(device)];
