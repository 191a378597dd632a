// The netns driver's commands as data: exact argv arrays, names, layouts,
// parsers, and hostile values that must be rejected or stay one literal word.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as docker from "../../components/commands/docker";
import * as ip from "../../components/commands/ip";
import * as names from "../../components/commands/names";
import * as ovs from "../../components/commands/ovs";
import * as validate from "../../components/plan/validate";

const cmd = { ...docker, ...ip, ...names, ...ovs, ...validate };

const layout = cmd.nodeLayout("/tmp/ovnlab-t1", "node1");
const central = cmd.centralLayout("/tmp/ovnlab-t1");

describe("names", () => {
    it("derive host-level names from the lab id", () => {
        expect(cmd.namespaceName("t1", "node1")).toBe("ovnlab-t1-node1");
        expect(cmd.underlayBridgeName("t1")).toBe("t1_br");
        expect(cmd.hostVethName("t1", "node1")).toBe("t1-node1");
        expect(cmd.plugInterfaceName("netsho1")).toBe("c-netsho1");
        expect(cmd.containerName("t1", "netsho1")).toBe("ovnlab-t1-netsho1");
    });

    it("hash names that do not fit in 15 bytes, stably, into ones no readable name can equal", () => {
        const long = cmd.hostVethName("abcdefgh", "node123");
        expect(long).toMatch(/^abcdefgh_[0-9a-f]{6}$/);
        expect(cmd.hostVethName("abcdefgh", "node123")).toBe(long);
        expect(cmd.hostVethName("abcdefgh", "node124")).not.toBe(long);
        expect(cmd.hostVethName("abcdefgh", "node12")).toBe("abcdefgh-node12");
        expect(cmd.plugInterfaceName("a-very-long-workload-name")).toMatch(/^c_[0-9a-f]{6}$/);
        fc.assert(fc.property(fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/), fc.stringMatching(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/), (lab, node) => {
            const name = cmd.hostVethName(lab, node);
            expect(name.length).toBeLessThanOrEqual(15);
            expect(cmd.validInterface(name)).toBe(name);
            expect(name).not.toBe(cmd.underlayBridgeName(lab));
        }));
    });

    it("reject names that are not the configuration's", () => {
        expect(() => cmd.namespaceName("T1", "node1")).toThrow(/invalid lab id "T1"/);
        expect(() => cmd.namespaceName("t1", "Node1")).toThrow(/invalid node name "Node1"/);
        expect(() => cmd.underlayBridgeName("toolonglab")).toThrow(/invalid lab id/);
    });
});

describe("state layout", () => {
    it("puts each node's files under <stateDir>/<node>/{run,db,log,etc}", () => {
        expect(layout).toMatchObject({
            dir: "/tmp/ovnlab-t1/node1", runDir: "/tmp/ovnlab-t1/node1/run", dbDir: "/tmp/ovnlab-t1/node1/db",
            logDir: "/tmp/ovnlab-t1/node1/log", etcDir: "/tmp/ovnlab-t1/node1/etc", confDb: "/tmp/ovnlab-t1/node1/db/conf.db",
            dbSocket: "/tmp/ovnlab-t1/node1/run/db.sock", vswitchdCtl: "/tmp/ovnlab-t1/node1/run/ovs-vswitchd.ctl",
            controllerPidfile: "/tmp/ovnlab-t1/node1/run/ovn-controller.pid",
        });
        expect(cmd.controllerCtl(layout, 4242)).toBe("/tmp/ovnlab-t1/node1/run/ovn-controller.4242.ctl");
        expect(cmd.nodeEnvironment(layout)).toEqual({
            OVS_RUNDIR: layout.runDir, OVS_DBDIR: layout.dbDir, OVS_LOGDIR: layout.logDir, OVS_SYSCONFDIR: layout.etcDir,
            OVN_RUNDIR: layout.runDir, OVN_DBDIR: layout.dbDir, OVN_LOGDIR: layout.logDir, OVN_SYSCONFDIR: layout.etcDir,
        });
        expect(central).toMatchObject({ nbSocket: "/tmp/ovnlab-t1/central/ovnnb_db.sock", sbSocket: "/tmp/ovnlab-t1/central/ovnsb_db.sock" });
    });

    it("refuses a state directory whose sockets would exceed the unix socket path limit", () => {
        const deep = `/tmp/${"d".repeat(70)}`;
        expect(() => cmd.nodeLayout(deep, "node1")).toThrow(/at most 107 bytes/);
        expect(() => cmd.nodeLayout("relative/dir", "node1")).toThrow(/invalid state directory/);
        expect(() => cmd.nodeLayout("/tmp/../etc", "node1")).toThrow(/invalid state directory/);
    });
});

describe("ip, ethtool, nsenter and iptables argv", () => {
    it("builds the underlay veth and the workload veth in place", () => {
        expect(cmd.ipVethAdd({ name: "t1-node1", peerName: "underlay", peerNamespace: { name: "ovnlab-t1-node1" } })).toEqual(
            ["ip", "link", "add", "t1-node1", "type", "veth", "peer", "name", "underlay", "netns", "ovnlab-t1-node1"]);
        expect(cmd.ipVethAdd({ name: "c-netsho1", peerName: "eth0", peerNamespace: { pid: 4242 }, mtu: 1442, peerMac: "02:00:00:00:01:03" })).toEqual(
            ["ip", "link", "add", "c-netsho1", "mtu", "1442", "type", "veth", "peer", "name", "eth0", "address", "02:00:00:00:01:03", "mtu", "1442", "netns", "4242"]);
    });

    it("builds the small ones", () => {
        expect(cmd.ipNetnsAdd("ovnlab-t1-node1")).toEqual(["ip", "netns", "add", "ovnlab-t1-node1"]);
        expect(cmd.ipNetnsDelete("ovnlab-t1-node1")).toEqual(["ip", "netns", "delete", "ovnlab-t1-node1"]);
        expect(cmd.ipBridgeAdd("t1_br")).toEqual(["ip", "link", "add", "name", "t1_br", "type", "bridge"]);
        expect(cmd.ipLinkSetMaster("t1-node1", "t1_br")).toEqual(["ip", "link", "set", "dev", "t1-node1", "master", "t1_br"]);
        expect(cmd.ipLinkUp("br-phy")).toEqual(["ip", "link", "set", "dev", "br-phy", "up"]);
        expect(cmd.ipLinkShow("eth0")).toEqual(["ip", "-j", "link", "show", "dev", "eth0"]);
        expect(cmd.ipAddrAdd("172.16.56.2/24", "br-phy")).toEqual(["ip", "addr", "add", "172.16.56.2/24", "dev", "br-phy"]);
        expect(cmd.ipRouteReplaceDefault("10.244.1.1", "eth0")).toEqual(["ip", "route", "replace", "default", "via", "10.244.1.1", "dev", "eth0"]);
        expect(cmd.ipLinkSetAddressAndMtu("eth0", "02:00:00:00:01:03", 1442)).toEqual(["ip", "link", "set", "dev", "eth0", "address", "02:00:00:00:01:03", "mtu", "1442"]);
        expect(cmd.ethtoolTxOff("eth0")).toEqual(["ethtool", "-K", "eth0", "tx", "off"]);
        expect(cmd.inNetnsOfPid(4242, cmd.ethtoolTxOff("eth0"))).toEqual(["nsenter", "-t", "4242", "-n", "ethtool", "-K", "eth0", "tx", "off"]);
    });

    it("checks, inserts and deletes the same accept rule for the underlay bridge", () => {
        const rule = ["-i", "t1_br", "-o", "t1_br", "-m", "comment", "--comment", "ovnlab:t1", "-j", "ACCEPT"];
        expect(cmd.iptablesCheckUnderlayRule("DOCKER-USER", "t1_br", "t1")).toEqual(["iptables", "-w", "5", "-C", "DOCKER-USER", ...rule]);
        expect(cmd.iptablesInsertUnderlayRule("DOCKER-USER", "t1_br", "t1")).toEqual(["iptables", "-w", "5", "-I", "DOCKER-USER", ...rule]);
        expect(cmd.iptablesDeleteUnderlayRule("FORWARD", "t1_br", "t1")).toEqual(["iptables", "-w", "5", "-D", "FORWARD", ...rule]);
        expect(cmd.iptablesChainExists("DOCKER-USER")).toEqual(["iptables", "-w", "5", "-n", "-L", "DOCKER-USER"]);
        expect(() => cmd.iptablesInsertUnderlayRule("INPUT" as ip.ForwardChain, "t1_br", "t1")).toThrow(/invalid iptables chain/);
    });
});

describe("daemons", () => {
    it("start the node's ovsdb-server, ovs-vswitchd and ovn-controller with their own files", () => {
        expect(cmd.ovsdbToolCreate(layout.confDb, cmd.SCHEMAS.openVswitch)).toEqual(
            ["ovsdb-tool", "create", "/tmp/ovnlab-t1/node1/db/conf.db", "/usr/share/openvswitch/vswitch.ovsschema"]);
        expect(cmd.ovsdbServerStart({ dbFile: layout.confDb, socket: layout.dbSocket, pidfile: layout.ovsdbPidfile, logFile: layout.ovsdbLog, unixctl: layout.ovsdbCtl })).toEqual([
            "ovsdb-server", "--remote=punix:/tmp/ovnlab-t1/node1/run/db.sock", "--unixctl=/tmp/ovnlab-t1/node1/run/ovsdb-server.ctl",
            "--pidfile=/tmp/ovnlab-t1/node1/run/ovsdb-server.pid", "--log-file=/tmp/ovnlab-t1/node1/log/ovsdb-server.log", "--detach", "--no-chdir",
            "/tmp/ovnlab-t1/node1/db/conf.db",
        ]);
        expect(cmd.ovsVswitchdStart(layout)).toEqual([
            "ovs-vswitchd", "unix:/tmp/ovnlab-t1/node1/run/db.sock", "--unixctl=/tmp/ovnlab-t1/node1/run/ovs-vswitchd.ctl",
            "--pidfile=/tmp/ovnlab-t1/node1/run/ovs-vswitchd.pid", "--log-file=/tmp/ovnlab-t1/node1/log/ovs-vswitchd.log", "--detach", "--no-chdir",
        ]);
        // ovn-controller 23.03 rejects --unixctl.
        expect(cmd.ovnControllerStart(layout)).toEqual([
            "ovn-controller", "unix:/tmp/ovnlab-t1/node1/run/db.sock",
            "--pidfile=/tmp/ovnlab-t1/node1/run/ovn-controller.pid", "--log-file=/tmp/ovnlab-t1/node1/log/ovn-controller.log", "--detach", "--no-chdir",
        ]);
        // With TLS, its certificate for the ssl: SB remote.
        const tls = { privateKey: "/tmp/ovnlab-t1/pki/node1-privkey.pem", certificate: "/tmp/ovnlab-t1/pki/node1-cert.pem", caCert: "/tmp/ovnlab-t1/pki/ca/switchca/cacert.pem" };
        expect(cmd.ovnControllerStart(layout, tls).slice(2, 5)).toEqual([
            "--private-key=/tmp/ovnlab-t1/pki/node1-privkey.pem", "--certificate=/tmp/ovnlab-t1/pki/node1-cert.pem", "--ca-cert=/tmp/ovnlab-t1/pki/ca/switchca/cacert.pem",
        ]);
        expect(() => cmd.ovnControllerStart(layout, { ...tls, privateKey: "/tmp/x; rm -rf /" })).toThrow(/invalid private key/);
    });

    it("start the central's databases with their connection tables as remotes, and ovn-northd", () => {
        expect(cmd.ovsdbServerStart({
            dbFile: central.sbDbFile, socket: central.sbSocket, pidfile: central.sbPidfile, logFile: central.sbLog, unixctl: central.sbCtl, connectionsOf: "southbound",
        })).toEqual([
            "ovsdb-server", "--remote=punix:/tmp/ovnlab-t1/central/ovnsb_db.sock", "--remote=db:OVN_Southbound,SB_Global,connections",
            "--private-key=db:OVN_Southbound,SSL,private_key", "--certificate=db:OVN_Southbound,SSL,certificate", "--ca-cert=db:OVN_Southbound,SSL,ca_cert",
            "--unixctl=/tmp/ovnlab-t1/central/ovnsb_db.ctl", "--pidfile=/tmp/ovnlab-t1/central/ovnsb_db.pid",
            "--log-file=/tmp/ovnlab-t1/central/ovsdb-server-sb.log", "--detach", "--no-chdir", "/tmp/ovnlab-t1/central/ovnsb_db.db",
        ]);
        expect(cmd.ovsdbServerStart({
            dbFile: central.nbDbFile, socket: central.nbSocket, pidfile: central.nbPidfile, logFile: central.nbLog, unixctl: central.nbCtl, connectionsOf: "northbound",
        })).toEqual(expect.arrayContaining(["--remote=db:OVN_Northbound,NB_Global,connections", "--private-key=db:OVN_Northbound,SSL,private_key"]));
        expect(cmd.ovnNorthdStart(central)).toEqual([
            "ovn-northd", "--ovnnb-db=unix:/tmp/ovnlab-t1/central/ovnnb_db.sock", "--ovnsb-db=unix:/tmp/ovnlab-t1/central/ovnsb_db.sock",
            "--unixctl=/tmp/ovnlab-t1/central/ovn-northd.ctl", "--pidfile=/tmp/ovnlab-t1/central/ovn-northd.pid",
            "--log-file=/tmp/ovnlab-t1/central/ovn-northd.log", "--detach", "--no-chdir",
        ]);
        expect(cmd.ovnDbInit("ovn-sbctl", "unix:/tmp/ovnlab-t1/central/ovnsb_db.sock")).toEqual(
            ["ovn-sbctl", "--db=unix:/tmp/ovnlab-t1/central/ovnsb_db.sock", "--timeout=20", "init"]);
    });
});

describe("ovs-vsctl", () => {
    const db = "unix:/tmp/ovnlab-t1/node1/run/db.sock";

    it("joins commands into one transaction", () => {
        expect(cmd.ovsVsctl(db, [
            cmd.vsAddBridge("br-phy"), cmd.vsSetDatapathType("br-phy", "netdev"), cmd.vsAddPort("br-phy", "underlay"),
            cmd.vsAddBridge("br-int"), cmd.vsSetDatapathType("br-int", "netdev"), cmd.vsSetFailMode("br-int", "secure"), cmd.vsDisableInBand("br-int"),
        ])).toEqual([
            "ovs-vsctl", `--db=${db}`, "--timeout=20",
            "--may-exist", "add-br", "br-phy", "--", "set", "bridge", "br-phy", "datapath_type=netdev", "--", "--may-exist", "add-port", "br-phy", "underlay",
            "--", "--may-exist", "add-br", "br-int", "--", "set", "bridge", "br-int", "datapath_type=netdev", "--", "set-fail-mode", "br-int", "secure",
            "--", "set", "bridge", "br-int", "other-config:disable-in-band=true",
        ]);
        expect(cmd.ovsVsctl(db, [cmd.vsInit()], { noWait: true })).toEqual(["ovs-vsctl", `--db=${db}`, "--timeout=20", "--no-wait", "init"]);
        expect(cmd.ovsVsctl("", [cmd.vsBridgeExists("br-int")])).toEqual(["ovs-vsctl", "--timeout=20", "br-exists", "br-int"]);
        expect(() => cmd.ovsVsctl(db, [])).toThrow(/at least one command/);
    });

    it("sets the walk-through's external-ids on the Open_vSwitch row", () => {
        expect(cmd.vsSetOvnChassisIds({
            ovnRemote: "tcp:172.16.56.2:6642", encapType: "geneve", encapIp: "172.16.56.3", systemId: "t1-node2", hostname: "node2",
            bridge: "br-int", bridgeDatapathType: "netdev", monitorAll: true,
        })).toEqual([
            "set", "open_vswitch", ".", "external_ids:ovn-remote=tcp:172.16.56.2:6642", "external_ids:ovn-encap-type=geneve",
            "external_ids:ovn-encap-ip=172.16.56.3", "external_ids:system-id=t1-node2", "external_ids:hostname=node2",
            "external_ids:ovn-bridge=br-int", "external_ids:ovn-bridge-datapath-type=netdev", "external_ids:ovn-monitor-all=true",
        ]);
    });

    it("marks workload interfaces as ovs-docker does, with iface-id only when OVN binds them", () => {
        expect(cmd.vsSetWorkloadIds("c-netsho1", { containerId: "netsho1", containerIface: "eth0", ifaceId: "netsho1" })).toEqual(
            ["set", "interface", "c-netsho1", "external_ids:container_id=netsho1", "external_ids:container_iface=eth0", "external_ids:iface-id=netsho1"]);
        expect(cmd.vsSetWorkloadIds("c-netsho1", { containerId: "netsho1", containerIface: "eth0" })).toEqual(
            ["set", "interface", "c-netsho1", "external_ids:container_id=netsho1", "external_ids:container_iface=eth0"]);
        expect(cmd.vsDelPort("br-int", "c-netsho1")).toEqual(["--if-exists", "del-port", "br-int", "c-netsho1"]);
        expect(cmd.vsRemoveIfaceId("c-netsho1")).toEqual(["remove", "interface", "c-netsho1", "external_ids", "iface-id"]);
    });
});

describe("docker", () => {
    it("runs a workload with no network, labelled with its lab", () => {
        expect(cmd.dockerRun({ name: "ovnlab-t1-netsho1", labId: "t1", hostname: "netsho1", image: "ovnlab/busybox:1.35.0", command: ["sleep", "2147483647"], pull: "never" })).toEqual([
            "docker", "run", "-d", "--network", "none", "--pull=never", "--name", "ovnlab-t1-netsho1", "--label", "ovnlab.lab=t1",
            "--hostname", "netsho1", "--cap-add", "NET_ADMIN", "ovnlab/busybox:1.35.0", "sleep", "2147483647",
        ]);
        expect(cmd.dockerImport("/tmp/x/rootfs.tar", "ovnlab/busybox:1.35.0", "busybox-1.35.0")).toEqual(
            ["docker", "import", "--change", "LABEL ovnlab.image=busybox-1.35.0", "--change", 'CMD ["sh"]', "/tmp/x/rootfs.tar", "ovnlab/busybox:1.35.0"]);
        expect(cmd.dockerRemove("ovnlab-t1-netsho1")).toEqual(["docker", "rm", "-f", "ovnlab-t1-netsho1"]);
        expect(cmd.dockerInspect("0123456789ab")).toEqual(["docker", "inspect", "--type", "container", "0123456789ab"]);
    });
});

describe("hostile values", () => {
    const HOSTILE = ["x; rm -rf /", "$(id)", "`id`", "a\nb", "a b", "../../etc", "", "-rf", "a'b", 'a"b', "a,b", "a=b", "x\0y"];

    const builders: [string, (v: string) => unknown][] = [
        ["namespace", (v) => cmd.ipNetnsAdd(v)],
        ["node name", (v) => cmd.namespaceName("t1", v)],
        ["lab id", (v) => cmd.underlayBridgeName(v)],
        ["interface", (v) => cmd.ipLinkUp(v)],
        ["bridge master", (v) => cmd.ipLinkSetMaster("eth0", v)],
        ["address", (v) => cmd.ipAddrAdd(v, "eth0")],
        ["gateway", (v) => cmd.ipRouteReplaceDefault(v, "eth0")],
        ["MAC", (v) => cmd.ipLinkSetAddressAndMtu("eth0", v, 1442)],
        ["path", (v) => cmd.ovsdbToolCreate(v, cmd.SCHEMAS.openVswitch)],
        ["state dir", (v) => cmd.nodeLayout(v, "node1")],
        ["ovsdb remote", (v) => cmd.ovnDbInit("ovn-nbctl", v)],
        ["chassis", (v) => cmd.vsSetOvnChassisIds({ ovnRemote: "tcp:172.16.56.2:6642", encapType: "geneve", encapIp: "172.16.56.2", systemId: v, hostname: "node1", bridge: "br-int", bridgeDatapathType: "netdev", monitorAll: true })],
        ["encap", (v) => cmd.vsSetOvnChassisIds({ ovnRemote: "tcp:172.16.56.2:6642", encapType: v, encapIp: "172.16.56.2", systemId: "c", hostname: "node1", bridge: "br-int", bridgeDatapathType: "netdev", monitorAll: true })],
        ["iface-id", (v) => cmd.vsSetWorkloadIds("c-x", { containerId: "x", containerIface: "eth0", ifaceId: v })],
        ["container id", (v) => cmd.vsSetWorkloadIds("c-x", { containerId: v, containerIface: "eth0" })],
        ["image", (v) => cmd.dockerImageInspect(v)],
        ["container", (v) => cmd.dockerRemove(v)],
        ["hostname", (v) => cmd.dockerRun({ name: "ovnlab-t1-x", labId: "t1", hostname: v, image: "busybox", command: [], pull: "never" })],
        ["datapath", (v) => cmd.vsSetDatapathType("br-int", v)],
    ];

    it.each(builders)("are rejected as %s", (_kind, build) => {
        for (const value of HOSTILE) expect(() => build(value), JSON.stringify(value)).toThrow(/invalid/);
    });

    it("are rejected as process ids and MTUs when not plain numbers", () => {
        for (const pid of [0, 1, -5, 1.5, NaN, 2 ** 23]) expect(() => cmd.inNetnsOfPid(pid, ["true"])).toThrow(/invalid process id/);
        for (const mtu of [0, 100, 1e6, 1442.5]) expect(() => cmd.ipLinkSetMtu("eth0", mtu)).toThrow(/invalid MTU/);
    });

    it("stay single literal argv elements where free text is allowed (a container's command)", () => {
        const argv = cmd.dockerRun({ name: "ovnlab-t1-x", labId: "t1", hostname: "x", image: "busybox", command: ["sh", "-c", "x; rm -rf / $(id) `id`"], pull: "never" });
        expect(argv.slice(-3)).toEqual(["sh", "-c", "x; rm -rf / $(id) `id`"]);
        expect(() => cmd.dockerRun({ name: "ovnlab-t1-x", labId: "t1", hostname: "x", image: "busybox", command: ["a\nb"], pull: "never" })).toThrow(/invalid container command word/);
    });

    it("never reach an argv from any string but as a value the validators accept", () => {
        fc.assert(fc.property(fc.string(), (value) => {
            for (const [, build] of builders) {
                let argv: unknown;
                try {
                    argv = build(value);
                } catch {
                    continue;
                }
                // Accepted values are plain words: no shell or OVSDB metacharacters, no whitespace (paths may hold "+").
                expect(value).toMatch(/^[A-Za-z0-9._:+\/-]+$/);
                expect(JSON.stringify(argv)).toContain(value);
            }
        }));
    });
});

describe("parsers", () => {
    it("read ip's JSON", () => {
        const addr = '[{"ifname":"br-phy","mtu":1500,"address":"aa:bb:cc:dd:ee:ff","addr_info":[{"family":"inet","local":"172.16.56.2","prefixlen":24},{"family":"inet6","local":"fe80::1","prefixlen":64}]}]';
        expect(cmd.parseIpv4Cidrs(addr)).toEqual(["172.16.56.2/24"]);
        expect(cmd.parseLinkAddress(addr)).toEqual({ mac: "aa:bb:cc:dd:ee:ff", mtu: 1500 });
        expect(cmd.parseLinkMaster('[{"ifname":"t1-node1","master":"t1_br"}]')).toBe("t1_br");
        expect(cmd.parseLinkKind('[{"ifname":"eth0","linkinfo":{"info_kind":"veth"}}]')).toBe("veth");
        expect(cmd.parseDefaultGateway('[{"dst":"default","gateway":"10.244.1.1","dev":"eth0"}]')).toBe("10.244.1.1");
        expect(cmd.parseDefaultGateway("[]")).toBeUndefined();
        expect(cmd.parseIpv4Cidrs("")).toEqual([]);
    });

    it("read an OVSDB map as ovs-vsctl prints it", () => {
        expect(cmd.parseOvsMap('{container_id=netsho1, container_iface=eth0, iface-id=netsho1, ovn-installed="true", "odd key"="a, b"}')).toEqual({
            container_id: "netsho1", container_iface: "eth0", "iface-id": "netsho1", "ovn-installed": "true", "odd key": "a, b",
        });
        expect(cmd.parseOvsMap("{}")).toEqual({});
    });
});
