// What `show` runs to look inside a lab, as data: per node its bridges, the
// OpenFlow rules on the integration bridge, the datapath flows and the MAC
// learning table; for an OVN lab the NB and SB databases. Also how their
// output is read and printed. Pure: cli/show.ts runs the commands.
import type { Unwrap } from "@pulumi/pulumi";
import type { NodeSummary } from "../components/lab";
import { portGroupName } from "../components/commands/ovnServices";
import { Argv } from "../components/commands/argv";
import { ovsVsctl } from "../components/commands/ovs";
import { validInterface, validPath, validSocketPath } from "../components/plan/validate";
import { ctlArgv } from "../components/commands/ovnNbctl";
import { renderArgv, transportArgv, TransportSpec } from "../components/transport/transport";
import { checkedTransport, NodeReach, nodeReach } from "./nodeReach";
import type { LabOutputs } from "./pulumiWorkspace";

/** Where one node's OVS is reached, from its outputs. */
export interface NodeAccess {
    name: string;
    underlayIp: string;
    bridge: string;
    /** OVN labs: the node's chassis name in the SB database. */
    chassis?: string;
    reach: NodeReach;
    /**
     * The node's own OVS (netns: its database, ovs-vswitchd's control socket, the run directory
     * holding `<bridge>.mgmt`); empty: the tools' defaults, a machine's OVS as its packages install it.
     */
    ovsDb: string;
    vswitchdCtl: string;
    runDir: string;
}

/** The central's database sockets, where the central node's files are (netns: this host; vagrant: the central machine). */
export interface CentralAccess {
    nbSocket: string;
    sbSocket: string;
    /** OVN services the northbound probe lists too: load balancers, and the port groups holding ACLs. */
    services?: { loadBalancers: boolean; portGroups: string[] };
}

export type NodeProbeId = "bridges" | "openflow" | "datapathFlows" | "macTable";
export type CentralProbeId = "northbound" | "southbound";

/** One command `show` runs, and where. */
export interface Probe<Id extends string> {
    id: Id;
    title: string;
    transport: TransportSpec;
    argv: Argv;
}

export interface ProbeResult<Id extends string> {
    id: Id;
    title: string;
    /** The full command line, as a user would type it. */
    command: string;
    exitCode: number;
    /** stdout; stderr when the command failed. */
    output: string;
}

export interface OpenFlowSummary {
    rules: number;
    tables: number;
}

export interface FdbEntry {
    port: string;
    vlan: number;
    mac: string;
    age: string;
}

export interface NodeReport {
    name: string;
    /** netns nodes. */
    namespace?: string;
    /** How a person reaches the node: `netns NAME`, or its `vagrant ssh` line. */
    via?: string;
    chassis?: string;
    underlayIp: string;
    bridge: string;
    probes: Record<NodeProbeId, ProbeResult<NodeProbeId>>;
    openflow: OpenFlowSummary;
    macTable: FdbEntry[];
}

export interface ShowReport {
    stack: string;
    nodes: NodeReport[];
    /** Only for OVN labs. */
    central?: { node?: string; probes: Record<CentralProbeId, ProbeResult<CentralProbeId>> };
    /** What looks broken (labProblems); empty: healthy. */
    problems?: string[];
}

/**
 * A node's access fields from the stack outputs: a netns node names its own OVS files (since `show`
 * exists); a Vagrant machine's or an SSH host's OVS is at the defaults; a node no driver made cannot be reached.
 */
export function nodeAccess(stack: string, node: Unwrap<NodeSummary>): NodeAccess {
    const reach = nodeReach(stack, node, "show");
    const { name, underlayIp, bridge } = node;
    const common = { name, underlayIp, bridge, ...(node.chassis === undefined ? {} : { chassis: node.chassis }), reach };
    // A machine's or an SSH host's own OVS: at its defaults.
    if (reach.kind === "vagrant" || reach.transport.kind === "ssh") return { ...common, ovsDb: "", vswitchdCtl: "", runDir: "" };
    const { ovsDb, vswitchdCtl, runDir } = node;
    if (ovsDb === undefined || vswitchdCtl === undefined || runDir === undefined) {
        throw new Error(
            `stack ${stack}: the outputs of ${node.name} name its namespace but no OVS database or control socket; ` +
            "a netns driver stack brought up before `show` existed needs `npm run lab:up` once to record them",
        );
    }
    return { ...common, ovsDb, vswitchdCtl, runDir };
}

/** The central's sockets, when the lab runs OVN. */
export function centralAccess(outputs: LabOutputs): CentralAccess | undefined {
    if (!outputs.central) return undefined;
    const portGroups = [...new Set((outputs.acls ?? []).map((a) => a.portGroup))];
    const loadBalancers = (outputs.loadBalancers ?? []).length > 0;
    return {
        nbSocket: outputs.central.nbSocket, sbSocket: outputs.central.sbSocket,
        ...(loadBalancers || portGroups.length > 0 ? { services: { loadBalancers, portGroups } } : {}),
    };
}

/**
 * ovs-ofctl talks to a bridge through its management socket; given a bare
 * bridge name it would look in /var/run/openvswitch, another OVS's directory
 * (the right one only for a machine's own OVS: an empty runDir).
 */
export function ofctlDumpFlows(runDir: string, bridge: string): Argv {
    if (runDir === "") return ["ovs-ofctl", "dump-flows", validInterface(bridge)];
    const socket = validSocketPath(`${validPath("run directory", runDir)}/${validInterface(bridge)}.mgmt`);
    return ["ovs-ofctl", "dump-flows", `unix:${socket}`];
}

/**
 * `ovs-appctl -t` needs the absolute control socket: a bare daemon name is looked up in the default
 * run directory. Empty: ovs-appctl's default target, a machine's own ovs-vswitchd.
 */
export function appctl(controlSocket: string, command: string[]): Argv {
    return ["ovs-appctl", ...(controlSocket === "" ? [] : ["-t", validSocketPath(controlSocket)]), ...command];
}

/** The node's probes through `transport` (default: the node's own, known without asking Vagrant for a netns node). */
export function nodeProbes(node: NodeAccess, transport?: TransportSpec): Probe<NodeProbeId>[] {
    if (!transport && node.reach.kind !== "transport") throw new Error(`${node.name} is a Vagrant machine: resolve its SSH transport first (nodeReach.reachTransport)`);
    const via = checkedTransport(transport ?? (node.reach as { transport: TransportSpec }).transport);
    const t = { transport: via };
    return [
        { id: "bridges", title: "bridges and ports", ...t, argv: ovsVsctl(node.ovsDb, [["show"]]) },
        { id: "openflow", title: `OpenFlow rules on ${node.bridge}`, ...t, argv: ofctlDumpFlows(node.runDir, node.bridge) },
        { id: "datapathFlows", title: "datapath flows (what the datapath caches of OpenFlow's decisions)", ...t, argv: appctl(node.vswitchdCtl, ["dpctl/dump-flows"]) },
        { id: "macTable", title: `MAC learning table of ${node.bridge}`, ...t, argv: appctl(node.vswitchdCtl, ["fdb/show", validInterface(node.bridge)]) },
    ];
}

/** `lb-list` and each port group's `acl-list`, after `show` in the same ovn-nbctl run. */
function serviceListings(central: CentralAccess): string[][] {
    const s = central.services;
    if (!s) return [];
    return [...(s.loadBalancers ? [["lb-list"]] : []), ...s.portGroups.map((pg) => ["--type=port-group", "acl-list", portGroupName(pg)])];
}

/** NB and SB `show` where the central's sockets are (socketTransport of the central node); default this host. */
export function centralProbes(central: CentralAccess, transport: TransportSpec = { kind: "local" }): Probe<CentralProbeId>[] {
    const host = checkedTransport(transport);
    return [
        { id: "northbound", title: "northbound database (the logical topology)", transport: host, argv: ctlArgv("ovn-nbctl", { transport: host, db: central.nbSocket }, [["show"], ...serviceListings(central)]) },
        { id: "southbound", title: "southbound database (chassis and port bindings)", transport: host, argv: ctlArgv("ovn-sbctl", { transport: host, db: central.sbSocket }, [["show"]]) },
    ];
}

/** The command line a user would type for a probe. */
export const probeCommand = <Id extends string>(probe: Probe<Id>): string => renderArgv(transportArgv(probe.transport, probe.argv));

/** Rules and tables in `ovs-ofctl dump-flows` output (its first line is a reply header, not a rule). */
export function summarizeOpenFlow(dump: string): OpenFlowSummary {
    const rules = dump.split("\n").filter((line) => /\bactions=/.test(line));
    const tables = new Set(rules.map((rule) => /\btable=(\d+)/.exec(rule)?.[1] ?? "0"));
    return { rules: rules.length, tables: tables.size };
}

/** The entries of `ovs-appctl fdb/show`: ` port  VLAN  MAC                Age` and one line per learned MAC. */
export function parseFdb(text: string): FdbEntry[] {
    return text.split("\n").flatMap((line) => {
        const match = /^\s*(\S+)\s+(\d+)\s+([0-9a-f]{2}(?::[0-9a-f]{2}){5})\s+(\S+)\s*$/.exec(line);
        return match ? [{ port: match[1], vlan: Number(match[2]), mac: match[3], age: match[4] }] : [];
    });
}

/** `ovn-sbctl show`: each chassis by name, with the logical ports bound to it (`Port_Binding NAME`). Names may be quoted. */
export function parseSbChassis(text: string): Map<string, string[]> {
    const chassis = new Map<string, string[]>();
    let current: string[] | undefined;
    const unquote = (word: string) => (word.startsWith('"') ? (JSON.parse(word) as string) : word);
    for (const line of text.split("\n")) {
        const head = /^Chassis\s+("(?:[^"\\]|\\.)*"|\S+)\s*$/.exec(line);
        if (head) chassis.set(unquote(head[1]), (current = []));
        else if (/^\S/.test(line)) current = undefined;
        const binding = /^\s+Port_Binding\s+("(?:[^"\\]|\\.)*"|\S+)\s*$/.exec(line);
        if (binding && current) current.push(unquote(binding[1]));
    }
    return chassis;
}

/** A workload's logical port, where it should be bound. */
export interface ExpectedBinding {
    workload: string;
    node: string;
    logicalPort: string;
}

/**
 * What looks broken in a report: every probe that failed, and in an OVN lab each chassis missing from
 * the SB database and each running workload's port not bound to its node's chassis. Empty: healthy.
 */
export function labProblems(report: ShowReport, bindings: ExpectedBinding[]): string[] {
    const failed = (where: string, r: ProbeResult<string>) => r.exitCode === 0 ? [] : [`${where}: ${r.title} failed (exit ${r.exitCode}): ${r.output.trim().split("\n")[0] ?? ""}`.trimEnd()];
    const problems = report.nodes.flatMap((node) => Object.values<ProbeResult<string>>(node.probes).flatMap((r) => failed(node.name, r)));
    const central = report.central;
    if (!central) return problems;
    problems.push(...Object.values<ProbeResult<string>>(central.probes).flatMap((r) => failed("central", r)));
    if (central.probes.southbound.exitCode !== 0) return problems;
    const sb = parseSbChassis(central.probes.southbound.output);
    for (const node of report.nodes) {
        if (node.chassis && !sb.has(node.chassis)) problems.push(`${node.name}: chassis ${node.chassis} is not in the southbound database (ovn-controller never registered)`);
    }
    for (const b of bindings) {
        const chassis = report.nodes.find((n) => n.name === b.node)?.chassis;
        const boundTo = [...sb].find(([, ports]) => ports.includes(b.logicalPort))?.[0];
        if (boundTo === undefined) problems.push(`${b.workload}: logical port ${b.logicalPort} is bound to no chassis (not claimed by ${b.node}'s ovn-controller)`);
        else if (chassis && boundTo !== chassis) problems.push(`${b.workload}: logical port ${b.logicalPort} is bound to ${boundTo}, not to ${b.node}'s chassis ${chassis}`);
    }
    return problems;
}

/** Beyond this many rules a listing is noise here (OVN installs hundreds); a standalone bridge's one NORMAL rule is the lesson. */
const FLOW_LISTING_LIMIT = 10;

const indent = (text: string) => text.trimEnd().split("\n").map((line) => `    ${line}`).join("\n");

function renderProbe<Id extends string>(result: ProbeResult<Id>, heading: string, body: string): string {
    const output = result.exitCode !== 0 ? `failed (exit ${result.exitCode}):\n${indent(result.output)}` : body.trim() ? indent(body) : "    (empty)";
    return `-- ${heading}\n$ ${result.command}\n${output}`;
}

function renderNode(node: NodeReport): string {
    const { bridges, openflow, datapathFlows, macTable } = node.probes;
    const { rules, tables } = node.openflow;
    const flowListing = rules <= FLOW_LISTING_LIMIT ? openflow.output : `(${rules} rules: run the command above to list them)`;
    return [
        `== ${node.name}  (${node.via ?? `netns ${node.namespace}`}, underlay ${node.underlayIp})`,
        renderProbe(bridges, bridges.title, bridges.output),
        renderProbe(openflow, `${openflow.title}: ${rules} in ${tables} table${tables === 1 ? "" : "s"}`, flowListing),
        renderProbe(datapathFlows, datapathFlows.title, datapathFlows.output),
        renderProbe(macTable, `${macTable.title}: ${node.macTable.length} learned`, macTable.output),
    ].join("\n\n");
}

/** The whole report for people: grouped by node, each command shown before what it printed. */
export function renderShow(report: ShowReport): string {
    const kind = report.central ? "OVN" : "no OVN: br-int forwards by MAC learning";
    const sections = [`stack ${report.stack}: ${report.nodes.length} node${report.nodes.length === 1 ? "" : "s"}, ${kind}`, ...report.nodes.map(renderNode)];
    if (report.central) {
        const { northbound, southbound } = report.central.probes;
        const where = report.central.node ? `  (on ${report.central.node})` : "";
        sections.push([`== OVN central${where}`, renderProbe(northbound, northbound.title, northbound.output), renderProbe(southbound, southbound.title, southbound.output)].join("\n\n"));
    }
    if (report.problems) {
        const { problems } = report;
        sections.push(problems.length === 0 ? "== health: no problems found" : [`== health: ${problems.length} problem${problems.length === 1 ? "" : "s"}`, ...problems.map((p) => `- ${p}`)].join("\n"));
    }
    return sections.join("\n\n") + "\n";
}
