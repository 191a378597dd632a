// The walk-through's first experiment: one node without OVN, br-int in
// standalone mode (NORMAL forwarding, MAC learning), two containers with /16
// addresses and no gateway. The bridge learns both MACs.
import { execFileSync } from "child_process";
import { existsSync } from "fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContainerOutputs, containerProvider } from "../../components/workloads/container";
import { ContainerImageOutputs, containerImageProvider } from "../../components/workloads/containerImage";
import { ContainerPlugOutputs, containerPlugProvider } from "../../components/workloads/containerPlug";
import { nodeLayout } from "../../components/commands/names";
import { NetnsNodeOutputs, netnsNodeProvider } from "../../components/drivers/netns/netnsNode";
import { UnderlayOutputs, underlayProvider } from "../../components/drivers/netns/underlay";
import { DockerEngine, ensureDocker } from "../helpers/docker";
import { cleanupLab, labContainers, labLinks, labNamespaces } from "../helpers/lab";
import { uniqueLabId } from "../helpers/names";
import { created, refreshed } from "../helpers/providers";

const labId = uniqueLabId();
const stateDir = `/tmp/ovnlab-${labId}`;
const imageRepository = `ovnlab-test/${labId}`;
const WORKLOADS = [
    { name: "netsho1", ip: "10.244.1.3", mac: "02:00:00:00:01:03" },
    { name: "netsho2", ip: "10.244.1.4", mac: "02:00:00:00:01:04" },
];

let docker: DockerEngine | undefined;
let underlay: UnderlayOutputs;
let node: NetnsNodeOutputs;
let image: ContainerImageOutputs;
const containers: Record<string, ContainerOutputs> = {};
const plugs: Record<string, ContainerPlugOutputs> = {};

const run = (...argv: string[]) => execFileSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 60_000 }).trim();

beforeAll(async () => {
    docker = await ensureDocker();
});

afterAll(async () => {
    try {
        await cleanupLab(labId, stateDir, image?.image);
    } finally {
        await docker?.stop();
    }
});

describe("single-l2: one node, no OVN, a learning br-int", () => {
    it("creates a node without ovn-controller and with a standalone br-int", async () => {
        underlay = await created(underlayProvider, { labId });
        node = await created(netnsNodeProvider, {
            labId, name: "node1", stateDir, underlayBridge: underlay.bridgeName, underlayCidr: "172.16.56.2/24", ovn: false,
        });
        const layout = nodeLayout(stateDir, "node1");
        expect(existsSync(layout.controllerPidfile)).toBe(false);
        expect(run("ovs-vsctl", `--db=${node.ovsDb}`, "get-fail-mode", "br-int")).toBe("standalone");
        expect(run("ovs-vsctl", `--db=${node.ovsDb}`, "get", "open_vswitch", ".", "external_ids")).not.toContain("ovn-remote");
        expect((await refreshed(netnsNodeProvider, node.namespace, node))?.problems).toEqual([]);
    });

    it("plugs two containers with /16 addresses and no gateway; they ping and br-int learns both MACs", async () => {
        image = await created(containerImageProvider, { repository: imageRepository });
        for (const w of WORKLOADS) {
            containers[w.name] = await created(containerProvider, { transport: { kind: "local" }, labId, name: w.name, image: image.image, pull: "never" });
            plugs[w.name] = await created(containerPlugProvider, {
                transport: node.transport, ovsDb: node.ovsDb, workload: w.name, containerId: containers[w.name].containerId,
                containerPid: containers[w.name].pid, mac: w.mac, cidr: `${w.ip}/16`,
            });
        }
        expect(run("docker", "exec", containers.netsho1.containerName, "ip", "route", "show")).toBe("10.244.0.0/16 dev eth0 scope link  src 10.244.1.3");
        expect(run("ovs-vsctl", `--db=${node.ovsDb}`, "get", "interface", plugs.netsho1.portName, "external_ids")).toBe("{container_id=netsho1, container_iface=eth0}");
        run("docker", "exec", containers.netsho1.containerName, "ping", "-c", "3", "-W", "2", WORKLOADS[1].ip);
        const fdb = run("ovs-appctl", "-t", node.vswitchdCtl, "fdb/show", "br-int");
        for (const w of WORKLOADS) expect(fdb).toContain(w.mac);
    });

    it("tears everything down, and again", async () => {
        for (let round = 0; round < 2; round++) {
            for (const w of WORKLOADS) await containerPlugProvider.delete!("x", plugs[w.name]);
            for (const w of WORKLOADS) await containerProvider.delete!(containers[w.name].containerName, containers[w.name]);
            await netnsNodeProvider.delete!(node.namespace, node);
            await underlayProvider.delete!(underlay.bridgeName, underlay);
            await containerImageProvider.delete!(image.image, image);
        }
        expect(labNamespaces(labId)).toEqual([]);
        expect(labLinks(labId)).toEqual([]);
        expect(labContainers(labId)).toEqual([]);
        expect(existsSync(stateDir)).toBe(false);
    });
});
