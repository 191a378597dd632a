// Looking inside a dev-config lab brought up through the real Pulumi CLI, with
// the functions behind `npm run verify`, `npm run show`, `npm run trace` and
// `npm run diagram` (and `diagram --live`: a real refresh preview and dot),
// running the real docker exec ping, ovs-vsctl, ovs-ofctl, ovs-appctl,
// ovn-appctl, ovn-nbctl, ovn-sbctl and ovn-trace; their --json output and exit
// status on a healthy lab and on one broken by hand. Unique lab id; everything
// is removed in afterAll even on failure.
import { execFileSync, spawnSync } from "child_process";
import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { LabOutputs, labOutputs, stackFileConfig } from "../../cli/pulumiWorkspace";
import { renderShow } from "../../cli/inspectCommands";
import type { LabHealth } from "../../cli/labHealth";
import { diagramLive } from "../../cli/liveDiagram";
import { inspectLab, showTool } from "../../cli/show";
import { topologyFromPlan, withDeployment } from "../../cli/topologyDiagram";
import { renderTrace, traceEcho, traceTool } from "../../cli/trace";
import { verifyTool } from "../../cli/verify";
import { validateConfig } from "../../components/plan/config";
import { planLab } from "../../components/plan/ipPlan";
import { labContainers, labIptablesRules, labLinks, labNamespaces } from "../helpers/lab";
import { TestStack } from "../helpers/pulumiStack";
import { useTestLab } from "../helpers/testLab";

let lab: TestStack | undefined;
let stateDir = "";
let outputs: LabOutputs;

const quiet = { onOutput: () => undefined };

const t = useTestLab("dev", stackFileConfig("dev"));
const labId = t.labId;
const config = { ...stackFileConfig("dev"), labId };
beforeAll(async () => {
    lab = t.lab;
    stateDir = t.stateDir;
    outputs = labOutputs("dev", (await lab.stack.up(quiet)).outputs);
});

describe("show, trace and diagram on a dev lab", () => {
    it("show: secure br-ints full of OVN's rules, both chassis in the SB, the topology in the NB", async () => {
        // A ping first, so the last assertion means something: OVN's flows never use the NORMAL action's MAC learning.
        execFileSync("docker", ["exec", `ovnlab-${labId}-netsho1`, "ping", "-c", "3", "-W", "2", "-q", "10.244.1.4"], { timeout: 30_000 });
        const report = await inspectLab("dev", outputs);
        expect(report.nodes.map((n) => n.name)).toEqual(["node1", "node2"]);
        for (const node of report.nodes) {
            expect(node.probes.bridges.output).toMatch(/Bridge br-int\n\s+fail_mode: secure/);
            expect(node.openflow.rules).toBeGreaterThan(100);
            expect(node.probes.datapathFlows.exitCode).toBe(0);
            expect(node.macTable).toEqual([]);
        }
        const sb = report.central!.probes.southbound.output;
        expect(sb).toMatch(new RegExp(`Chassis ${labId}-node1[\\s\\S]*Port_Binding netsho1`));
        expect(sb).toMatch(new RegExp(`Chassis ${labId}-node2[\\s\\S]*Port_Binding netsho3`));
        const nb = report.central!.probes.northbound.output;
        for (const name of ["(lr0)", "(ls-node1)", "(ls-node2)", 'mac: "00:00:00:01:01:01"', "router-port: lr-node2"]) expect(nb).toContain(name);
    });

    it("trace netsho1 -> netsho3: ls-node1, router lr0, ls-node2, out of netsho3's port", async () => {
        const report = await traceEcho("dev", outputs, "netsho1", "netsho3", { detailed: true });
        expect(report.microflow).toBe('inport == "netsho1" && eth.src == 02:00:00:00:01:03 && eth.dst == 00:00:00:01:01:01 && ip4.src == 10.244.1.3 && ip4.dst == 10.244.2.3 && ip.ttl == 64 && icmp4.type == 8');
        expect(report.route.hops).toEqual([
            { datapath: "ls-node1", inport: "netsho1", outports: ["ls-node1-lr"] },
            { datapath: "lr0", inport: "lr-node1", outports: ["lr-node2"] },
            { datapath: "ls-node2", inport: "ls-node2-lr", outports: ["netsho3"] },
        ]);
        expect(report.route.delivered).toEqual(["netsho3"]);
        expect(report.summary).toContain('/* output to "netsho3", type "" */');
        expect(report.detailed).toMatch(/lr_in_ip_routing[\s\S]*ip4.dst == 10.244.2.0\/24/);
        expect(renderTrace(report)).toContain("netsho1 (10.244.1.3, node1) -> netsho3 (10.244.2.3, node2): delivered to netsho3\npath: ls-node1 [netsho1 -> ls-node1-lr] -> lr0 [lr-node1 -> lr-node2] -> ls-node2 [ls-node2-lr -> netsho3]\n");
    });

    it("trace netsho1 -> netsho2 stays in ls-node1", async () => {
        const report = await traceEcho("dev", outputs, "netsho1", "netsho2");
        expect(report.route.hops).toEqual([{ datapath: "ls-node1", inport: "netsho1", outports: ["netsho2"] }]);
        expect(report.route.delivered).toEqual(["netsho2"]);
    });

    it("diagram: the deployed stack has every planned node and container", () => {
        const deployed = withDeployment(topologyFromPlan(planLab(validateConfig(config, "dev")), "dev"), outputs);
        expect(deployed.nodes.map((n) => [n.name, n.deployed, n.namespace])).toEqual([["node1", true, `ovnlab-${labId}-node1`], ["node2", true, `ovnlab-${labId}-node2`]]);
        expect(deployed.nodes.flatMap((n) => n.containers.map((c) => c.deployed))).toEqual([true, true, true, true]);
    });

    it("verify --json: all 12 pairs ping, each through docker exec on this host; exit 0", async () => {
        const { exitCode, output, report } = await verifyTool("dev", outputs, { json: true });
        const json = JSON.parse(output) as typeof report & { healthy: boolean };
        expect(exitCode).toBe(0);
        expect(json).toMatchObject({ stack: "dev", healthy: true, passed: 12, failed: 0, failures: [], lookups: [] });
        expect(json.workloads.map((w) => [w.name, w.kind])).toEqual([["netsho1", "docker"], ["netsho2", "docker"], ["netsho3", "docker"], ["netsho4", "docker"]]);
        expect(json.results.every((r) => r.received > 0)).toBe(true);
        expect(json.results.find((r) => r.from === "netsho1" && r.to === "netsho3")!.command).toBe(`docker exec ovnlab-${labId}-netsho1 ping -c 3 -W 2 -q 10.244.2.3`);
        const text = (await verifyTool("dev", outputs, { json: false })).output;
        expect(text).toContain(`$ docker exec ovnlab-${labId}-netsho4 ping -c 3 -W 2 -q 10.244.1.3    # netsho4 -> netsho1: ok `);
        expect(text).toContain("\n12 passed, 0 failed\n");
    });

    it("show --json and trace --json on the healthy lab: no problems, delivered; exit 0", async () => {
        const show = await showTool("dev", outputs, { json: true });
        expect(show.exitCode).toBe(0);
        const shown = JSON.parse(show.output) as { healthy: boolean; problems: string[]; nodes: { name: string; via: string; chassis: string }[]; central: { node: string } };
        expect(shown).toMatchObject({ healthy: true, problems: [], central: { node: "node1" } });
        expect(shown.nodes.map((n) => [n.name, n.via, n.chassis])).toEqual([["node1", `netns ovnlab-${labId}-node1`, `${labId}-node1`], ["node2", `netns ovnlab-${labId}-node2`, `${labId}-node2`]]);
        expect(renderShow(show.report)).toContain("\n== health: no problems found\n");
        const trace = await traceTool("dev", outputs, "netsho1", "netsho4", { json: true, detailed: false });
        expect(trace.exitCode).toBe(0);
        const traced = JSON.parse(trace.output) as { delivered: boolean; centralNode: string; command: string; route: { delivered: string[] } };
        expect(traced).toMatchObject({ delivered: true, centralNode: "node1", route: { delivered: ["netsho4"] } });
        expect(traced.command).toMatch(/^ovn-trace --db=unix:\S+\/ovnsb_db\.sock --summary ls-node1 'inport == "netsho1" && /);
    });

    it("a lab broken by hand (netsho2 stopped, netsho3's logical port deleted): verify, show and trace say what and exit 1", async () => {
        execFileSync("docker", ["stop", "-t", "1", `ovnlab-${labId}-netsho2`], { timeout: 60_000 });
        execFileSync("ovn-nbctl", [`--db=${outputs.central!.nbSocket}`, "lsp-del", "netsho3"], { timeout: 30_000 });

        const verify = await verifyTool("dev", outputs, { json: false });
        expect(verify.exitCode).toBe(1);
        const failed = verify.report.failures.map((f) => `${f.from}>${f.to}`);
        // Every ping from the stopped container, and every one to or from netsho3, whose port is gone.
        const required = ["netsho2>netsho1", "netsho2>netsho3", "netsho2>netsho4", "netsho1>netsho3", "netsho3>netsho1", "netsho3>netsho2", "netsho3>netsho4", "netsho4>netsho3"];
        expect(failed.filter((pair) => required.includes(pair)).sort(), verify.output).toEqual([...required].sort());
        // Echoes to the stopped netsho2 may still come back: its network namespace outlives the container for a while.
        expect(failed.filter((pair) => !required.includes(pair)).every((pair) => pair.endsWith(">netsho2")), verify.output).toBe(true);
        expect(verify.report.passed + verify.report.failed).toBe(12);
        expect(verify.output).toContain(`\n${verify.report.passed} passed, ${verify.report.failed} failed\n`);
        expect(verify.output).toMatch(/\nFAIL netsho2 -> netsho1 \(10\.244\.1\.3\): 0\/0 echoes came back: .*is not running/);
        expect(verify.output).toMatch(/\nFAIL netsho1 -> netsho3 \(10\.244\.2\.3\): 0\/3 echoes came back/);
        expect(verify.output).toMatch(/^netsho2 +FAIL 0\/0 +- +FAIL 0\/0 +FAIL 0\/0$/m);
        expect(verify.output).toMatch(/^netsho4 +ok [123]\/3 +\S+ \d\/3 +FAIL 0\/3 +-$/m);

        const show = await showTool("dev", outputs, { json: true });
        expect(show.exitCode).toBe(1);
        const shown = JSON.parse(show.output) as { healthy: boolean; problems: string[] };
        expect(shown.healthy).toBe(false);
        expect(shown.problems).toContain("netsho3: logical port netsho3 is bound to no chassis (not claimed by node2's ovn-controller)");

        const trace = await traceTool("dev", outputs, "netsho1", "netsho3", { json: true, detailed: false });
        expect(trace.exitCode).toBe(1);
        const traced = JSON.parse(trace.output) as { delivered: boolean; route: { delivered: string[]; hops: { datapath: string }[] } };
        expect(traced.delivered).toBe(false);
        expect(traced.route.delivered).toEqual([]);
        expect(traced.route.hops[0].datapath).toBe("ls-node1");
    });

    it("after up --refresh repairs it, verify passes again", async () => {
        await lab!.stack.up({ ...quiet, refresh: true });
        const { exitCode, report } = await verifyTool("dev", outputs, { json: true });
        expect(report.failures).toEqual([]);
        expect(exitCode).toBe(0);
    });

    it("diagram --live: healthy, exit 0 and an SVG of every node; netsho3's OVS interface deleted and node1's ovn-controller killed: exit 1, exactly those two marked; up repairs it", async () => {
        const outDir = join(lab!.dir, "diagram-live");
        const live = async () => {
            const run = await diagramLive(lab!.stack, outputs, { json: true, outDir });
            return { ...run, json: JSON.parse(run.output) as LabHealth & { files: string[] } };
        };
        const healthy = await live();
        expect(healthy.json.problems, healthy.output).toEqual([]);
        expect(healthy.exitCode).toBe(0);
        expect(healthy.json).toMatchObject({ healthy: true, unhealthy: [], drift: [], central: { node: "node1", healthy: true } });
        expect(healthy.json.nodes.map((n) => n.daemons.map((d) => `${d.daemon} ${d.alive}`))).toEqual([
            ["ovsdb-server true", "ovs-vswitchd true", "ovn-controller true"], ["ovsdb-server true", "ovs-vswitchd true", "ovn-controller true"],
        ]);
        expect(healthy.json.workloads.map((w) => [w.name, w.port.bound, w.port.chassis])).toEqual([
            ["netsho1", true, `${labId}-node1`], ["netsho2", true, `${labId}-node1`], ["netsho3", true, `${labId}-node2`], ["netsho4", true, `${labId}-node2`],
        ]);
        expect(healthy.json.commands[0].command).toBe(`pulumi --cwd ${lab!.dir} refresh --preview-only --stack dev`);
        expect(healthy.files.map((f) => f.slice(outDir.length + 1))).toEqual(["topology-dev-live.md", "topology-dev-live.dot", "topology-dev-live.svg", "topology-dev-live.json"]);
        const svgFile = join(outDir, "topology-dev-live.svg");
        execFileSync("python3", ["-c", "import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])", svgFile]);
        const svg = readFileSync(svgFile, "utf8");
        for (const text of ["node1", "node2", "netsho1", "netsho4", "live: healthy", "legend"]) expect(svg).toContain(text);
        expect(readFileSync(join(outDir, "topology-dev-live.md"), "utf8")).toContain("```mermaid\n%% stack dev");

        const [node1, node2] = outputs.nodes;
        execFileSync("ip", ["netns", "exec", node2.namespace!, "ovs-vsctl", `--db=${node2.ovsDb}`, "del-port", "br-int", "c-netsho3"], { timeout: 30_000 });
        process.kill(Number(readFileSync(join(node1.runDir!, "ovn-controller.pid"), "utf8").trim()), "SIGKILL");
        const broken = await live();
        expect(broken.exitCode, broken.output).toBe(1);
        expect(broken.json.healthy).toBe(false);
        expect([...broken.json.unhealthy].sort()).toEqual(["node node1", "workload netsho3"]);
        expect(broken.json.nodes[0].daemons.find((d) => d.daemon === "ovn-controller")).toMatchObject({ alive: false });
        expect(broken.json.nodes[1].healthy).toBe(true);
        const netsho3 = broken.json.workloads.find((w) => w.name === "netsho3")!;
        expect(netsho3.port.bound).toBe(false);
        expect(netsho3.problems).toContain("port unbound: no OVS interface on node2 has external_ids:iface-id=netsho3");
        expect(broken.json.drift).toContainEqual({ type: "ovnlab:ovs:ContainerPlug", name: "netsho3-plug", change: "delete", problems: ["gone (up makes it again)"] });
        const dot = readFileSync(join(outDir, "topology-dev-live.dot"), "utf8");
        expect(dot).toContain('switch_node2 -- container_netsho3 [color="#cc0000", style=dashed, penwidth=2];');
        expect(dot).toContain("    switch_node2 -- container_netsho4;\n");
        expect(readFileSync(svgFile, "utf8")).toContain("port UNBOUND");

        await lab!.stack.up({ ...quiet, refresh: true });
        const repaired = await live();
        expect(repaired.json.problems).toEqual([]);
        expect(repaired.exitCode).toBe(0);
    });

    it("diagram --live's command line: a mistyped option and a missing stack exit 2", () => {
        const cli = (...args: string[]) => spawnSync("node", ["-r", "ts-node/register/transpile-only", "cli/diagram.ts", "--live", ...args], { cwd: join(__dirname, "../.."), encoding: "utf8", timeout: 120_000 });
        const mistyped = cli("--jsno");
        expect(mistyped.status).toBe(2);
        expect(mistyped.stderr).toContain("usage: npm run diagram -- --live");
        const missing = cli("--stack", `nosuch-${labId}`, "--json");
        expect(missing.status, missing.stderr).toBe(2);
        expect(missing.stdout).toBe("");
    });

    it("destroy leaves nothing behind", async () => {
        await lab!.stack.destroy(quiet);
        expect(labNamespaces(labId)).toEqual([]);
        expect(labLinks(labId)).toEqual([]);
        expect(labContainers(labId)).toEqual([]);
        expect(labIptablesRules(labId)).toEqual([]);
        expect(existsSync(stateDir)).toBe(false);
    });
});
