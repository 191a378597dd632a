// The OVN services' shapes in the lab's picture (cli/topologyDiagram.ts calls
// these): a load balancer as its own shape tied (dotted) to the switches that
// carry its VIP, with an arrow to each backend labelled with the backend port;
// the ACLs as one rule table per port group in front of the container it
// protects, allow rows green and drop/reject rows orange; each node switch's
// DHCP server as a note beside it; the gateway (gw0 on its chassis, ls-join,
// ls-ext with its localnet, the external host) linked to lr0. In Mermaid and
// in DOT, the words from topologyLabels.ts; not deployed: dashed; unhealthy
// (live): red and dashed with the notes, as every other object. Pure.
import type { Health, Topology, TopologyNode } from "./topologyDiagram";
import { denies, TopologyAclRule, TopologyAclTable } from "./servicesTopology";
import {
    ACL_COLUMNS, aclRuleCells, aclRuleLabel, aclTableTitle, attachmentId, COLORS, dhcpLabel, DOT_UNHEALTHY, dotHealth, dotText, externalHostLabel,
    externalSwitchLabel, gatewayRouterLabel, gatewayTitle, healthLines, html, id, joinSwitchLabel, lbLabel, localnetLabel, mermaidText, portLabel,
    routerJoinLabel, unhealthy,
} from "./topologyLabels";

/** What mermaidDiagram lends the services: its lines, its link counter (linkStyle counts links), its marks. */
export interface MermaidDraw {
    out: string[];
    link(line: string, isBad?: boolean): void;
    mark(element: string, health: Health | undefined): void;
    dashed: string[];
    /** `style` lines of their own (the ACL rows' colours), written before the dashed and unhealthy ones. */
    styles: string[];
}

/** The attachment id of the node whose switch is `switchName`. */
const switchId = (topology: Topology, switchName: string) => {
    const node = topology.nodes.find((n) => n.logicalSwitch?.name === switchName);
    return node ? attachmentId(node) : undefined;
};
const containerId = (topology: Topology, name: string) =>
    (topology.nodes.some((n) => n.containers.some((c) => c.name === name)) ? id("container", name) : undefined);
const GW = { router: "gw_router", join: "gw_join", external: "gw_ext", host: "gw_host" };

// ---- Mermaid ------------------------------------------------------------------

/** Inside a node's subgraph: its switch's DHCP note. */
export function mermaidNodeServices(topology: Topology, node: TopologyNode, d: MermaidDraw): void {
    for (const dhcp of topology.services?.dhcp ?? []) {
        if (dhcp.node !== node.name) continue;
        const element = id("dhcp", node.name);
        d.out.push(`        ${element}>${mermaidText(dhcpLabel(dhcp))}]`);
        if (dhcp.deployed === false) d.dashed.push(element);
        d.mark(element, dhcp.health);
    }
}

const ruleStyle = (r: TopologyAclRule) =>
    (denies(r) ? `fill:${COLORS.aclDeny},stroke:${COLORS.aclDenyText},color:${COLORS.aclDenyText},font-weight:bold` : `fill:${COLORS.aclAllow},stroke:#2e7d32`);

function mermaidAclTable(topology: Topology, t: TopologyAclTable, d: MermaidDraw): void {
    const table = id("acls", t.portGroup);
    d.out.push(`    subgraph ${table}[${mermaidText(aclTableTitle(t))}]`, "        direction TB");
    const rows = t.rules.map((r) => id("aclrule", r.name));
    t.rules.forEach((r, i) => {
        d.out.push(`        ${rows[i]}[${mermaidText(aclRuleLabel(r))}]`);
        d.styles.push(`    style ${rows[i]} ${ruleStyle(r)}`);
        if (r.deployed === false) d.dashed.push(rows[i]);
        d.mark(rows[i], r.health);
    });
    d.out.push("    end");
    if (t.deployed === false) d.dashed.push(table);
    d.mark(table, t.health);
    // Invisible links stack the rows in priority order.
    for (let i = 1; i < rows.length; i++) d.link(`${rows[i - 1]} ~~~ ${rows[i]}`);
    const target = containerId(topology, t.target);
    if (target) d.link(`${table} -.-|"in front of"| ${target}`, unhealthy(t.health));
}

function mermaidGateway(topology: Topology, d: MermaidDraw): void {
    const g = topology.services?.gateway;
    if (!g) return;
    d.out.push(`    ${GW.join}[${mermaidText(joinSwitchLabel(g))}]`);
    d.mark(GW.join, g.joinSwitch.health);
    d.out.push(`    subgraph gateway[${mermaidText(gatewayTitle(g))}]`, "        direction TB");
    d.out.push(`        ${GW.router}{{${mermaidText(gatewayRouterLabel(g))}}}`);
    d.out.push(`        ${GW.external}[${mermaidText(externalSwitchLabel(g))}]`);
    d.out.push(`        ${GW.host}([${mermaidText(externalHostLabel(g))}])`);
    d.out.push("    end");
    if (g.deployed === false) d.dashed.push(GW.router, GW.join, GW.external);
    if (g.externalHost.deployed === false) d.dashed.push(GW.host);
    d.mark(GW.router, g.health);
    d.mark(GW.external, g.externalSwitch.health);
    d.mark(GW.host, g.externalHost.health);
    if (topology.router) d.link(`router ---|${mermaidText(routerJoinLabel(g, topology.router))}| ${GW.join}`);
    d.link(`${GW.join} ---|${mermaidText(portLabel(g.gwJoin))}| ${GW.router}`, unhealthy(g.joinSwitch.health));
    d.link(`${GW.router} ---|${mermaidText(portLabel(g.gwExternal))}| ${GW.external}`, unhealthy(g.health));
    d.link(`${GW.external} ---|${mermaidText(localnetLabel(g))}| ${GW.host}`, unhealthy(g.externalHost.health));
}

/** Outside the nodes: load balancers, ACL tables, the gateway, and their links. */
export function mermaidServices(topology: Topology, d: MermaidDraw): void {
    const services = topology.services;
    if (!services) return;
    for (const dhcp of services.dhcp) {
        const sw = switchId(topology, dhcp.switchName);
        if (sw) d.link(`${sw} -.- ${id("dhcp", dhcp.node)}`, unhealthy(dhcp.health));
    }
    for (const lb of services.loadBalancers) {
        const element = id("lb", lb.name);
        d.out.push(`    ${element}[[${mermaidText(lbLabel(lb))}]]`);
        if (lb.deployed === false) d.dashed.push(element);
        d.mark(element, lb.health);
        for (const s of lb.switches) {
            const sw = switchId(topology, s);
            if (sw) d.link(`${sw} -.-|"VIP"| ${element}`, unhealthy(lb.health));
        }
        for (const b of lb.backends) {
            const target = containerId(topology, b.name);
            if (target) d.link(`${element} -->|${mermaidText([`backend ${b.address}`])}| ${target}`, unhealthy(lb.health));
        }
    }
    for (const t of services.aclTables) mermaidAclTable(topology, t, d);
    mermaidGateway(topology, d);
}

// ---- Graphviz DOT -----------------------------------------------------------

/** Edge labels: small, in the boxes' font. */
const EDGE_FONT = 'fontsize=9, fontname="Helvetica"';
const dashedIf = (notDeployed: boolean) => (notDeployed ? ', style="rounded,filled,dashed"' : "");
const drawnAs = (health: Health | undefined, deployed: boolean | undefined) => (unhealthy(health) ? dotHealth(health) : dashedIf(deployed === false));
/** A shape that is not rounded (the load balancer, gw0): filled, dashed when not deployed, red when unhealthy. */
const plainStyle = (health: Health | undefined, deployed: boolean | undefined) =>
    (unhealthy(health) ? DOT_UNHEALTHY.replace("rounded,", "") : `style="filled${deployed === false ? ",dashed" : ""}"`);
const badEdge = (health: Health | undefined, normal: string) => (unhealthy(health) ? `color="${COLORS.bad}", style=dashed, penwidth=2` : normal);

/** Inside a node's cluster: its switch's DHCP note, dotted to the switch. */
export function dotNodeServices(topology: Topology, node: TopologyNode): string[] {
    return (topology.services?.dhcp ?? []).filter((d) => d.node === node.name).flatMap((dhcp) => [
        `        ${id("dhcp", node.name)} [shape=note, label=${dotText(dhcpLabel(dhcp))}, fillcolor="${COLORS.dhcp}"${drawnAs(dhcp.health, dhcp.deployed)}];`,
        `        ${attachmentId(node)} -- ${id("dhcp", node.name)} [${badEdge(dhcp.health, 'style=dotted, color="#999999"')}];`,
    ]);
}

/** One ACL table as a DOT HTML-like table: a title row, the column names, one row per rule in priority order. */
function aclTableHtml(t: TopologyAclTable): string {
    const bad = unhealthy(t.health);
    const cell = (text: string, attrs = "") => `<TD${attrs}>${text}</TD>`;
    const row = (r: TopologyAclRule) => {
        const rowBad = unhealthy(r.health);
        const fill = rowBad ? COLORS.badFill : denies(r) ? COLORS.aclDeny : COLORS.aclAllow;
        const text = (s: string) => (denies(r) ? `<B>${html(s)}</B>` : html(s));
        const notes = [...(r.deployed === false ? ["(not deployed)"] : []), ...healthLines(r.health)];
        const cells = aclRuleCells(r).map((c) => cell(rowBad ? `<FONT COLOR="${COLORS.badText}">${text(c)}</FONT>` : text(c), ` BGCOLOR="${fill}"${r.deployed === false ? ' STYLE="dashed"' : ""}`)).join("");
        return `<TR>${cells}</TR>` + (notes.length ? `<TR><TD COLSPAN="${ACL_COLUMNS.length}" BGCOLOR="${fill}">${notes.map(html).join("<BR/>")}</TD></TR>` : "");
    };
    return [
        `<TABLE BORDER="${bad ? 2 : 1}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="#ffffff"${bad ? ` COLOR="${COLORS.bad}" STYLE="dashed"` : t.deployed === false ? ' STYLE="dashed"' : ""}>`,
        `<TR><TD COLSPAN="${ACL_COLUMNS.length}"${bad ? ` BGCOLOR="${COLORS.badFill}"` : ""}>${aclTableTitle(t).map((l, i) => (i === 0 ? `<B>${html(l)}</B>` : html(l))).join("<BR/>")}</TD></TR>`,
        `<TR>${ACL_COLUMNS.map((c) => cell(`<I>${c}</I>`)).join("")}</TR>`,
        ...t.rules.map(row),
        "</TABLE>",
    ].join("");
}

function dotGateway(topology: Topology): string[] {
    const g = topology.services?.gateway;
    if (!g) return [];
    const notDeployed = g.deployed === false;
    return [
        `    ${GW.join} [label=${dotText(joinSwitchLabel(g))}, fillcolor="${COLORS.logicalSwitch}"${drawnAs(g.joinSwitch.health, g.deployed)}];`,
        "    subgraph cluster_gateway {",
        `        label=${dotText(gatewayTitle(g))}; style="rounded,filled${notDeployed ? ",dashed" : ""}"; fillcolor="${COLORS.node}"; fontsize=11;`,
        `        ${GW.router} [shape=hexagon, label=${dotText(gatewayRouterLabel(g))}, fillcolor="${COLORS.router}", ${plainStyle(g.health, g.deployed)}];`,
        `        ${GW.external} [label=${dotText(externalSwitchLabel(g))}, fillcolor="${COLORS.logicalSwitch}"${drawnAs(g.externalSwitch.health, g.deployed)}];`,
        `        ${GW.host} [label=${dotText(externalHostLabel(g))}, fillcolor="${COLORS.external}"${drawnAs(g.externalHost.health, g.externalHost.deployed)}];`,
        "    }",
        ...(topology.router ? [`    router -- ${GW.join} [label=${dotText(routerJoinLabel(g, topology.router))}, ${EDGE_FONT}];`] : []),
        `    ${GW.join} -- ${GW.router} [label=${dotText(portLabel(g.gwJoin))}, ${EDGE_FONT}${unhealthy(g.joinSwitch.health) ? `, ${badEdge(g.joinSwitch.health, "")}` : ""}];`,
        `    ${GW.router} -- ${GW.external} [label=${dotText(portLabel(g.gwExternal))}, ${EDGE_FONT}${unhealthy(g.health) ? `, ${badEdge(g.health, "")}` : ""}];`,
        `    ${GW.external} -- ${GW.host} [label=${dotText(localnetLabel(g))}, ${EDGE_FONT}${unhealthy(g.externalHost.health) ? `, ${badEdge(g.externalHost.health, "")}` : ""}];`,
    ];
}

/** Outside the nodes' clusters: load balancers, ACL tables, the gateway, and their edges. */
export function dotServices(topology: Topology): string[] {
    const services = topology.services;
    if (!services) return [];
    const out: string[] = [];
    for (const lb of services.loadBalancers) {
        const element = id("lb", lb.name);
        out.push(`    ${element} [shape=component, label=${dotText(lbLabel(lb))}, fillcolor="${COLORS.loadBalancer}", color="${COLORS.loadBalancerLine}", ${plainStyle(lb.health, lb.deployed)}];`);
        for (const s of lb.switches) {
            const sw = switchId(topology, s);
            if (sw) out.push(`    ${sw} -- ${element} [label="VIP", ${EDGE_FONT}, ${badEdge(lb.health, `style=dotted, color="${COLORS.loadBalancerLine}"`)}];`);
        }
        for (const b of lb.backends) {
            const target = containerId(topology, b.name);
            if (target) out.push(`    ${element} -- ${target} [dir=forward, label=${dotText([`backend ${b.address}`])}, ${EDGE_FONT}, fontcolor="${COLORS.loadBalancerLine}", ${badEdge(lb.health, `color="${COLORS.loadBalancerLine}"`)}];`);
        }
    }
    for (const t of services.aclTables) {
        const element = id("acls", t.portGroup);
        out.push(`    ${element} [shape=plaintext, style="", label=<${aclTableHtml(t)}>];`);
        const target = containerId(topology, t.target);
        if (target) out.push(`    ${element} -- ${target} [label="in front of", ${EDGE_FONT}, ${badEdge(t.health, 'style=dashed, color="#8a3b00"')}];`);
    }
    out.push(...dotGateway(topology));
    return out;
}
