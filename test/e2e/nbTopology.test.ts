// The northbound topology through the real Pulumi CLI: the external driver
// manages lr0, the per-node switches and the workload ports in a throwaway
// NB database; refresh sees hand-made changes; destroy leaves no ovnlab rows.
import { execFileSync } from "child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOvnDb, ThrowawayDb } from "../helpers/ovsdb";
import { createTestStack, previewChanges, TestStack } from "../helpers/pulumiStack";

let nb: ThrowawayDb;
let lab: TestStack;
const nbctl = (...args: string[]) => execFileSync("ovn-nbctl", [`--db=${nb.remote}`, ...args], { encoding: "utf8" }).trim();
const OVNLAB_ROWS = ["Logical_Router", "Logical_Router_Port", "Logical_Switch", "Logical_Switch_Port"];

beforeAll(async () => {
    nb = startOvnDb("nb");
    lab = await createTestStack("nbtopo", { driver: "external", nbDb: nb.remote });
});
afterAll(async () => {
    await lab?.dispose();
    await nb?.stop();
});

describe("the walk-through's northbound objects through pulumi", () => {
    it("preview lists the router, switches, router ports and workload ports, and touches nothing", async () => {
        const result = await lab.stack.preview({ diff: true });
        // The stack, the Lab, 2 NodeSwitch components, lr0, per node a switch, a router port and its router-type port, 4 workload ports.
        expect(result.changeSummary).toEqual({ create: 15 });
        for (const name of ["lr0", "ls-node1", "ls-node2", "lr-node1", "lr-node2", "ls-node1-lr", "ls-node2-lr", "netsho1", "netsho4"]) {
            expect(result.stdout).toContain(name);
        }
        // The create transaction is shown as the user would type it.
        expect(result.stdout).toContain('"-- --may-exist lrp-add lr0 lr-node1 00:00:00:01:01:01 10.244.1.1/24"');
        expect(result.stdout).toContain('"-- lsp-set-options ls-node1-lr router-port=lr-node1"');
        expect(nbctl("show")).toBe("");
    });

    it("up creates exactly the document's topology", async () => {
        await lab.stack.up({ onOutput: () => undefined });
        expect(nbctl("--bare", "--columns=name", "list", "Logical_Router")).toBe("lr0");
        expect(nbctl("lrp-list", "lr0").split("\n").map((l) => l.split(" ").pop())).toEqual(["(lr-node1)", "(lr-node2)"]);
        expect(nbctl("get", "Logical_Router_Port", "lr-node1", "mac", "networks")).toBe('"00:00:00:01:01:01"\n["10.244.1.1/24"]');
        expect(nbctl("get", "Logical_Router_Port", "lr-node2", "mac", "networks")).toBe('"00:00:00:02:01:01"\n["10.244.2.1/24"]');
        for (const node of ["node1", "node2"]) {
            expect(nbctl("get", "Logical_Switch_Port", `ls-${node}-lr`, "type", "addresses", "options")).toBe(`router\n[router]\n{router-port=lr-${node}}`);
        }
        expect(nbctl("lsp-get-addresses", "netsho1")).toBe("02:00:00:00:01:03 10.244.1.3");
        expect(nbctl("lsp-get-addresses", "netsho4")).toBe("02:00:00:00:02:04 10.244.2.4");
        expect(nbctl("lsp-list", "ls-node1").split("\n")).toHaveLength(3);
    });

    it("a second preview reports no changes", async () => {
        expect(await previewChanges(lab.stack)).toEqual({ same: 15 });
    });

    it("a port deleted by hand: refresh reports it deleted, up recreates it", async () => {
        nbctl("lsp-del", "netsho2");
        const refresh = await lab.stack.refresh({ onOutput: () => undefined });
        expect(refresh.summary.resourceChanges).toMatchObject({ delete: 1 });
        expect(await previewChanges(lab.stack)).toMatchObject({ create: 1 });
        await lab.stack.up({ onOutput: () => undefined });
        expect(nbctl("lsp-get-addresses", "netsho2")).toBe("02:00:00:00:01:04 10.244.1.4");
    });

    it("addresses changed by hand show as drift in preview --refresh, and up repairs them", async () => {
        nbctl("lsp-set-addresses", "netsho3", "02:00:00:00:02:99 10.244.2.99");
        expect(await previewChanges(lab.stack)).toEqual({ same: 15 });
        expect(await previewChanges(lab.stack, { refresh: true })).toMatchObject({ update: 1 });
        await lab.stack.up({ refresh: true, onOutput: () => undefined });
        expect(nbctl("lsp-get-addresses", "netsho3")).toBe("02:00:00:00:02:03 10.244.2.3");
    });

    it("destroy leaves none of ovnlab's rows", async () => {
        await lab.stack.destroy({ onOutput: () => undefined });
        for (const table of OVNLAB_ROWS) {
            expect(nbctl("--bare", "--columns=name", "find", table, 'external_ids:"ovnlab:stack"=nbtopo'), table).toBe("");
        }
        expect(nbctl("show")).toBe("");
    });
});

describe("bad configuration", () => {
    it("fails preview before registering anything, naming the key", async () => {
        const bad = await createTestStack("badcidr", { driver: "external", nbDb: nb.remote, podCidr: "10.244.0.0/33" });
        try {
            const failure = await bad.stack.preview().then(() => undefined, (e: Error) => e);
            expect(failure?.message).toMatch(/ovnlab:podCidr = "10\.244\.0\.0\/33": not a valid CIDR; valid: an IPv4 CIDR/);
            const state = await bad.stack.exportStack();
            expect(state.deployment.resources ?? []).toEqual([]);
            expect(nbctl("show")).toBe("");
        } finally {
            await bad.dispose();
        }
    });
});
