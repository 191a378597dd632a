// The words and colours of the lab's picture, shared by its two notations
// (Mermaid and Graphviz DOT, cli/topologyDiagram.ts): what each box says,
// including, in a live picture (`diagram --live`), each object's health, and
// the services' shapes (cli/servicesDiagram.ts); and how each notation quotes
// them. Pure.
import type { TopologyAclRule, TopologyAclTable, TopologyDhcp, TopologyGateway, TopologyLoadBalancer } from "./servicesTopology";
import type { Health, Topology, TopologyContainer, TopologyNode } from "./topologyDiagram";

const NOT_DEPLOYED = "(not deployed)";
/** Label lines are wrapped at a space before this width, continued indented; a note has at most NOTE_LINES of them. */
const NOTE_WIDTH = 64;
const NOTE_LINES = 4;

/** A note as label lines: wrapped at spaces, the last one cut with … (the JSON health model keeps the whole sentence). */
export function wrapNote(note: string): string[] {
    const lines: string[] = [];
    let rest = note;
    while (rest.length > NOTE_WIDTH && lines.length < NOTE_LINES - 1) {
        const cut = rest.lastIndexOf(" ", NOTE_WIDTH);
        const at = cut > NOTE_WIDTH / 2 ? cut : NOTE_WIDTH;
        lines.push(rest.slice(0, at));
        rest = `  ${rest.slice(at).trimStart()}`;
    }
    lines.push(rest.length > NOTE_WIDTH ? `${rest.slice(0, NOTE_WIDTH - 1)}…` : rest);
    return lines;
}
/** The lines an object's health adds under its label. */
export const healthLines = (health: Health | undefined) => (health ? health.notes.flatMap(wrapNote) : []);
export const unhealthy = (health: Health | undefined) => health !== undefined && !health.healthy;

/** Two lines: what the lab is, and where the picture comes from. */
export function describe(topology: Topology): [string, string] {
    const what = topology.experiment === "single-l2" ? "single-l2: one flat L2 on br-int, no OVN" : `multi-l2: OVN, ${topology.encap} between chassis`;
    const from = topology.source === "plan" ? `from the IP plan of Pulumi.${topology.stack}.yaml`
        : topology.source === "deployed" ? "from the deployed stack's outputs"
        : `live: ${topology.healthy ? "healthy" : "UNHEALTHY"} (refresh preview and probes of the running lab)`;
    return [`stack ${topology.stack} · ${what}`, `${topology.driver} driver · ${from}`];
}

export function nodeTitle(node: TopologyNode): string[] {
    return [
        [node.name, node.namespace ? `netns ${node.namespace}` : ""].filter(Boolean).join(" · "),
        ...(node.chassis ? [`${node.isCentral ? "OVN central + chassis" : "chassis"} ${node.chassis}`] : []),
        ...(node.deployed === false ? [NOT_DEPLOYED] : []),
        ...healthLines(node.health),
    ];
}

export const switchLabel = (ls: { name: string; subnet: string; health?: Health }) => [`switch ${ls.name}`, ls.subnet, ...healthLines(ls.health)];
export const bridgeLabel = (topology: Topology) => [topology.bridge, "fail_mode standalone", "NORMAL: MAC learning"];
export const portLabel = (port: { name: string; mac: string; cidr: string }) => [port.name, port.mac, port.cidr];
export const containerLabel = (c: TopologyContainer) => [c.name, c.cidr, c.mac, ...(c.deployed === false ? [NOT_DEPLOYED] : []), ...healthLines(c.health)];
export const centralLabel = (central: Health) => ["OVN central", ...healthLines(central)];
/** netns nodes hold their underlay address on br-phy (userspace tunnelling); a VM holds it on a NIC of its own. */
export const uplinkLabel = (topology: Topology, node: TopologyNode) => (topology.driver === "netns" ? ["br-phy", node.underlayIp] : [node.underlayIp]);
export function underlayLabel(topology: Topology, underlay: { cidr: string; bridge?: string }): string[] {
    return [
        `underlay ${underlay.cidr}`,
        ...(underlay.bridge ? [`Linux bridge ${underlay.bridge}`] : []),
        ...(topology.router ? [`${topology.encap} tunnels between the chassis`] : []),
    ];
}
/** Lab-wide findings of a live picture: what is not one object's (the underlay, the image, ...). */
export const labLabel = (lab: Health) => ["lab-wide", ...healthLines(lab)];

/** The legend of a live picture. */
export const LEGEND = {
    healthy: "healthy",
    unhealthy: "unhealthy: red, dashed, with what is wrong",
    notDeployed: "not in the stack's outputs: dashed",
};

/** Identifiers both notations accept: names are [a-z0-9-], ids trade '-' for '_'. */
export const id = (kind: string, name: string) => `${kind}_${name.replace(/-/g, "_")}`;

/** The node every container of a node hangs from: its logical switch (OVN) or its bridge (single-l2). */
export const attachmentId = (node: TopologyNode) => id(node.logicalSwitch ? "switch" : "bridge", node.name);

// ---- The services (cli/servicesTopology.ts) ----------------------------------------

export const lbLabel = (lb: TopologyLoadBalancer) => [
    `load balancer ${lb.name}`, `VIP ${lb.vipKey} ${lb.protocol}`, `on ${lb.switches.join(", ")}`, ...(lb.deployed === false ? [NOT_DEPLOYED] : []), ...healthLines(lb.health),
];
export const aclTableTitle = (t: TopologyAclTable) => [
    `ACLs on ${t.portGroup} → ${t.target}`, "to-lport · highest priority first, first match wins", ...(t.deployed === false ? [NOT_DEPLOYED] : []), ...healthLines(t.health),
];
/** allow is OVN's allow-related (replies pass); drop and reject in capitals, as they deny. */
export const actionWord = (rule: { action: string; verdict: string }) => (rule.action === "allow" ? `allow (${rule.verdict})` : rule.action.toUpperCase());
export const ACL_COLUMNS = ["priority", "from", "protocol/port", "action"];
export const aclRuleCells = (r: TopologyAclRule) => [String(r.priority), r.from, `${r.protocol}${r.port !== undefined ? `/${r.port}` : ""}`, actionWord(r)];
/** One rule on one line (Mermaid has no tables), its name and state under it. */
export const aclRuleLabel = (r: TopologyAclRule) => [
    [r.priority, `from ${r.from}`, ...aclRuleCells(r).slice(2)].join(" · "), `rule ${r.name}`, ...(r.deployed === false ? [NOT_DEPLOYED] : []), ...healthLines(r.health),
];
export const dhcpLabel = (d: TopologyDhcp) => [
    `DHCP (OVN) ${d.row}`, `cidr ${d.cidr}`, "offers each port its planned address", `router ${d.router} · mtu ${d.mtu}`,
    `server ${d.server.ip} · ${d.server.mac}`, `lease ${d.leaseSeconds} s`, ...(d.deployed === false ? [NOT_DEPLOYED] : []), ...healthLines(d.health),
];
const routeText = (r: { prefix: string; nexthop: string }) => `route ${r.prefix} via ${r.nexthop}`;
export const gatewayTitle = (g: TopologyGateway) => [`gateway: on ${g.node}'s chassis ${g.chassis}`];
export const gatewayRouterLabel = (g: TopologyGateway) => [
    `gateway router ${g.router}`, `options:chassis=${g.chassis}`, `SNAT ${g.snat.sources} → ${g.snat.address}`,
    ...g.routes.filter((r) => r.router === g.router).map(routeText), ...(g.deployed === false ? [NOT_DEPLOYED] : []), ...healthLines(g.health),
];
export const joinSwitchLabel = (g: TopologyGateway) => [`switch ${g.joinSwitch.name}`, g.joinSwitch.cidr, ...healthLines(g.joinSwitch.health)];
export const externalSwitchLabel = (g: TopologyGateway) => [
    `switch ${g.externalSwitch.name}`, g.externalSwitch.cidr, `localnet ${g.externalSwitch.localnet} → ${g.externalSwitch.physnet}`, ...healthLines(g.externalSwitch.health),
];
export const externalHostLabel = (g: TopologyGateway) => [
    "external host", g.externalHost.cidr, ...(g.externalHost.namespace ? [`netns ${g.externalHost.namespace}`] : []), `sees ${g.snat.address} as the source`,
    ...(g.externalHost.deployed === false ? [NOT_DEPLOYED] : []), ...healthLines(g.externalHost.health),
];
/** lr0's port on the join switch, and lr0's way out through it. */
export const routerJoinLabel = (g: TopologyGateway, router: string) => [...portLabel(g.lrJoin), ...g.routes.filter((r) => r.router === router).map(routeText)];
export const localnetLabel = (g: TopologyGateway) => [`${g.externalSwitch.physnet}: br-ext on ${g.node}`];

// ---- Quoting, per notation -------------------------------------------------------

/** A Mermaid string: quotes and angle brackets as Mermaid's entities (a probe's error may hold them), lines joined by <br/>. */
export const mermaidText = (lines: string[]) => `"${lines.map((line) => line.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;")).join("<br/>")}"`;
/** A DOT string: each line escaped, joined by DOT's own line break. */
export const dotText = (lines: string[]) => `"${lines.map((line) => line.replace(/\\/g, "\\\\").replace(/"/g, '\\"')).join("\\n")}"`;
/** Text inside a DOT HTML-like label. */
export const html = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export const COLORS = {
    router: "#fde8c8",
    logicalSwitch: "#dbe8ff",
    bridge: "#dff5df",
    container: "#ffffff",
    uplink: "#eeeeee",
    underlay: "#d9d9d9",
    node: "#f5f7fa",
    central: "#fff6d5",
    loadBalancer: "#ece0ff",
    loadBalancerLine: "#6a3fb5",
    /** ACL rules: allow green, drop/reject orange (red and dashed stays "unhealthy"). */
    aclAllow: "#d6f5d6",
    aclDeny: "#ffd2a6",
    aclDenyText: "#8a3b00",
    dhcp: "#fffbe6",
    external: "#e3f6f8",
    /** Unhealthy: the line, the text, the fill. */
    bad: "#cc0000",
    badText: "#990000",
    badFill: "#ffe5e5",
};

/** Unhealthy, per notation: red, dashed, thicker. */
export const MERMAID_UNHEALTHY = `fill:${COLORS.badFill},stroke:${COLORS.bad},stroke-width:2px,stroke-dasharray:5 5,color:${COLORS.badText}`;
export const DOT_UNHEALTHY = `style="rounded,filled,dashed", color="${COLORS.bad}", fontcolor="${COLORS.badText}", fillcolor="${COLORS.badFill}", penwidth=2`;
export const dotHealth = (health: Health | undefined) => (unhealthy(health) ? `, ${DOT_UNHEALTHY}` : "");
