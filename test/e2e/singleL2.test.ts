// The walk-through's first experiment (stack single-l2's configuration)
// through the real Pulumi CLI: one node without OVN, br-int standalone,
// netsho1 and netsho2 on the flat /16. Looked at with `show`'s own functions.
// Unique lab id; everything is removed in afterAll even when a test fails.
import { execFileSync } from "child_process";
import { existsSync } from "fs";
import { join } from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { LabOutputs, labOutputs, stackFileConfig } from "../../cli/pulumiWorkspace";
import { inspectLab } from "../../cli/show";
import { labContainers, labIptablesRules, labLinks, labNamespaces } from "../helpers/lab";
import { TestStack } from "../helpers/pulumiStack";
import { useTestLab } from "../helpers/testLab";

let lab: TestStack | undefined;
let stateDir = "";
let outputs: LabOutputs;

const quiet = { onOutput: () => undefined };
const run = (argv: string[]) => execFileSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 60_000 }).trim();

const t = useTestLab("single-l2", stackFileConfig("single-l2"));
const labId = t.labId;
beforeAll(async () => {
    lab = t.lab;
    stateDir = t.stateDir;
});

describe("stack single-l2 through pulumi up", () => {
    it("up makes one node without OVN: no central, br-int standalone with OVS's one NORMAL rule", async () => {
        outputs = labOutputs("single-l2", (await lab!.stack.up(quiet)).outputs);
        expect(outputs.central).toBeUndefined();
        expect(outputs.containers.map((c) => [c.name, c.ip, c.mac, c.logicalPort])).toEqual([
            ["netsho1", "10.244.1.3", "02:00:00:00:01:03", undefined],
            ["netsho2", "10.244.1.4", "02:00:00:00:01:04", undefined],
        ]);
        expect(existsSync(join(stateDir, "central"))).toBe(false);
        expect(existsSync(join(stateDir, "node1/run/ovn-controller.pid"))).toBe(false);

        const [node] = (await inspectLab("single-l2", outputs)).nodes;
        expect(node.probes.bridges.output).toMatch(/Bridge br-int\n\s+fail_mode: standalone/);
        expect(node.openflow).toEqual({ rules: 1, tables: 1 });
        expect(node.probes.openflow.output).toMatch(/priority=0 actions=NORMAL/);
    });

    it("netsho1 pings netsho2 on the flat /16 without a gateway, and br-int learns both MACs", async () => {
        const netsho1 = `ovnlab-${labId}-netsho1`;
        expect(run(["docker", "exec", netsho1, "ip", "route", "show"])).toBe("10.244.0.0/16 dev eth0 scope link  src 10.244.1.3");
        expect(run(["docker", "exec", netsho1, "ping", "-c", "3", "-W", "2", "-q", "10.244.1.4"])).toMatch(/3 packets transmitted, 3 packets received/);
        const [node] = (await inspectLab("single-l2", outputs)).nodes;
        expect(node.probes.macTable.command).toContain("fdb/show br-int");
        expect(node.macTable.map((entry) => entry.mac).sort()).toEqual(["02:00:00:00:01:03", "02:00:00:00:01:04"]);
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
