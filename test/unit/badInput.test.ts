// Every invalid configuration of the shared table, through the same
// validation and planning index.ts runs, with the values as Pulumi hands them
// to the program (strings, JSON text): each is rejected with the expected
// lines, and nothing else. The real `pulumi preview` of each is in
// test/e2e/badInput.test.ts.
import { describe, expect, it } from "vitest";
import { ConfigError, validateConfig } from "../../components/plan/config";
import { planLab } from "../../components/plan/ipPlan";
import { asPulumiDelivers, BAD_CONFIGS } from "../helpers/badConfigs";

function rejection(raw: Record<string, unknown>): ConfigError {
    try {
        planLab(validateConfig(raw, "dev"));
    } catch (e) {
        if (e instanceof ConfigError) return e;
        throw e;
    }
    throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

describe("bad input", () => {
    it("the table holds at least 40 cases with distinct titles", () => {
        expect(BAD_CONFIGS.length).toBeGreaterThanOrEqual(40);
        expect(new Set(BAD_CONFIGS.map((c) => c.title)).size).toBe(BAD_CONFIGS.length);
    });

    it.each(BAD_CONFIGS.map((c) => [c.title, c] as const))("%s", (_title, bad) => {
        const error = rejection(asPulumiDelivers(bad.config));
        for (const line of bad.ovnlab) expect(error.message).toMatch(line);
        expect(error.issues).toHaveLength(bad.ovnlab.length);
        for (const issue of error.issues) {
            expect(issue.key).not.toBe("");
            expect(issue.problem).not.toBe("");
            expect(issue.valid).not.toBe("");
        }
        // Typed values (as a test or another program would pass them) fail on the same keys.
        expect(rejection(bad.config).issues.map((i) => i.key)).toEqual(error.issues.map((i) => i.key));
    });
});
