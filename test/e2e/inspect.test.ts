// Looking inside a dev-config lab brought up through the real Pulumi CLI, with
// the functions behind `npm run show`, `npm run trace` and `npm run diagram`,
// running the real ovs-vsctl, ovs-ofctl, ovs-appctl, ovn-nbctl, ovn-sbctl and
// ovn-trace. Unique lab id; everything is removed in afterAll even on failure.
import { execFileSync } from "child_process";
import { existsSync } from "fs";
import { beforeAll, describe, expect, it } from "vitest";
import { LabOutputs, labOutputs, stackFileConfig } from "../../cli/pulumiWorkspace";
import { inspectLab } from "../../cli/show";
import { topologyFromPlan, withDeployment } from "../../cli/topologyDiagram";
import { renderTrace, traceEcho } from "../../cli/trace";
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

    it("destroy leaves nothing behind", async () => {
        await lab!.stack.destroy(quiet);
        expect(labNamespaces(labId)).toEqual([]);
        expect(labLinks(labId)).toEqual([]);
        expect(labContainers(labId)).toEqual([]);
        expect(labIptablesRules(labId)).toEqual([]);
        expect(existsSync(stateDir)).toBe(false);
    });
});
