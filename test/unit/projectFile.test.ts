// Pulumi.yaml declares the keys (Pulumi checks their types) and their
// defaults; config.ts owns their meaning. They must not drift apart.
import { readFileSync } from "fs";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONFIG_KEYS, DEFAULTS, UNSET_VALUES, validateConfig } from "../../components/plan/config";

const project = parse(readFileSync(join(__dirname, "../../Pulumi.yaml"), "utf8")) as {
    name: string;
    config: Record<string, { type: string; description: string; default: unknown }>;
};

describe("Pulumi.yaml", () => {
    it("declares exactly the keys config.ts reads, each with a type and a description", () => {
        expect(project.name).toBe("ovnlab");
        expect(Object.keys(project.config).sort()).toEqual(Object.keys(CONFIG_KEYS).sort());
        for (const [key, declaration] of Object.entries(project.config)) {
            expect(declaration.type, key).toMatch(/^(string|integer|boolean|array|object)$/);
            expect(declaration.description.length, key).toBeGreaterThan(10);
        }
    });
    it("gives each key the default config.ts applies, or the value that means 'derive it'", () => {
        for (const [key, declaration] of Object.entries(project.config)) {
            const expected = key in UNSET_VALUES ? UNSET_VALUES[key] : (DEFAULTS as Record<string, unknown>)[key];
            expect(declaration.default, key).toEqual(expected);
        }
    });
    it("its defaults alone make a valid lab: the walk-through's", () => {
        const defaults = Object.fromEntries(Object.entries(project.config).map(([k, d]) => [k, d.default]));
        expect(validateConfig(defaults, "dev")).toEqual(validateConfig({}, "dev"));
    });
});
