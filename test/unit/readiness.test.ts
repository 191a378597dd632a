// The readiness check's pure parts: the commands it runs on a chassis, how it
// reads `ovs-vsctl list interface`, and the digest of the lab's northbound rows
// that tells a refresh the chassis may be stale.
import { describe, expect, it } from "vitest";
import { ofctlDumpTable0, ovnControllerAppctl, parseInterfaceIds, parseTable0Ports, parseTunnelNeighbours, pingOnce, tunnelNeighbours, vsListInterfaceIds } from "../../components/commands/ovnController";
import { nbDigest } from "../../components/ovn/labReadiness";

const LIST = `name                : ovnlab-netsho1
ofport              : 3
external_ids        : {container_id=netsho1, container_iface=eth0, iface-id=netsho1, ovn-installed="true", ovn-installed-ts="1764694000000"}

name                : br-int
external_ids        : {}

name                : "ovn-t1-no-0"
external_ids        : {}

name                : ovnlab-netsho2
external_ids        : {container_id=netsho2, iface-id=netsho2}
`;

describe("ovn-controller commands", () => {
    it("run ovn-appctl against the node's run directory, or the tool's default", () => {
        expect(ovnControllerAppctl("/x/.lab/t1/node1/run", "recompute")).toEqual(["env", "OVN_RUNDIR=/x/.lab/t1/node1/run", "ovn-appctl", "--timeout=5", "-t", "ovn-controller", "recompute"]);
        expect(ovnControllerAppctl("", "connection-status", 3)).toEqual(["ovn-appctl", "--timeout=3", "-t", "ovn-controller", "connection-status"]);
    });

    it("refuse another command, a relative run directory and a silly timeout", () => {
        expect(() => ovnControllerAppctl("", "exit" as "recompute")).toThrow(/connection-status \| recompute/);
        expect(() => ovnControllerAppctl("run", "recompute")).toThrow(/absolute path/);
        expect(() => ovnControllerAppctl("", "recompute", 0)).toThrow(/1-60 seconds/);
    });

    it("list every interface's name and external_ids", () => {
        expect(vsListInterfaceIds()).toEqual(["--columns=name,ofport,external_ids", "list", "interface"]);
        const ids = parseInterfaceIds(LIST);
        expect([...ids.keys()]).toEqual(["ovnlab-netsho1", "br-int", "ovn-t1-no-0", "ovnlab-netsho2"]);
        expect(ids.get("ovnlab-netsho1")).toEqual({ ofport: 3, externalIds: expect.objectContaining({ "iface-id": "netsho1", "ovn-installed": "true" }) });
        expect(ids.get("ovnlab-netsho2")!.externalIds["ovn-installed"]).toBeUndefined();
    });

    it("read table 0 through the bridge's management socket, by port number", () => {
        expect(ofctlDumpTable0("/x/run", "br-int")).toEqual(["ovs-ofctl", "--timeout=5", "--no-names", "--no-stats", "dump-flows", "unix:/x/run/br-int.mgmt", "table=0"]);
        expect(ofctlDumpTable0("", "br-int")).toEqual(["ovs-ofctl", "--timeout=5", "--no-names", "--no-stats", "dump-flows", "br-int", "table=0"]);
        const flows = ` priority=180,vlan_tci=0x0000/0x1000 actions=conjunction(100,2/2)
 priority=100,in_port=3 actions=load:0x1->NXM_NX_REG13[],resubmit(,8)
 priority=100,in_port=12 actions=move:NXM_NX_TUN_ID[0..23]->OXM_OF_METADATA[0..23],resubmit(,38)
`;
        expect([...parseTable0Ports(flows)]).toEqual([3, 12]);
    });
});

describe("the tunnel neighbour cache", () => {
    it("is read from ovs-vswitchd's own socket, or the default one", () => {
        expect(tunnelNeighbours("/x/run/ovs-vswitchd.ctl")).toEqual(["ovs-appctl", "--timeout=5", "-t", "/x/run/ovs-vswitchd.ctl", "tnl/neigh/show"]);
        expect(tunnelNeighbours("")).toEqual(["ovs-appctl", "--timeout=5", "tnl/neigh/show"]);
        expect(pingOnce("172.16.56.3")).toEqual(["ping", "-c", "1", "-W", "1", "-q", "172.16.56.3"]);
        expect(() => pingOnce("999.1.1.1")).toThrow(/IPv4/);
    });

    it("lists the addresses it holds", () => {
        const out = `IP                                            MAC                 Bridge
==========================================================================
172.16.56.3                                   6e:2b:17:aa:01:02   br-phy
172.16.56.4                                   6e:2b:17:aa:01:03   br-phy
`;
        expect([...parseTunnelNeighbours(out)]).toEqual(["172.16.56.3", "172.16.56.4"]);
        expect(parseTunnelNeighbours("IP  MAC  Bridge\n=====\n").size).toBe(0);
    });
});

describe("the digest of the lab's northbound rows", () => {
    const mine = { "ovnlab:stack": "dev" };
    const snapshot = () => ({
        Logical_Switch: [{ uuid: "u1", name: "ls-node1", ports: ["u2"], external_ids: mine }],
        Logical_Switch_Port: [{ uuid: "u2", name: "netsho1", addresses: ["02:00:00:00:01:03 10.244.1.3"], up: true, external_ids: mine }],
        Logical_Router: [{ uuid: "u3", name: "other", external_ids: { "ovnlab:stack": "another" } }],
    });

    it("changes when a lab row is re-made (new uuid) or edited, not when OVN marks a port up or another lab changes", () => {
        const base = nbDigest(snapshot(), "dev");
        const remade = snapshot();
        remade.Logical_Switch_Port[0].uuid = "u9";
        expect(nbDigest(remade, "dev")).not.toBe(base);
        const edited = snapshot();
        edited.Logical_Switch_Port[0].addresses = ["02:00:00:00:01:03 10.244.1.9"];
        expect(nbDigest(edited, "dev")).not.toBe(base);
        const down = snapshot();
        down.Logical_Switch_Port[0].up = false;
        expect(nbDigest(down, "dev")).toBe(base);
        const other = snapshot();
        other.Logical_Router[0].name = "changed";
        expect(nbDigest(other, "dev")).toBe(base);
        const gone = snapshot();
        gone.Logical_Switch_Port = [];
        expect(nbDigest(gone, "dev")).not.toBe(base);
    });
});
