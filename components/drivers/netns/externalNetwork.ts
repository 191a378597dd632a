// The gateway's external network, as the netns driver provides it: "the internet"
// is a network namespace of its own (`ovnlab-<labId>-inet`) holding the external
// host's address on eth0, whose veth peer `ext-inet` is a port of the OVS bridge
// br-ext in the gateway node; the node's `ovn-bridge-mappings=<physnet>:br-ext`
// lets ovn-controller patch br-int to br-ext for the localnet port of ls-ext.
// A busybox httpd listens on the external host; its CGI cgi-bin/source answers
// with the source address it sees (REMOTE_ADDR) and its log records each request
// (`<source ip>:<port>: url:...`), so a test asks the external host, not the config.
// Started by start-stop-daemon with a pidfile, stopped by that PID.
import * as pulumi from "../../kit/pulumiCore";
import { ResourceHandler, OvnlabResource } from "../../kit/resource";
import { ethtoolTxOff, ipAddrAdd, ipAddrShow, ipLinkUp, ipNetnsAdd, ipNetnsDelete, ipVethAdd, parseIpv4Cidrs } from "../../commands/ip";
import { EXTERNAL_BRIDGE, EXTERNAL_HOST_INTERFACE, EXTERNAL_NODE_INTERFACE, externalLayout, externalNamespaceName } from "../../commands/names";
import { ovsVsctl, parseOvsMap, vsAddBridge, vsAddPort, vsBridgeExists, vsDelBridge, vsDelPort, vsGetOpenVswitchExternalIds, vsRemoveBridgeMappings, vsSetBridgeMappings, vsSetDatapathType } from "../../commands/ovs";
import { listenerStart } from "../../commands/process";
import { validIpv4Cidr, validLabId, validNamespace, validOvsdbRemote, validPath } from "../../plan/validate";
import { alreadyGone, daemonProblems, deleteLink, diffSettings, linkExists, namespaceExists, ResourceInputs, stopDaemon, stopNamespaceProcesses } from "../../kit/hostRuntime";
import { runCommand, TransportSpec } from "../../transport/transport";

export interface ExternalNetworkArgs {
    labId: string;
    /** The gateway node's namespace and its Open_vSwitch database. */
    nodeNamespace: string;
    ovsDb: string;
    /** br-ext's datapath: the node's (netdev: userspace). */
    datapathType: string;
    physnet: string;
    /** The external host's address with prefix, e.g. 192.168.100.100/24. */
    hostCidr: string;
    /** The lab's state directory: the listener's files go to <stateDir>/inet. */
    stateDir: string;
}

export interface ExternalNetworkOutputs extends ExternalNetworkArgs {
    namespace: string;
    /** What the external host serves: `wget -qO- <url>` prints the source address it saw. */
    url: string;
    logFile: string;
    problems: string[];
}

const HOST: TransportSpec = { kind: "local" };
const LISTEN_PORT = 80;
const CGI = '#!/bin/sh\necho "Content-Type: text/plain"\necho\necho "$REMOTE_ADDR"\n';

/** 0a:58 and the address's four bytes, like the gateway's router ports (plan/gatewayConfig.ts). */
function externalHostMac(cidr: string): string {
    return ["0a", "58", ...validIpv4Cidr(cidr).split("/")[0].split(".").map((b) => Number(b).toString(16).padStart(2, "0"))].join(":");
}

function outputs(a: ExternalNetworkArgs, problems: string[]): ExternalNetworkOutputs {
    const layout = externalLayout(a.stateDir);
    return { ...a, namespace: externalNamespaceName(a.labId), url: `http://${a.hostCidr.split("/")[0]}/cgi-bin/source`, logFile: layout.logFile, problems };
}

function validate(a: ExternalNetworkArgs): void {
    validLabId(a.labId);
    validNamespace(a.nodeNamespace);
    validOvsdbRemote(a.ovsDb);
    validIpv4Cidr(a.hostCidr);
    validPath("state directory", a.stateDir);
    vsSetBridgeMappings(a.physnet, EXTERNAL_BRIDGE);
    vsSetDatapathType(EXTERNAL_BRIDGE, a.datapathType);
}

async function converge(a: ExternalNetworkArgs): Promise<ExternalNetworkOutputs> {
    const fs: typeof import("fs") = require("fs");
    validate(a);
    const out = outputs(a, []);
    const layout = externalLayout(a.stateDir);
    const node: TransportSpec = { kind: "netns", namespace: a.nodeNamespace };
    const inet: TransportSpec = { kind: "netns", namespace: out.namespace };
    if (!namespaceExists(out.namespace)) {
        await stopDaemon(layout.pidfile, 5000, layout.wwwDir);
        await runCommand(HOST, ipNetnsAdd(out.namespace));
    }
    await runCommand(inet, ipLinkUp("lo"));
    // br-ext in the node's own OVS, mapped for ovn-controller; the node's veth end is its port.
    await runCommand(node, ovsVsctl(a.ovsDb, [
        vsAddBridge(EXTERNAL_BRIDGE), vsSetDatapathType(EXTERNAL_BRIDGE, a.datapathType), vsSetBridgeMappings(a.physnet, EXTERNAL_BRIDGE),
    ]));
    if (!(await linkExists(node, EXTERNAL_NODE_INTERFACE)) || !(await linkExists(inet, EXTERNAL_HOST_INTERFACE))) {
        await deleteLink(node, EXTERNAL_NODE_INTERFACE);
        await deleteLink(inet, EXTERNAL_HOST_INTERFACE);
        // The port goes too: ovs-vswitchd opens a device again only for a port added anew.
        await runCommand(node, ovsVsctl(a.ovsDb, [vsDelPort(EXTERNAL_BRIDGE, EXTERNAL_NODE_INTERFACE)]));
        // The external host keeps one MAC across repairs: gw0's MAC binding of its address stays right.
        await runCommand(node, ipVethAdd({ name: EXTERNAL_NODE_INTERFACE, peerName: EXTERNAL_HOST_INTERFACE, peerNamespace: { name: out.namespace }, peerMac: externalHostMac(a.hostCidr) }));
    }
    await runCommand(node, ovsVsctl(a.ovsDb, [vsAddPort(EXTERNAL_BRIDGE, EXTERNAL_NODE_INTERFACE)]));
    // The userspace datapath reads the veth with AF_PACKET and forwards partial checksums as they are (recipe pitfall 2).
    for (const [where, dev] of [[node, EXTERNAL_NODE_INTERFACE], [inet, EXTERNAL_HOST_INTERFACE]] as [TransportSpec, string][]) {
        await runCommand(where, ethtoolTxOff(dev));
        await runCommand(where, ipLinkUp(dev));
    }
    if (!parseIpv4Cidrs((await runCommand(inet, ipAddrShow(EXTERNAL_HOST_INTERFACE))).stdout).includes(a.hostCidr)) {
        await runCommand(inet, ipAddrAdd(a.hostCidr, EXTERNAL_HOST_INTERFACE));
    }
    fs.mkdirSync(`${layout.wwwDir}/cgi-bin`, { recursive: true });
    fs.writeFileSync(layout.cgi, CGI, { mode: 0o755 });
    if (daemonProblems(out.namespace, { httpd: layout.pidfile }, layout.wwwDir).length > 0) {
        await stopDaemon(layout.pidfile, 5000, layout.wwwDir);
        await runCommand(inet, listenerStart({ pidfile: layout.pidfile, logFile: layout.logFile, address: a.hostCidr.split("/")[0], port: LISTEN_PORT, wwwDir: layout.wwwDir }));
    }
    return out;
}

/** What is broken on a namespace that exists (an update repairs each). */
async function problemsOf(out: ExternalNetworkOutputs): Promise<string[]> {
    const layout = externalLayout(out.stateDir);
    const node: TransportSpec = { kind: "netns", namespace: out.nodeNamespace };
    const inet: TransportSpec = { kind: "netns", namespace: out.namespace };
    const problems = daemonProblems(out.namespace, { "the external host's httpd": layout.pidfile }, layout.wwwDir);
    if (!(await linkExists(node, EXTERNAL_NODE_INTERFACE))) problems.push(`veth ${EXTERNAL_NODE_INTERFACE} is missing in ${out.nodeNamespace}`);
    const addresses = await runCommand(inet, ipAddrShow(EXTERNAL_HOST_INTERFACE), { allowFailure: true });
    if (addresses.code !== 0 || !parseIpv4Cidrs(addresses.stdout).includes(out.hostCidr)) problems.push(`${EXTERNAL_HOST_INTERFACE} in ${out.namespace} does not hold ${out.hostCidr}`);
    const bridge = await runCommand(node, ovsVsctl(out.ovsDb, [vsBridgeExists(EXTERNAL_BRIDGE)]), { allowFailure: true });
    if (bridge.code !== 0) problems.push(`bridge ${EXTERNAL_BRIDGE} is missing`);
    const ids = await runCommand(node, ovsVsctl(out.ovsDb, [vsGetOpenVswitchExternalIds()]), { allowFailure: true });
    const mapping = ids.code === 0 ? parseOvsMap(ids.stdout)["ovn-bridge-mappings"] : undefined;
    if (mapping !== `${out.physnet}:${EXTERNAL_BRIDGE}`) problems.push(`ovn-bridge-mappings is ${mapping ?? "unset"}, not ${out.physnet}:${EXTERNAL_BRIDGE}`);
    return problems;
}

async function remove(a: ExternalNetworkArgs): Promise<void> {
    const layout = externalLayout(a.stateDir);
    const namespace = externalNamespaceName(a.labId);
    await stopDaemon(layout.pidfile, 5000, layout.wwwDir);
    // A listener whose pidfile is gone (the lab's files removed by hand) is still in the namespace.
    await stopNamespaceProcesses(namespace);
    if (namespaceExists(namespace)) {
        const result = await runCommand(HOST, ipNetnsDelete(namespace), { allowFailure: true });
        if (result.code !== 0 && !alreadyGone(result.stderr)) throw new Error(`deleting namespace ${namespace} failed: ${result.stderr.trim()}`);
    }
    // The node may be gone already (destroy removes it after this): nothing of ours is left there then.
    if (namespaceExists(a.nodeNamespace)) {
        const node: TransportSpec = { kind: "netns", namespace: a.nodeNamespace };
        await deleteLink(node, EXTERNAL_NODE_INTERFACE);
        const result = await runCommand(node, ovsVsctl(a.ovsDb, [vsDelBridge(EXTERNAL_BRIDGE), vsRemoveBridgeMappings()]), { allowFailure: true });
        if (result.code !== 0 && !alreadyGone(result.stderr)) throw new Error(`removing ${EXTERNAL_BRIDGE} failed: ${result.stderr.trim()}`);
    }
    require("fs").rmSync(layout.dir, { recursive: true, force: true });
}

export const externalNetworkProvider: ResourceHandler<ExternalNetworkArgs, ExternalNetworkOutputs> = {
    async create(inputs) {
        try {
            const outs = await converge(inputs);
            return { id: outs.namespace, outs };
        } catch (error) {
            await remove(inputs).catch(() => undefined);
            throw error;
        }
    },
    async diff(_id, olds, news) {
        const layout = externalLayout(olds.stateDir);
        // A listener that died since the last refresh is restarted by the next up (its pidfile says so; no command runs).
        const dead = require("fs").existsSync(layout.dir) ? daemonProblems(externalNamespaceName(olds.labId), { httpd: layout.pidfile }, layout.wwwDir) : [];
        return diffSettings({ ...olds, problems: [...(olds.problems ?? []), ...dead] }, news,
            ["labId", "nodeNamespace", "ovsDb", "stateDir"], ["datapathType", "physnet", "hostCidr"]);
    },
    async update(_id, olds, news) {
        if (olds.hostCidr !== news.hostCidr) await remove(olds);
        return { outs: await converge(news) };
    },
    async read(id, props) {
        if (!props) return {};
        const out = outputs(props, []);
        if (!namespaceExists(out.namespace)) return {};
        return { id, props: { ...out, problems: await problemsOf(out) } };
    },
    async delete(_id, props) {
        await remove(props);
    },
};

export class ExternalNetwork extends OvnlabResource {
    declare readonly namespace: pulumi.Output<string>;
    declare readonly url: pulumi.Output<string>;
    declare readonly logFile: pulumi.Output<string>;
    declare readonly problems: pulumi.Output<string[]>;

    constructor(name: string, args: ResourceInputs<ExternalNetworkArgs>, opts?: pulumi.CustomResourceOptions) {
        super("netns", "ExternalNetwork", name, { namespace: undefined, url: undefined, logFile: undefined, problems: undefined, ...args }, opts);
    }
}
