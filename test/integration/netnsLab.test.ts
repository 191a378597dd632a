// The netns driver's providers, called directly against the real system: an
// underlay, two OVN nodes, the central, the busybox image, three containers
// plugged into br-int, a minimal OVN topology (made here with ovn-nbctl), and
// pings same-node and cross-node over Geneve. Then drift made by hand (a killed
// daemon, a removed container, a deleted namespace) is seen by read and
// repaired, and teardown is idempotent and complete.
import { execFileSync } from "child_process";
import { existsSync } from "fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContainerArgs, ContainerOutputs, containerProvider } from "../../components/workloads/container";
import { ContainerImageOutputs, containerImageProvider } from "../../components/workloads/containerImage";
import { ContainerPlugArgs, ContainerPlugOutputs, containerPlugProvider } from "../../components/workloads/containerPlug";
import { controllerCtl, nodeLayout } from "../../components/commands/names";
import { pidFromPidfile } from "../../components/kit/hostRuntime";
import { NetnsNodeArgs, NetnsNodeOutputs, netnsNodeProvider } from "../../components/drivers/netns/netnsNode";
import { OvnCentralOutputs, ovnCentralProvider } from "../../components/drivers/netns/ovnCentral";
import { UnderlayOutputs, underlayProvider } from "../../components/drivers/netns/underlay";
import { DockerEngine, ensureDocker } from "../helpers/docker";
import { cleanupLab, labContainers, labIptablesRules, labLinks, labNamespaces } from "../helpers/lab";
import { uniqueLabId } from "../helpers/names";
import { created, refreshed, updated } from "../helpers/providers";

const labId = uniqueLabId();
const stateDir = `/tmp/ovnlab-${labId}`;
const imageRepository = `ovnlab-test/${labId}`;
const CENTRAL_IP = "172.16.56.2";
const NODES = { node1: "172.16.56.2", node2: "172.16.56.3" } as const;
type NodeName = keyof typeof NODES;
const WORKLOADS = [
    { name: "netsho1", node: "node1", ip: "10.244.1.3", mac: "02:00:00:00:01:03", gateway: "10.244.1.1" },
    { name: "netsho2", node: "node1", ip: "10.244.1.4", mac: "02:00:00:00:01:04", gateway: "10.244.1.1" },
    { name: "netsho3", node: "node2", ip: "10.244.2.3", mac: "02:00:00:00:02:03", gateway: "10.244.2.1" },
] as const;
type Workload = (typeof WORKLOADS)[number];

let docker: DockerEngine | undefined;
let underlay: UnderlayOutputs;
const nodes = {} as Record<NodeName, NetnsNodeOutputs>;
let central: OvnCentralOutputs;
let image: ContainerImageOutputs;
const containers: Record<string, ContainerOutputs> = {};
const plugs: Record<string, ContainerPlugOutputs> = {};
const measured: Record<string, string> = {};

function run(...argv: string[]): string {
    return execFileSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 60_000 }).trim();
}

async function waitFor(what: string, ready: () => boolean, timeoutMs = 30_000): Promise<number> {
    const started = performance.now();
    while (!ready()) {
        if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return performance.now() - started;
}

const chassisNames = () => run("ovn-sbctl", `--db=${central.sbDb}`, "--bare", "--columns=name", "list", "Chassis").split(/\s+/).filter(Boolean);
const nbctl = (...args: string[]) => run("ovn-nbctl", `--db=${central.nbDb}`, "--timeout=20", ...args);

function nodeArgs(name: NodeName): NetnsNodeArgs {
    return { labId, name, stateDir, underlayBridge: underlay.bridgeName, underlayCidr: `${NODES[name]}/24`, ovn: true, centralIp: CENTRAL_IP };
}

function containerArgs(w: Workload): ContainerArgs {
    return { transport: { kind: "local" }, labId, name: w.name, image: image.image, pull: "never" };
}

function plugArgs(w: Workload): ContainerPlugArgs {
    const node = nodes[w.node];
    return {
        transport: node.transport, ovsDb: node.ovsDb, workload: w.name, containerId: containers[w.name].containerId,
        containerPid: containers[w.name].pid, mac: w.mac, cidr: `${w.ip}/24`, gateway: w.gateway, ifaceId: w.name,
    };
}

/** `docker exec <c> ping -c 3 -W 2 <ip>`: true when any reply came back (the first cross-node packet may be lost to ARP). */
function ping(from: Workload, to: Workload): boolean {
    try {
        execFileSync("docker", ["exec", containers[from.name].containerName, "ping", "-c", "3", "-W", "2", to.ip], { timeout: 30_000, stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

const rssKib = (pid: number) => Number(run("ps", "-o", "rss=", "-p", String(pid)));

beforeAll(async () => {
    docker = await ensureDocker();
});

afterAll(async () => {
    try {
        await cleanupLab(labId, stateDir, `${imageRepository}:${image?.busyboxVersion ?? "none"}`);
    } finally {
        await docker?.stop();
        console.log(`measurements (${labId}):\n${Object.entries(measured).map(([k, v]) => `  ${k}: ${v}`).join("\n")}`);
    }
});

describe("a two-node OVN lab in network namespaces", () => {
    it("creates the underlay bridge and its accept rule; creating again converges", async () => {
        underlay = await created(underlayProvider, { labId });
        const again = await created(underlayProvider, { labId });
        expect(again).toEqual(underlay);
        expect(underlay.bridgeName).toBe(`${labId}_br`);
        expect(labIptablesRules(labId)).toHaveLength(1);
        expect((await refreshed(underlayProvider, underlay.bridgeName, underlay))?.problems).toEqual([]);
    });

    it("read reports an accept rule removed by hand; an update puts it back", async () => {
        run("iptables", "-w", "5", "-D", underlay.chain, "-i", underlay.bridgeName, "-o", underlay.bridgeName, "-m", "comment", "--comment", `ovnlab:${labId}`, "-j", "ACCEPT");
        const live = (await refreshed(underlayProvider, underlay.bridgeName, underlay))!;
        expect(live.problems).toEqual([`no ACCEPT rule for ${underlay.bridgeName} in ${underlay.chain}`]);
        expect(await underlayProvider.diff!(live.bridgeName, live, { labId })).toMatchObject({ changes: true, replaces: [] });
        expect(await updated(underlayProvider, live.bridgeName, live, { labId })).toEqual(underlay);
        expect(labIptablesRules(labId)).toHaveLength(1);
    });

    it("brings up node1 with the central and node2; both chassis register in the SB", async () => {
        const started = performance.now();
        nodes.node1 = await created(netnsNodeProvider, nodeArgs("node1"));
        central = await created(ovnCentralProvider, { namespace: nodes.node1.namespace, stateDir });
        run("ovn-nbctl", `--db=${central.nbDb}`, "set-connection", `ptcp:6641:${CENTRAL_IP}`);
        run("ovn-sbctl", `--db=${central.sbDb}`, "set-connection", `ptcp:6642:${CENTRAL_IP}`);
        const listening = performance.now();
        await waitFor("node1's chassis", () => chassisNames().includes(nodes.node1.chassis));
        // ovn-controller started before the SB listened on TCP, so this includes its reconnect backoff.
        measured["node1 + central up until chassis in SB"] = `${Math.round(performance.now() - started)} ms (${Math.round(performance.now() - listening)} ms after set-connection)`;

        const node2Started = performance.now();
        nodes.node2 = await created(netnsNodeProvider, nodeArgs("node2"));
        const createMs = performance.now() - node2Started;
        await waitFor("node2's chassis", () => chassisNames().includes(nodes.node2.chassis));
        measured["node2 up until chassis in SB"] = `${Math.round(performance.now() - node2Started)} ms (create ${Math.round(createMs)} ms)`;

        expect(chassisNames().sort()).toEqual([`${labId}-node1`, `${labId}-node2`]);
        const show = run("ovn-sbctl", `--db=${central.sbDb}`, "show");
        expect(show).toContain(`Encap geneve`);
        expect(show).toContain(`ip: "${NODES.node2}"`);
        expect(nodes.node1.transport).toEqual({ kind: "netns", namespace: `ovnlab-${labId}-node1` });
        expect(nodes.node1.ovsDb).toBe(`unix:${stateDir}/node1/run/db.sock`);
        expect(central.nbDb).toBe(`unix:${stateDir}/central/ovnnb_db.sock`);
        // The userspace tunnel route is on br-phy (recipe: with the IP on the veth, tunnelling fails silently).
        expect(run("ovs-appctl", "-t", nodes.node2.vswitchdCtl, "ovs/route/show")).toMatch(/172\.16\.56\.0\/24 dev br-phy/);

        for (const name of ["node1", "node2"] as const) {
            const layout = nodeLayout(stateDir, name);
            const pids = [layout.ovsdbPidfile, layout.vswitchdPidfile, layout.controllerPidfile].map((f) => pidFromPidfile(f)!);
            measured[`${name} RSS (ovsdb-server, ovs-vswitchd, ovn-controller)`] = pids.map((p) => `${Math.round(rssKib(p) / 1024)} MiB`).join(", ");
        }
        const centralPids = ["ovnnb_db", "ovnsb_db", "ovn-northd"].map((n) => pidFromPidfile(`${central.dir}/${n}.pid`)!);
        measured["central RSS (NB, SB, ovn-northd)"] = centralPids.map((p) => `${Math.round(rssKib(p) / 1024)} MiB`).join(", ");
    });

    it("creating a node and the central again converges on the running daemons", async () => {
        const layout = nodeLayout(stateDir, "node2");
        const before = [layout.ovsdbPidfile, layout.vswitchdPidfile, layout.controllerPidfile].map(pidFromPidfile);
        const again = await created(netnsNodeProvider, nodeArgs("node2"));
        expect(again).toEqual(nodes.node2);
        expect([layout.ovsdbPidfile, layout.vswitchdPidfile, layout.controllerPidfile].map(pidFromPidfile)).toEqual(before);
        const centralAgain = await created(ovnCentralProvider, { namespace: nodes.node1.namespace, stateDir });
        expect(centralAgain).toEqual(central);
        expect((await refreshed(netnsNodeProvider, again.namespace, again))?.problems).toEqual([]);
        expect((await refreshed(ovnCentralProvider, central.dir, central))?.problems).toEqual([]);
    });

    it("builds the busybox image with docker import; creating again reuses it", async () => {
        image = await created(containerImageProvider, { repository: imageRepository });
        expect(image.built).toBe(true);
        expect(image.image).toBe(`${imageRepository}:${image.busyboxVersion}`);
        const again = await created(containerImageProvider, { repository: imageRepository });
        expect(again.built).toBe(false);
        expect(again.imageId).toBe(image.imageId);
        expect((await refreshed(containerImageProvider, image.image, image))?.imageId).toBe(image.imageId);
    });

    it("runs three containers and plugs them into br-int; pings same-node and cross-node", async () => {
        for (const w of WORKLOADS) {
            const started = performance.now();
            containers[w.name] = await created(containerProvider, containerArgs(w));
            const ran = performance.now() - started;
            plugs[w.name] = await created(containerPlugProvider, plugArgs(w));
            measured[`docker run ${w.name}`] = `${Math.round(ran)} ms`;
            measured[`plug ${w.name}`] = `${Math.round(performance.now() - started - ran)} ms`;
        }
        // The walk-through's topology: lr0, one switch per node, router ports, workload ports "MAC IP".
        nbctl("lr-add", "lr0");
        for (const [node, subnet] of [["node1", 1], ["node2", 2]] as const) {
            nbctl("ls-add", `ls-${node}`);
            nbctl("lrp-add", "lr0", `lr-${node}`, `00:00:00:0${subnet}:01:01`, `10.244.${subnet}.1/24`);
            nbctl("lsp-add", `ls-${node}`, `ls-${node}-lr`, "--", "lsp-set-type", `ls-${node}-lr`, "router", "--",
                "lsp-set-addresses", `ls-${node}-lr`, "router", "--", "lsp-set-options", `ls-${node}-lr`, `router-port=lr-${node}`);
        }
        for (const w of WORKLOADS) nbctl("lsp-add", `ls-${w.node}`, w.name, "--", "lsp-set-addresses", w.name, `${w.mac} ${w.ip}`);
        const bound = performance.now();
        for (const w of WORKLOADS) nbctl("wait-until", "Logical_Switch_Port", w.name, "up=true");
        measured["all three ports up after the NB topology"] = `${Math.round(performance.now() - bound)} ms`;

        const [netsho1, netsho2, netsho3] = WORKLOADS;
        expect(ping(netsho1, netsho2)).toBe(true);
        expect(ping(netsho1, netsho3)).toBe(true);
        expect(ping(netsho3, netsho2)).toBe(true);
        // TCP across the tunnel: fails with TX checksum offload left on (recipe pitfall 2).
        run("docker", "exec", "-d", containers.netsho3.containerName, "sh", "-c", "nc -l -p 5001 > /tmp/received");
        await waitFor("netsho3 to listen", () => run("docker", "exec", containers.netsho3.containerName, "netstat", "-ltn").includes(":5001"), 5000);
        run("docker", "exec", containers.netsho1.containerName, "sh", "-c", `echo hello-over-geneve | nc -w 3 ${netsho3.ip} 5001`);
        await waitFor("the message to arrive", () => run("docker", "exec", containers.netsho3.containerName, "cat", "/tmp/received") === "hello-over-geneve", 5000);
        expect(run("docker", "exec", containers.netsho1.containerName, "ip", "-o", "-4", "addr", "show", "eth0")).toContain("10.244.1.3/24");
        expect(run("docker", "exec", containers.netsho1.containerName, "ip", "route", "show", "default")).toContain("via 10.244.1.1");
        const ids = run("ovs-vsctl", `--db=${nodes.node1.ovsDb}`, "get", "interface", plugs.netsho1.portName, "external_ids");
        expect(ids).toContain("container_id=netsho1");
        expect(ids).toContain("iface-id=netsho1");
    });

    it("creating a container and a plug again converges; read sees them as created", async () => {
        const w = WORKLOADS[0];
        expect(await created(containerProvider, containerArgs(w))).toEqual(containers[w.name]);
        expect(await created(containerPlugProvider, plugArgs(w))).toEqual(plugs[w.name]);
        const live = (await refreshed(containerPlugProvider, "x", plugs[w.name]))!;
        expect(live).toEqual(plugs[w.name]);
        expect(await containerPlugProvider.diff!("x", live, plugArgs(w))).toMatchObject({ changes: false, replaces: [] });
    });

    it("read reports an ovn-controller killed by hand; an update restarts it", async () => {
        const layout = nodeLayout(stateDir, "node2");
        const pid = pidFromPidfile(layout.controllerPidfile)!;
        process.kill(pid, "SIGKILL");
        await waitFor("ovn-controller to die", () => pidFromPidfile(layout.controllerPidfile) === undefined, 5000);
        const live = (await refreshed(netnsNodeProvider, nodes.node2.namespace, nodes.node2))!;
        expect(live.problems).toEqual(["ovn-controller is not running"]);
        const diff = await netnsNodeProvider.diff!(live.namespace, live, nodeArgs("node2"));
        expect(diff).toMatchObject({ changes: true, replaces: [] });
        nodes.node2 = await updated(netnsNodeProvider, live.namespace, live, nodeArgs("node2"));
        const newPid = pidFromPidfile(layout.controllerPidfile)!;
        expect(newPid).not.toBe(pid);
        expect(existsSync(controllerCtl(layout, newPid))).toBe(true);
        // The killed one's control socket (named after its PID) is gone: restarts do not pile them up.
        expect(existsSync(controllerCtl(layout, pid))).toBe(false);
        expect((await refreshed(netnsNodeProvider, live.namespace, nodes.node2))?.problems).toEqual([]);
        await waitFor("netsho3 bound again", () => nbctl("get", "Logical_Switch_Port", "netsho3", "up") === "true");
        expect(ping(WORKLOADS[0], WORKLOADS[2])).toBe(true);
    });

    it("read reports a container removed by hand (and its plug gone); recreating replaces the plug", async () => {
        const w = WORKLOADS[2];
        run("docker", "rm", "-f", containers[w.name].containerName);
        expect(await refreshed(containerProvider, containers[w.name].containerName, containers[w.name])).toBeUndefined();
        expect(await refreshed(containerPlugProvider, "x", plugs[w.name])).toBeUndefined();

        const old = plugs[w.name];
        containers[w.name] = await created(containerProvider, containerArgs(w));
        const diff = await containerPlugProvider.diff!("x", old, plugArgs(w));
        expect(diff.replaces).toEqual(expect.arrayContaining(["containerId", "containerPid"]));
        expect(diff.deleteBeforeReplace).toBe(true);
        await containerPlugProvider.delete!("x", old);
        plugs[w.name] = await created(containerPlugProvider, plugArgs(w));
        nbctl("wait-until", "Logical_Switch_Port", w.name, "up=true");
        expect(ping(w, WORKLOADS[0])).toBe(true);
    });

    it("read reports a stopped container; an update starts it", async () => {
        const w = WORKLOADS[1];
        run("docker", "stop", "-t", "0", containers[w.name].containerName);
        const live = (await refreshed(containerProvider, containers[w.name].containerName, containers[w.name]))!;
        expect(live).toMatchObject({ running: false, pid: 0, problems: ["container is exited"] });
        expect(await containerProvider.diff!(live.containerName, live, containerArgs(w))).toMatchObject({ changes: true, replaces: [] });
        const restarted = await updated(containerProvider, live.containerName, live, containerArgs(w));
        expect(restarted).toMatchObject({ running: true, problems: [], containerId: containers[w.name].containerId });
        expect(restarted.pid).not.toBe(containers[w.name].pid);
        containers[w.name] = restarted;
        // A new PID is a new network namespace: the plug is replaced.
        expect((await containerPlugProvider.diff!("x", plugs[w.name], plugArgs(w))).replaces).toEqual(["containerPid"]);
        await containerPlugProvider.delete!("x", plugs[w.name]);
        plugs[w.name] = await created(containerPlugProvider, plugArgs(w));
        nbctl("wait-until", "Logical_Switch_Port", w.name, "up=true");
        expect(ping(w, WORKLOADS[0])).toBe(true);
    });

    it("read reports a namespace deleted by hand as gone; create then converges and traffic flows again", async () => {
        run("ip", "netns", "delete", nodes.node2.namespace);
        expect(await refreshed(netnsNodeProvider, nodes.node2.namespace, nodes.node2)).toBeUndefined();
        // What `pulumi up` does after a refresh dropped it: create again (strays from the old namespace are stopped).
        const started = performance.now();
        nodes.node2 = await created(netnsNodeProvider, nodeArgs("node2"));
        measured["node2 re-created after its namespace was deleted by hand"] = `${Math.round(performance.now() - started)} ms`;
        expect((await refreshed(netnsNodeProvider, nodes.node2.namespace, nodes.node2))?.problems).toEqual([]);
        const w = WORKLOADS[2];
        expect(await refreshed(containerPlugProvider, "x", plugs[w.name])).toBeUndefined();
        const staleEth0 = run("docker", "exec", containers[w.name].containerName, "ip", "-o", "link").includes("eth0");
        measured["netsho3's eth0 still there after its node namespace was replaced"] = String(staleEth0);
        plugs[w.name] = await created(containerPlugProvider, plugArgs(w));
        nbctl("wait-until", "Logical_Switch_Port", w.name, "up=true");
        expect(ping(w, WORKLOADS[0])).toBe(true);
    });

    it("deletes in dependency order, twice without error, and leaves nothing behind", async () => {
        const started = performance.now();
        const deleteAll = async () => {
            for (const w of WORKLOADS) if (plugs[w.name]) await containerPlugProvider.delete!("x", plugs[w.name]);
            for (const w of WORKLOADS) if (containers[w.name]) await containerProvider.delete!(containers[w.name].containerName, containers[w.name]);
            await ovnCentralProvider.delete!(central.dir, central);
            for (const name of ["node2", "node1"] as const) await netnsNodeProvider.delete!(nodes[name].namespace, nodes[name]);
            await underlayProvider.delete!(underlay.bridgeName, underlay);
            await containerImageProvider.delete!(image.image, image);
        };
        await deleteAll();
        measured["teardown (plugs, containers, central, nodes, underlay, image)"] = `${Math.round(performance.now() - started)} ms`;
        await deleteAll();

        expect(labNamespaces(labId)).toEqual([]);
        expect(labLinks(labId)).toEqual([]);
        expect(labContainers(labId)).toEqual([]);
        expect(labIptablesRules(labId)).toEqual([]);
        expect(existsSync(stateDir)).toBe(false);
        expect(run("docker", "images", "-q", imageRepository)).toBe("");
        expect(await refreshed(netnsNodeProvider, nodes.node1.namespace, nodes.node1)).toBeUndefined();
        expect(await refreshed(ovnCentralProvider, central.dir, central)).toBeUndefined();
        expect(await refreshed(underlayProvider, underlay.bridgeName, underlay)).toBeUndefined();
        expect(await refreshed(containerImageProvider, image.image, image)).toBeUndefined();
        // Nothing this lab started is still running: every pidfile was under the state directory, now gone,
        // and no process mentions it on its command line.
        const leftovers = run("ps", "-eo", "args").split("\n").filter((args) => args.includes(stateDir));
        expect(leftovers).toEqual([]);
    });
});
