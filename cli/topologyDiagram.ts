// The lab as a picture: nodes with their underlay addresses, the underlay
// network, the logical switches with their subnets, router lr0 with its port
// MACs and addresses, containers with addresses and MACs. Drawn from the IP
// plan, optionally checked against what a deployed stack's outputs say runs,
// or (`diagram --live`, cli/labHealth.ts) marked with each object's health:
// unhealthy objects red and dashed, with a legend. Emits Mermaid (GitHub
// renders it in Markdown) and Graphviz DOT (rendered to SVG by `dot`). Pure:
// cli/diagram.ts writes the files and runs dot; the words are topologyLabels.ts';
// the OVN services (load balancers, ACLs, DHCP, gateway) cli/servicesDiagram.ts'.
import type { Driver, Experiment } from "../components/plan/config";
import { Argv } from "../components/commands/argv";
import { containerName, namespaceName, underlayBridgeName } from "../components/commands/names";
import { validPath } from "../components/plan/validate";
import type { LabPlan } from "../components/plan/ipPlan";
import type { LabOutputs } from "./pulumiWorkspace";
import { dotNodeServices, dotServices, mermaidNodeServices, mermaidServices } from "./servicesDiagram";
import { servicesFromPlan, TopologyServices, withServicesDeployment } from "./servicesTopology";
import {
    attachmentId, bridgeLabel, centralLabel, COLORS, containerLabel, describe, DOT_UNHEALTHY, dotHealth, dotText, html, id, labLabel, LEGEND, MERMAID_UNHEALTHY,
    mermaidText, nodeTitle, portLabel, switchLabel, underlayLabel, unhealthy, uplinkLabel,
} from "./topologyLabels";

/** What a live look found of one object: unhealthy ones are drawn red and dashed. */
export interface Health {
    healthy: boolean;
    /** Lines under the object's label: its state (daemons, binding) and, when unhealthy, what is wrong. */
    notes: string[];
}

export interface TopologyContainer {
    name: string;
    /** Address with the prefix its eth0 gets: /24 behind a gateway, /16 in single-l2's flat network. */
    cidr: string;
    mac: string;
    dockerName?: string;
    /** Set when drawn against a deployed stack: false when its outputs do not list it running. */
    deployed?: boolean;
    /** Live: the workload (its container, plug and logical port's binding). */
    health?: Health;
}

export interface TopologyNode {
    name: string;
    underlayIp: string;
    namespace?: string;
    isCentral: boolean;
    /** OVN only. */
    chassis?: string;
    logicalSwitch?: { name: string; subnet: string; health?: Health };
    routerPort?: { name: string; mac: string; cidr: string };
    containers: TopologyContainer[];
    deployed?: boolean;
    /** Live: the node's daemons and chassis. */
    health?: Health;
    /** Live, on the node the OVN central runs on: its databases and ovn-northd. */
    central?: Health;
}

export interface Topology {
    stack: string;
    experiment: Experiment;
    driver: Driver;
    /** Where the picture comes from. */
    source: "plan" | "deployed" | "live";
    bridge: string;
    encap: string;
    /** The network joining the nodes (none with the external driver); with netns, the Linux bridge that is it. */
    underlay?: { cidr: string; bridge?: string };
    /** OVN only. */
    router?: string;
    nodes: TopologyNode[];
    /** OVN services the plan has (cli/servicesTopology.ts); absent without any. */
    services?: TopologyServices;
    /** Live only: the whole lab, the router, and what is the lab's rather than one object's. */
    healthy?: boolean;
    routerHealth?: Health;
    lab?: Health;
}

export function topologyFromPlan(plan: LabPlan, stack: string): Topology {
    const { config } = plan;
    const ovn = config.experiment === "multi-l2";
    const netns = config.driver === "netns";
    const services = servicesFromPlan(plan);
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
        ...(services ? { services } : {}),
    };
}

/** Marks what the stack's outputs do not list as running, with the names they give. */
export function withDeployment(topology: Topology, outputs: LabOutputs): Topology {
    const nodes = topology.nodes.map((node) => {
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
    });
    const deployedNodes = new Set(nodes.filter((n) => n.deployed).map((n) => n.name));
    const services = topology.services && withServicesDeployment(topology.services, outputs, deployedNodes);
    return { ...topology, source: "deployed", nodes, ...(services ? { services } : {}) };
}

// ---- Mermaid ------------------------------------------------------------------

export function mermaidDiagram(topology: Topology): string {
    const out = [`%% ${describe(topology).join(" · ")}`, "flowchart TB"];
    const dashed: string[] = [];
    const styles: string[] = [];
    const bad: string[] = [];
    const badLinks: number[] = [];
    let links = 0;
    const mark = (element: string, health: Health | undefined) => unhealthy(health) && bad.push(element);
    const link = (line: string, isBad = false) => (out.push(`    ${line}`), isBad && badLinks.push(links), links++);
    const draw = { out, link, mark, dashed, styles };
    if (topology.router) {
        out.push(`    router{{${mermaidText([`router ${topology.router}`, ...(topology.routerHealth?.notes ?? [])])}}}`);
        mark("router", topology.routerHealth);
    }
    for (const node of topology.nodes) {
        out.push(`    subgraph ${id("node", node.name)}[${mermaidText(nodeTitle(node))}]`);
        out.push("        direction TB");
        out.push(`        ${attachmentId(node)}[${mermaidText(node.logicalSwitch ? switchLabel(node.logicalSwitch) : bridgeLabel(topology))}]`);
        mark(attachmentId(node), node.logicalSwitch?.health);
        if (node.central) {
            out.push(`        ${id("central", node.name)}[${mermaidText(centralLabel(node.central))}]`);
            mark(id("central", node.name), node.central);
        }
        for (const c of node.containers) {
            out.push(`        ${id("container", c.name)}[${mermaidText(containerLabel(c))}]`);
            if (c.deployed === false) dashed.push(id("container", c.name));
            mark(id("container", c.name), c.health);
        }
        if (topology.underlay) out.push(`        ${id("uplink", node.name)}[${mermaidText(uplinkLabel(topology, node))}]`);
        mermaidNodeServices(topology, node, draw);
        out.push("    end");
        if (node.deployed === false) dashed.push(id("node", node.name));
        mark(id("node", node.name), node.health);
    }
    if (topology.underlay) out.push(`    underlay[(${mermaidText(underlayLabel(topology, topology.underlay))})]`);
    for (const node of topology.nodes) {
        if (node.routerPort) link(`router ---|${mermaidText(portLabel(node.routerPort))}| ${attachmentId(node)}`);
        for (const c of node.containers) link(`${attachmentId(node)} --- ${id("container", c.name)}`, unhealthy(c.health));
        if (topology.underlay) link(`${id("uplink", node.name)} --- underlay`);
    }
    mermaidServices(topology, draw);
    if (topology.source === "live") {
        if (topology.lab) {
            out.push(`    lab[${mermaidText(labLabel(topology.lab))}]`);
            mark("lab", topology.lab);
        }
        out.push(`    subgraph legend["legend"]`, `        legend_ok["${LEGEND.healthy}"]`, `        legend_bad["${LEGEND.unhealthy}"]`, `        legend_dashed["${LEGEND.notDeployed}"]`, "    end");
        bad.push("legend_bad");
        dashed.push("legend_dashed");
    }
    out.push(...styles);
    for (const element of dashed) out.push(`    style ${element} stroke-dasharray: 5 5`);
    for (const element of bad) out.push(`    style ${element} ${MERMAID_UNHEALTHY}`);
    for (const n of badLinks) out.push(`    linkStyle ${n} stroke:${COLORS.bad},stroke-width:2px,stroke-dasharray:5 5`);
    return out.join("\n") + "\n";
}

// ---- Graphviz DOT -----------------------------------------------------------

const dashedIf = (notDeployed: boolean) => (notDeployed ? ', style="rounded,filled,dashed"' : "");

function routerTable(topology: Topology): string {
    const ports = topology.nodes.flatMap((n) => (n.routerPort ? [n.routerPort] : []));
    const cells = ports.map((p) => `<TD PORT="${id("port", p.name)}">${portLabel(p).map(html).join("<BR/>")}</TD>`).join("");
    const health = topology.routerHealth;
    const bad = unhealthy(health);
    return [
        `<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="6" BGCOLOR="${bad ? COLORS.badFill : COLORS.router}"${bad ? ` COLOR="${COLORS.bad}"` : ""}>`,
        `<TR><TD COLSPAN="${ports.length}"><B>router ${html(topology.router!)}</B>${(health?.notes ?? []).map((n) => `<BR/>${html(n)}`).join("")}</TD></TR>`,
        `<TR>${cells}</TR>`,
        "</TABLE>",
    ].join("");
}

function dotLegend(topology: Topology): string[] {
    return [
        "    subgraph cluster_legend {",
        `        label="legend"; style="rounded"; color="#999999"; fontsize=10;`,
        `        legend_ok [label="${LEGEND.healthy}"];`,
        `        legend_bad [label="${LEGEND.unhealthy}", ${DOT_UNHEALTHY}];`,
        `        legend_dashed [label="${LEGEND.notDeployed}", style="rounded,filled,dashed"];`,
        ...(topology.lab ? [`        lab [label=${dotText(labLabel(topology.lab))}${dotHealth(topology.lab)}];`] : []),
        "    }",
    ];
}

export function dotDiagram(topology: Topology): string {
    const out = [
        "graph topology {",
        `    graph [label=${dotText(describe(topology))}, labelloc=t, fontname="Helvetica", fontsize=12, nodesep=0.3, ranksep=0.5];`,
        `    node [shape=box, style="rounded,filled", fillcolor="${COLORS.container}", fontname="Helvetica", fontsize=10];`,
        `    edge [color="#555555"];`,
    ];
    if (topology.router) out.push(`    router [shape=plaintext, style="", label=<${routerTable(topology)}>];`);
    for (const node of topology.nodes) {
        const bad = unhealthy(node.health);
        out.push(`    subgraph cluster_${id("node", node.name)} {`);
        out.push(`        label=${dotText(nodeTitle(node))}; style="rounded,filled${node.deployed === false || bad ? ",dashed" : ""}"; fillcolor="${COLORS.node}"; fontsize=11;` +
            (bad ? ` color="${COLORS.bad}"; fontcolor="${COLORS.badText}"; penwidth=2;` : ""));
        const attachment = node.logicalSwitch
            ? `[label=${dotText(switchLabel(node.logicalSwitch))}, fillcolor="${COLORS.logicalSwitch}"${dotHealth(node.logicalSwitch.health)}]`
            : `[label=${dotText(bridgeLabel(topology))}, fillcolor="${COLORS.bridge}"]`;
        out.push(`        ${attachmentId(node)} ${attachment};`);
        if (node.central) out.push(`        ${id("central", node.name)} [label=${dotText(centralLabel(node.central))}, fillcolor="${COLORS.central}"${dotHealth(node.central)}];`);
        for (const c of node.containers) out.push(`        ${id("container", c.name)} [label=${dotText(containerLabel(c))}${unhealthy(c.health) ? dotHealth(c.health) : dashedIf(c.deployed === false)}];`);
        if (topology.underlay) out.push(`        ${id("uplink", node.name)} [label=${dotText(uplinkLabel(topology, node))}, fillcolor="${COLORS.uplink}"];`);
        out.push(...dotNodeServices(topology, node));
        out.push("    }");
    }
    if (topology.underlay) out.push(`    underlay [label=${dotText(underlayLabel(topology, topology.underlay))}, shape=box, style="filled", fillcolor="${COLORS.underlay}"];`);
    for (const node of topology.nodes) {
        if (node.routerPort) out.push(`    router:${id("port", node.routerPort.name)}:s -- ${attachmentId(node)};`);
        if (node.central) out.push(`    ${attachmentId(node)} -- ${id("central", node.name)} [style=invis];`);
        for (const c of node.containers) {
            out.push(`    ${attachmentId(node)} -- ${id("container", c.name)}${unhealthy(c.health) ? ` [color="${COLORS.bad}", style=dashed, penwidth=2]` : ""};`);
        }
        if (topology.underlay) {
            // Invisible edges keep br-phy under the containers, so the underlay is the picture's floor.
            const above = node.containers.length ? node.containers.map((c) => id("container", c.name)) : [attachmentId(node)];
            for (const element of above) out.push(`    ${element} -- ${id("uplink", node.name)} [style=invis];`);
            out.push(`    ${id("uplink", node.name)} -- underlay;`);
        }
    }
    out.push(...dotServices(topology));
    if (topology.source === "live") out.push(...dotLegend(topology));
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
