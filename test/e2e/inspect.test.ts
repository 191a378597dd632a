// Looking inside a dev-config lab brought up through the real Pulumi CLI, with
// the functions behind `npm run verify`, `npm run show`, `npm run trace` and
// `npm run diagram`, running the real docker exec ping, ovs-vsctl, ovs-ofctl,
// ovs-appctl, ovn-nbctl, ovn-sbctl and ovn-trace; their --json output and exit
// status on a healthy lab and on one broken by hand. Unique lab id; everything
// is removed in afterAll even on failure.
import { execFileSync } from "child_process";
import { existsSync } from "fs";
import { beforeAll, describe, expect, it } from "vitest";
import { LabOutputs, labOutputs, stackFileConfig } from "../../cli/pulumiWorkspace";
import { renderShow } from "../../cli/inspectCommands";
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

    it("destroy leaves nothing behind", async () => {
        await lab!.stack.destroy(quiet);
        expect(labNamespaces(labId)).toEqual([]);
        expect(labLinks(labId)).toEqual([]);
        expect(labContainers(labId)).toEqual([]);
        expect(labIptablesRules(labId)).toEqual([]);
        expect(existsSync(stateDir)).toBe(false);
    });
});
