// The lab as a picture: nodes with their underlay addresses, the underlay
// network, the logical switches with their subnets, router lr0 with its port
// MACs and addresses, containers with addresses and MACs. Drawn from the IP
// plan, optionally checked against what a deployed stack's outputs say runs.
// Emits Mermaid (GitHub renders it in Markdown) and Graphviz DOT (rendered to
// SVG by `dot`). Pure: cli/diagram.ts writes the files and runs dot.
import type { Driver, Experiment } from "../components/plan/config";
import { Argv } from "../components/commands/argv";
import { containerName, namespaceName, underlayBridgeName } from "../components/commands/names";
import { validPath } from "../components/plan/validate";
import type { LabPlan } from "../components/plan/ipPlan";
import type { LabOutputs } from "./pulumiWorkspace";

export interface TopologyContainer {
    name: string;
    /** Address with the prefix its eth0 gets: /24 behind a gateway, /16 in single-l2's flat network. */
    cidr: string;
    mac: string;
    dockerName?: string;
    /** Set when drawn against a deployed stack: false when its outputs do not list it running. */
    deployed?: boolean;
}

export interface TopologyNode {
    name: string;
    underlayIp: string;
    namespace?: string;
    isCentral: boolean;
    /** OVN only. */
    chassis?: string;
    logicalSwitch?: { name: string; subnet: string };
    routerPort?: { name: string; mac: string; cidr: string };
    containers: TopologyContainer[];
    deployed?: boolean;
}

export interface Topology {
    stack: string;
    experiment: Experiment;
    driver: Driver;
    /** Where the picture comes from. */
    source: "plan" | "deployed";
    bridge: string;
    encap: string;
    /** The network joining the nodes (none with the external driver); with netns, the Linux bridge that is it. */
    underlay?: { cidr: string; bridge?: string };
    /** OVN only. */
    router?: string;
    nodes: TopologyNode[];
}

export function topologyFromPlan(plan: LabPlan, stack: string): Topology {
    const { config } = plan;
    const ovn = config.experiment === "multi-l2";
    const netns = config.driver === "netns";
    return {
        stack, experiment: config.experiment, driver: config.driver, source: "plan", bridge: config.bridge, encap: config.encap,
        ...(config.driver === "external" ? {} : { underlay: { cidr: config.hostCidr, ...(netns ? { bridge: underlayBridgeName(config.labId) } : {}) } }),
        ...(ovn ? { router: config.routerName } : {}),
        nodes: plan.nodes.map((n) => ({
            name: n.name,
            underlayIp: n.underlayIp,
            ...(netns ? { namespace: namespaceName(config.labId, n.name) } : {}),
            isCentral: ovn && n.isCentral,
            ...(ovn ? {
                chassis: n.chassis,
                logicalSwitch: { name: n.switchName, subnet: n.subnet },
                routerPort: { name: n.routerPort, mac: n.routerMac, cidr: n.gatewayCidr },
            } : {}),
            containers: plan.containers.filter((c) => c.node === n.name).map((c) => ({
                name: c.name, cidr: c.cidr, mac: c.mac, ...(netns ? { dockerName: containerName(config.labId, c.name) } : {}),
            })),
        })),
    };
}

/** Marks what the stack's outputs do not list as running, with the names they give. */
export function withDeployment(topology: Topology, outputs: LabOutputs): Topology {
    return {
        ...topology,
        source: "deployed",
        nodes: topology.nodes.map((node) => {
            const live = outputs.nodes.find((n) => n.name === node.name);
            return {
                ...node,
                namespace: live?.namespace ?? node.namespace,
                deployed: live !== undefined && (topology.driver !== "netns" || live.namespace !== undefined),
                containers: node.containers.map((container) => {
                    const running = outputs.containers.find((c) => c.name === container.name && c.node === node.name);
                    return {
                        ...container,
                        dockerName: running?.containerName ?? container.dockerName,
                        deployed: running !== undefined && (topology.driver !== "netns" || running.containerName !== undefined),
                    };
                }),
            };
        }),
    };
}

// ---- Labels, shared by both notations ----------------------------------------

const NOT_DEPLOYED = "(not deployed)";

/** Two lines: what the lab is, and where the picture comes from. */
function describe(topology: Topology): [string, string] {
    const what = topology.experiment === "single-l2" ? "single-l2: one flat L2 on br-int, no OVN" : `multi-l2: OVN, ${topology.encap} between chassis`;
    const from = topology.source === "plan" ? `the IP plan of Pulumi.${topology.stack}.yaml` : "the deployed stack's outputs";
    return [`stack ${topology.stack} · ${what}`, `${topology.driver} driver · from ${from}`];
}

function nodeTitle(node: TopologyNode): string[] {
    return [
        [node.name, node.namespace ? `netns ${node.namespace}` : ""].filter(Boolean).join(" · "),
        ...(node.chassis ? [`${node.isCentral ? "OVN central + chassis" : "chassis"} ${node.chassis}`] : []),
        ...(node.deployed === false ? [NOT_DEPLOYED] : []),
    ];
}

const switchLabel = (ls: { name: string; subnet: string }) => [`switch ${ls.name}`, ls.subnet];
const bridgeLabel = (topology: Topology) => [topology.bridge, "fail_mode standalone", "NORMAL: MAC learning"];
const portLabel = (port: { name: string; mac: string; cidr: string }) => [port.name, port.mac, port.cidr];
const containerLabel = (c: TopologyContainer) => [c.name, c.cidr, c.mac, ...(c.deployed === false ? [NOT_DEPLOYED] : [])];
/** netns nodes hold their underlay address on br-phy (userspace tunnelling); a VM holds it on a NIC of its own. */
const uplinkLabel = (topology: Topology, node: TopologyNode) => (topology.driver === "netns" ? ["br-phy", node.underlayIp] : [node.underlayIp]);
function underlayLabel(topology: Topology, underlay: { cidr: string; bridge?: string }): string[] {
    return [
        `underlay ${underlay.cidr}`,
        ...(underlay.bridge ? [`Linux bridge ${underlay.bridge}`] : []),
        ...(topology.router ? [`${topology.encap} tunnels between the chassis`] : []),
    ];
}

/** Identifiers both notations accept: names are [a-z0-9-], ids trade '-' for '_'. */
const id = (kind: string, name: string) => `${kind}_${name.replace(/-/g, "_")}`;

/** The node every container of a node hangs from: its logical switch (OVN) or its bridge (single-l2). */
const attachmentId = (node: TopologyNode) => id(node.logicalSwitch ? "switch" : "bridge", node.name);

// ---- Mermaid ------------------------------------------------------------------

const mermaidText = (lines: string[]) => `"${lines.join("<br/>")}"`;

export function mermaidDiagram(topology: Topology): string {
    const out = [`%% ${describe(topology).join(" · ")}`, "flowchart TB"];
    const dashed: string[] = [];
    if (topology.router) out.push(`    router{{${mermaidText([`router ${topology.router}`])}}}`);
    for (const node of topology.nodes) {
        out.push(`    subgraph ${id("node", node.name)}[${mermaidText(nodeTitle(node))}]`);
        out.push("        direction TB");
        out.push(`        ${attachmentId(node)}[${mermaidText(node.logicalSwitch ? switchLabel(node.logicalSwitch) : bridgeLabel(topology))}]`);
        for (const c of node.containers) {
            out.push(`        ${id("container", c.name)}[${mermaidText(containerLabel(c))}]`);
            if (c.deployed === false) dashed.push(id("container", c.name));
        }
        if (topology.underlay) out.push(`        ${id("uplink", node.name)}[${mermaidText(uplinkLabel(topology, node))}]`);
        out.push("    end");
        if (node.deployed === false) dashed.push(id("node", node.name));
    }
    if (topology.underlay) out.push(`    underlay[(${mermaidText(underlayLabel(topology, topology.underlay))})]`);
    for (const node of topology.nodes) {
        if (node.routerPort) out.push(`    router ---|${mermaidText(portLabel(node.routerPort))}| ${attachmentId(node)}`);
        for (const c of node.containers) out.push(`    ${attachmentId(node)} --- ${id("container", c.name)}`);
        if (topology.underlay) out.push(`    ${id("uplink", node.name)} --- underlay`);
    }
    for (const element of dashed) out.push(`    style ${element} stroke-dasharray: 5 5`);
    return out.join("\n") + "\n";
}

// ---- Graphviz DOT -----------------------------------------------------------

const COLORS = {
    router: "#fde8c8",
    logicalSwitch: "#dbe8ff",
    bridge: "#dff5df",
    container: "#ffffff",
    uplink: "#eeeeee",
    underlay: "#d9d9d9",
    node: "#f5f7fa",
};

/** A DOT string: each line escaped, joined by DOT's own line break. */
const dotText = (lines: string[]) => `"${lines.map((line) => line.replace(/\\/g, "\\\\").replace(/"/g, '\\"')).join("\\n")}"`;
const html = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const dashedIf = (notDeployed: boolean) => (notDeployed ? ', style="rounded,filled,dashed"' : "");

function routerTable(router: string, nodes: TopologyNode[]): string {
    const ports = nodes.flatMap((n) => (n.routerPort ? [n.routerPort] : []));
    const cells = ports.map((p) => `<TD PORT="${id("port", p.name)}">${portLabel(p).map(html).join("<BR/>")}</TD>`).join("");
    return [
        `<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="6" BGCOLOR="${COLORS.router}">`,
        `<TR><TD COLSPAN="${ports.length}"><B>router ${html(router)}</B></TD></TR>`,
        `<TR>${cells}</TR>`,
        "</TABLE>",
    ].join("");
}

export function dotDiagram(topology: Topology): string {
    const out = [
        "graph topology {",
        `    graph [label=${dotText(describe(topology))}, labelloc=t, fontname="Helvetica", fontsize=12, nodesep=0.3, ranksep=0.5];`,
        `    node [shape=box, style="rounded,filled", fillcolor="${COLORS.container}", fontname="Helvetica", fontsize=10];`,
        `    edge [color="#555555"];`,
    ];
    if (topology.router) out.push(`    router [shape=plaintext, style="", label=<${routerTable(topology.router, topology.nodes)}>];`);
    for (const node of topology.nodes) {
        out.push(`    subgraph cluster_${id("node", node.name)} {`);
        out.push(`        label=${dotText(nodeTitle(node))}; style="rounded,filled${node.deployed === false ? ",dashed" : ""}"; fillcolor="${COLORS.node}"; fontsize=11;`);
        const attachment = node.logicalSwitch
            ? `[label=${dotText(switchLabel(node.logicalSwitch))}, fillcolor="${COLORS.logicalSwitch}"]`
            : `[label=${dotText(bridgeLabel(topology))}, fillcolor="${COLORS.bridge}"]`;
        out.push(`        ${attachmentId(node)} ${attachment};`);
        for (const c of node.containers) out.push(`        ${id("container", c.name)} [label=${dotText(containerLabel(c))}${dashedIf(c.deployed === false)}];`);
        if (topology.underlay) out.push(`        ${id("uplink", node.name)} [label=${dotText(uplinkLabel(topology, node))}, fillcolor="${COLORS.uplink}"];`);
        out.push("    }");
    }
    if (topology.underlay) out.push(`    underlay [label=${dotText(underlayLabel(topology, topology.underlay))}, shape=box, style="filled", fillcolor="${COLORS.underlay}"];`);
    for (const node of topology.nodes) {
        if (node.routerPort) out.push(`    router:${id("port", node.routerPort.name)}:s -- ${attachmentId(node)};`);
        for (const c of node.containers) out.push(`    ${attachmentId(node)} -- ${id("container", c.name)};`);
        if (topology.underlay) {
            // Invisible edges keep br-phy under the containers, so the underlay is the picture's floor.
            const above = node.containers.length ? node.containers.map((c) => id("container", c.name)) : [attachmentId(node)];
            for (const element of above) out.push(`    ${element} -- ${id("uplink", node.name)} [style=invis];`);
            out.push(`    ${id("uplink", node.name)} -- underlay;`);
        }
    }
    out.push("}");
    return out.join("\n") + "\n";
}

/** `dot -T<format> -o OUT IN`. */
export function dotRenderArgv(format: "svg" | "png", dotFile: string, outFile: string): Argv {
    return ["dot", `-T${format}`, "-o", validPath("output file", outFile), validPath("DOT file", dotFile)];
}

// ---- The Markdown page ----------------------------------------------------------

/** The page `npm run diagram -- --out DIR` writes beside the SVG: the Mermaid diagram, which GitHub renders. */
export function markdownPage(topology: Topology, svgFile: string, command: string): string {
    return [
        `# Topology: stack ${topology.stack}`,
        "",
        `<!-- Written by \`${command}\`: change the generator (cli/topologyDiagram.ts), not this file. -->`,
        "",
        `${describe(topology).join(" · ")}. The same picture drawn by Graphviz: [${svgFile}](${svgFile}).`,
        "",
        "```mermaid",
        mermaidDiagram(topology).trimEnd(),
        "```",
        "",
    ].join("\n");
}
