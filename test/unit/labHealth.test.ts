// diagram --live's pure half: the health model from probe answers and a
// refresh preview's events (data in), the picture marked from it (Mermaid and
// DOT out, one SVG through the real dot), its argv and its command line.
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { afterAll, describe, expect, it } from "vitest";
import { writeDiagram } from "../../cli/diagram";
import { centralHealthProbes, nodeHealthProbes, northdControlSocket, northdStatus } from "../../cli/healthProbes";
import type { NodeAccess, NodeProbeId, ProbeResult, ShowReport } from "../../cli/inspectCommands";
import { DriftedResource, driftFromEvents, driftOwner, LiveFindings, labHealth, liveTopology, renderHealth } from "../../cli/labHealth";
import { parseLiveArgs } from "../../cli/liveDiagram";
import { dotDiagram, mermaidDiagram, topologyFromPlan } from "../../cli/topologyDiagram";
import { validateConfig } from "../../components/plan/config";
import { planLab } from "../../components/plan/ipPlan";

const result = <Id extends string>(id: Id, output: string, exitCode = 0): ProbeResult<Id> => ({ id, title: id, command: `cmd ${id}`, exitCode, output });
const SB = [
    "Chassis t1-node1", "    hostname: node1", "    Encap geneve", '        ip: "172.16.56.2"', "    Port_Binding netsho1", "    Port_Binding netsho2",
    "Chassis t1-node2", "    hostname: node2", "    Encap geneve", '        ip: "172.16.56.3"', "    Port_Binding netsho3", "    Port_Binding netsho4",
].join("\n");
const iface = (name: string, ofport: number, ids: string) => `name                : ${name}\nofport              : ${ofport}\nexternal_ids        : {${ids}}\n`;
const interfacesOf = (...workloads: string[]) => [iface("br-int", 65534, ""), ...workloads.map((w, i) => iface(`c-${w}`, i + 1, `container_id=${w}, container_iface=eth0, iface-id=${w}, ovn-installed="true"`))].join("\n");

function nodeReport(name: string, probes: Partial<Record<NodeProbeId, ProbeResult<NodeProbeId>>> = {}) {
    return {
        name, chassis: `t1-${name}`, underlayIp: "", bridge: "br-int", openflow: { rules: 200, tables: 40 }, macTable: [],
        probes: {
            bridges: result("bridges", "Bridge br-int\n    fail_mode: secure"), openflow: result("openflow", "table=0 actions=drop"),
            datapathFlows: result("datapathFlows", ""), macTable: result("macTable", " port  VLAN  MAC                Age"), ...probes,
        },
    };
}

/** The dev lab's findings, healthy; `change` breaks what a test needs broken. */
function findings(change: (f: LiveFindings) => void = () => undefined): LiveFindings {
    const show: ShowReport = {
        stack: "t1", nodes: [nodeReport("node1"), nodeReport("node2")],
        central: { node: "node1", probes: { northbound: result("northbound", "switch ls-node1"), southbound: result("southbound", SB) } },
    };
    const f: LiveFindings = {
        show,
        nodeProbes: {
            node1: { controller: result("controller", "connected\n"), interfaces: result("interfaces", interfacesOf("netsho1", "netsho2")) },
            node2: { controller: result("controller", "connected\n"), interfaces: result("interfaces", interfacesOf("netsho3", "netsho4")) },
        },
        centralProbes: { northd: result("northd", "Status: active\n") },
        workloads: ["netsho1", "netsho2", "netsho3", "netsho4"].map((w, i) => ({ name: w, node: i < 2 ? "node1" : "node2", logicalPort: w })),
        switches: [{ name: "ls-node1", node: "node1", routerPort: "lr-node1" }, { name: "ls-node2", node: "node2", routerPort: "lr-node2" }],
        router: "lr0",
        refresh: { command: "pulumi refresh --preview-only --stack t1", exitCode: 0, drift: [] },
    };
    change(f);
    return f;
}

const planned = topologyFromPlan(planLab(validateConfig({ labId: "t1" }, "t1")), "t1");
const deployed = { ...planned, source: "deployed" as const, nodes: planned.nodes.map((n) => ({ ...n, deployed: true, containers: n.containers.map((c) => ({ ...c, deployed: true })) })) };

/** netsho3's OVS interface deleted by hand (so its port is unbound and its plug gone) and node1's ovn-controller dead. */
const broken = () => findings((f) => {
    f.nodeProbes.node2.interfaces = result("interfaces", interfacesOf("netsho4"));
    f.show.central!.probes.southbound = result("southbound", SB.replace("    Port_Binding netsho3\n", ""));
    f.nodeProbes.node1.controller = result("controller", 'ovn-appctl: cannot read pidfile "/x/node1/run/ovn-controller.pid" (No such process)', 1);
    f.refresh.drift = [
        { type: "ovnlab:ovs:ContainerPlug", name: "netsho3-plug", change: "delete", problems: ["gone (up makes it again)"] },
        { type: "ovnlab:ovn:Readiness", name: "lab-ready", change: "update", problems: ["node node1: ovn-controller not answering (ovn-appctl: cannot read pidfile)", 'port netsho3 on node node2: interface c-netsho3 has no external_ids:ovn-installed="true"'] },
        { type: "ovnlab:netns:Node", name: "node1", change: "update", problems: ["ovn-controller is not running"] },
    ];
});

describe("the health model", () => {
    it("a healthy lab: every daemon up, every chassis registered, every port bound on its node's chassis", () => {
        const health = labHealth(findings());
        expect(health).toMatchObject({ stack: "t1", healthy: true, unhealthy: [], problems: [], lab: { healthy: true } });
        expect(health.nodes.map((n) => [n.name, n.healthy, n.chassisRegistered, n.daemons.map((d) => `${d.daemon}:${d.alive}`).join(" ")])).toEqual([
            ["node1", true, true, "ovsdb-server:true ovs-vswitchd:true ovn-controller:true"],
            ["node2", true, true, "ovsdb-server:true ovs-vswitchd:true ovn-controller:true"],
        ]);
        expect(health.central).toMatchObject({ node: "node1", healthy: true });
        expect(health.central!.daemons.map((d) => d.daemon)).toEqual(["NB ovsdb-server", "SB ovsdb-server", "ovn-northd"]);
        expect(health.workloads.map((w) => [w.name, w.port])).toEqual([
            ["netsho1", { bound: true, interface: "c-netsho1", chassis: "t1-node1" }], ["netsho2", { bound: true, interface: "c-netsho2", chassis: "t1-node1" }],
            ["netsho3", { bound: true, interface: "c-netsho3", chassis: "t1-node2" }], ["netsho4", { bound: true, interface: "c-netsho4", chassis: "t1-node2" }],
        ]);
        expect(health.commands[0]).toEqual({ command: "pulumi refresh --preview-only --stack t1", exitCode: 0 });
        expect(health.commands).toHaveLength(1 + 2 * 6 + 2 + 1);
    });

    it("a broken lab: exactly the dead daemon's node and the unbound workload are unhealthy, each with every reason", () => {
        const health = labHealth(broken());
        expect(health.healthy).toBe(false);
        expect(health.unhealthy).toEqual(["node node1", "workload netsho3"]);
        const node1 = health.nodes[0];
        expect(node1.daemons.find((d) => d.daemon === "ovn-controller")).toMatchObject({ alive: false, detail: expect.stringContaining("cannot read pidfile") });
        expect(node1.problems).toEqual([
            'ovn-controller is not answering: ovn-appctl: cannot read pidfile "/x/node1/run/ovn-controller.pid" (No such process)',
            "Readiness lab-ready: node node1: ovn-controller not answering (ovn-appctl: cannot read pidfile)",
            "Node node1: ovn-controller is not running",
        ]);
        expect(health.nodes[1].healthy).toBe(true);
        const netsho3 = health.workloads.find((w) => w.name === "netsho3")!;
        expect(netsho3.port).toEqual({ bound: false });
        expect(netsho3.problems).toEqual([
            "port unbound: no OVS interface on node2 has external_ids:iface-id=netsho3",
            "port unbound: logical port netsho3 is bound to no chassis in the southbound database",
            "ContainerPlug netsho3-plug: gone (up makes it again)",
            'Readiness lab-ready: port netsho3 on node node2: interface c-netsho3 has no external_ids:ovn-installed="true"',
        ]);
        expect(health.workloads.filter((w) => w.name !== "netsho3").every((w) => w.healthy && w.port.bound)).toBe(true);
        expect(health.problems).toContain("workload netsho3: port unbound: no OVS interface on node2 has external_ids:iface-id=netsho3");
        const text = renderHealth(health);
        expect(text).toContain("$ cmd controller    # failed (exit 1)\n");
        expect(text).toContain("refresh would change:\n  delete ovnlab:ovs:ContainerPlug netsho3-plug\n");
        expect(text).toContain("== health: 2 unhealthy: node node1, workload netsho3\n");
    });

    it("a missing chassis, a port bound elsewhere, a stopped northd, a dead ovsdb-server", () => {
        const health = labHealth(findings((f) => {
            f.show.central!.probes.southbound = result("southbound", SB.replace("Chassis t1-node1", "Chassis other").replace("    Port_Binding netsho2\n", "").replace("    Port_Binding netsho4", "    Port_Binding netsho4\n    Port_Binding netsho2"));
            f.centralProbes!.northd = result("northd", "", 1);
            f.show.nodes[1].probes.bridges = result("bridges", "ovs-vsctl: unix:/x/db.sock: database connection failed (Connection refused)", 1);
        }));
        expect(health.unhealthy).toEqual(["node node1", "node node2", "workload netsho1", "workload netsho2", "central"]);
        expect(health.workloads[0].problems).toEqual(["logical port netsho1 is bound to other, not to node1's chassis t1-node1"]);
        expect(health.nodes[0].problems).toEqual(["chassis t1-node1 is not in the southbound database"]);
        expect(health.nodes[1].problems).toEqual(["ovsdb-server is not answering: ovs-vsctl: unix:/x/db.sock: database connection failed (Connection refused)"]);
        expect(health.workloads[1].problems).toEqual(["logical port netsho2 is bound to t1-node2, not to node1's chassis t1-node1"]);
        expect(health.central!.problems).toEqual(["ovn-northd is not answering: exit 1"]);
    });

    it("single-l2: a workload's port is the interface ovs-docker named after it (container_id), no OVN to ask", () => {
        const health = labHealth(findings((f) => {
            delete f.show.central;
            delete f.centralProbes;
            delete f.router;
            f.switches = [];
            f.workloads = f.workloads.map(({ name, node }) => ({ name, node }));
            for (const n of f.show.nodes) delete n.chassis;
            f.nodeProbes = { node1: { interfaces: result("interfaces", interfacesOf("netsho1")) }, node2: { interfaces: result("interfaces", interfacesOf("netsho3", "netsho4")) } };
        }));
        expect(health.unhealthy).toEqual(["workload netsho2"]);
        expect(health.workloads[1].problems).toEqual(["port unbound: no OVS interface on node1 has external_ids:container_id=netsho2"]);
        expect(health.workloads[0].port).toEqual({ bound: true, interface: "c-netsho1" });
    });
});

describe("drift from a refresh preview's events", () => {
    const event = (op: string, type: string, name: string, old: Record<string, unknown> = {}, after: Record<string, unknown> = {}): EngineEvent => ({
        sequence: 0, timestamp: 0,
        resOutputsEvent: { metadata: { op: op as never, urn: `urn:pulumi:dev::ovnlab::ovnlab:lab:Lab$${type}::${name}`, type, provider: "", old: { outputs: old } as never, new: { outputs: after } as never } },
    });
    it("keeps update and delete, with the read's problems or the outputs that changed; skips same, refresh and Pulumi's own", () => {
        expect(driftFromEvents([
            { sequence: 0, timestamp: 0, resourcePreEvent: { metadata: { op: "refresh", urn: "urn:x::node1", type: "ovnlab:netns:Node", provider: "" } } },
            event("same", "ovnlab:netns:Node", "node2"),
            event("update", "pulumi:providers:ovnlab", "default", { version: "1" }, { version: "2" }),
            event("delete", "ovnlab:ovs:ContainerPlug", "netsho3-plug"),
            event("update", "ovnlab:netns:Node", "node2", { problems: [] }, { problems: ["ovn-controller is not running"] }),
            event("update", "ovnlab:nb:LogicalSwitchPort", "netsho1", { addresses: ["a"], up: true }, { addresses: ["b"], up: true }),
        ])).toEqual([
            { type: "ovnlab:ovs:ContainerPlug", name: "netsho3-plug", change: "delete", problems: ["gone (up makes it again)"] },
            { type: "ovnlab:netns:Node", name: "node2", change: "update", problems: ["ovn-controller is not running"] },
            { type: "ovnlab:nb:LogicalSwitchPort", name: "netsho1", change: "update", problems: ["changed outside ovnlab: addresses"] },
        ]);
    });

    it("gives each drifted resource to its object", () => {
        const f = findings();
        const owner = (type: string, name: string, problem = "x") => driftOwner({ type, name, change: "update", problems: [problem] } as DriftedResource, problem, f);
        expect(owner("ovnlab:netns:Node", "node2")).toBe("node node2");
        expect(owner("ovnlab:docker:Container", "netsho1")).toBe("workload netsho1");
        expect(owner("ovnlab:ovs:ContainerPlug", "netsho4-plug")).toBe("workload netsho4");
        expect(owner("ovnlab:nb:LogicalSwitch", "ls-node1")).toBe("switch ls-node1");
        expect(owner("ovnlab:nb:LogicalSwitchPort", "ls-node2-lr")).toBe("switch ls-node2");
        expect(owner("ovnlab:nb:LogicalRouterPort", "lr-node2")).toBe("router lr0");
        expect(owner("ovnlab:nb:LogicalRouter", "lr0")).toBe("router lr0");
        expect(owner("ovnlab:netns:OvnCentral", "central")).toBe("central");
        expect(owner("ovnlab:nb:DbConnection", "central-sb")).toBe("central");
        expect(owner("ovnlab:ovn:Readiness", "lab-ready", "port netsho2 on node node1: not installed")).toBe("workload netsho2");
        expect(owner("ovnlab:ovn:Readiness", "lab-ready", "node node2: no tunnel neighbour entry for 172.16.56.2")).toBe("node node2");
        expect(owner("ovnlab:ovn:Readiness", "lab-ready", "lab rows changed")).toBe("lab");
        expect(owner("ovnlab:netns:Underlay", "lab-underlay")).toBe("lab");
    });
});

describe("the live picture", () => {
    const BAD_MERMAID = "fill:#ffe5e5,stroke:#cc0000,stroke-width:2px,stroke-dasharray:5 5,color:#990000";
    it("healthy: each object's state under its label, nothing red but the legend's sample", () => {
        const live = liveTopology(deployed, labHealth(findings()));
        const mermaid = mermaidDiagram(live);
        expect(mermaid).toContain("live: healthy (refresh preview and probes of the running lab)");
        expect(mermaid).toContain('subgraph node_node2["node2 · netns ovnlab-t1-node2<br/>chassis t1-node2<br/>ovsdb-server up · ovs-vswitchd up · ovn-controller up"]');
        expect(mermaid).toContain('central_node1["OVN central<br/>NB ovsdb-server up · SB ovsdb-server up · ovn-northd up"]');
        expect(mermaid).toContain('container_netsho3["netsho3<br/>10.244.2.3/24<br/>02:00:00:00:02:03<br/>port c-netsho3 bound to t1-node2"]');
        expect(mermaid).toContain('legend_bad["unhealthy: red, dashed, with what is wrong"]');
        expect(mermaid.match(/#cc0000/g)).toHaveLength(1);
        expect(mermaid).not.toContain("linkStyle");
        const dot = dotDiagram(live);
        expect(dot.match(/#cc0000/g)).toHaveLength(1);
        expect(dot).toContain("subgraph cluster_legend {");
    });

    it("unhealthy: the dead daemon's node and the unbound workload red and dashed with why, their neighbours not", () => {
        const live = liveTopology(deployed, labHealth(broken()));
        expect(live.healthy).toBe(false);
        const mermaid = mermaidDiagram(live);
        expect(mermaid).toContain("live: UNHEALTHY");
        expect(mermaid).toContain('container_netsho3["netsho3<br/>10.244.2.3/24<br/>02:00:00:00:02:03<br/>port UNBOUND<br/>! port unbound: no OVS interface on node2 has<br/>  external_ids:iface-id=netsho3<br/>');
        // A probe's error may hold quotes: Mermaid's entity, not a quote that would end the label.
        expect(mermaid).toContain("ovn-controller DOWN<br/>! ovn-controller is not answering: ovn-appctl: cannot read<br/>  pidfile #quot;/x/node1/run/ovn-controller.pid#quot; (No such process)<br/>");
        expect(mermaid).toContain(`\n    style container_netsho3 ${BAD_MERMAID}\n`);
        expect(mermaid).toContain(`\n    style node_node1 ${BAD_MERMAID}\n`);
        for (const healthy of ["container_netsho4", "container_netsho1", "node_node2", "switch_node2", "central_node1"]) expect(mermaid).not.toContain(`style ${healthy} `);
        // Links in order: router-ls1, ls1-netsho1, ls1-netsho2, uplink1, router-ls2, ls2-netsho3 (index 5), ...
        expect(mermaid).toContain("\n    linkStyle 5 stroke:#cc0000,stroke-width:2px,stroke-dasharray:5 5\n");
        expect(mermaid.match(/linkStyle/g)).toHaveLength(1);

        const dot = dotDiagram(live);
        const bad = 'style="rounded,filled,dashed", color="#cc0000", fontcolor="#990000", fillcolor="#ffe5e5", penwidth=2';
        const netsho3 = dot.split("\n").find((line) => line.trim().startsWith("container_netsho3 "))!;
        expect(netsho3.trim().startsWith('container_netsho3 [label="netsho3\\n10.244.2.3/24\\n02:00:00:00:02:03\\nport UNBOUND\\n! port unbound: no OVS interface on node2 has\\n')).toBe(true);
        expect(netsho3).toContain('ovn-installed=\\"true\\"');
        expect(netsho3.endsWith(`, ${bad}];`)).toBe(true);
        expect(dot).toContain('container_netsho4 [label="netsho4\\n10.244.2.4/24\\n02:00:00:00:02:04\\nport c-netsho4 bound to t1-node2"];');
        const clusterLabel = (node: string) => dot.split("\n")[dot.split("\n").findIndex((line) => line.includes(`subgraph cluster_node_${node} {`)) + 1];
        expect(clusterLabel("node1")).toContain("ovn-controller DOWN\\n! ovn-controller is not answering");
        expect(clusterLabel("node1").endsWith('; style="rounded,filled,dashed"; fillcolor="#f5f7fa"; fontsize=11; color="#cc0000"; fontcolor="#990000"; penwidth=2;')).toBe(true);
        expect(clusterLabel("node2").endsWith('ovn-controller up"; style="rounded,filled"; fillcolor="#f5f7fa"; fontsize=11;')).toBe(true);
        expect(dot).toContain('    switch_node2 -- container_netsho3 [color="#cc0000", style=dashed, penwidth=2];');
        expect(dot).toContain("    switch_node2 -- container_netsho4;");
    });

    it("what is the lab's, and a drifted router, drawn too", () => {
        const live = liveTopology(deployed, labHealth(findings((f) => {
            f.refresh.drift = [
                { type: "ovnlab:netns:Underlay", name: "lab-underlay", change: "update", problems: ["bridge t1_br is missing"] },
                { type: "ovnlab:nb:LogicalRouterPort", name: "lr-node2", change: "delete", problems: ["gone (up makes it again)"] },
            ];
        })));
        expect(mermaidDiagram(live)).toContain('lab["lab-wide<br/>! Underlay lab-underlay: bridge t1_br is missing"]');
        expect(mermaidDiagram(live)).toContain(`style router ${BAD_MERMAID}`);
        expect(dotDiagram(live)).toContain('BGCOLOR="#ffe5e5" COLOR="#cc0000"><TR><TD COLSPAN="2"><B>router lr0</B><BR/>! LogicalRouterPort lr-node2: gone (up makes it again)</TD></TR>');
    });

    const dir = mkdtempSync(join(tmpdir(), "ovnlab-live-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    it("renders through dot: an SVG naming every node and the unbound port", async () => {
        const files = await writeDiagram(liveTopology(deployed, labHealth(broken())), dir, "npm run diagram -- --live", "topology-t1-live");
        expect(files.map((f) => f.slice(dir.length + 1))).toEqual(["topology-t1-live.md", "topology-t1-live.dot", "topology-t1-live.svg"]);
        const svg = readFileSync(files[2], "utf8");
        expect(svg).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\s*$/);
        // dot writes '-' as &#45;.
        for (const text of ["node1", "node2", "netsho3", "port UNBOUND", "ovn&#45;controller DOWN", "legend", "#cc0000"]) expect(svg).toContain(text);
    });
});

describe("what diagram --live runs, and its command line", () => {
    const access: NodeAccess = {
        name: "node1", underlayIp: "172.16.56.2", bridge: "br-int", chassis: "t1-node1", reach: { kind: "transport", transport: { kind: "netns", namespace: "ovnlab-t1-node1" } },
        ovsDb: "unix:/l/node1/run/db.sock", vswitchdCtl: "/l/node1/run/ovs-vswitchd.ctl", runDir: "/l/node1/run",
    };
    it("per node: ovn-controller's connection-status (OVN only) and the interfaces, through the node's transport", () => {
        expect(nodeHealthProbes(access).map((p) => [p.id, p.transport, p.argv])).toEqual([
            ["controller", { kind: "netns", namespace: "ovnlab-t1-node1" }, ["env", "OVN_RUNDIR=/l/node1/run", "ovn-appctl", "--timeout=5", "-t", "ovn-controller", "connection-status"]],
            ["interfaces", { kind: "netns", namespace: "ovnlab-t1-node1" }, ["ovs-vsctl", "--db=unix:/l/node1/run/db.sock", "--timeout=5", "--columns=name,ofport,external_ids", "list", "interface"]],
        ]);
        const { chassis: _, ...noOvn } = access;
        expect(nodeHealthProbes(noOvn).map((p) => p.id)).toEqual(["interfaces"]);
        expect(() => nodeHealthProbes({ ...access, reach: { kind: "vagrant", projectDir: "/v", node: "node1" } })).toThrow(/resolve its SSH transport/);
    });
    it("ovn-northd: the lab's central by its socket beside the databases, a packaged one by name", () => {
        const central = { nbSocket: "unix:/l/central/ovnnb_db.sock", sbSocket: "unix:/l/central/ovnsb_db.sock" };
        expect(northdControlSocket(central, true)).toBe("/l/central/ovn-northd.ctl");
        expect(northdControlSocket(central, false)).toBe("");
        expect(northdStatus("/l/central/ovn-northd.ctl")).toEqual(["ovn-appctl", "--timeout=5", "-t", "/l/central/ovn-northd.ctl", "status"]);
        expect(centralHealthProbes("")[0]).toMatchObject({ transport: { kind: "local" }, argv: ["ovn-appctl", "--timeout=5", "-t", "ovn-northd", "status"] });
        expect(() => northdControlSocket({ ...central, nbSocket: "tcp:1.2.3.4:6641" }, true)).toThrow(/not unix:/);
    });
    it("takes --live, --stack, --out and --json; refuses anything else with the usage", () => {
        expect(parseLiveArgs(["--live"])).toEqual({ json: false });
        expect(parseLiveArgs(["--live", "--stack", "dev", "--out", "/tmp/x", "--json"])).toEqual({ stack: "dev", out: "/tmp/x", json: true });
        expect(() => parseLiveArgs(["--live", "--jsno"])).toThrow(/Unknown option '--jsno'[\s\S]*usage: npm run diagram -- --live/);
        expect(() => parseLiveArgs(["--live", "dev"])).toThrow(/unexpected dev/);
        expect(() => parseLiveArgs(["--live", "--out", " "])).toThrow(/--out needs a value/);
    });
});
