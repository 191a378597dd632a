// The vagrant driver end to end, through the real Pulumi CLI and the real
// Vagrant: stack multi-l2 (the walk-through's `vagrant up node1 node2`) with
// Vagrant's docker provider standing in for VirtualBox, which cannot run here.
// Node containers come from the image scripts/vagrant-node-image.sh builds from
// Debian's packages; their workloads are network namespaces (ProcessSandbox).
// Unique lab id and host-only network; everything is removed in afterAll even
// when a test fails.
import { execFileSync } from "child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateConfig } from "../../components/plan/config";
import { planLab } from "../../components/plan/ipPlan";
import { provisionScript } from "../../components/drivers/vagrant/provisionScript";
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
