// The words and colours of the lab's picture, shared by its two notations
// (Mermaid and Graphviz DOT, cli/topologyDiagram.ts): what each box says,
// including, in a live picture (`diagram --live`), each object's health. Pure.
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

export const COLORS = {
    router: "#fde8c8",
    logicalSwitch: "#dbe8ff",
    bridge: "#dff5df",
    container: "#ffffff",
    uplink: "#eeeeee",
    underlay: "#d9d9d9",
    node: "#f5f7fa",
    central: "#fff6d5",
    /** Unhealthy: the line, the text, the fill. */
    bad: "#cc0000",
    badText: "#990000",
    badFill: "#ffe5e5",
};
