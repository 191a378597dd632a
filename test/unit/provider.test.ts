// The provider plugin's dispatch and wire handling, without the engine: every
// resource class's type token has a handler, URNs map to tokens, and values
// that arrive secret leave secret.
import { readdirSync, readFileSync } from "fs";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { handlerFor, HANDLERS, urnType } from "../../provider/registry";
import { buildSchema } from "../../provider/packageSchema";
import { containsUnknown, UNKNOWN, unwrapSecrets, wrapSecrets } from "../../provider/wire";

const ROOT = join(__dirname, "../..");
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";

/** `super("<module>", "<Type>", name, ...)` in every OvnlabResource subclass under components/. */
function declaredTokens(): string[] {
    const files = readdirSync(join(ROOT, "components"), { recursive: true }).map(String).filter((f) => f.endsWith(".ts"));
    return files.flatMap((f) => [...readFileSync(join(ROOT, "components", f), "utf8").matchAll(/super\("(\w+)", "(\w+)", name,/g)].map((m) => `ovnlab:${m[1]}:${m[2]}`)).sort();
}

describe("provider registry", () => {
    it("serves exactly the type tokens the resource classes declare", () => {
        expect(declaredTokens().length).toBeGreaterThan(10);
        expect(Object.keys(HANDLERS).sort()).toEqual(declaredTokens());
    });

    it("reads the type from a URN, also under a parent", () => {
        expect(urnType("urn:pulumi:dev::ovnlab::ovnlab:lab:Lab$ovnlab:nb:LogicalSwitch::ls-node1")).toBe("ovnlab:nb:LogicalSwitch");
        expect(urnType("urn:pulumi:dev::ovnlab::ovnlab:nb:LogicalRouter::lr0")).toBe("ovnlab:nb:LogicalRouter");
    });

    it("names the known types when asked for an unknown one", () => {
        expect(() => handlerFor("urn:pulumi:dev::ovnlab::ovnlab:nb:Nope::x")).toThrow(/no resource type ovnlab:nb:Nope \(known: .*ovnlab:nb:LogicalSwitch/);
    });
});

describe("secrets and unknowns on the wire", () => {
    it("unwraps secrets anywhere in a property and remembers the top-level key", () => {
        const { plain, secretKeys } = unwrapSecrets({ a: 1, t: { kind: "ssh", key: { [SIG]: SECRET, value: "/k" } }, s: { [SIG]: SECRET, value: ["x"] } });
        expect(plain).toEqual({ a: 1, t: { kind: "ssh", key: "/k" }, s: ["x"] });
        expect([...secretKeys].sort()).toEqual(["s", "t"]);
    });

    it("wraps those keys again, and only those", () => {
        const wrapped = wrapSecrets({ a: 1, t: { kind: "ssh" } }, new Set(["t"]));
        expect(wrapped).toEqual({ a: 1, t: { [SIG]: SECRET, value: { kind: "ssh" } } });
        expect(wrapSecrets({ a: 1 }, new Set())).toEqual({ a: 1 });
    });

    it("finds an unknown nested in a value", () => {
        expect(containsUnknown({ x: [1, { y: UNKNOWN }] })).toBe(true);
        expect(containsUnknown({ x: [1, { y: "known" }] })).toBe(false);
    });
});

describe("schema", () => {
    const schema = buildSchema("0.0.0-test") as { resources: Record<string, { inputProperties: Record<string, unknown>; requiredInputs: string[] }>; types: Record<string, unknown> };

    it("describes exactly the resources the provider serves", () => {
        expect(Object.keys(schema.resources).sort()).toEqual(Object.keys(HANDLERS).sort());
    });

    it("refers only to types it defines", () => {
        const refs = [...JSON.stringify(schema).matchAll(/"\$ref":"#\/types\/([^"]+)"/g)].map((m) => m[1]);
        expect(refs.length).toBeGreaterThan(10);
        for (const ref of refs) expect(schema.types).toHaveProperty([ref]);
    });

    it("is what provider/schema.json holds (npm run schema writes it)", () => {
        const written = JSON.parse(readFileSync(join(ROOT, "provider/schema.json"), "utf8"));
        const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
        expect(written).toEqual(buildSchema(version));
    });
});

describe("check: a resource used directly is refused before anything runs", () => {
    const endpoint = { transport: { kind: "local" }, db: "unix:/tmp/ovnlab-x/nb.sock" };
    const lsp = { endpoint, name: "netsho1", switch: "ls-node1", type: "", addresses: ["02:00:00:00:01:03 10.244.1.3"], options: {}, externalIds: { "ovnlab:stack": "dev" } };
    const check = (token: string, inputs: Record<string, unknown>) => HANDLERS[token].check!(inputs);

    it("passes good inputs", () => {
        expect(check("ovnlab:nb:LogicalSwitchPort", lsp)).toEqual([]);
        expect(check("ovnlab:nb:LogicalSwitch", { endpoint, name: "ls-node1", externalIds: {} })).toEqual([]);
        expect(check("ovnlab:nb:LogicalRouterPort", { endpoint, name: "lr-node1", router: "lr0", mac: "00:00:00:01:01:01", networks: ["10.244.1.1/24"], externalIds: {} })).toEqual([]);
    });

    it.each([
        ["name", "x; rm -rf /"], ["name", "$(id)"], ["switch", "ls`id`"], ["addresses", ["$(id)"]], ["addresses", "02:00:00:00:01:03 10.244.1.3"],
        ["options", { "a b": "c" }], ["externalIds", { k: "v; reboot" }], ["type", "router; id"],
        ["endpoint", { transport: { kind: "netns", namespace: "-x" }, db: "unix:/tmp/nb.sock" }], ["endpoint", { transport: { kind: "local" }, db: "unix:/tmp/nb.sock --x" }],
    ])("names the property %s for %j, and the valid form", (property, value) => {
        const failures = check("ovnlab:nb:LogicalSwitchPort", { ...lsp, [property]: value });
        expect(failures.map((f) => f.property)).toEqual([property]);
        expect(failures[0].reason).toMatch(/; valid: ./);
    });

    it("names each missing required input, every problem at once", () => {
        const failures = check("ovnlab:nb:LogicalRouterPort", { endpoint, name: "BAD NAME" });
        expect(failures.map((f) => f.property).sort()).toEqual(["mac", "name", "networks", "router"]);
    });

    it("leaves a value not known yet (a preview) to the create", () => {
        expect(check("ovnlab:nb:LogicalSwitchPort", { ...lsp, switch: UNKNOWN, addresses: [UNKNOWN] })).toEqual([]);
    });

    it("checks a database listener", () => {
        expect(check("ovnlab:nb:DbConnection", { endpoint, tool: "ovn-nbctl", target: "ptcp:6641:172.16.56.2" })).toEqual([]);
        expect(check("ovnlab:nb:DbConnection", { endpoint, tool: "sh", target: "ptcp:6641;id" }).map((f) => f.property)).toEqual(["tool", "target"]);
    });
});
