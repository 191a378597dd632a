// Every invalid configuration of the shared table through the real
// `pulumi preview`: each fails with a message naming the key, the value and
// what is valid, before a single lab resource is registered, and the stack's
// state stays empty (cases marked unitOnly run in test/unit/badInput.test.ts only). One temp project and stack; its stack file is rewritten
// per case (a preview costs seconds, a project copy and stack init more).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BAD_CONFIGS } from "../helpers/badConfigs";
import { createTestStack, TestStack, writeStackConfig } from "../helpers/pulumiStack";

const STACK = "bad";
/** The root resource the runtime registers before the program runs; nothing of the lab may follow it. */
const STACK_ROOT = "pulumi:pulumi:Stack";
let project: TestStack;

beforeAll(async () => {
    project = await createTestStack(STACK, {});
});
afterAll(async () => {
    await project?.dispose();
});

describe("pulumi preview rejects bad input before registering anything", () => {
    const previewed = BAD_CONFIGS.filter((c) => !c.unitOnly);
    it("previews at least 40 cases", () => expect(previewed.length).toBeGreaterThanOrEqual(40));

    it.each(previewed.map((c) => [c.title, c] as const))("%s", async (_title, bad) => {
        writeStackConfig(project.dir, STACK, bad.config);
        const registered: string[] = [];
        const failure = await project.stack
            .preview({ onEvent: (event) => { if (event.resourcePreEvent) registered.push(event.resourcePreEvent.metadata.type); } })
            .then(() => undefined, (e: Error) => e);
        expect(failure, "preview succeeded").toBeDefined();
        // Pulumi's own type check stops it before the program runs; otherwise ovnlab's lines, every one.
        for (const line of bad.pulumi ? [bad.pulumi] : bad.ovnlab) expect(failure!.message).toMatch(line);
        expect(registered.filter((type) => type !== STACK_ROOT)).toEqual([]);
        const state = await project.stack.exportStack();
        expect(state.deployment.resources ?? []).toEqual([]);
    });
});
