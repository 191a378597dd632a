// The vagrant driver end to end, through the real Pulumi CLI and the real
// Vagrant: stack multi-l2 (the walk-through's `vagrant up node1 node2`) with
// Vagrant's docker provider standing in for VirtualBox, which cannot run here.
// Node containers come from the image scripts/vagrant-node-image.sh builds from
// Debian's packages; their workloads are network namespaces (ProcessSandbox).
// verify, show and trace run on it through the CLI's functions, over each
// machine's SSH transport. Unique lab id and host-only network; everything is
// removed in afterAll even when a test fails.
import { execFileSync } from "child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LabOutputs, labOutputs } from "../../cli/pulumiWorkspace";
import { showTool } from "../../cli/show";
import { traceTool } from "../../cli/trace";
import { verifyTool } from "../../cli/verify";
import { validateConfig } from "../../components/plan/config";
import { planLab } from "../../components/plan/ipPlan";
import { provisionScript } from "../../components/drivers/remote/provisionScript";
import { renderVagrantfile, vagrantfileSpec } from "../../components/drivers/vagrant/vagrantfile";
import { vagrantEnvironment } from "../../components/commands/vagrant";
import { ensureDocker, DockerEngine } from "../helpers/docker";
import { labContainers } from "../helpers/lab";
import { uniqueLabId } from "../helpers/names";
import { createTestStack, previewChanges, TestStack } from "../helpers/pulumiStack";
import {
    cleanupVagrantLab, dockerNetworkExists, freeHostCidr, nodeImage, vagrantInstalled, vagrantMachinesUnder, vagrantNetworkName,
} from "../helpers/vagrant";

const labId = uniqueLabId();
const stackConfig = parse(readFileSync(join(__dirname, "../../Pulumi.multi-l2.yaml"), "utf8")).config as Record<string, unknown>;
let docker: DockerEngine;
let lab: TestStack;
let stateDir = "";
let hostCidr = "";
let net = ""; // the host-only network's first three octets

const quiet = { onOutput: () => undefined };
const run = (argv: string[], env: Record<string, string> = {}, input?: string) =>
    execFileSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 120_000, env: { ...process.env, ...env }, input });
const nodeContainer = (node: string) => `ovnlab-${labId}-${node}`;
const inNode = (node: string, script: string) => run(["docker", "exec", nodeContainer(node), "bash", "-c", script]);
const vagrant = (args: string[]) => run(["vagrant", ...args], vagrantEnvironment(join(stateDir, "vagrant")));
const seconds = (since: number) => Math.round((Date.now() - since) / 1000);
const configOf = (stack: Record<string, unknown>) => Object.fromEntries(Object.entries(stack).map(([k, v]) => [k.replace(/^ovnlab:/, ""), v]));

function stateFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? stateFiles(join(dir, entry.name)) : entry.name.endsWith(".json") ? [join(dir, entry.name)] : []);
}

/** Three echoes from a workload's network namespace: the first packet to a new tunnel neighbour may be dropped. */
function pings(node: string, from: string, ip: string): boolean {
    try {
        const out = inNode(node, `nsenter -t "$(pgrep -x -f 'ovnlab-${labId}-${from} infinity')" -n ping -c 3 -W 2 -q ${ip}`);
        return !/ 0 packets received/.test(out);
    } catch {
        return false;
    }
}

beforeAll(async () => {
    if (!vagrantInstalled()) throw new Error("vagrant is not installed: bash scripts/setup.sh installs it");
    docker = await ensureDocker();
    const built = nodeImage();
    console.log(`[vagrant e2e] node image ${built.image} ready in ${built.seconds} s`);
    hostCidr = freeHostCidr();
    net = hostCidr.split(".").slice(0, 3).join(".");
    const config = configOf(stackConfig);
    // The stack as written, except what VirtualBox VMs have and docker-provider nodes do not: no kernel datapath, no VirtualBox.
    lab = await createTestStack("multi-l2", {
        ...config, labId, vagrantProvider: "docker", vagrantBox: built.image, datapathType: "netdev", hostCidr, nodeCpus: 1, nodeMemory: 512,
    });
    stateDir = join(lab.dir, ".lab", labId);
});

afterAll(async () => {
    try {
        await lab?.dispose();
    } finally {
        if (stateDir) await cleanupVagrantLab(labId, stateDir, hostCidr);
        await docker?.stop();
    }
});

describe("the Vagrantfiles for the providers that cannot run here", () => {
    it.each(["virtualbox", "libvirt"])("%s: stack multi-l2's Vagrantfile passes `vagrant validate`", (provider) => {
        const dir = mkdtempSync(join(tmpdir(), "ovnlab-vagrantfile-"));
        try {
            const plan = planLab(validateConfig({ ...configOf(stackConfig), vagrantProvider: provider }, "multi-l2"));
            writeFileSync(join(dir, "Vagrantfile"), renderVagrantfile(vagrantfileSpec(plan)));
            // Their provider plugins are not installed: Vagrant checks everything else.
            expect(run(["vagrant", "validate", "--ignore-provider"], vagrantEnvironment(dir))).toContain("Vagrantfile validated successfully");
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("stack multi-l2 on Vagrant (docker provider)", () => {
    it("up: vagrant up node1 node2, provisioning, the OVN central, both chassis and every port bound", async () => {
        const started = Date.now();
        const result = await lab.stack.up(quiet);
        console.log(`[vagrant e2e] pulumi up took ${seconds(started)} s`);

        const vagrantfile = readFileSync(join(stateDir, "vagrant/Vagrantfile"), "utf8");
        expect(vagrantfile).toContain(`node.vm.network "private_network", ip: "${net}.2", subnet: "${hostCidr}"`);
        expect(vagrantfile).toContain(`d.name = "${nodeContainer("node2")}"`);
        for (const node of ["node1", "node2"]) expect(vagrant(["status", node, "--machine-readable"])).toContain(`,${node},state,running`);

        const sb = inNode("node1", "ovn-sbctl show");
        expect(sb).toMatch(new RegExp(`Chassis ${labId}-node1[\\s\\S]*Encap geneve[\\s\\S]*ip: "${net.replace(/\./g, "\\.")}\\.2"`));
        expect(sb).toMatch(new RegExp(`Chassis ${labId}-node2[\\s\\S]*ip: "${net.replace(/\./g, "\\.")}\\.3"`));
        for (const port of ["netsho1", "netsho2", "netsho3", "nginx1", "netsho4"]) expect(sb).toContain(`Port_Binding ${port}`);
        // The central listens on its underlay address, as the walk-through's set-connection.
        expect(inNode("node1", "ovn-nbctl get-connection")).toContain(`ptcp:6641:${net}.2`);

        expect(result.outputs.central.value).toMatchObject({ nb: `tcp:${net}.2:6641`, sb: `tcp:${net}.2:6642` });
        const nodes = result.outputs.nodes.value as { name: string; ssh: string }[];
        expect(nodes[0].ssh).toBe(`VAGRANT_CWD=${stateDir}/vagrant vagrant ssh node1`);
    });

    it("keeps the SSH settings (the machines' key) out of plain state", () => {
        // The state files themselves: the Automation API's exportStack decrypts (--show-secrets).
        const files = stateFiles(join(lab.dir, ".pulumi-state"));
        const state = files.map((file) => readFileSync(file, "utf8")).join("\n");
        expect(state).toContain("ovnlab:vagrant:Machine");
        expect(state).toContain("ciphertext");
        expect(state).not.toContain("private_key");
        // Every SSH transport (the machines', and each resource's that runs over one: chassis, plugs, NB rows) is
        // ciphertext: a transport in clear text would show its identityFile key.
        expect(state).not.toContain("identityFile");
    });

    it("workloads ping on the same node and across nodes (through lr0 and a Geneve tunnel)", () => {
        expect(pings("node1", "netsho1", "10.244.1.4")).toBe(true);
        expect(pings("node1", "netsho1", "10.244.2.3")).toBe(true);
        expect(pings("node2", "netsho4", "10.244.1.6")).toBe(true);
        expect(pings("node2", "netsho4", "10.244.2.1")).toBe(true);
    });

    it("the exec output opens the workload's namespace through vagrant ssh", async () => {
        const outputs = await lab.stack.outputs();
        const netsho4 = (outputs.containers.value as { name: string; exec: string }[]).find((c) => c.name === "netsho4")!;
        const match = /^VAGRANT_CWD=\S+ vagrant ssh node2 -c 'sudo nsenter -t (\d+) -n bash'$/.exec(netsho4.exec);
        expect(match).not.toBeNull();
        expect(vagrant(["ssh", "node2", "-c", `sudo nsenter -t ${match![1]} -n ip -4 -o addr show dev eth0`])).toContain("10.244.2.3/24");
    });

    const WORKLOADS = ["netsho1", "netsho2", "netsho3", "nginx1", "netsho4"];
    const labNow = async (): Promise<LabOutputs> => labOutputs("multi-l2", await lab.stack.outputs());
    /** The PID in a workload's exec output (`... nsenter -t PID -n bash`). */
    const execPid = (outputs: LabOutputs, name: string) => Number(/nsenter -t (\d+) -n/.exec(outputs.containers.find((c) => c.name === name)!.exec!)![1]);

    it("verify: all 20 pairs ping, each from the sender's sandbox namespace (PID found by pgrep) over its machine's ssh; exit 0", async () => {
        const outputs = await labNow();
        const { exitCode, output, report } = await verifyTool("multi-l2", outputs, { json: false });
        expect(report.workloads.map((w) => [w.name, w.node, w.kind])).toEqual(WORKLOADS.map((w) => [w, w === "netsho4" ? "node2" : "node1", "process"]));
        expect(report.lookups.map((l) => [l.workload, l.pid])).toEqual(WORKLOADS.map((w) => [w, execPid(outputs, w)]));
        expect(report.lookups[0].command).toMatch(/^ssh -i \S+ -p \d+ .* -- 'sudo -n pgrep -x -f /);
        expect(report.lookups[0].command).toContain(`ovnlab-${labId}-netsho1 infinity`);
        expect(report.results).toHaveLength(20);
        expect(report.failures).toEqual([]);
        expect(exitCode).toBe(0);
        const across = report.results.find((r) => r.from === "netsho4" && r.to === "netsho1")!;
        expect(across.received).toBeGreaterThan(0);
        expect(across.command).toMatch(new RegExp(`^ssh .* -- 'sudo -n nsenter -t ${execPid(outputs, "netsho4")} -n ping -c 3 -W 2 -q 10\\.244\\.1\\.3'$`));
        expect(output).toMatch(/^netsho4 +(ok [123]\/3 +){4}-$/m);
        expect(output).toContain("\n20 passed, 0 failed\n");
    });

    it("show --json: each machine's own OVS over ssh (br-int secure, OVN's rules, no learned MACs), NB and SB in node1; exit 0", async () => {
        const { exitCode, output } = await showTool("multi-l2", await labNow(), { json: true });
        type Probe = { command: string; exitCode: number; output: string };
        const report = JSON.parse(output) as {
            healthy: boolean; problems: string[];
            nodes: { name: string; via: string; openflow: { rules: number }; macTable: unknown[]; probes: Record<string, Probe> }[];
            central: { node: string; probes: Record<string, Probe> };
        };
        expect(report.problems).toEqual([]);
        expect(report.healthy).toBe(true);
        expect(exitCode).toBe(0);
        expect(report.nodes.map((n) => [n.name, n.via])).toEqual(["node1", "node2"].map((n) => [n, `VAGRANT_CWD=${stateDir}/vagrant vagrant ssh ${n}`]));
        for (const node of report.nodes) {
            expect(node.probes.bridges.command).toMatch(/^ssh .* -- 'sudo -n ovs-vsctl --timeout=20 show'$/);
            expect(node.probes.bridges.output).toMatch(/Bridge br-int\n\s+fail_mode: secure/);
            expect(node.probes.bridges.output).toContain("Bridge br-phy");
            expect(node.probes.openflow.command).toMatch(/'sudo -n ovs-ofctl dump-flows br-int'$/);
            expect(node.openflow.rules).toBeGreaterThan(100);
            expect(node.probes.datapathFlows.exitCode).toBe(0);
            expect(node.probes.macTable.exitCode).toBe(0);
            expect(node.macTable).toEqual([]);
        }
        expect(report.central.node).toBe("node1");
        const { northbound, southbound } = report.central.probes;
        expect(southbound.command).toMatch(/'sudo -n ovn-sbctl --db=unix:\/var\/run\/ovn\/ovnsb_db\.sock --timeout=20 show'$/);
        expect(southbound.output).toMatch(new RegExp(`Chassis "?${labId}-node1"?[\\s\\S]*Port_Binding "?nginx1"?`));
        expect(southbound.output).toMatch(new RegExp(`Chassis "?${labId}-node2"?\\n(\\s+.*\\n)*\\s+Port_Binding "?netsho4"?`));
        for (const text of ["(lr0)", "(ls-node1)", "(ls-node2)", "router-port: lr-node2"]) expect(northbound.output).toContain(text);
    });

    it("trace netsho1 -> netsho4, run in the central machine: ls-node1, lr0, ls-node2, out of netsho4's port; exit 0", async () => {
        const { exitCode, output, report } = await traceTool("multi-l2", await labNow(), "netsho1", "netsho4", { json: false, detailed: false });
        expect(report.route.hops).toEqual([
            { datapath: "ls-node1", inport: "netsho1", outports: ["ls-node1-lr"] },
            { datapath: "lr0", inport: "lr-node1", outports: ["lr-node2"] },
            { datapath: "ls-node2", inport: "ls-node2-lr", outports: ["netsho4"] },
        ]);
        expect(report.route.delivered).toEqual(["netsho4"]);
        expect(exitCode).toBe(0);
        expect(report.centralNode).toBe("node1");
        expect(report.command).toMatch(/^ssh .* -- 'sudo -n ovn-trace --db=unix:\/var\/run\/ovn\/ovnsb_db\.sock --summary ls-node1 /);
        expect(output).toContain("netsho1 (10.244.1.3, node1) -> netsho4 (10.244.2.3, node2): delivered to netsho4\npath: ls-node1 [netsho1 -> ls-node1-lr] -> lr0 [lr-node1 -> lr-node2] -> ls-node2 [ls-node2-lr -> netsho4]\n");
    });

    it("a sandbox killed by hand: verify names netsho2's 8 pairs and exits 1; up --refresh brings it back and verify passes", async () => {
        inNode("node1", `kill "$(pgrep -x -f 'ovnlab-${labId}-netsho2 infinity')"`);
        const broken = await verifyTool("multi-l2", await labNow(), { json: true });
        expect(broken.exitCode).toBe(1);
        const json = JSON.parse(broken.output) as typeof broken.report & { healthy: boolean };
        expect(json.healthy).toBe(false);
        expect(json.lookups.find((l) => l.workload === "netsho2")).toMatchObject({ node: "node1", error: `no process named ovnlab-${labId}-netsho2` });
        expect(json.failures.map((f) => `${f.from}>${f.to}`).sort()).toEqual(
            WORKLOADS.filter((w) => w !== "netsho2").flatMap((w) => [`${w}>netsho2`, `netsho2>${w}`]).sort());
        expect(json.failures.find((f) => f.from === "netsho2")!.error).toBe("netsho2's sandbox process is not running on node1");
        expect(json).toMatchObject({ passed: 12, failed: 8 });

        await lab.stack.up({ ...quiet, refresh: true });
        const repaired = await verifyTool("multi-l2", await labNow(), { json: true });
        expect(repaired.report.failures).toEqual([]);
        expect(repaired.exitCode).toBe(0);
    });

    it("re-provisioning changes nothing, and a second preview shows no changes", async () => {
        const script = provisionScript({
            node: "node2", central: false, ovn: true, dockerWorkloads: false, bridge: "br-int", datapathType: "netdev", underlayCidr: `${net}.3/24`,
        });
        const again = run(["docker", "exec", "-i", nodeContainer("node2"), "bash", "-s"], {}, script);
        expect(again.trim().split("\n")).toEqual(["ovnlab-provision: 0 changed"]);
        expect(Object.keys(await previewChanges(lab.stack))).toEqual(["same"]);
    });

    it("a node destroyed by hand: refresh notices, up brings it back with its workload and ping", async () => {
        vagrant(["destroy", "--force", "node2"]);
        const refresh = await lab.stack.refresh(quiet);
        expect(refresh.summary.resourceChanges?.delete ?? 0).toBeGreaterThan(0);
        const started = Date.now();
        await lab.stack.up(quiet);
        console.log(`[vagrant e2e] re-creating node2 took ${seconds(started)} s`);
        expect(vagrant(["status", "node2", "--machine-readable"])).toContain(",node2,state,running");
        expect(pings("node1", "netsho1", "10.244.2.3")).toBe(true);
        expect(Object.keys(await previewChanges(lab.stack))).toEqual(["same"]);
    });

    it("destroy: vagrant destroys both machines and nothing is left", async () => {
        const projectDir = join(stateDir, "vagrant");
        const started = Date.now();
        await lab.stack.destroy(quiet);
        console.log(`[vagrant e2e] pulumi destroy took ${seconds(started)} s`);
        expect(vagrantMachinesUnder(projectDir)).toEqual([]);
        expect(labContainers(labId)).toEqual([]);
        expect(dockerNetworkExists(vagrantNetworkName(hostCidr))).toBe(false);
        expect(existsSync(stateDir)).toBe(false);
    });
});
