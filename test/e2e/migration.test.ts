// A lab brought up by ovnlab 0.1 (dynamic providers, commit d485c30) is handed
// to the native provider without being torn down: `npm run migrate` forgets the
// old resources, the next up adopts what runs on the host, the lab pings
// throughout, a preview then has nothing to do, and destroy leaves nothing.
import { readFileSync } from "fs";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { migrateStack } from "../../cli/migrate";
import { devLabConfig, devLabPingFailures, labLeftovers, labNamespaces, msUntilDevLabPings, NOTHING_LEFT } from "../helpers/lab";
import { copyProjectFiles, hasCommit, previewChanges } from "../helpers/pulumiStack";
import { useTestLab } from "../helpers/testLab";

/** The last commit of ovnlab 0.1, before the provider plugin. */
const OLD = "d485c30";
const quiet = { onOutput: () => undefined };

// A shallow clone has no old commit to build the old lab from.
describe.skipIf(!hasCommit(OLD))("a lab of ovnlab 0.1 handed to the native provider", () => {
    const t = useTestLab("dev", devLabConfig(), { fromRef: OLD });
    const stateText = () => readFileSync(join(t.lab.dir, ".pulumi-state/.pulumi/stacks/ovnlab/dev.json"), "utf8");

    it("the old version brings the lab up with dynamic providers", async () => {
        await t.lab.stack.up(quiet);
        expect(stateText()).toContain("pulumi-nodejs:dynamic/ovnlab/netns:Node");
        expect(await msUntilDevLabPings(t.labId)).toBeGreaterThanOrEqual(0);
    });

    it("migrate forgets the old resources without touching the host", async () => {
        copyProjectFiles(t.lab.dir);
        const namespaces = labNamespaces(t.labId);
        const migration = await migrateStack(t.lab.stack);
        expect(migration.forgotten.length).toBe(26);
        expect(migration.forgotten.find((r) => r.name === "node1")).toEqual({ name: "node1", from: "pulumi-nodejs:dynamic/ovnlab/netns:Node", to: "ovnlab:netns:Node" });
        expect(stateText()).not.toContain("pulumi-nodejs");
        expect(labNamespaces(t.labId)).toEqual(namespaces);
        expect(devLabPingFailures(t.labId)).toEqual([]);
        // Twice is fine: nothing is left to migrate.
        expect((await migrateStack(t.lab.stack)).forgotten).toEqual([]);
    });

    it("up with the new version adopts the running lab: creates in the state only, and every pair still pings", async () => {
        const up = await t.lab.stack.up(quiet);
        // The 26 resources, and the readiness check the old version did not have; the components and the stack were kept.
        expect(up.summary.resourceChanges).toEqual({ create: 27, same: 12 });
        expect(up.summary.resourceChanges?.delete ?? 0).toBe(0);
        expect(devLabPingFailures(t.labId)).toEqual([]);
        expect(stateText()).not.toContain("pulumi-nodejs:dynamic");
        expect(Object.keys(await previewChanges(t.lab.stack))).toEqual(["same"]);
    });

    it("destroy leaves nothing behind", async () => {
        await t.lab.stack.destroy(quiet);
        expect(labLeftovers(t.labId, t.stateDir)).toEqual(NOTHING_LEFT);
    });
});
