// How the inspection tools (capture, verify, show, trace) reach a node of a
// running lab, whatever driver made it: from the node's stack outputs, a
// transport (`ip netns exec` for a netns node, the ssh driver's own `ssh ...`
// line for an SSH host) or, for a Vagrant machine, the project whose
// `vagrant ssh-config` gives its SSH transport, as the driver itself makes it. Also where the node's files are (its unix sockets: OVS's,
// Docker's, the OVN central's), and which node the central runs on.
// `nodeReach` and the helpers beside it are pure; `reachTransport` runs Vagrant.
import type { Unwrap } from "@pulumi/pulumi";
import type { NodeSummary } from "../components/lab";
import { parseSshConfig, vagrantEnvironment, vagrantSshConfig } from "../components/commands/vagrant";
import { parseSshCommandLine, sshCommandLine } from "../components/drivers/ssh/sshAccess";
import { validName, validNamespace, validPath } from "../components/plan/validate";
import { runCommand, transportArgv, TransportSpec } from "../components/transport/transport";
import type { LabOutputs } from "./pulumiWorkspace";

/** How to reach a node: a transport from its outputs, or (vagrant) the project whose `vagrant ssh-config` gives one. */
export type NodeReach = { kind: "transport"; transport: TransportSpec } | { kind: "vagrant"; projectDir: string; node: string };

/** The vagrant driver's `ssh` output: `VAGRANT_CWD=<project> vagrant ssh <node>` (components/drivers/vagrant/index.ts). */
const VAGRANT_SSH = /^VAGRANT_CWD=(\S+) vagrant ssh (\S+)$/;

/** Where a node is reached, from its outputs; `tool` names who asks, for the error. */
export function nodeReach(stack: string, node: Unwrap<NodeSummary>, tool = "this tool"): NodeReach {
    if (node.namespace !== undefined) return { kind: "transport", transport: { kind: "netns", namespace: validNamespace(node.namespace) } };
    const vagrant = node.ssh === undefined ? null : VAGRANT_SSH.exec(node.ssh);
    if (vagrant && vagrant[2] === node.name) {
        return { kind: "vagrant", projectDir: validPath("Vagrant project directory", vagrant[1]), node: validName("node name", node.name) };
    }
    // The ssh driver's line (drivers/ssh/sshAccess.ts): the host, port, user, key and known-hosts file, root through sudo or not.
    const ssh = node.ssh === undefined ? undefined : parseSshCommandLine(node.ssh);
    if (ssh) return { kind: "transport", transport: ssh };
    throw new Error(`stack ${stack}: the outputs of ${node.name} say neither a namespace nor a vagrant or ssh line: ${tool} cannot reach the node (external driver?)`);
}

/** How a person gets there, for headings: `netns NAME`, the `vagrant ssh` line or the ssh driver's `ssh ...` line. */
export function describeReach(reach: NodeReach): string {
    if (reach.kind === "vagrant") return `VAGRANT_CWD=${reach.projectDir} vagrant ssh ${reach.node}`;
    if (reach.transport.kind === "netns") return `netns ${reach.transport.namespace}`;
    return reach.transport.kind === "ssh" && reach.transport.knownHostsFile ? sshCommandLine(reach.transport) : reach.transport.kind;
}

/**
 * Where a node's unix sockets are reached from, given the node's own transport:
 * a network namespace shares this host's files, so a socket path there is one
 * here (and a tool talking through it runs here, as `docker` and the netns
 * central's `ovn-nbctl` always have); a machine's sockets are on the machine.
 */
export function socketTransport(reach: NodeReach, nodeTransport: TransportSpec): TransportSpec {
    return reach.kind === "transport" && reach.transport.kind === "netns" ? { kind: "local" } : nodeTransport;
}

/** A transport that is well-formed (namespace, SSH host, user, port and key file valid), or a thrown validation error. */
export function checkedTransport(transport: TransportSpec): TransportSpec {
    const kind: string = transport.kind;
    if (kind !== "local" && kind !== "netns" && kind !== "ssh") throw new Error(`invalid transport kind ${JSON.stringify(kind)}: local | netns | ssh`);
    transportArgv(transport, []);
    return transport;
}

/**
 * The node the OVN central runs on: the one whose underlay address the chassis'
 * NB remote names (`tcp:172.16.56.2:6641`). Undefined without OVN.
 */
export function centralNode(stack: string, outputs: LabOutputs): Unwrap<NodeSummary> | undefined {
    if (!outputs.central) return undefined;
    const ip = /^(?:tcp|ssl):(\d+\.\d+\.\d+\.\d+):\d+$/.exec(outputs.central.nb)?.[1];
    const node = outputs.nodes.find((n) => n.underlayIp === ip);
    if (!node) throw new Error(`stack ${stack}: no node of the outputs has the central's address (${outputs.central.nb})`);
    return node;
}

/** Resolves reaches to transports, asking Vagrant once per machine (`vagrant ssh-config` takes seconds). */
export function transportResolver(): (reach: NodeReach) => Promise<TransportSpec> {
    const known = new Map<string, Promise<TransportSpec>>();
    return (reach) => {
        if (reach.kind === "transport") return Promise.resolve(reach.transport);
        const key = `${reach.projectDir}\0${reach.node}`;
        if (!known.has(key)) known.set(key, reachTransport(reach));
        return known.get(key)!;
    };
}

/** The node's transport: from the outputs (netns), or for a Vagrant machine from `vagrant ssh-config`, as the driver makes it (as root, through sudo). */
export async function reachTransport(reach: NodeReach): Promise<TransportSpec> {
    if (reach.kind === "transport") return reach.transport;
    const printed = await runCommand({ kind: "local" }, vagrantSshConfig(reach.node), { env: vagrantEnvironment(reach.projectDir), timeoutMs: 120_000 });
    return checkedTransport({ kind: "ssh", ...parseSshConfig(printed.stdout), sudo: true });
}
