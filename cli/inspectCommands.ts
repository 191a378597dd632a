// What `show` runs to look inside a lab, as data: per node its bridges, the
// OpenFlow rules on the integration bridge, the datapath flows and the MAC
// learning table; for an OVN lab the NB and SB databases. Also how their
// output is read and printed. Pure: cli/show.ts runs the commands.
import type { Unwrap } from "@pulumi/pulumi";
import type { NodeSummary } from "../components/lab";
import { Argv } from "../components/commands/argv";
import { ovsVsctl } from "../components/commands/ovs";
import { validInterface, validNamespace, validPath, validSocketPath } from "../components/plan/validate";
import { ctlArgv } from "../components/commands/ovnNbctl";
import { renderArgv, transportArgv, TransportSpec } from "../components/transport/transport";
import type { LabOutputs } from "./pulumiWorkspace";

/** Where one node's OVS is reached (netns driver). */
export interface NodeAccess {
    name: string;
    underlayIp: string;
    namespace: string;
    ovsDb: string;
    vswitchdCtl: string;
    runDir: string;
    bridge: string;
}

/** The central's database sockets, reachable from the host. */
export interface CentralAccess {
    nbSocket: string;
    sbSocket: string;
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
    namespace: string;
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
    central?: { probes: Record<CentralProbeId, ProbeResult<CentralProbeId>> };
}

/** A node's access fields from the stack outputs; they exist for the netns driver only, and since `show` exists. */
export function nodeAccess(stack: string, node: Unwrap<NodeSummary>): NodeAccess {
    const { namespace, ovsDb, vswitchdCtl, runDir } = node;
    if (namespace === undefined || ovsDb === undefined || vswitchdCtl === undefined || runDir === undefined) {
        throw new Error(
            `stack ${stack}: the outputs of ${node.name} say no namespace, OVS database or control socket; ` +
            "show needs the netns driver, and a stack brought up before `show` existed needs `npm run lab:up` once to record them",
        );
    }
    return { name: node.name, underlayIp: node.underlayIp, namespace, ovsDb, vswitchdCtl, runDir, bridge: node.bridge };
}

/** The central's sockets, when the lab runs OVN. */
export function centralAccess(outputs: LabOutputs): CentralAccess | undefined {
    return outputs.central ? { nbSocket: outputs.central.nbSocket, sbSocket: outputs.central.sbSocket } : undefined;
}

/**
 * ovs-ofctl talks to a bridge through its management socket; given a bare
 * bridge name it would look in /var/run/openvswitch, another OVS's directory.
 */
export function ofctlDumpFlows(runDir: string, bridge: string): Argv {
    const socket = validSocketPath(`${validPath("run directory", runDir)}/${validInterface(bridge)}.mgmt`);
    return ["ovs-ofctl", "dump-flows", `unix:${socket}`];
}

/** `ovs-appctl -t` needs the absolute control socket: a bare daemon name is looked up in the default run directory. */
export function appctl(controlSocket: string, command: string[]): Argv {
    return ["ovs-appctl", "-t", validSocketPath(controlSocket), ...command];
}

export function nodeProbes(node: NodeAccess): Probe<NodeProbeId>[] {
    const transport: TransportSpec = { kind: "netns", namespace: validNamespace(node.namespace) };
    return [
        { id: "bridges", title: "bridges and ports", transport, argv: ovsVsctl(node.ovsDb, [["show"]]) },
        { id: "openflow", title: `OpenFlow rules on ${node.bridge}`, transport, argv: ofctlDumpFlows(node.runDir, node.bridge) },
        { id: "datapathFlows", title: "datapath flows (what the datapath caches of OpenFlow's decisions)", transport, argv: appctl(node.vswitchdCtl, ["dpctl/dump-flows"]) },
        { id: "macTable", title: `MAC learning table of ${node.bridge}`, transport, argv: appctl(node.vswitchdCtl, ["fdb/show", validInterface(node.bridge)]) },
    ];
}

export function centralProbes(central: CentralAccess): Probe<CentralProbeId>[] {
    const host: TransportSpec = { kind: "local" };
    return [
        { id: "northbound", title: "northbound database (the logical topology)", transport: host, argv: ctlArgv("ovn-nbctl", { transport: host, db: central.nbSocket }, [["show"]]) },
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
        `== ${node.name}  (netns ${node.namespace}, underlay ${node.underlayIp})`,
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
        sections.push(["== OVN central", renderProbe(northbound, northbound.title, northbound.output), renderProbe(southbound, southbound.title, southbound.output)].join("\n\n"));
    }
    return sections.join("\n\n") + "\n";
}
