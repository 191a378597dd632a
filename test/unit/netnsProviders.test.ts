// The netns driver's providers without touching the host: what their diffs
// decide (update, replace, repair), that state written by an older version
// (fewer fields) diffs clean.
import { describe, expect, it } from "vitest";
import { containerProvider, ContainerOutputs } from "../../components/workloads/container";
import { containerImageProvider } from "../../components/workloads/containerImage";
import { ContainerPlugArgs, ContainerPlugOutputs, containerPlugProvider } from "../../components/workloads/containerPlug";
import { diffSettings, sameValue } from "../../components/kit/hostRuntime";
import { NetnsNodeArgs, NetnsNodeOutputs, netnsNodeProvider, nodeSettings } from "../../components/drivers/netns/netnsNode";
import { ovnCentralProvider } from "../../components/drivers/netns/ovnCentral";
import { underlayProvider } from "../../components/drivers/netns/underlay";

const nodeArgs: NetnsNodeArgs = {
    labId: "t1", name: "node2", stateDir: "/tmp/ovnlab-t1", underlayBridge: "t1_br", underlayCidr: "172.16.56.3/24", ovn: true, centralIp: "172.16.56.2",
};
/** Outputs as create records them (the derived fields do not take part in the diff). */
const nodeState = { ...nodeSettings(nodeArgs), problems: [] } as unknown as NetnsNodeOutputs;

const plugArgs: ContainerPlugArgs = {
    transport: { kind: "netns", namespace: "ovnlab-t1-node1" }, ovsDb: "unix:/tmp/ovnlab-t1/node1/run/db.sock", workload: "netsho1",
    containerId: "0123456789ab0123456789ab", containerPid: 4242, mac: "02:00:00:00:01:03", cidr: "10.244.1.3/24", gateway: "10.244.1.1", ifaceId: "netsho1",
};
const plugState: ContainerPlugOutputs = { bridge: "br-int", mtu: 1442, ...plugArgs, ovsDb: plugArgs.ovsDb!, gateway: "10.244.1.1", ifaceId: "netsho1", portName: "c-netsho1" };

describe("NetnsNode diff", () => {
    it("sees nothing to do when the state matches, even state from before defaults were recorded", async () => {
        expect(await netnsNodeProvider.diff!("id", nodeState, nodeArgs)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: true });
        const older = { ...nodeState } as Partial<NetnsNodeOutputs>;
        delete older.encap;
        delete older.datapathType;
        delete older.chassis;
        delete older.problems;
        expect(await netnsNodeProvider.diff!("id", older as NetnsNodeOutputs, nodeArgs)).toMatchObject({ changes: false });
    });

    it("updates the Open_vSwitch external-ids in place and replaces for anything else", async () => {
        expect(await netnsNodeProvider.diff!("id", nodeState, { ...nodeArgs, centralIp: "172.16.56.9", encap: "vxlan" })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: true });
        expect(await netnsNodeProvider.diff!("id", nodeState, { ...nodeArgs, labId: "t2", ovn: false })).toEqual({ changes: true, replaces: ["labId", "ovn"], deleteBeforeReplace: true });
    });

    it("repairs what a refresh found broken", async () => {
        expect(await netnsNodeProvider.diff!("id", { ...nodeState, problems: ["ovn-controller is not running"] }, nodeArgs)).toMatchObject({ changes: true, replaces: [] });
    });
});

describe("ContainerPlug diff", () => {
    it("replaces the plug for another container (a new container, or a restarted one with a new PID)", async () => {
        expect(await containerPlugProvider.diff!("id", plugState, plugArgs)).toMatchObject({ changes: false, replaces: [] });
        expect((await containerPlugProvider.diff!("id", plugState, { ...plugArgs, containerId: "fedcba9876543210fedcba98", containerPid: 4343 })).replaces).toEqual(["containerId", "containerPid"]);
    });

    it("changes addresses, MTU and the logical port in place", async () => {
        expect(await containerPlugProvider.diff!("id", plugState, { ...plugArgs, mac: "02:00:00:00:01:09", mtu: 1400, ifaceId: undefined })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: true });
    });
});

describe("other diffs", () => {
    it("replace on identity and repair on problems", async () => {
        const container = { transport: { kind: "local" }, labId: "t1", name: "netsho1", image: "ovnlab/busybox:1.35.0", problems: [] } as unknown as ContainerOutputs;
        const containerArgs = { transport: { kind: "local" as const }, labId: "t1", name: "netsho1", image: "ovnlab/busybox:1.35.0" };
        expect(await containerProvider.diff!("id", container, containerArgs)).toMatchObject({ changes: false });
        expect(await containerProvider.diff!("id", container, { ...containerArgs, image: "busybox:stable" })).toMatchObject({ replaces: ["image"] });
        expect(await containerProvider.diff!("id", { ...container, problems: ["container is exited"] }, containerArgs)).toMatchObject({ changes: true, replaces: [] });
        expect(await underlayProvider.diff!("id", { labId: "t1", bridgeName: "t1_br", chain: "FORWARD", problems: [] }, { labId: "t2" })).toMatchObject({ replaces: ["labId"] });
        const central = { namespace: "ovnlab-t1-node1", stateDir: "/tmp/a", nbDb: "", sbDb: "", dir: "", northdCtl: "", nbCtl: "", sbCtl: "", problems: [] };
        expect(await ovnCentralProvider.diff!("id", central, { namespace: "ovnlab-t1-node1", stateDir: "/tmp/b" })).toMatchObject({ replaces: ["stateDir"] });
        expect(await containerImageProvider.diff!("id", { repository: "ovnlab/busybox", busybox: "/bin/busybox", image: "", imageId: "", busyboxVersion: "", built: true }, {})).toMatchObject({ changes: false });
    });

    it("compare plain data regardless of key order", () => {
        expect(sameValue({ kind: "netns", namespace: "a" }, { namespace: "a", kind: "netns" })).toBe(true);
        expect(sameValue(["a", "b"], ["b", "a"])).toBe(false);
        expect(diffSettings({ a: 1, b: 2 }, { a: 1, b: 3 }, ["a"], ["b"])).toEqual({ changes: true, replaces: [], deleteBeforeReplace: true });
    });
});
