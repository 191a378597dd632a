// A lab node of the netns driver: a network namespace with its own
// ovsdb-server, ovs-vswitchd and (unless the experiment has no OVN)
// ovn-controller, a veth to the lab's underlay bridge, br-phy holding the
// underlay address (userspace tunnelling) and br-int. Follows
// docs/netns-lab-recipe (shared design): daemons started directly, never via
// ovs-ctl/ovn-ctl, and stopped by the PID in their pidfiles.
import * as pulumi from "../../kit/pulumiCore";
import { ResourceHandler, OvnlabResource } from "../../kit/resource";
import { DatapathType, Encap } from "../../plan/config";
import { ipAddrAdd, ipAddrShow, ipLinkSetMaster, ipLinkShow, ipLinkUp, ipNetnsAdd, ipNetnsDelete, ipVethAdd, parseIpv4Cidrs, parseLinkAddress, parseLinkMaster } from "../../commands/ip";
import { hostVethName, namespaceName, NODE_UNDERLAY_INTERFACE, nodeEnvironment, nodeLayout, NodeLayout, PHYSICAL_BRIDGE } from "../../commands/names";
import { ovnControllerStart, ovsdbServerStart, ovsdbToolCreate, ovsVsctl, ovsVswitchdStart, SCHEMAS, TlsFiles, vsAddBridge, vsAddPort, vsBridgeExists, vsDisableInBand, vsInit, vsSetBridgeHwaddr, vsSetDatapathType, vsSetFailMode, vsSetOvnChassisIds } from "../../commands/ovs";
import { validChassis, validDatapathType, validEncap, validHostname, validInterface, validIpv4, validIpv4Cidr, validLabId, validName, validPath } from "../../plan/validate";
import { ResourceInputs, alreadyGone, daemonProblems, deadDaemons, deleteLink, diffSettings, ensureDaemon, linkExists, namespaceExists, removeStaleControlSockets, removeStateDir, stopDaemon, stopNamespaceProcesses } from "../../kit/hostRuntime";
import { runCommand, TransportSpec } from "../../transport/transport";

// ---- The node --------------------------------------------------------------

export interface NetnsNodeArgs {
    /** Prefix of every host-level name; see commands/names.ts. */
    labId: string;
    /** Node name, e.g. node1. */
    name: string;
    /** Absolute directory holding `<name>/{run,db,log,etc}`; keep it short (unix socket paths). */
    stateDir: string;
    /** The lab's underlay Linux bridge (Underlay's bridgeName). */
    underlayBridge: string;
    /** The node's underlay address with prefix, e.g. 172.16.56.2/24; it goes on br-phy. */
    underlayCidr: string;
    /** false: no ovn-controller and no OVN external-ids; br-int forwards NORMAL by MAC learning (single-l2). */
    ovn: boolean;
    /** Underlay address of the node running the SB database; required with ovn. */
    centralIp?: string;
    /** Default geneve. */
    encap?: Encap;
    /** Default netdev (userspace datapath: no kernel module needed). */
    datapathType?: DatapathType;
    /** OVN chassis name (system-id); default `<labId>-<name>`. */
    chassis?: string;
    /** Integration bridge; default br-int. */
    bridge?: string;
    /** Chassis hostname; default the node name. */
    hostname?: string;
    /** The chassis certificate: ovn-controller then reaches the SB over ssl: (default none: tcp:). */
    tls?: TlsFiles;
}

/** The inputs with their defaults filled in (no validation: during a preview some may be unknown). */
export type NetnsNodeSettings = Required<NetnsNodeArgs>;

export interface NetnsNodeOutputs extends NetnsNodeSettings {
    namespace: string;
    /** Runs commands on this node: `ip netns exec <namespace> ...`. */
    transport: TransportSpec;
    /** The node's own Open_vSwitch database: unix:<runDir>/db.sock. */
    ovsDb: string;
    runDir: string;
    nodeDir: string;
    underlayIp: string;
    /** Host end of the underlay veth (a port of the underlay bridge). */
    hostInterface: string;
    /** Absolute control socket of ovs-vswitchd, for `ovs-appctl -t`. */
    vswitchdCtl: string;
    /** What a refresh found broken; an update repairs it. Empty after create. */
    problems: string[];
}

/** State written before TLS existed reads as "no TLS". */
const NO_TLS: TlsFiles = { privateKey: "", certificate: "", caCert: "" };

export function nodeSettings(args: NetnsNodeArgs): NetnsNodeSettings {
    return {
        labId: args.labId,
        name: args.name,
        stateDir: args.stateDir,
        underlayBridge: args.underlayBridge,
        underlayCidr: args.underlayCidr,
        ovn: args.ovn ?? true,
        centralIp: args.centralIp ?? "",
        encap: args.encap ?? "geneve",
        datapathType: args.datapathType ?? "netdev",
        chassis: args.chassis ?? `${args.labId}-${args.name}`,
        bridge: args.bridge ?? "br-int",
        hostname: args.hostname ?? args.name,
        tls: args.tls ?? NO_TLS,
    };
}

/** Throws a clear error for the first invalid setting. */
function validateNode(s: NetnsNodeSettings): void {
    validLabId(s.labId);
    validName("node name", s.name);
    validPath("state directory", s.stateDir);
    validInterface(s.underlayBridge);
    validIpv4Cidr(s.underlayCidr);
    validDatapathType(s.datapathType);
    validInterface(s.bridge);
    if (s.bridge === PHYSICAL_BRIDGE) throw new Error(`the integration bridge cannot be called ${PHYSICAL_BRIDGE}: the node's underlay bridge has that name`);
    if (typeof s.ovn !== "boolean") throw new Error(`ovn must be true or false, not ${JSON.stringify(s.ovn)}`);
    if (s.ovn) {
        if (!s.centralIp) throw new Error(`node ${s.name}: centralIp (the SB database's underlay address) is required with ovn`);
        validIpv4(s.centralIp);
        validEncap(s.encap);
        validHostname(s.hostname);
        validChassis(s.chassis);
    }
}

function nodeOutputs(s: NetnsNodeSettings, problems: string[]): NetnsNodeOutputs {
    const layout = nodeLayout(s.stateDir, s.name);
    const namespace = namespaceName(s.labId, s.name);
    return {
        ...s,
        namespace,
        transport: { kind: "netns", namespace },
        ovsDb: `unix:${layout.dbSocket}`,
        runDir: layout.runDir,
        nodeDir: layout.dir,
        underlayIp: s.underlayCidr.split("/")[0],
        hostInterface: hostVethName(s.labId, s.name),
        vswitchdCtl: layout.vswitchdCtl,
        problems,
    };
}

function nodeDaemons(layout: NodeLayout, ovn: boolean): Record<string, string> {
    return {
        "ovsdb-server": layout.ovsdbPidfile,
        "ovs-vswitchd": layout.vswitchdPidfile,
        ...(ovn ? { "ovn-controller": layout.controllerPidfile } : {}),
    };
}

/**
 * ovn-controller first, then ovs-vswitchd, then ovsdb-server: with vswitchd gone first, the controller's
 * TCP FIN has no route and orphaned sockets pin the namespace and its veth for minutes (recipe pitfall 6).
 */
function nodeStopOrder(layout: NodeLayout): string[] {
    return [layout.controllerPidfile, layout.vswitchdPidfile, layout.ovsdbPidfile];
}

/** Brings the node to its desired state from whatever is there: used by create, update and repair. */
async function convergeNode(s: NetnsNodeSettings): Promise<NetnsNodeOutputs> {
    const fs: typeof import("fs") = require("fs");
    validateNode(s);
    const layout = nodeLayout(s.stateDir, s.name);
    const out = nodeOutputs(s, []);
    const host: TransportSpec = { kind: "local" };
    const node = out.transport;
    const env = nodeEnvironment(layout);
    const vsctl = (commands: string[][], noWait = false) => runCommand(node, ovsVsctl(out.ovsDb, commands, { noWait }), { env });

    for (const dir of [layout.runDir, layout.dbDir, layout.logDir, layout.etcDir]) fs.mkdirSync(dir, { recursive: true });
    if (!namespaceExists(out.namespace)) {
        // Daemons left from a namespace deleted by hand keep that one (and the veth's node end) alive: stop them first.
        for (const pidfile of nodeStopOrder(layout)) await stopDaemon(pidfile);
        await runCommand(host, ipNetnsAdd(out.namespace));
    }
    await runCommand(node, ipLinkUp("lo"));

    const hostEnd = await linkExists(host, out.hostInterface);
    const nodeEnd = await linkExists(node, NODE_UNDERLAY_INTERFACE);
    if (!hostEnd || !nodeEnd) {
        // Half a pair (the other half went with an old namespace): make the pair again.
        await deleteLink(host, out.hostInterface);
        await deleteLink(node, NODE_UNDERLAY_INTERFACE);
        await runCommand(host, ipVethAdd({ name: out.hostInterface, peerName: NODE_UNDERLAY_INTERFACE, peerNamespace: { name: out.namespace } }));
    }
    await runCommand(host, ipLinkSetMaster(out.hostInterface, s.underlayBridge));
    await runCommand(host, ipLinkUp(out.hostInterface));
    await runCommand(node, ipLinkUp(NODE_UNDERLAY_INTERFACE));

    if (!fs.existsSync(layout.confDb)) await runCommand(host, ovsdbToolCreate(layout.confDb, SCHEMAS.openVswitch));
    await ensureDaemon(out.namespace, layout.ovsdbPidfile, ovsdbServerStart({
        dbFile: layout.confDb, socket: layout.dbSocket, pidfile: layout.ovsdbPidfile, logFile: layout.ovsdbLog, unixctl: layout.ovsdbCtl,
    }), env);
    await vsctl([vsInit()], true);
    await ensureDaemon(out.namespace, layout.vswitchdPidfile, ovsVswitchdStart(layout), env);

    // The underlay address lives on br-phy's internal port, so ovs-vswitchd routes and ARPs for the tunnels itself.
    // br-phy keeps the underlay NIC's MAC: a restarted ovs-vswitchd could give it another one, and the other
    // chassis would go on tunnelling to the old MAC from their 15-minute tunnel neighbour cache.
    const underlayMac = parseLinkAddress((await runCommand(node, ipLinkShow(NODE_UNDERLAY_INTERFACE))).stdout).mac ?? "";
    await vsctl([
        vsAddBridge(PHYSICAL_BRIDGE), vsSetDatapathType(PHYSICAL_BRIDGE, s.datapathType), vsAddPort(PHYSICAL_BRIDGE, NODE_UNDERLAY_INTERFACE),
        vsSetBridgeHwaddr(PHYSICAL_BRIDGE, underlayMac),
        vsAddBridge(s.bridge), vsSetDatapathType(s.bridge, s.datapathType), vsSetFailMode(s.bridge, s.ovn ? "secure" : "standalone"),
        vsDisableInBand(s.bridge),
    ]);
    const addresses = parseIpv4Cidrs((await runCommand(node, ipAddrShow(PHYSICAL_BRIDGE))).stdout);
    if (!addresses.includes(s.underlayCidr)) await runCommand(node, ipAddrAdd(s.underlayCidr, PHYSICAL_BRIDGE));
    await runCommand(node, ipLinkUp(PHYSICAL_BRIDGE));

    if (s.ovn) {
        const tls = s.tls.privateKey ? s.tls : undefined;
        await vsctl([vsSetOvnChassisIds({
            ovnRemote: `${tls ? "ssl" : "tcp"}:${s.centralIp}:6642`, encapType: s.encap, encapIp: out.underlayIp, systemId: s.chassis,
            hostname: s.hostname, bridge: s.bridge, bridgeDatapathType: s.datapathType, monitorAll: true,
        })]);
        removeStaleControlSockets(out.runDir, "ovn-controller");
        await ensureDaemon(out.namespace, layout.controllerPidfile, ovnControllerStart(layout, tls), env);
    }
    return out;
}

/** What is wrong with a node whose namespace exists. */
async function nodeProblems(out: NetnsNodeOutputs): Promise<string[]> {
    const layout = nodeLayout(out.stateDir, out.name);
    const problems = daemonProblems(out.namespace, nodeDaemons(layout, out.ovn));
    const hostEnd = await runCommand({ kind: "local" }, ipLinkShow(out.hostInterface), { allowFailure: true });
    if (hostEnd.code !== 0) problems.push(`underlay veth ${out.hostInterface} is missing`);
    else if (parseLinkMaster(hostEnd.stdout) !== out.underlayBridge) problems.push(`${out.hostInterface} is not a port of ${out.underlayBridge}`);
    if (!problems.some((p) => p.startsWith("ovsdb-server"))) {
        const env = nodeEnvironment(layout);
        const bridge = await runCommand(out.transport, ovsVsctl(out.ovsDb, [vsBridgeExists(out.bridge)]), { env, allowFailure: true });
        if (bridge.code !== 0) problems.push(`bridge ${out.bridge} is missing`);
    }
    const addresses = await runCommand(out.transport, ipAddrShow(PHYSICAL_BRIDGE), { allowFailure: true });
    if (addresses.code !== 0 || !parseIpv4Cidrs(addresses.stdout).includes(out.underlayCidr)) {
        problems.push(`${PHYSICAL_BRIDGE} does not hold ${out.underlayCidr}`);
    }
    return problems;
}

/** tls too: ovn-controller takes its certificate on its command line, so a change needs a new node. */
/** Daemons in the recipe's order, then the veth, the namespace and the node's files; tolerant of what is gone. */
async function removeNode(s: NetnsNodeSettings): Promise<void> {
    const out = nodeOutputs(s, []);
    const layout = nodeLayout(s.stateDir, s.name);
    for (const pidfile of nodeStopOrder(layout)) await stopDaemon(pidfile);
    // Daemons whose pidfiles are gone (the lab's files removed by hand) are still in the node's namespace.
    await stopNamespaceProcesses(out.namespace);
    await deleteLink({ kind: "local" }, out.hostInterface);
    if (namespaceExists(out.namespace)) {
        const result = await runCommand({ kind: "local" }, ipNetnsDelete(out.namespace), { allowFailure: true });
        if (result.code !== 0 && !alreadyGone(result.stderr)) throw new Error(`deleting namespace ${out.namespace} failed: ${result.stderr.trim()}`);
    }
    removeStateDir(layout.dir);
}

const NODE_REPLACE_KEYS: (keyof NetnsNodeSettings)[] = ["labId", "name", "stateDir", "underlayBridge", "underlayCidr", "ovn", "datapathType", "bridge", "tls"];
/** Only the Open_vSwitch external-ids: `set open .` changes them in place. */
const NODE_UPDATE_KEYS: (keyof NetnsNodeSettings)[] = ["centralIp", "encap", "chassis", "hostname"];

export const netnsNodeProvider: ResourceHandler<NetnsNodeArgs, NetnsNodeOutputs> = {
    async create(inputs) {
        const settings = nodeSettings(inputs);
        try {
            const outs = await convergeNode(settings);
            return { id: outs.namespace, outs };
        } catch (error) {
            // A failed create is not recorded in the state, so nothing would ever remove what it made.
            await removeNode(settings).catch(() => undefined);
            throw error;
        }
    },

    async diff(_id, olds, news) {
        // A daemon that died since the last refresh is restarted by the next up, without --refresh (see ovnCentral).
        const s = nodeSettings(olds);
        const dead = deadDaemons(namespaceName(s.labId, s.name), nodeDaemons(nodeLayout(s.stateDir, s.name), s.ovn));
        return diffSettings({ ...s, problems: [...(olds.problems ?? []), ...dead] }, nodeSettings(news), NODE_REPLACE_KEYS, NODE_UPDATE_KEYS);
    },

    async update(_id, _olds, news) {
        return { outs: await convergeNode(nodeSettings(news)) };
    },

    async read(id, props) {
        if (!props) return {};
        const out = nodeOutputs(nodeSettings(props), []);
        if (!namespaceExists(out.namespace)) return {};
        return { id, props: { ...out, problems: await nodeProblems(out) } };
    },

    async delete(_id, props) {
        await removeNode(nodeSettings(props));
    },
};

export class NetnsNode extends OvnlabResource {
    declare readonly namespace: pulumi.Output<string>;
    declare readonly transport: pulumi.Output<TransportSpec>;
    declare readonly ovsDb: pulumi.Output<string>;
    declare readonly runDir: pulumi.Output<string>;
    declare readonly nodeDir: pulumi.Output<string>;
    declare readonly chassis: pulumi.Output<string>;
    declare readonly underlayIp: pulumi.Output<string>;
    declare readonly bridge: pulumi.Output<string>;
    declare readonly hostInterface: pulumi.Output<string>;
    declare readonly vswitchdCtl: pulumi.Output<string>;
    declare readonly problems: pulumi.Output<string[]>;

    constructor(name: string, args: ResourceInputs<NetnsNodeArgs>, opts?: pulumi.CustomResourceOptions) {
        const outputs = {
            namespace: undefined, transport: undefined, ovsDb: undefined, runDir: undefined, nodeDir: undefined, chassis: undefined,
            underlayIp: undefined, bridge: undefined, hostInterface: undefined, vswitchdCtl: undefined, problems: undefined,
        };
        super("netns", "Node", name, { ...outputs, ...args }, opts);
    }
}
