// What `trace` asks ovn-trace, and how it reads the answer: the microflow of an
// ICMP echo from one container to another, the ovn-trace command line, and
// the datapaths and ports the packet crosses according to `ovn-trace
// --summary`. ovn-trace has no JSON output; `trace --json` is this parse.
// Pure: cli/trace.ts runs the command.
import type { Unwrap } from "@pulumi/pulumi";
import type { ContainerSummary, NodeSummary } from "../components/lab";
import { Argv } from "../components/commands/argv";
import { validIpv4, validMac, validOvsdbRemote, validPort } from "../components/plan/validate";
import { rowName } from "../components/commands/ovnNbctl";
import type { LabOutputs } from "./pulumiWorkspace";
import { TRACE_TCP_SOURCE_PORT, vipTarget } from "./traceServices";

export interface EchoPacket {
    /** The sender's logical switch port. */
    inport: string;
    ethSrc: string;
    ethDst: string;
    ip4Src: string;
    ip4Dst: string;
    /** A TCP SYN to this port instead of an ICMP echo (a load balancer's VIP). */
    tcpDst?: number;
}

/** An ICMP echo request as the sender's port emits it, in OVN's expression language. */
export function echoMicroflow(packet: EchoPacket): string {
    return [
        `inport == "${rowName(packet.inport)}"`,
        `eth.src == ${validMac(packet.ethSrc)}`,
        `eth.dst == ${validMac(packet.ethDst)}`,
        `ip4.src == ${validIpv4(packet.ip4Src)}`,
        `ip4.dst == ${validIpv4(packet.ip4Dst)}`,
        "ip.ttl == 64",
        ...(packet.tcpDst === undefined ? ["icmp4.type == 8"] : ["tcp", `tcp.src == ${TRACE_TCP_SOURCE_PORT}`, `tcp.dst == ${validPort("tcp port", packet.tcpDst)}`, "tcp.flags == 2"]),
    ].join(" && ");
}

export type TraceFormat = "summary" | "detailed";

/**
 * `ovn-trace --db=SB --summary|--detailed DATAPATH MICROFLOW`; the microflow is one argv word, never split by a shell.
 * `newConnection`: every conntrack step sees a new connection (ovn-trace's default is an established one), so
 * ACLs and load balancers act as on a first packet.
 */
export function ovnTraceArgv(sbDb: string, datapath: string, microflow: string, format: TraceFormat, newConnection = false): Argv {
    return ["ovn-trace", `--db=${validOvsdbRemote(sbDb)}`, `--${format}`, ...(newConnection ? Array(CT_STEPS).fill("--ct=new") : []), rowName(datapath), microflow];
}

/** More conntrack steps than a path through two switches and a router takes (each --ct answers one). */
const CT_STEPS = 8;

/** What to trace: the packet, the datapath (the sender's logical switch) it enters, and the SB database to trace in. */
export interface EchoPlan {
    sbDb: string;
    from: Unwrap<ContainerSummary>;
    to: Unwrap<ContainerSummary>;
    datapath: string;
    packet: EchoPacket;
}

/**
 * The echo from one container to another, by name. A destination on another
 * node is in another subnet: the sender addresses its gateway, the router
 * port's MAC; on the same node it addresses the destination itself.
 */
export function planEcho(stack: string, outputs: LabOutputs, fromName: string, toName: string): EchoPlan {
    if (!outputs.central) {
        throw new Error(`stack ${stack} runs no OVN (single-l2 or the external driver): there is no logical pipeline to trace; npm run show shows the bridges`);
    }
    const external = externalHost(outputs);
    const container = (name: string) => {
        const found = outputs.containers.find((c) => c.name === name);
        if (!found) throw new Error(`stack ${stack} has no container ${name}; it has ${[...outputs.containers.map((c) => c.name), ...(external ? [EXTERNAL_HOST] : [])].join(", ")}`);
        return found;
    };
    const from = container(fromName);
    // The gateway's external host (by name, or its address): on no node, so the echo goes to the sender's gateway.
    const vip = vipTarget(outputs, toName);
    const to = external && (toName === EXTERNAL_HOST || toName === external.ip) ? external : vip ? vip.to : container(toName);
    if (from.name === to.name) throw new Error(`trace needs two different containers, not ${from.name} twice`);
    const node: Unwrap<NodeSummary> | undefined = outputs.nodes.find((n) => n.name === from.node);
    if (!node?.switchName || !node.routerMac || !from.logicalPort) {
        throw new Error(`stack ${stack}: the outputs say no logical switch, router MAC or logical port for ${from.name}; a stack brought up before \`trace\` existed needs \`npm run lab:up\` once to record them`);
    }
    return {
        sbDb: outputs.central.sbSocket, from, to, datapath: node.switchName,
        packet: { inport: from.logicalPort, ethSrc: from.mac, ethDst: from.node === to.node ? to.mac : node.routerMac, ip4Src: from.ip, ip4Dst: to.ip, ...(vip ? { tcpDst: vip.port } : {}) },
    };
}

/** `trace` names the gateway's external host so (Pulumi.gateway.yaml). */
export const EXTERNAL_HOST = "external";

/** The external host as a trace destination: its address, on no node of the lab. */
function externalHost(outputs: LabOutputs): Unwrap<ContainerSummary> | undefined {
    const host = outputs.gateway?.externalHost;
    return host ? { name: EXTERNAL_HOST, node: "outside the lab", ip: validIpv4(host.ip), mac: "" } : undefined;
}

/** One logical datapath the packet crosses: where it came in, where it went out (several for a flood). */
export interface TraceHop {
    datapath: string;
    inport: string;
    outports: string[];
}

export interface TraceRoute {
    /** Every datapath visited, by the traced packet or by packets its pipeline made (an ARP request, an ICMP error). */
    hops: TraceHop[];
    /** Ports the traced packet leaves the logical network through (VIFs, not the patch ports between datapaths). */
    delivered: string[];
    /** Packets the pipeline made instead, e.g. the router's ARP request for an address it has not resolved. */
    generated: { packet: string; port: string }[];
    /** Datapaths whose pipeline dropped the traced packet. */
    drops: string[];
}

const STAGE = /^\s*(ingress|egress|multicast)\(dp="([^"]+)"(?:, (?:inport|mcgroup)="([^"]+)")?(?:, outport="([^"]+)")?\) \{\s*$/;
const OUTPUT = /\/\* output to "([^"]+)", type "([^"]*)" \*\//;
/** OVN actions whose block holds a new packet, not the traced one. */
const PACKET_MAKERS = ["arp", "nd_ns", "nd_na", "icmp4", "icmp6", "icmp4_error", "icmp6_error", "tcp_reset", "reject"];

/** An open `... {` block of the summary: the datapath it is in, and the packet it is about when not the traced one. */
interface Block {
    datapath: string;
    generated?: string;
}

/**
 * Reads `ovn-trace --summary`: nested `ingress(dp=..., inport=...) {` /
 * `egress(..., outport=...) {` blocks, among other blocks (`arp {`,
 * `ct_next(...) {`) that stay in the datapath around them.
 */
export function parseTraceSummary(text: string): TraceRoute {
    const route: TraceRoute = { hops: [], delivered: [], generated: [], drops: [] };
    const open: Block[] = [];
    const current = (): Block => open[open.length - 1] ?? { datapath: "" };
    for (const line of text.split("\n")) {
        if (/\{\s*$/.test(line)) {
            const stage = STAGE.exec(line);
            const action = /^\s*([a-z0-9_]+)/.exec(line)?.[1] ?? "";
            open.push({
                datapath: stage?.[2] ?? current().datapath,
                generated: PACKET_MAKERS.includes(action) ? action : current().generated,
            });
            if (!stage) continue;
            const [, pipeline, datapath, inport, outport] = stage;
            if (pipeline === "ingress") route.hops.push({ datapath, inport, outports: [] });
            if (pipeline === "egress") {
                const hop = [...route.hops].reverse().find((h) => h.datapath === datapath && h.inport === inport);
                if (hop && !hop.outports.includes(outport)) hop.outports.push(outport);
            }
        } else if (/^\s*};\s*$/.test(line)) {
            open.pop();
        } else if (/^\s*drop;\s*$/.test(line)) {
            if (current().generated === undefined) route.drops.push(current().datapath);
        } else {
            const output = OUTPUT.exec(line);
            // patch and l3gateway ports join two datapaths (a gateway router's ports are l3gateway): not a way out.
            if (!output || output[2] === "patch" || output[2] === "l3gateway") continue;
            const generated = current().generated;
            if (generated === undefined) route.delivered.push(output[1]);
            else route.generated.push({ packet: generated, port: output[1] });
        }
    }
    return route;
}

/** `ls-node1 [netsho1 -> ls-node1-lr] -> lr0 [lr-node1 -> lr-node2] -> ...` */
export function renderRoute(route: TraceRoute): string {
    return route.hops.map((h) => `${h.datapath} [${h.inport} -> ${h.outports.join(", ") || "?"}]`).join(" -> ");
}

export function routeVerdict(route: TraceRoute): string {
    if (route.delivered.length > 0) return `delivered to ${route.delivered.join(", ")}`;
    if (route.drops.length > 0) return `dropped in ${route.drops.join(", ")}`;
    const made = route.generated.map((g) => `${g.packet} to ${g.port}`);
    return made.length > 0 ? `not delivered; the pipeline sends ${made.join(", ")} instead` : "not delivered";
}
