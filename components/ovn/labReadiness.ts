// "up" means the lab forwards: the last resource of an OVN lab with workloads.
// Its create (and its update, after anything was added or repaired) makes
// every chassis recompute its flows (`ovn-appctl -t ovn-controller
// recompute`: OVN 23.03's incremental processing can miss a row deleted and
// re-added by hand), waits for `ovn-nbctl --wait=hv sync` (every chassis has
// caught up with the northbound database) and then, per node, for
// external_ids:ovn-installed="true" on each workload's interface (its flows are
// in the datapath). A port not ready in time is an error naming the port, its
// node and what was missing.
//
// Its read is the health a refresh sees: a chassis whose ovn-controller does
// not answer or is not connected, a port that is not installed, or lab rows of
// the northbound database that changed since the lab was last made ready (a
// row deleted, re-added or edited by hand: the chassis may be stale) are its
// problems, and the next up re-runs the wait.
import { createHash } from "crypto";
import * as pulumi from "../kit/pulumiCore";
import { OvnlabResource, ResourceHandler } from "../kit/resource";
import { diffSettings, ResourceInputs } from "../kit/hostRuntime";
import { ipNeighDelete, ofctlDumpTable0, ovnControllerAppctl, parseInterfaceIds, parseTable0Ports, parseTunnelNeighbours, pingOnce, tunnelNeighbours, vsListInterfaceIds } from "../commands/ovnController";
import { ovsVsctl } from "../commands/ovs";
import { DbEndpoint, stringMap } from "../commands/ovnNbctl";
import { validInterface, validIpv4, validName } from "../plan/validate";
import { runCommand, TransportSpec } from "../transport/transport";
import { databaseGone, nbctl, ownDatabaseDown } from "./nbSession";
import { forgetNbSnapshots, NbSnapshot, readNbSnapshot } from "./kind";

export interface ReadinessNode {
    name: string;
    transport: TransportSpec;
    /** The node's Open_vSwitch database; empty: ovs-vsctl's default. */
    ovsDb: string;
    /** Where its ovn-controller.pid and its bridge's management socket are; empty: the tools' defaults. */
    ovnRunDir: string;
    /** Its integration bridge. */
    bridge: string;
    /** Its Geneve address (ovn-encap-ip). */
    encapIp: string;
    /**
     * The userspace datapath's tunnels: ovs-vswitchd's control socket (empty:
     * the tool's default) and the bridge holding the underlay address. Unset:
     * a kernel datapath, where the kernel resolves the other chassis itself.
     */
    userspaceTunnels?: { vswitchdCtl: string; bridge: string };
}

export interface ReadinessPort {
    /** The logical switch port (external_ids:iface-id). */
    logicalPort: string;
    node: string;
    /** Its OVS interface on the node's integration bridge. */
    interface: string;
}

export interface LabReadinessArgs {
    endpoint: DbEndpoint;
    /** The lab's mark on its rows (external_ids "ovnlab:stack"). */
    stack: string;
    nodes: ReadinessNode[];
    ports: ReadinessPort[];
    /** How long a port may take to become ready. */
    timeoutSeconds: number;
}

export interface LabReadinessOutputs extends LabReadinessArgs {
    /** A digest of the lab's northbound rows when the lab was last made ready. */
    nbDigest: string;
    /** Milliseconds the last wait took. */
    waitedMs: number;
    /** What a refresh found not ready; empty when the lab forwards. */
    problems: string[];
}

/**
 * The lab's rows of the tables a chassis computes its flows from (every table an ovnlab kind reads: switches,
 * routers, ports, and services such as load balancers and ACLs), less what OVN itself updates. Rows are the
 * stack's by their mark, so a table the lab has no rows in leaves the digest as it was.
 */
const VOLATILE = new Set(["up", "dynamic_addresses", "status"]);

export function nbDigest(snapshot: NbSnapshot, stack: string): string {
    const rows = Object.keys(snapshot).sort().flatMap((table) => (snapshot[table] ?? [])
        .filter((row) => stringMap(row.external_ids)["ovnlab:stack"] === stack)
        .map((row) => JSON.stringify([table, Object.keys(row).filter((k) => !VOLATILE.has(k)).sort().map((k) => [k, row[k]])])))
        .sort();
    return createHash("sha256").update(rows.join("\n")).digest("hex").slice(0, 16);
}

interface NodeHealth {
    /** ovn-controller's connection-status ("connected"), or why it did not answer. */
    controller: string;
    /** Interfaces whose external_ids:ovn-installed is "true". */
    installed: Set<string>;
    /** Interfaces whose packets table 0 admits. */
    inTable0: Set<string>;
    /** The other chassis' encap addresses its userspace datapath cannot tunnel to yet (no neighbour entry). */
    unresolved: string[];
}

async function nodeHealth(node: ReadinessNode, peers: string[]): Promise<NodeHealth> {
    const status = await runCommand(node.transport, ovnControllerAppctl(node.ovnRunDir, "connection-status"), { allowFailure: true, timeoutMs: 10_000 });
    const controller = status.code === 0 ? status.stdout.trim() : `not answering (${status.stderr.trim() || `exit ${status.code}`})`;
    const list = await runCommand(node.transport, ovsVsctl(node.ovsDb, [vsListInterfaceIds()], { timeoutSeconds: 5 }), { allowFailure: true, timeoutMs: 10_000 });
    const flows = await runCommand(node.transport, ofctlDumpTable0(node.ovnRunDir, node.bridge), { allowFailure: true, timeoutMs: 10_000 });
    const admitted = flows.code === 0 ? parseTable0Ports(flows.stdout) : new Set<number>();
    const installed = new Set<string>();
    const inTable0 = new Set<string>();
    if (list.code === 0) {
        for (const [name, iface] of parseInterfaceIds(list.stdout)) {
            if (iface.externalIds["ovn-installed"] === "true") installed.add(name);
            if (admitted.has(iface.ofport)) inTable0.add(name);
        }
    }
    let unresolved: string[] = [];
    if (node.userspaceTunnels && peers.length > 0) {
        const neighbours = await runCommand(node.transport, tunnelNeighbours(node.userspaceTunnels.vswitchdCtl), { allowFailure: true, timeoutMs: 10_000 });
        const known = neighbours.code === 0 ? parseTunnelNeighbours(neighbours.stdout) : new Set<string>();
        unresolved = peers.filter((ip) => !known.has(ip));
    }
    return { controller, installed, inTable0, unresolved };
}

/** What is not ready, one line per chassis or port; empty when every port is installed on a connected chassis. */
async function unready(args: LabReadinessArgs): Promise<string[]> {
    const peersOf = (node: ReadinessNode) => args.nodes.filter((n) => n !== node && n.encapIp !== node.encapIp).map((n) => n.encapIp);
    const health = new Map(await Promise.all(args.nodes.map(async (n) => [n.name, await nodeHealth(n, peersOf(n))] as const)));
    const problems: string[] = [];
    for (const [node, h] of health) {
        // The first packet to a chassis the userspace datapath has no neighbour entry for is dropped while it ARPs.
        if (h.unresolved.length > 0) problems.push(`node ${node}: no tunnel neighbour entry for ${h.unresolved.join(", ")} (ovs-appctl tnl/neigh/show)`);
    }
    for (const [node, h] of health) if (h.controller !== "connected") problems.push(`node ${node}: ovn-controller ${h.controller}`);
    for (const p of args.ports) {
        const h = health.get(p.node);
        if (!h || h.controller !== "connected") continue;
        if (!h.installed.has(p.interface)) {
            problems.push(`port ${p.logicalPort} on node ${p.node}: interface ${p.interface} has no external_ids:ovn-installed="true"`);
        } else if (!h.inTable0.has(p.interface)) {
            problems.push(`port ${p.logicalPort} on node ${p.node}: no OpenFlow rule in table 0 of its bridge admits interface ${p.interface} (ovn-controller has not programmed ovs-vswitchd)`);
        }
    }
    return problems;
}

async function makeReady(args: LabReadinessArgs): Promise<LabReadinessOutputs> {
    validate(args);
    const start = Date.now();
    // Recompute everywhere: cheap for a lab, and the one cure for a chassis whose incremental processing missed a change.
    await Promise.all(args.nodes.map((n) => runCommand(n.transport, ovnControllerAppctl(n.ovnRunDir, "recompute"), { timeoutMs: 10_000 })));
    const deadline = start + args.timeoutSeconds * 1000;
    await nbctl(args.endpoint, [["sync"]], ["--wait=hv"]).catch((e: Error) => {
        throw new Error(`waiting for every chassis to catch up with the northbound database (ovn-nbctl --wait=hv sync) failed: ${e.message}`);
    });
    let problems = await unready(args);
    while (problems.length > 0 && Date.now() < deadline) {
        await resolveTunnelNeighbours(args, problems);
        await new Promise((resolve) => setTimeout(resolve, 200));
        problems = await unready(args);
    }
    if (problems.length > 0) {
        throw new Error(`the lab is not ready after ${args.timeoutSeconds} s:\n  ${problems.join("\n  ")}`);
    }
    forgetNbSnapshots();
    const digest = nbDigest(await readNbSnapshot(args.endpoint), args.stack);
    return { ...args, nbDigest: digest, waitedMs: Date.now() - start, problems: [] };
}

/** For each node missing a neighbour entry, one echo to each such chassis (its ARP reply is snooped into the cache). */
async function resolveTunnelNeighbours(args: LabReadinessArgs, problems: string[]): Promise<void> {
    await Promise.all(args.nodes.map(async (n) => {
        const line = problems.find((p) => p.startsWith(`node ${n.name}: no tunnel neighbour entry for `));
        if (!line) return;
        const ips = line.replace(/^.*entry for /, "").replace(/ \(.*$/, "").split(", ");
        await Promise.all(ips.map(async (ip) => {
            // With the kernel's ARP entry in place no ARP would cross the bridge for the datapath to snoop.
            if (n.userspaceTunnels) await runCommand(n.transport, ipNeighDelete(ip, n.userspaceTunnels.bridge), { allowFailure: true, timeoutMs: 5_000 });
            await runCommand(n.transport, pingOnce(ip), { allowFailure: true, timeoutMs: 5_000 });
        }));
    }));
}

function validate(args: LabReadinessArgs): void {
    for (const n of args.nodes) {
        validName("node name", n.name);
        validInterface(n.bridge);
        validIpv4(n.encapIp);
        if (n.userspaceTunnels) validInterface(n.userspaceTunnels.bridge);
    }
    for (const p of args.ports) {
        validName("logical port", p.logicalPort);
        validInterface(p.interface);
        if (!args.nodes.some((n) => n.name === p.node)) throw new Error(`port ${p.logicalPort} is on node ${JSON.stringify(p.node)}, which the readiness check does not know`);
    }
    const t = args.timeoutSeconds;
    if (!Number.isInteger(t) || t < 1 || t > 3600) throw new Error(`invalid readiness timeout ${JSON.stringify(t)}: 1-3600 seconds`);
}

export const labReadinessProvider: ResourceHandler<LabReadinessArgs, LabReadinessOutputs> = {
    async create(inputs) {
        return { id: `${inputs.stack}-ready`, outs: await makeReady(inputs) };
    },
    async diff(_id, olds, news) {
        return diffSettings(olds, news, [], ["endpoint", "stack", "nodes", "ports", "timeoutSeconds"]);
    },
    async update(_id, _olds, news) {
        return { outs: await makeReady(news) };
    },
    async read(id, props) {
        if (!props) return {};
        if (databaseGone(props.endpoint)) return {};
        const problems = await unready(props);
        const snapshot = await readNbSnapshot(props.endpoint).catch((error: unknown) => {
            if (ownDatabaseDown(props.endpoint, error)) return undefined;
            throw error;
        });
        if (!snapshot) problems.push("the lab's northbound database is down");
        else if (nbDigest(snapshot, props.stack) !== props.nbDigest) problems.push("the lab's northbound rows changed since the lab was last made ready: every chassis recomputes on the next up");
        return { id, props: { ...props, problems } };
    },
    // Nothing of its own on the host.
    async delete() {},
};

export class LabReadiness extends OvnlabResource {
    declare readonly waitedMs: pulumi.Output<number>;
    declare readonly problems: pulumi.Output<string[]>;

    constructor(name: string, args: ResourceInputs<LabReadinessArgs>, opts?: pulumi.CustomResourceOptions) {
        super("ovn", "Readiness", name, { nbDigest: undefined, waitedMs: undefined, problems: undefined, ...args }, opts);
    }
}
