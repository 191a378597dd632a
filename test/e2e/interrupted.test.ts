// Interrupted runs of the dev lab through the real Pulumi CLI (spawned
// directly, so a test can pick the signal and the moment): `up` cancelled
// with SIGINT early and late, `up` killed with SIGKILL (a crash: the CLI and
// every process it started), `destroy` cancelled and killed, and a second `up` while one
// runs. After each: what the CLI left (lock, pending operations, processes),
// what recovers (cancel, refresh --clear-pending-creates, up), that the
// recovered lab pings, and that the final destroy leaves nothing behind.
import { readFileSync } from "fs";
import { join } from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerEngine, ensureDocker } from "../helpers/docker";
import { cleanupLab, devLabConfig, labLeftovers, labProcesses, msUntilDevLabPings, NOTHING_LEFT } from "../helpers/lab";
import { uniqueLabId } from "../helpers/names";
import { descendants, isAlive, stopPid } from "../helpers/processes";
import { createTestStack, pendingOperations, PulumiRun, spawnPulumi, stackLocks, TestStack } from "../helpers/pulumiStack";

const labId = uniqueLabId();
let docker: DockerEngine;
let lab: TestStack;
let stateDir: string;
const quiet = { onOutput: () => undefined };
const cmdline = (pid: number) => {
    try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
        return "";
    }
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An ovnlab resource starting its create (or delete): a provider is running commands on the host. */
const ANY_CREATING = /ovnlab:\w+:\w+ \S+ creating/;
const ANY_DELETING = /ovnlab:\w+:\w+ \S+ deleting/;
const PLUG_CREATING = /ovnlab:ovs:ContainerPlug \S+ creating/;
/** SIGINT asks the CLI to cancel; it finishes the operations in flight, saves the state and exits. */
const CANCEL_BOUND_MS = 60_000;

interface Interrupted {
    code: number | null;
    output: string;
    /** From the signal to the CLI's exit. */
    exitMs: number;
}

/** Waits until the run prints `trigger`; false when it exited first. */
async function until(run: PulumiRun, trigger: RegExp, timeoutMs = 300_000): Promise<boolean> {
    let exited = false;
    void run.exited.then(() => (exited = true));
    const deadline = Date.now() + timeoutMs;
    while (!trigger.test(run.output())) {
        if (exited) return false;
        if (Date.now() > deadline) throw new Error(`no ${trigger} within ${timeoutMs} ms:\n${run.output().slice(-2000)}`);
        await sleep(50);
    }
    return true;
}

/**
 * Runs `pulumi <args>`, and once it prints `trigger` (plus `delayMs`) sends
 * SIGINT to the CLI, or SIGKILL to the CLI and every process it started
 * (language host, program, providers, the commands they run: a crash). A
 * SIGKILL of the CLI alone would leave its plugins running, each in a process
 * group of its own; the orphaned program then busy-loops (~55% of a core).
 * Afterwards none of those processes may be left.
 */
async function interrupt(args: string[], trigger: RegExp, signal: "SIGINT" | "SIGKILL", delayMs = 0): Promise<Interrupted> {
    const run = spawnPulumi(lab, args);
    let tree: number[] = [];
    try {
        expect(await until(run, trigger), `pulumi ${args[0]} ended before ${trigger}:\n${run.output().slice(-2000)}`).toBe(true);
        await sleep(delayMs);
        tree = descendants(run.pid);
        // The run must still be going when the signal is sent, or the test proves nothing.
        expect(isAlive(run.pid), `pulumi ${args[0]} finished within ${delayMs} ms of ${trigger}: pick a later trigger:\n${run.output().slice(-2000)}`).toBe(true);
        if (signal === "SIGINT") process.kill(run.pid, "SIGINT");
        // A process of the tree may have exited since it was listed: that is not a failure.
        else for (const pid of [run.pid, ...tree]) if (isAlive(pid)) try { process.kill(pid, "SIGKILL"); } catch { /* exited meanwhile */ }
        const sent = Date.now();
        const result = await Promise.race([run.exited, sleep(CANCEL_BOUND_MS).then(() => undefined)]);
        expect(result, `pulumi ${args[0]} still running ${CANCEL_BOUND_MS} ms after ${signal}`).toBeDefined();
        return { code: result!.code, output: result!.output, exitMs: Date.now() - sent };
    } finally {
        // A cancelled CLI stops its plugins as it exits; give them a moment, then stop stragglers by PID.
        const started = [...tree, ...descendants(run.pid)];
        const deadline = Date.now() + 10_000;
        while (started.some(isAlive) && Date.now() < deadline) await sleep(200);
        // The lab's own daemons (by its pidfiles) are meant to outlive the run: a detaching daemon caught
        // mid-fork is listed as the CLI's descendant. Anything else (an ovn-nbctl session daemon among them) is not.
        const labDaemons = labProcesses(stateDir).filter((pid) => !cmdline(pid).includes("ovnlab-nbctl-"));
        const left = started.filter(isAlive).filter((pid) => !labDaemons.includes(pid));
        for (const pid of left) await stopPid(pid);
        expect(left, `processes pulumi ${args[0]} started that outlived it`).toEqual([]);
    }
}

beforeAll(async () => {
    docker = await ensureDocker();
    lab = await createTestStack("dev", { ...devLabConfig(), labId });
    stateDir = join(lab.dir, ".lab", labId);
});

afterAll(async () => {
    try {
        // A failed test may have left the lock of a killed run behind.
        if (lab && stackLocks(lab).length > 0) await lab.stack.cancel();
        await lab?.dispose();
    } finally {
        await cleanupLab(labId, stateDir);
        await docker?.stop();
    }
});

describe("an interrupted pulumi up", () => {
    it("SIGINT while the nodes are created: cancelled in bounded time, no lock, no pending operation", async () => {
        const run = await interrupt(["up", "--yes", "--skip-preview"], /ovnlab:netns:Node node\d creating/, "SIGINT");
        console.log(`[interrupted] up SIGINT at node creation: exit ${run.code} after ${run.exitMs} ms`);
        expect(run.code).not.toBe(0);
        expect(run.output).toMatch(/received; cancelling[\s\S]*update canceled/);
        expect(stackLocks(lab)).toEqual([]);
        expect(await pendingOperations(lab.stack)).toEqual([]);
    });

    it("SIGKILL of the whole run mid-way: the lock and pending creates stay; cancel, refresh --clear-pending-creates and up recover", async () => {
        const run = await interrupt(["up", "--yes", "--skip-preview"], ANY_CREATING, "SIGKILL", 300);
        const pending = await pendingOperations(lab.stack);
        console.log(`[interrupted] up SIGKILL: exit after ${run.exitMs} ms, pending: ${pending.join(", ")}`);
        expect(stackLocks(lab)).toHaveLength(1);
        // The next run is refused until the dead run's lock is removed.
        const refused = await lab.stack.up(quiet).then(() => undefined, (e: Error) => e);
        expect(refused?.message).toMatch(/the stack is currently locked by 1 lock\(s\)\. Either wait for the other process\(es\) to end or delete the lock file with `pulumi cancel`/);
        await lab.stack.cancel();
        expect(stackLocks(lab)).toEqual([]);
        // What the killed creates did on the host is unknown to the state: forget them; the creates
        // converge from whatever is there (a namespace, a container or a row that already exists is adopted).
        await lab.stack.refresh({ ...quiet, clearPendingCreates: true });
        expect(await pendingOperations(lab.stack)).toEqual([]);
    });

    it("SIGINT later, while OVN objects and plugs are created; then up converges and the lab pings", async () => {
        // After the recovery above most of the lab exists (the containers too: they need no node), and what is
        // left can finish within a fixed delay (it did in CI: the signal found the CLI gone). The first plug
        // create comes with the OVN rows and before the readiness wait, which takes seconds.
        const run = await interrupt(["up", "--yes", "--skip-preview"], PLUG_CREATING, "SIGINT");
        console.log(`[interrupted] up SIGINT mid-way: exit ${run.code} after ${run.exitMs} ms`);
        expect(run.code).not.toBe(0);
        expect(run.output).toMatch(/received; cancelling[\s\S]*update canceled/);
        expect(stackLocks(lab)).toEqual([]);
        expect(await pendingOperations(lab.stack)).toEqual([]);
        const up = await lab.stack.up(quiet);
        expect(up.summary.result).toBe("succeeded");
        console.log(`[interrupted] up after SIGINT mid-way: all pairs ping ${await msUntilDevLabPings(labId)} ms after it returned`);
    });
});

describe("an interrupted pulumi destroy", () => {
    it("SIGINT while deleting: cancelled; a second up while another runs is refused by the lock; up --refresh converges", async () => {
        const run = await interrupt(["destroy", "--yes", "--skip-preview"], ANY_DELETING, "SIGINT", 300);
        console.log(`[interrupted] destroy SIGINT: exit ${run.code} after ${run.exitMs} ms`);
        expect(run.output).toMatch(/received; cancelling/);
        // The CLI 3.259 exits 0 and prints "The resources in the stack have been deleted" although only
        // the deletes in flight finished: the state, not the exit code, says what is left.
        expect((await lab.stack.exportStack()).deployment.resources.length).toBeGreaterThan(1);
        expect(stackLocks(lab)).toEqual([]);
        expect(await pendingOperations(lab.stack)).toEqual([]);

        const first = spawnPulumi(lab, ["up", "--yes", "--skip-preview", "--refresh"]);
        while (stackLocks(lab).length === 0) {
            expect(await Promise.race([first.exited.then(() => "exited"), sleep(100).then(() => "running")]), "first up ended before it took the lock").toBe("running");
        }
        const second = await lab.stack.up(quiet).then(() => undefined, (e: Error) => e);
        expect(second?.message).toMatch(/the stack is currently locked by 1 lock\(s\)/);
        const done = await first.exited;
        expect(done.code, done.output.slice(-3000)).toBe(0);
        expect(stackLocks(lab)).toEqual([]);
        console.log(`[interrupted] up --refresh after destroy SIGINT: all pairs ping ${await msUntilDevLabPings(labId)} ms after it returned`);
    });

    it("SIGKILL while deleting: cancel, up --refresh converges (pings), and destroy leaves nothing behind", async () => {
        const run = await interrupt(["destroy", "--yes", "--skip-preview"], ANY_DELETING, "SIGKILL", 300);
        const pending = await pendingOperations(lab.stack);
        console.log(`[interrupted] destroy SIGKILL: exit after ${run.exitMs} ms, pending: ${pending.join(", ")}`);
        expect(stackLocks(lab)).toHaveLength(1);
        await lab.stack.cancel();
        const up = await lab.stack.up({ ...quiet, refresh: true });
        expect(up.summary.result).toBe("succeeded");
        expect(await pendingOperations(lab.stack)).toEqual([]);
        console.log(`[interrupted] up --refresh after destroy SIGKILL: all pairs ping ${await msUntilDevLabPings(labId)} ms after it returned`);

        await lab.stack.destroy(quiet);
        expect((await lab.stack.exportStack()).deployment.resources ?? []).toEqual([]);
        expect(labLeftovers(labId, stateDir)).toEqual(NOTHING_LEFT);
    });
});
