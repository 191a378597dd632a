// show's pure parts: the commands it runs (as data), the parsers of what they
// print, and the report it renders.
import { describe, expect, it } from "vitest";
import {
    appctl, centralAccess, centralProbes, labProblems, nodeAccess, NodeProbeId, nodeProbes, ofctlDumpFlows, parseFdb, parseSbChassis, probeCommand,
    ProbeResult, renderShow, ShowReport, summarizeOpenFlow,
} from "../../cli/inspectCommands";
import type { TransportSpec } from "../../components/transport/transport";
import { optionValue, positionalArgs } from "../../cli/pulumiWorkspace";

const RUN = "/tmp/ovnlab-t1/node1/run";
const NODE_OUTPUT = {
    name: "node1", underlayIp: "172.16.56.2", subnet: "10.244.1.0/24", gateway: "10.244.1.1", bridge: "br-int",
    namespace: "ovnlab-t1-node1", ovsDb: `unix:${RUN}/db.sock`, vswitchdCtl: `${RUN}/ovs-vswitchd.ctl`, runDir: RUN,
};
const VAGRANT_NODE = {
    name: "node1", underlayIp: "172.16.56.2", subnet: "10.244.1.0/24", gateway: "10.244.1.1", bridge: "br-int", chassis: "ml2-node1",
    ssh: "VAGRANT_CWD=/srv/lab/.lab/ml2/vagrant vagrant ssh node1", workloads: "process" as const,
};
const SSH: TransportSpec = { kind: "ssh", host: "127.0.0.1", port: 2222, user: "vagrant", identityFile: "/srv/lab/.lab/ml2/vagrant/.vagrant/machines/node1/docker/private_key", sudo: true };
const CENTRAL = { nb: "tcp:172.16.56.2:6641", sb: "tcp:172.16.56.2:6642", nbSocket: "unix:/tmp/ovnlab-t1/central/ovnnb_db.sock", sbSocket: "unix:/tmp/ovnlab-t1/central/ovnsb_db.sock" };

describe("what show runs", () => {
    it("on a node: ovs-vsctl show, the bridge's OpenFlow rules, the datapath flows and the MAC table, inside the node's namespace", () => {
        const probes = nodeProbes(nodeAccess("t1", NODE_OUTPUT));
        expect(probes.map((p) => [p.id, p.transport, p.argv])).toEqual([
            ["bridges", { kind: "netns", namespace: "ovnlab-t1-node1" }, ["ovs-vsctl", `--db=unix:${RUN}/db.sock`, "--timeout=20", "show"]],
            ["openflow", { kind: "netns", namespace: "ovnlab-t1-node1" }, ["ovs-ofctl", "dump-flows", `unix:${RUN}/br-int.mgmt`]],
            ["datapathFlows", { kind: "netns", namespace: "ovnlab-t1-node1" }, ["ovs-appctl", "-t", `${RUN}/ovs-vswitchd.ctl`, "dpctl/dump-flows"]],
            ["macTable", { kind: "netns", namespace: "ovnlab-t1-node1" }, ["ovs-appctl", "-t", `${RUN}/ovs-vswitchd.ctl`, "fdb/show", "br-int"]],
        ]);
        expect(probeCommand(probes[1])).toBe(`ip netns exec ovnlab-t1-node1 ovs-ofctl dump-flows unix:${RUN}/br-int.mgmt`);
    });
    it("on the central: ovn-nbctl show and ovn-sbctl show against its sockets, from the host", () => {
        const probes = centralProbes(centralAccess({ nodes: [], containers: [], central: CENTRAL })!);
        expect(probes.map((p) => [p.id, p.transport, p.argv])).toEqual([
            ["northbound", { kind: "local" }, ["ovn-nbctl", `--db=${CENTRAL.nbSocket}`, "--timeout=20", "show"]],
            ["southbound", { kind: "local" }, ["ovn-sbctl", `--db=${CENTRAL.sbSocket}`, "--timeout=20", "show"]],
        ]);
        expect(centralAccess({ nodes: [], containers: [] })).toBeUndefined();
    });
    it("needs absolute sockets: a relative one would be looked up in the system's run directory", () => {
        expect(() => appctl("ovs-vswitchd", ["fdb/show", "br-int"])).toThrow(/socket path/);
        expect(() => ofctlDumpFlows("run", "br-int")).toThrow(/run directory/);
        expect(() => ofctlDumpFlows(RUN, "br-int; reboot")).toThrow(/interface/);
    });
    it("asks for a fresh `up` when the outputs predate show, and says when no driver's fields are there", () => {
        const { ovsDb: _db, ...old } = NODE_OUTPUT;
        expect(() => nodeAccess("t1", old)).toThrow(/netns driver.*npm run lab:up/);
        const { namespace: _ns, ovsDb: _d, vswitchdCtl: _v, runDir: _r, ...external } = NODE_OUTPUT;
        expect(() => nodeAccess("t1", external)).toThrow(/show cannot reach the node/);
    });
    it("on a Vagrant machine: the same four commands against its own OVS's defaults, over its SSH transport as root", () => {
        const machine = { ...VAGRANT_NODE };
        const access = nodeAccess("ml2", machine);
        expect(access).toMatchObject({ chassis: "ml2-node1", reach: { kind: "vagrant", projectDir: "/srv/lab/.lab/ml2/vagrant", node: "node1" }, ovsDb: "", vswitchdCtl: "", runDir: "" });
        expect(() => nodeProbes(access)).toThrow(/resolve its SSH transport first/);
        const probes = nodeProbes(access, SSH);
        expect(probes.map((p) => [p.id, p.transport, p.argv])).toEqual([
            ["bridges", SSH, ["ovs-vsctl", "--timeout=20", "show"]],
            ["openflow", SSH, ["ovs-ofctl", "dump-flows", "br-int"]],
            ["datapathFlows", SSH, ["ovs-appctl", "dpctl/dump-flows"]],
            ["macTable", SSH, ["ovs-appctl", "fdb/show", "br-int"]],
        ]);
        expect(probeCommand(probes[1])).toMatch(/^ssh -i \/srv\/lab\/\S+ -p 2222 .* vagrant@127\.0\.0\.1 -- 'sudo -n ovs-ofctl dump-flows br-int'$/);
    });
    it("on a Vagrant central: ovn-nbctl and ovn-sbctl against its packages' sockets, inside the machine", () => {
        const probes = centralProbes({ nbSocket: "unix:/var/run/ovn/ovnnb_db.sock", sbSocket: "unix:/var/run/ovn/ovnsb_db.sock" }, SSH);
        expect(probes.map((p) => [p.transport, p.argv])).toEqual([
            [SSH, ["ovn-nbctl", "--db=unix:/var/run/ovn/ovnnb_db.sock", "--timeout=20", "show"]],
            [SSH, ["ovn-sbctl", "--db=unix:/var/run/ovn/ovnsb_db.sock", "--timeout=20", "show"]],
        ]);
        expect(() => centralProbes(centralAccess({ nodes: [], containers: [], central: CENTRAL })!, { ...SSH, user: "-oProxyCommand=x" })).toThrow(/ssh user/i);
    });
});

describe("reading what the commands print", () => {
    it("counts OpenFlow rules and tables, not the reply header", () => {
        const dump = [
            "NXST_FLOW reply (xid=0x4):",
            " cookie=0x0, duration=390.378s, table=0, n_packets=5, n_bytes=490, idle_age=308, priority=100,in_port=1 actions=resubmit(,40)",
            " cookie=0xcffad4be, duration=389.864s, table=8, n_packets=12, n_bytes=1120, priority=50 actions=resubmit(,9)",
            " cookie=0x0, duration=390.518s, table=8, n_packets=0, n_bytes=0, idle_age=390, priority=0 actions=drop",
        ].join("\n");
        expect(summarizeOpenFlow(dump)).toEqual({ rules: 3, tables: 2 });
        expect(summarizeOpenFlow("NXST_FLOW reply (xid=0x4):\n")).toEqual({ rules: 0, tables: 0 });
    });
    it("reads the learned MACs of fdb/show", () => {
        const fdb = " port  VLAN  MAC                Age\n    2     0  02:00:00:00:01:03   14\n    3     0  02:00:00:00:01:04   13\n";
        expect(parseFdb(fdb)).toEqual([
            { port: "2", vlan: 0, mac: "02:00:00:00:01:03", age: "14" },
            { port: "3", vlan: 0, mac: "02:00:00:00:01:04", age: "13" },
        ]);
        expect(parseFdb(" port  VLAN  MAC                Age\n")).toEqual([]);
    });
});

describe("the report", () => {
    const result = (id: NodeProbeId, title: string, output: string, exitCode = 0): ProbeResult<NodeProbeId> => ({ id, title, command: `cmd-${id}`, exitCode, output });
    const report: ShowReport = {
        stack: "single-l2",
        nodes: [{
            name: "node1", namespace: "ovnlab-sl2-node1", underlayIp: "172.16.56.2", bridge: "br-int",
            probes: {
                bridges: result("bridges", "bridges and ports", "Bridge br-int\n    fail_mode: standalone\n"),
                openflow: result("openflow", "OpenFlow rules on br-int", "NXST_FLOW reply (xid=0x4):\n cookie=0x0, table=0, priority=0 actions=NORMAL\n"),
                datapathFlows: result("datapathFlows", "datapath flows", ""),
                macTable: result("macTable", "MAC learning table of br-int", "ovs-appctl: cannot connect\n", 1),
            },
            openflow: { rules: 1, tables: 1 },
            macTable: [],
        }],
    };
    it("groups by node, shows each command before its output, lists few rules, and says what failed", () => {
        expect(renderShow(report)).toBe([
            "stack single-l2: 1 node, no OVN: br-int forwards by MAC learning",
            "",
            "== node1  (netns ovnlab-sl2-node1, underlay 172.16.56.2)",
            "",
            "-- bridges and ports",
            "$ cmd-bridges",
            "    Bridge br-int",
            "        fail_mode: standalone",
            "",
            "-- OpenFlow rules on br-int: 1 in 1 table",
            "$ cmd-openflow",
            "    NXST_FLOW reply (xid=0x4):",
            "     cookie=0x0, table=0, priority=0 actions=NORMAL",
            "",
            "-- datapath flows",
            "$ cmd-datapathFlows",
            "    (empty)",
            "",
            "-- MAC learning table of br-int: 0 learned",
            "$ cmd-macTable",
            "failed (exit 1):",
            "    ovs-appctl: cannot connect",
            "",
        ].join("\n"));
    });
    it("summarises hundreds of OVN rules instead of listing them, and adds the central", () => {
        const node = { ...report.nodes[0], openflow: { rules: 442, tables: 45 } };
        const central = {
            probes: {
                northbound: { id: "northbound" as const, title: "northbound database", command: "ovn-nbctl show", exitCode: 0, output: "router lr0\n" },
                southbound: { id: "southbound" as const, title: "southbound database", command: "ovn-sbctl show", exitCode: 0, output: "Chassis t1-node1\n" },
            },
        };
        const text = renderShow({ stack: "dev", nodes: [node], central });
        expect(text).toContain("stack dev: 1 node, OVN\n");
        expect(text).toContain("-- OpenFlow rules on br-int: 442 in 45 tables\n$ cmd-openflow\n    (442 rules: run the command above to list them)");
        expect(text).toContain("== OVN central\n\n-- northbound database\n$ ovn-nbctl show\n    router lr0\n\n-- southbound database\n$ ovn-sbctl show\n    Chassis t1-node1\n");
    });
});

describe("the lab's health, from what show saw", () => {
    const SB_SHOW = [
        'Chassis t1-node1',
        '    hostname: node1',
        '    Encap geneve',
        '        ip: "172.16.56.2"',
        '        options: {csum="true"}',
        '    Port_Binding netsho1',
        '    Port_Binding netsho2',
        'Chassis "t1-node2"',
        '    hostname: node2',
        '    Encap geneve',
        '        ip: "172.16.56.3"',
        '    Port_Binding "netsho3"',
        '',
    ].join("\n");
    it("reads each chassis of ovn-sbctl show and the ports bound to it, quoted or not", () => {
        expect([...parseSbChassis(SB_SHOW)]).toEqual([["t1-node1", ["netsho1", "netsho2"]], ["t1-node2", ["netsho3"]]]);
        expect(parseSbChassis("")).toEqual(new Map());
    });
    const probe = <Id extends string>(id: Id, output: string, exitCode = 0): ProbeResult<Id> => ({ id, title: `${id} probe`, command: `cmd-${id}`, exitCode, output });
    const node = (name: string, chassis: string, failing?: NodeProbeId) => ({
        name, chassis, underlayIp: "172.16.56.2", bridge: "br-int", openflow: { rules: 300, tables: 40 }, macTable: [],
        probes: Object.fromEntries((["bridges", "openflow", "datapathFlows", "macTable"] as const).map((id) =>
            [id, id === failing ? probe(id, "ovs-appctl: cannot connect to \"/var/run/openvswitch/ovs-vswitchd.ctl\"\nmore", 1) : probe(id, "ok")])) as ShowReport["nodes"][0]["probes"],
    });
    const central = (sb: string, sbExit = 0) => ({ probes: { northbound: probe("northbound", "switch ls-node1"), southbound: probe("southbound", sb, sbExit) } });
    const bindings = [
        { workload: "netsho1", node: "node1", logicalPort: "netsho1" },
        { workload: "netsho3", node: "node2", logicalPort: "netsho3" },
    ];
    it("a lab whose commands all worked, with every chassis and port where it belongs, has no problems", () => {
        expect(labProblems({ stack: "t1", nodes: [node("node1", "t1-node1"), node("node2", "t1-node2")], central: central(SB_SHOW) }, bindings)).toEqual([]);
    });
    it("names each failed command, a missing chassis, an unbound port and a port bound elsewhere", () => {
        const sb = SB_SHOW.replace('    Port_Binding "netsho3"\n', "").replace("Port_Binding netsho2", "Port_Binding netsho3").replace('Chassis "t1-node2"', "Chassis t1-node9");
        expect(labProblems({ stack: "t1", nodes: [node("node1", "t1-node1"), node("node2", "t1-node2", "datapathFlows")], central: central(sb) }, [
            ...bindings, { workload: "netsho4", node: "node2", logicalPort: "netsho4" },
        ])).toEqual([
            'node2: datapathFlows probe failed (exit 1): ovs-appctl: cannot connect to "/var/run/openvswitch/ovs-vswitchd.ctl"',
            "node2: chassis t1-node2 is not in the southbound database (ovn-controller never registered)",
            "netsho3: logical port netsho3 is bound to t1-node1, not to node2's chassis t1-node2",
            "netsho4: logical port netsho4 is bound to no chassis (not claimed by node2's ovn-controller)",
        ]);
    });
    it("a southbound database that does not answer is one problem, not one per port", () => {
        expect(labProblems({ stack: "t1", nodes: [node("node1", "t1-node1")], central: central("ovn-sbctl: unix:/x.sock: database connection failed", 1) }, bindings)).toEqual([
            "central: southbound probe failed (exit 1): ovn-sbctl: unix:/x.sock: database connection failed",
        ]);
    });
    it("the report ends with the verdict", () => {
        const base: ShowReport = { stack: "t1", nodes: [], problems: [] };
        expect(renderShow(base)).toBe("stack t1: 0 nodes, no OVN: br-int forwards by MAC learning\n\n== health: no problems found\n");
        expect(renderShow({ ...base, problems: ["a", "b"] })).toContain("\n\n== health: 2 problems\n- a\n- b\n");
        expect(renderShow({ ...base, nodes: [{ ...node("node1", "ml2-node1"), via: "VAGRANT_CWD=/p vagrant ssh node1" }] })).toContain("== node1  (VAGRANT_CWD=/p vagrant ssh node1, underlay 172.16.56.2)\n");
        expect(renderShow({ ...base, central: { node: "node1", ...central(SB_SHOW) } })).toContain("== OVN central  (on node1)\n");
    });
});

describe("command-line words", () => {
    it("reads option values and leaves the positional words", () => {
        const argv = ["netsho1", "--stack", "dev", "netsho3", "--json", "--out", "docs"];
        expect(optionValue(argv, "--stack")).toBe("dev");
        expect(optionValue(argv, "--out")).toBe("docs");
        expect(optionValue(argv, "--missing")).toBeUndefined();
        expect(positionalArgs(argv)).toEqual(["netsho1", "netsho3"]);
    });
});
