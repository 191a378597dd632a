// The provider's long-lived NB session (ovn-nbctl's daemon mode over its
// unixctl socket) against a real ovsdb-server: many rows through one daemon,
// reads that see hand edits, ovn-nbctl's own errors, and the daemon stopped by
// PID at the end, also when a provider died without stopping its own.
import { execFileSync, spawnSync } from "child_process";
import { existsSync, mkdtempSync, readdirSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forgetNbSnapshots, providers } from "../../components/ovn/nbResources";
import { closeNbSessions, nbctl, reapOrphanedSessions, sessionStats, useNbSessions } from "../../components/ovn/nbSession";
import { nbctlDaemonArgv } from "../../components/commands/ovnNbctl";
import { DbEndpoint } from "../../components/commands/ovnNbctl";
import { startOvnDb, ThrowawayDb } from "../helpers/ovsdb";
import { isAlive, pidFromFile, stopPid } from "../helpers/processes";

let nb: ThrowawayDb;
let endpoint: DbEndpoint;
const ids = { "ovnlab:stack": "session" };
const mine = () => readdirSync(tmpdir()).filter((e) => e.startsWith(`ovnlab-nbctl-${process.pid}-`));
const byHand = (...args: string[]) => execFileSync("ovn-nbctl", [`--db=${nb.remote}`, ...args], { encoding: "utf8" }).trim();

beforeAll(() => {
    nb = startOvnDb("nb");
    endpoint = { transport: { kind: "local" }, db: nb.remote };
    useNbSessions(true);
});
afterAll(async () => {
    closeNbSessions();
    useNbSessions(false);
    await nb?.stop();
});

describe("the NB session", () => {
    it("creates 50 ports through one daemon: one request each, no process per row", async () => {
        const before = { ...sessionStats };
        await providers.logicalSwitch.create({ endpoint, name: "ls-node1", externalIds: ids });
        await Promise.all(Array.from({ length: 50 }, (_, i) => providers.logicalSwitchPort.create({
            endpoint, name: `p${i}`, switch: "ls-node1", type: "", addresses: [`02:00:00:00:01:${(i + 3).toString(16).padStart(2, "0")} 10.244.1.${i + 3}`], options: {}, externalIds: ids,
        })));
        expect(sessionStats.started - before.started).toBe(1);
        expect(sessionStats.requests - before.requests).toBe(51);
        expect(byHand("--bare", "--columns=name", "list", "Logical_Switch_Port").split("\n").filter(Boolean)).toHaveLength(50);
        expect(mine()).toHaveLength(1);
    });

    it("a refresh of every row is one read, and sees a row deleted by hand", async () => {
        byHand("lsp-del", "p7");
        forgetNbSnapshots();
        await new Promise((r) => setTimeout(r, 200)); // the daemon's replica follows the database
        const before = sessionStats.reads;
        const reads = await Promise.all(Array.from({ length: 50 }, (_, i) => providers.logicalSwitchPort.read!(`p${i}`, {
            endpoint, name: `p${i}`, switch: "ls-node1", type: "", addresses: [], options: {}, externalIds: ids,
        })));
        expect(sessionStats.reads - before).toBe(1);
        expect(reads.filter((r) => !r.id).length).toBe(1);
        expect(reads[7].id).toBeUndefined();
    });

    it("reports ovn-nbctl's own error with the command", async () => {
        await expect(nbctl(endpoint, [["lsp-del", "no-such-port"]])).rejects.toThrow(/ovn-nbctl lsp-del no-such-port\nno-such-port: port name not found/);
        // The session still works after an error.
        expect(await nbctl(endpoint, [["ls-list"]])).toContain("ls-node1");
    });

    it("stops its daemon by PID and removes its directory", () => {
        const dir = join(tmpdir(), mine()[0]);
        const pid = pidFromFile(join(dir, "nbctl.pid"))!;
        expect(isAlive(pid)).toBe(true);
        closeNbSessions();
        expect(existsSync(dir)).toBe(false);
        expect(mine()).toEqual([]);
    });

    it("stops a daemon whose provider died without stopping it", async () => {
        const dead = spawnSync("true").pid!; // a PID whose process has exited
        const dir = mkdtempSync(join(tmpdir(), `ovnlab-nbctl-${dead}-`));
        execFileSync(nbctlDaemonArgv(nb.remote, dir)[0], nbctlDaemonArgv(nb.remote, dir).slice(1));
        const pid = pidFromFile(join(dir, "nbctl.pid"))!;
        try {
            expect(isAlive(pid)).toBe(true);
            reapOrphanedSessions();
            for (let i = 0; i < 50 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
            expect(isAlive(pid)).toBe(false);
            expect(existsSync(dir)).toBe(false);
        } finally {
            if (isAlive(pid)) await stopPid(pid);
        }
    });
});
