// Faults under a running dev lab, through the real Pulumi CLI: ovn-northd
// stopped, the NB database frozen and stopped, a node's ovs-vswitchd killed,
// Docker unreachable for one run. Each either fails the run with a clear error
// in bounded time or is repaired by the next `pulumi up`. Then a second lab on
// the same host (same default underlay 172.16.56.0/24, its own bridge) comes
// up beside the first, and destroying it leaves the first working.
//
// Faults are injected by the PIDs in the lab's own pidfiles; Docker is made
// unreachable for this stack only (DOCKER_HOST in the stack's environment),
// never by stopping the engine other tests share.
import { execFileSync } from "child_process";
import { rmSync } from "fs";
import { join } from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pidFromPidfile } from "../../components/kit/hostRuntime";
import { DockerEngine, ensureDocker } from "../helpers/docker";
import { cleanupLab, devLabConfig, devLabPingFailures, labLeftovers, msUntilDevLabPings, NOTHING_LEFT, pings } from "../helpers/lab";
import { uniqueLabId } from "../helpers/names";
import { createTestStack, TestStack } from "../helpers/pulumiStack";

const labId = uniqueLabId();
const otherLabId = uniqueLabId();
let docker: DockerEngine;
let lab: TestStack;
let other: TestStack | undefined;
let stateDir: string;
const quiet = { onOutput: () => undefined };

const central = (file: string) => join(stateDir, "central", file);
/** A link's MAC inside a node's namespace. */
const macIn = (node: string, device: string) =>
    (JSON.parse(execFileSync("ip", ["-j", "-n", `ovnlab-${labId}-${node}`, "link", "show", "dev", device], { encoding: "utf8" })) as { address: string }[])[0].address;
/** Signals the daemon a pidfile names and waits (bounded) until it is gone. */
async function stop(pidfile: string, signal: NodeJS.Signals): Promise<number> {
    const pid = pidFromPidfile(pidfile);
    expect(pid, `${pidfile} names no running daemon`).toBeDefined();
    process.kill(pid!, signal);
    const deadline = Date.now() + 10_000;
    while (pidFromPidfile(pidfile) !== undefined) {
        if (Date.now() > deadline) throw new Error(`${pidfile}'s daemon ${pid} survived ${signal}`);
        await new Promise((r) => setTimeout(r, 100));
    }
    return pid!;
}

/** Runs `step`, returning its error (or undefined) and how long it took. */
async function timed(step: () => Promise<unknown>): Promise<{ error?: Error; ms: number }> {
    const start = Date.now();
    const error = await step().then(() => undefined, (e: Error) => e);
    return { error, ms: Date.now() - start };
}

/** The error lines of a failed run, without the CLI's progress output. */
const errorLines = (error?: Error) => (error?.message ?? "").split("\n").filter((l) => /error|failed|timeout|Cannot/i.test(l)).slice(0, 6).join("\n");

beforeAll(async () => {
    docker = await ensureDocker();
    lab = await createTestStack("dev", { ...devLabConfig(), labId });
    stateDir = join(lab.dir, ".lab", labId);
    await lab.stack.up(quiet);
});

afterAll(async () => {
    try {
        await other?.dispose();
        await lab?.dispose();
    } finally {
        if (other) await cleanupLab(otherLabId, join(other.dir, ".lab", otherLabId));
        await cleanupLab(labId, stateDir);
        await docker?.stop();
    }
});

describe("faults during a lab's life", () => {
    it("ovn-northd stopped: the next up restarts it", async () => {
        const before = await stop(central("ovn-northd.pid"), "SIGTERM");
        const up = await timed(() => lab.stack.up(quiet));
        console.log(`[faults] northd stopped: up took ${up.ms} ms`);
        expect(up.error).toBeUndefined();
        const after = pidFromPidfile(central("ovn-northd.pid"));
        expect(after).toBeDefined();
        expect(after).not.toBe(before);
    });

    it("the NB database frozen (SIGSTOP): up --refresh fails within 20 s of trying, naming the database; thawed, it succeeds", async () => {
        const nb = pidFromPidfile(central("ovnnb_db.pid"))!;
        process.kill(nb, "SIGSTOP");
        let frozen: { error?: Error; ms: number };
        try {
            frozen = await timed(() => lab.stack.up({ ...quiet, refresh: true }));
        } finally {
            process.kill(nb, "SIGCONT");
        }
        console.log(`[faults] NB frozen: up --refresh failed after ${frozen.ms} ms:\n${errorLines(frozen.error)}`);
        // The provider's NB session (one ovn-nbctl daemon) cannot start against a database that does not answer.
        expect(frozen.error?.message).toMatch(/ovn-nbctl daemon for unix:\S+\/central\/ovnnb_db\.sock did not start within 20 s: is the database answering\?/);
        expect(frozen.ms).toBeLessThan(90_000);
        const thawed = await timed(() => lab.stack.up({ ...quiet, refresh: true }));
        expect(thawed.error).toBeUndefined();
    });

    it("the NB database stopped: up --refresh sees its rows unreadable and the central broken, restarts it and re-adopts them; the lab pings", async () => {
        await stop(central("ovnnb_db.pid"), "SIGTERM");
        const up = await timed(() => lab.stack.up({ ...quiet, refresh: true }));
        console.log(`[faults] NB stopped: up --refresh took ${up.ms} ms`);
        expect(up.error, errorLines(up.error)).toBeUndefined();
        expect(pidFromPidfile(central("ovnnb_db.pid"))).toBeDefined();
        expect((await timed(() => lab.stack.up({ ...quiet, refresh: true }))).error).toBeUndefined();
        expect(devLabPingFailures(labId)).toEqual([]);
    });

    it("node2's ovs-vswitchd killed: node2 stops forwarding; the next up restarts it and the lab pings again", async () => {
        const pidfile = join(stateDir, "node2", "run", "ovs-vswitchd.pid");
        const before = await stop(pidfile, "SIGKILL");
        expect(pings(labId, "netsho1", "10.244.2.3")).toBe(false);
        const up = await timed(() => lab.stack.up(quiet));
        console.log(`[faults] vswitchd killed: up took ${up.ms} ms`);
        expect(up.error).toBeUndefined();
        const after = pidFromPidfile(pidfile);
        expect(after).toBeDefined();
        expect(after).not.toBe(before);
        // br-phy came back with the MAC node1's tunnel neighbour cache holds (it once came back with another, cutting node2 off).
        expect(macIn("node2", "br-phy")).toBe(macIn("node2", "underlay"));
        // ovn-controller reconnects to the new ovs-vswitchd with a back-off of up to 8 s, then reinstalls the flows.
        console.log(`[faults] vswitchd killed: all pairs ping ${await msUntilDevLabPings(labId)} ms after up`);
    });

    it("Docker unreachable for one run: up --refresh fails at once with Docker's error and forgets nothing; the next run has nothing to repair", async () => {
        const before = (await lab.stack.exportStack()).deployment.resources.length;
        lab.stack.workspace.envVars.DOCKER_HOST = "unix:///nonexistent/ovnlab-docker.sock";
        let failed: { error?: Error; ms: number };
        try {
            failed = await timed(() => lab.stack.up({ ...quiet, refresh: true }));
        } finally {
            delete lab.stack.workspace.envVars.DOCKER_HOST;
        }
        console.log(`[faults] Docker unreachable: up --refresh failed after ${failed.ms} ms:\n${errorLines(failed.error)}`);
        expect(failed.error?.message).toMatch(/Cannot connect to the Docker daemon at unix:\/\/\/nonexistent\/ovnlab-docker\.sock/);
        expect(failed.ms).toBeLessThan(90_000);
        // A refresh that could not ask Docker must not record the image or the containers as deleted.
        expect((await lab.stack.exportStack()).deployment.resources.length).toBe(before);
        const again = await lab.stack.up({ ...quiet, refresh: true });
        expect(Object.keys(again.summary.resourceChanges ?? {})).toEqual(["same"]);
        expect(devLabPingFailures(labId)).toEqual([]);
    });
});

describe("two labs on one host", () => {
    it("a second lab with its own id and the same underlay comes up beside the first; both ping", async () => {
        other = await createTestStack("other", { ...devLabConfig(), labId: otherLabId });
        await other.stack.up(quiet);
        console.log(`[faults] second lab: all pairs ping ${await msUntilDevLabPings(otherLabId)} ms after up`);
        expect(devLabPingFailures(labId)).toEqual([]);
    });

    it("the second lab's files removed by hand (rm -rf .lab/<id>): refresh works, destroy leaves nothing of it, the first keeps working", async () => {
        const otherDir = join(other!.dir, ".lab", otherLabId);
        rmSync(otherDir, { recursive: true, force: true });
        // Its daemons run on without their pidfiles and sockets; found by the lab's namespaces, containers by their labels.
        expect(labLeftovers(otherLabId, otherDir).processes.length).toBeGreaterThan(0);
        const refresh = await timed(() => other!.stack.refresh(quiet));
        expect(refresh.error, errorLines(refresh.error)).toBeUndefined();
        const destroy = await timed(() => other!.stack.destroy(quiet));
        console.log(`[faults] second lab without its files: refresh ${refresh.ms} ms, destroy ${destroy.ms} ms`);
        expect(destroy.error, errorLines(destroy.error)).toBeUndefined();
        expect(labLeftovers(otherLabId, otherDir)).toEqual(NOTHING_LEFT);
        expect(devLabPingFailures(labId)).toEqual([]);
    });

    it("the first lab's destroy, its NB database killed just before, leaves nothing behind either", async () => {
        await stop(central("ovnnb_db.pid"), "SIGKILL");
        const destroy = await timed(() => lab.stack.destroy(quiet));
        expect(destroy.error, errorLines(destroy.error)).toBeUndefined();
        expect(labLeftovers(labId, stateDir)).toEqual(NOTHING_LEFT);
    });
});
