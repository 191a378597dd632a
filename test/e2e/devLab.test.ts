// The embedded default lab (stack dev's configuration) through the real
// Pulumi CLI: real namespaces, OVS, OVN and Docker. Unique lab id; everything
// is removed in afterAll even when a test fails.
import { execFileSync } from "child_process";
import { readFileSync, statSync } from "fs";
import { join } from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { devLabConfig, labLeftovers, NOTHING_LEFT, pings as labPings, pingsOnce } from "../helpers/lab";
import { previewChanges, TestStack } from "../helpers/pulumiStack";
import { useTestLab } from "../helpers/testLab";

let lab: TestStack;
let stateDir: string;

const quiet = { onOutput: () => undefined };
const run = (argv: string[]) => execFileSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 60_000 });

const pings = (from: string, ip: string) => labPings(labId, from, ip);

const t = useTestLab("dev", devLabConfig());
const labId = t.labId;
beforeAll(async () => {
    lab = t.lab;
    stateDir = t.stateDir;
});

describe("the dev lab through pulumi up", () => {
    it("up returns when the lab forwards: the first single echo across nodes is answered", async () => {
        await lab.stack.up(quiet);
        // Right after up, before anything else runs: one packet, no retry, node1 -> lr0 -> Geneve -> node2.
        expect(pingsOnce(labId, "netsho1", "10.244.2.3")).toBe(true);
        expect(pingsOnce(labId, "netsho4", "10.244.1.4")).toBe(true);
    });

    it("up brings up two chassis with their ports bound, and the stack outputs say how to reach them", async () => {
        const result = await lab.stack.up(quiet);
        const sb = run(["ovn-sbctl", `--db=unix:${stateDir}/central/ovnsb_db.sock`, "show"]);
        expect(sb).toMatch(new RegExp(`Chassis ${labId}-node1[\\s\\S]*Encap geneve[\\s\\S]*ip: "172\\.16\\.56\\.2"`));
        expect(sb).toMatch(new RegExp(`Chassis ${labId}-node2[\\s\\S]*ip: "172\\.16\\.56\\.3"`));
        for (const port of ["netsho1", "netsho2", "netsho3", "netsho4"]) expect(sb).toContain(`Port_Binding ${port}`);
        const containers = result.outputs.containers.value as { name: string; exec: string }[];
        expect(containers.map((c) => c.exec)).toContain(`docker exec -it ovnlab-${labId}-netsho1 sh`);
        expect(result.outputs.central.value).toMatchObject({ nb: "tcp:172.16.56.2:6641", sb: "tcp:172.16.56.2:6642" });
    });

    it("containers ping on the same node and across nodes (through lr0 and a Geneve tunnel)", () => {
        expect(pings("netsho1", "10.244.1.4")).toBe(true);
        expect(pings("netsho1", "10.244.2.3")).toBe(true);
        expect(pings("netsho4", "10.244.1.3")).toBe(true);
        // The router answers on each node's gateway.
        expect(pings("netsho3", "10.244.2.1")).toBe(true);
    });

    it("the state is small and holds no dynamic provider or serialized code: every resource is the ovnlab provider's", () => {
        const file = join(lab.dir, ".pulumi-state/.pulumi/stacks/ovnlab/dev.json");
        const text = readFileSync(file, "utf8");
        expect(text).not.toContain("pulumi-nodejs:dynamic");
        expect(text).not.toContain("__provider");
        expect(statSync(file).size).toBeLessThan(100_000);
        type State = { checkpoint: { latest: { resources: { type: string; provider?: string }[] } } };
        const custom = (JSON.parse(text) as State).checkpoint.latest.resources.filter((r) => r.provider);
        expect(custom.length).toBe(27); // 39 resources less the stack, the provider and 10 components
        for (const r of custom) {
            expect(r.type).toMatch(/^ovnlab:[a-z]+:[A-Z]\w+$/);
            expect(r.provider).toMatch(/::pulumi:providers:ovnlab::default/);
        }
    });

    it("a second preview shows no changes", async () => {
        expect(Object.keys(await previewChanges(lab.stack))).toEqual(["same"]);
    });

    it("a container removed by hand: refresh notices, up restores it and its ping", async () => {
        run(["docker", "rm", "-f", `ovnlab-${labId}-netsho3`]);
        const refresh = await lab.stack.refresh(quiet);
        const changes = refresh.summary.resourceChanges ?? {};
        expect((changes.delete ?? 0) + (changes.update ?? 0)).toBeGreaterThan(0);
        await lab.stack.up(quiet);
        expect(pings("netsho1", "10.244.2.3")).toBe(true);
        expect(Object.keys(await previewChanges(lab.stack))).toEqual(["same"]);
    });

    it("destroy leaves nothing behind", async () => {
        await lab.stack.destroy(quiet);
        expect(labLeftovers(labId, stateDir)).toEqual(NOTHING_LEFT);
    });
});
