// The ssh driver end to end, through the real Pulumi CLI: two SSH hosts the
// test starts itself (containers of the node image running sshd, a fresh key
// pair authorised in them, ssh on Docker's default bridge, the underlay on a
// network of the test's own), a two-node multi-l2 lab on them, verify, show and
// trace through each host's ssh line, a killed ovn-controller repaired, and a
// destroy that leaves both hosts as they were apart from packages. First, the
// preflight: a host that refuses the key, one whose user has no sudo and one
// that does not answer stop `up` before anything anywhere is made. Hosts and
// network are removed by id in afterAll, even after a failure.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LabOutputs, labOutputs } from "../../cli/pulumiWorkspace";
import { capture } from "../../cli/capture";
import { showTool } from "../../cli/show";
import { traceTool } from "../../cli/trace";
import { verifyTool } from "../../cli/verify";
import { ensureDocker, DockerEngine } from "../helpers/docker";
import { uniqueLabId } from "../helpers/names";
import { createTestStack, previewChanges, TestStack } from "../helpers/pulumiStack";
import { hostSnapshot, SshHostsFixture, startSshHosts } from "../helpers/sshHosts";
import { freeHostCidr, nodeImage } from "../helpers/vagrant";

const labId = uniqueLabId();
const STACK = "ssh-hosts";
let docker: DockerEngine;
let fixture: SshHostsFixture;
let lab: TestStack;
let refused: TestStack;
let before: ReturnType<typeof hostSnapshot>[] = [];
const quiet = { onOutput: () => undefined };
const seconds = (since: number) => Math.round((Date.now() - since) / 1000);
const labNow = async (): Promise<LabOutputs> => labOutputs(STACK, await lab.stack.outputs());
const daemons = (i: number) => fixture.exec(fixture.hosts[i], "pgrep -l -x 'ovsdb-server|ovs-vswitchd|ovn-northd|ovn-controller' | awk '{ print $2 }' | sort | tr '\\n' ' ' || true").trim();

beforeAll(async () => {
    docker = await ensureDocker();
    const started = Date.now();
    const { image } = nodeImage();
    const hostCidr = freeHostCidr();
    fixture = startSshHosts(`ovnlab-${labId}`, image, 3, hostCidr);
    before = fixture.hosts.map((h) => hostSnapshot(fixture, h));
    console.log(`[ssh e2e] 3 SSH hosts on ${hostCidr} in ${seconds(started)} s`);
    const [host1, host2] = fixture.hosts;
    lab = await createTestStack(STACK, {
        driver: "ssh", labId, hostCidr,
        sshHosts: [
            { node: "node1", address: host1.address, user: "root", keyFile: fixture.keyFile, sudo: false, underlayIp: host1.underlayIp },
            { node: "node2", address: host2.address, port: 22, user: "debian", keyFile: fixture.keyFile, underlayIp: host2.underlayIp },
        ],
    });
});

afterAll(async () => {
    try {
        await refused?.dispose();
        await lab?.dispose();
    } finally {
        fixture?.remove();
        await docker?.stop();
    }
});

describe("the preflight", () => {
    it("a host refusing the key, a user without sudo, a host not answering: up fails naming each, before anything anywhere is made", async () => {
        const [host1, host2, host3] = fixture.hosts;
        const net = fixture.hostCidr.split(".").slice(0, 3).join(".");
        refused = await createTestStack("ssh-refused", {
            driver: "ssh", labId: `${labId}r`, hostCidr: fixture.hostCidr,
            sshHosts: [
                { node: "node1", address: host1.address, user: "root", keyFile: fixture.keyFile, underlayIp: host1.underlayIp },
                { node: "node2", address: host2.address, user: "root", keyFile: fixture.strangerKeyFile, underlayIp: host2.underlayIp },
                { node: "node3", address: host3.address, user: "nosudo", keyFile: fixture.keyFile, underlayIp: host3.underlayIp },
                // An address of the test's own network that no container holds.
                { node: "node4", address: `${net}.250`, user: "root", keyFile: fixture.keyFile, underlayIp: `${net}.251` },
            ],
        });
        // The preview fails the same way (the preflight runs in the program, before any resource is registered).
        const previewed = await refused.stack.preview().then(() => undefined, (e: Error) => e);
        expect(String(previewed?.message)).toContain("ssh driver preflight: 3 problems, nothing was changed on any host:");
        const started = Date.now();
        const failure = await refused.stack.up(quiet).then(() => undefined, (e: Error) => e);
        console.log(`[ssh e2e] the refused up failed in ${seconds(started)} s`);
        expect(failure).toBeDefined();
        const message = String(failure!.message);
        console.log(`[ssh e2e] ${message.slice(message.indexOf("ssh driver preflight"), message.indexOf("- node4") + 200)}`);
        expect(message).toContain("ssh driver preflight: 3 problems, nothing was changed on any host:");
        expect(message).toContain(`- node2 (root@${host2.address}:22): the host refused the key ${fixture.strangerKeyFile} for user root (`);
        expect(message).toMatch(/Permission denied \(publickey/);
        expect(message).toContain(`- node3 (nosudo@${host3.address}:22): user nosudo cannot run commands as root without a password (sudo -n: sudo: a password is required)`);
        expect(message).toContain(`- node4 (root@${net}.250:22): unreachable (`);
        expect(message).not.toContain("- node1 (");
        // Nothing was registered: the stack holds no resource, and no host changed.
        const deployment = (await refused.stack.exportStack()).deployment as { resources?: { type: string }[] };
        expect((deployment.resources ?? []).filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
        fixture.hosts.forEach((h, i) => expect(hostSnapshot(fixture, h), h.name).toEqual(before[i]));
        expect(daemons(0)).toBe("");
    });
});

describe("stack ssh-hosts: a two-node multi-l2 lab on the SSH hosts", () => {
    it("up: both hosts provisioned over ssh (root, and a sudo user), the central on node1, every port bound", async () => {
        const started = Date.now();
        const result = await lab.stack.up(quiet);
        console.log(`[ssh e2e] pulumi up took ${seconds(started)} s`);
        const [host1, host2] = fixture.hosts;
        const knownHosts = `${lab.dir}/.lab/${labId}/ssh_known_hosts`;
        const nodes = result.outputs.nodes.value as { name: string; ssh: string; underlayIp: string; workloads: string }[];
        expect(nodes.map((n) => [n.name, n.ssh, n.underlayIp, n.workloads])).toEqual([
            ["node1", `ssh -i ${fixture.keyFile} -p 22 -o UserKnownHostsFile=${knownHosts} root@${host1.address}`, host1.underlayIp, "process"],
            ["node2", `ssh -t -i ${fixture.keyFile} -p 22 -o UserKnownHostsFile=${knownHosts} debian@${host2.address} sudo -i`, host2.underlayIp, "process"],
        ]);
        expect(result.outputs.central.value).toMatchObject({ nb: `tcp:${host1.underlayIp}:6641`, sb: `tcp:${host1.underlayIp}:6642` });
        const sb = fixture.exec(host1, "ovn-sbctl show");
        expect(sb).toMatch(new RegExp(`Chassis "?${labId}-node2"?[\\s\\S]*ip: "${host2.underlayIp.replace(/\./g, "\\.")}"`));
        for (const port of ["netsho1", "netsho2", "netsho3", "netsho4"]) expect(sb).toContain(`Port_Binding ${port}`);
        // The underlay address moved onto br-phy (userspace datapath); ssh still arrives on eth0.
        expect(fixture.exec(host2, "ip -o -4 addr show dev br-phy")).toContain(`inet ${host2.underlayIp}/24`);
        expect(daemons(0)).toBe("ovn-controller ovn-northd ovs-vswitchd ovsdb-server ovsdb-server ovsdb-server");
        expect(daemons(1)).toBe("ovn-controller ovs-vswitchd ovsdb-server");
    });

    it("verify: all 12 pairs ping, each from its sandbox over its host's ssh (root on node1, sudo -n on node2); exit 0", async () => {
        const { exitCode, output, report } = await verifyTool(STACK, await labNow(), { json: false });
        expect(report.failures).toEqual([]);
        expect(report.results).toHaveLength(12);
        expect(exitCode).toBe(0);
        const across = report.results.find((r) => r.from === "netsho4" && r.to === "netsho1")!;
        expect(across.received).toBeGreaterThan(0);
        expect(across.command).toMatch(/^ssh -i \S+ -p 22 .*UserKnownHostsFile=\S+ .* debian@\S+ -- 'sudo -n nsenter -t \d+ -n ping -c 3 -W 2 -q 10\.244\.1\.3'$/);
        const fromNode1 = report.results.find((r) => r.from === "netsho1" && r.to === "netsho3")!;
        expect(fromNode1.command).toMatch(/ root@\S+ -- 'nsenter -t \d+ -n ping /);
        expect(output).toContain("\n12 passed, 0 failed\n");
    });

    it("show and trace reach the hosts through their ssh lines: healthy, netsho1 -> netsho4 delivered", async () => {
        const shown = await showTool(STACK, await labNow(), { json: true });
        const report = JSON.parse(shown.output) as { healthy: boolean; problems: string[]; nodes: { name: string; via: string; probes: Record<string, { output: string }> }[] };
        expect(report.problems).toEqual([]);
        expect(shown.exitCode).toBe(0);
        expect(report.nodes.map((n) => n.via)).toEqual((await labNow()).nodes.map((n) => n.ssh));
        expect(report.nodes[1].probes.bridges.output).toMatch(/Bridge br-int\n\s+fail_mode: secure/);
        const traced = await traceTool(STACK, await labNow(), "netsho1", "netsho4", { json: false, detailed: false });
        expect(traced.report.route.delivered).toEqual(["netsho4"]);
        expect(traced.exitCode).toBe(0);
    });

    it("capture on netsho3's port on node2, over its ssh line: the echo requests netsho1 sends from node1", async () => {
        const [host1] = fixture.hosts;
        let listening!: () => void;
        const ready = new Promise<void>((resolve) => (listening = resolve));
        let stderr = "";
        const capturing = capture(STACK, await labNow(), { target: "netsho3", filter: ["icmp"], tunnel: false, json: true, timeoutSeconds: 60, count: 2 }, {
            onStderr: (text) => {
                stderr += text;
                if (/listening on/.test(stderr)) listening();
            },
        });
        await Promise.race([ready, capturing]);
        fixture.exec(host1, `nsenter -t "$(pgrep -x -f 'ovnlab-${labId}-netsho1 infinity')" -n ping -c 4 -W 2 -q 10.244.2.3`);
        const summary = await capturing;
        expect(summary).toMatchObject({ node: "node2", container: "netsho3", interface: "c-netsho3", packets: 2, timedOut: false });
        expect(summary.command).toMatch(/^ssh -i \S+ -p 22 .* debian@\S+ -- 'sudo -n timeout -s INT 60 tcpdump -i c-netsho3 /);
        expect(summary.lines!.some((line) => line.includes("10.244.1.3 > 10.244.2.3: ICMP echo request"))).toBe(true);
    });

    it("ovn-controller killed on node2 by its pidfile: refresh sees it, up restarts it, node1 pings node2's workloads again", async () => {
        const [, host2] = fixture.hosts;
        fixture.exec(host2, "kill $(cat /var/run/ovn/ovn-controller.pid); for i in $(seq 50); do pgrep -x ovn-controller >/dev/null || exit 0; sleep 0.1; done; exit 1");
        await lab.stack.refresh(quiet);
        const changes = await previewChanges(lab.stack);
        expect(changes.update).toBeGreaterThan(0);
        const started = Date.now();
        await lab.stack.up(quiet);
        console.log(`[ssh e2e] repair up took ${seconds(started)} s`);
        expect(daemons(1)).toBe("ovn-controller ovs-vswitchd ovsdb-server");
        const { report, exitCode } = await verifyTool(STACK, await labNow(), { json: true });
        expect(report.failures).toEqual([]);
        expect(exitCode).toBe(0);
        expect(Object.keys(await previewChanges(lab.stack))).toEqual(["same"]);
    });

    it("destroy: both hosts as they were (links, addresses, routes, processes): no bridges, daemons or sandboxes left", async () => {
        const started = Date.now();
        await lab.stack.destroy(quiet);
        console.log(`[ssh e2e] pulumi destroy took ${seconds(started)} s`);
        for (const i of [0, 1]) {
            expect(hostSnapshot(fixture, fixture.hosts[i]), fixture.hosts[i].name).toEqual(before[i]);
            expect(daemons(i)).toBe("");
            expect(fixture.exec(fixture.hosts[i], `pgrep -f 'ovnlab-${labId}-' || true`)).toBe("");
        }
    });
});
