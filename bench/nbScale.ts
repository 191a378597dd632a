// Northbound scale: how long the real Pulumi CLI takes to create, preview,
// refresh and destroy an `external`-driver lab of N logical switch ports in a
// throwaway NB ovsdb-server, how many ovn-nbctl processes each phase runs and how many requests the
// provider's long-lived NB session sends.
//
//   node -r ts-node/register/transpile-only bench/nbScale.ts [N ...]   (default: 10 100 1000)
//
// The project is copied from the working tree, as the tests do; with
// OVNLAB_BENCH_REF=<git ref> (e.g. HEAD) it is taken from that commit instead,
// so a bench is not disturbed by edits in progress. PULUMI_SKIP_CHECKPOINTS is set as
// the README's commands set it (state written once at the end, not after every step);
// OVNLAB_BENCH_SKIP_CHECKPOINTS=0 measures the file backend's per-step checkpoints.
//
// Each N has a wall-clock budget for its four phases, OVNLAB_BENCH_BUDGET_S
// (default 600). A phase still running at the deadline is cancelled the way
// Ctrl-C does it (SIGINT: Pulumi finishes the steps in flight, saves its state
// and exits), reported as partial, and the later phases are skipped.
//
// ovn-nbctl is counted by a shim first in the stack's PATH: a script that
// appends its argv to a log and execs /usr/bin/ovn-nbctl; the provider's NB session
// (one ovn-nbctl daemon, components/nbSession.ts) writes its request counts to a
// file when it exits. The point: a refresh of N ports is O(1) round trips, not N.
//
// Hygiene: everything the bench starts it stops by PID (the ovsdb-server via
// test/helpers/ovsdb.ts); the temp project, its file:// backend and PULUMI_HOME
// live in one temp dir removed even on failure or SIGINT/SIGTERM (the Pulumi
// operation in flight is cancelled and awaited first); only local unix sockets
// are used. Nothing outside the temp dir and the throwaway database is touched,
// so a run cut short needs no `pulumi destroy` to clean up.
import { execFileSync } from "child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { cpus, loadavg, tmpdir, totalmem } from "os";
import { join, resolve } from "path";
import { performance } from "perf_hooks";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { startOvnDb, ThrowawayDb } from "../test/helpers/ovsdb";
import { pidFromFile } from "../test/helpers/processes";

const PROJECT_ROOT = resolve(__dirname, "..");
const PROJECT_FILES = ["Pulumi.yaml", "package.json", "tsconfig.json", "tsconfig.build.json", "index.ts", "components", "provider"];
const REAL_NBCTL = "/usr/bin/ovn-nbctl";
const NB_TABLES = ["Logical_Router", "Logical_Router_Port", "Logical_Switch", "Logical_Switch_Port"];
const NODES = 2;
/** As the README's commands run (scripts/env.sh); OVNLAB_BENCH_SKIP_CHECKPOINTS=0 measures per-step checkpoints. */
const SKIP_CHECKPOINTS = !/^(0|false)$/i.test(process.env.OVNLAB_BENCH_SKIP_CHECKPOINTS ?? "true");
const BUDGET_S = Number(process.env.OVNLAB_BENCH_BUDGET_S ?? "600");

type Phase = "up" | "preview" | "refresh" | "destroy";

interface PhaseResult {
    seconds: number;
    /** ovn-nbctl processes the phase ran (all of them: reads and writes). */
    nbctl: number;
    /** Of those, `list` reads (the refresh snapshot). */
    nbctlReads: number;
    /** Requests over the providers' long-lived NB sessions (no process each), and of them `list` reads. */
    sessionRequests: number;
    sessionReads: number;
    /** CPU seconds of the Pulumi CLI and everything it ran (language host, providers, ovn-nbctl). */
    pulumiCpu: number;
    /** CPU seconds of the NB ovsdb-server. */
    ovsdbCpu: number;
    /** 1-minute load average when the phase ended (other work on the machine skews the times). */
    load1: number;
    /** Pulumi's change summary for the phase. */
    summary: Record<string, number>;
    /** Set when the phase was cancelled at the budget's deadline: how far it got. */
    partial?: string;
}

interface RunResult {
    n: number;
    project: string;
    /** Resources in the stack's state after `up` (custom + component + the stack itself). */
    stateResources: number;
    /** Size of the exported state (JSON) after up. */
    stateBytes: number;
    /** Of that, the serialized dynamic-provider code (`__provider` in inputs and outputs, every custom resource). */
    providerBytes: number;
    /** One direct `ovn-nbctl --format=json list <4 tables>` after up, in ms: the OVN side of a refresh. */
    snapshotMs: number;
    phases: Partial<Record<Phase, PhaseResult>>;
    error?: string;
}

// ---- Cleanup: one registry, run on normal exit, failure and signals -----------------

const cleanups: (() => Promise<void> | void)[] = [];
let cleaningUp: Promise<void> | undefined;

function runCleanups(): Promise<void> {
    cleaningUp ??= (async () => {
        while (cleanups.length > 0) {
            const step = cleanups.pop()!;
            try {
                await step();
            } catch (e) {
                console.error(`[bench] cleanup step failed: ${(e as Error).message}`);
            }
        }
    })();
    return cleaningUp;
}

/** The Pulumi operation in flight, so the budget or a signal can cancel it. */
let inFlight: { abort: AbortController; done: Promise<unknown> } | undefined;
let stopping = false;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Cancels the operation in flight (SIGINT to the Pulumi CLI) and waits, at most `waitMs`, for it to exit. */
async function cancelInFlight(waitMs: number): Promise<void> {
    const op = inFlight;
    if (!op) return;
    op.abort.abort();
    await Promise.race([op.done.catch(() => undefined), sleep(waitMs)]);
}

// `on`, not `once`: the Automation API's execa installs signal-exit, which
// re-raises the signal (killing us before cleanup) once no other listener is left.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
        if (stopping) return console.error(`[bench] ${signal}: already stopping`);
        stopping = true;
        console.error(`[bench] ${signal}: cancelling the Pulumi operation in flight, then cleaning up`);
        void (async () => {
            await cancelInFlight(120_000);
            await runCleanups();
            process.exit(130);
        })();
    });
}

// ---- A stack like test/helpers/pulumiStack.ts's, with an ovn-nbctl shim in PATH -------------

function pulumiBinDir(): string {
    return execFileSync("bash", [join(PROJECT_ROOT, "scripts/install-pulumi.sh")], { encoding: "utf8" }).trim();
}

interface BenchStack {
    stack: Stack;
    dir: string;
    /** Every ovn-nbctl run appends one line (its argv) here. */
    nbctlLog: string;
    /** Every provider process's NB session appends its counts here (one JSON line) when it exits. */
    sessionLog: string;
}

/** Requests (and of them `list` reads) the providers' NB sessions sent, from the session log's lines after `from`. */
function sessionCounts(logFile: string, from: number): { requests: number; reads: number } {
    const lines = nbctlLines(logFile).slice(from).map((l) => JSON.parse(l) as { requests: number; reads: number });
    return { requests: lines.reduce((a, l) => a + l.requests, 0), reads: lines.reduce((a, l) => a + l.reads, 0) };
}

/** The ovn-nbctl wrapper: log one line, then become the real ovn-nbctl. */
function writeNbctlShim(shimDir: string, logFile: string): void {
    mkdirSync(shimDir);
    writeFileSync(logFile, "");
    const script = [
        "#!/bin/sh",
        `printf '%s\\n' "$*" >> '${logFile}'`,
        `exec ${REAL_NBCTL} "$@"`,
        "",
    ].join("\n");
    writeFileSync(join(shimDir, "ovn-nbctl"), script);
    chmodSync(join(shimDir, "ovn-nbctl"), 0o755);
}

/**
 * Which project is benchmarked, decided once per run: a commit (a ref such as
 * HEAD is resolved at start, so commits made during a long run do not mix in),
 * or the working tree (marked when it differs from HEAD).
 */
const projectSource: () => { ref?: string; label: string } = (() => {
    let decided: { ref?: string; label: string } | undefined;
    return () => (decided ??= decideProjectSource());
})();

function decideProjectSource(): { ref?: string; label: string } {
    const git = (...args: string[]) => execFileSync("git", ["-C", PROJECT_ROOT, ...args], { encoding: "utf8" }).trim();
    const ref = process.env.OVNLAB_BENCH_REF;
    const variant = SKIP_CHECKPOINTS ? "; PULUMI_SKIP_CHECKPOINTS=true" : "; per-step checkpoints";
    if (ref) {
        const commit = git("rev-parse", "--verify", `${ref}^{commit}`);
        return { ref: commit, label: `${ref} = ${commit.slice(0, 7)}${variant}` };
    }
    try {
        const dirty = git("status", "--porcelain", "--", ...PROJECT_FILES) !== "";
        return { label: `working tree at ${git("rev-parse", "--short", "HEAD")}${dirty ? ", with uncommitted changes" : ""}${variant}` };
    } catch {
        return { label: `working tree${variant}` };
    }
}

function copyProject(dir: string, ref: string | undefined): void {
    if (!ref) {
        for (const file of [...PROJECT_FILES, "dist"]) if (existsSync(join(PROJECT_ROOT, file))) cpSync(join(PROJECT_ROOT, file), join(dir, file), { recursive: true });
        return;
    }
    // Older commits lack some of these files (git archive refuses a missing path): take those that exist there.
    const present = PROJECT_FILES.filter((f) => execFileSync("git", ["-C", PROJECT_ROOT, "ls-tree", "--name-only", ref, f], { encoding: "utf8" }).trim() !== "");
    const tar = execFileSync("git", ["-C", PROJECT_ROOT, "archive", "--format=tar", ref, "--", ...present], { maxBuffer: 64 * 1024 * 1024 });
    execFileSync("tar", ["-x", "-C", dir], { input: tar });
}

/** A project that runs as compiled JavaScript (Pulumi.yaml main: dist/) is built in its copy. */
function buildProject(dir: string): void {
    if (existsSync(join(dir, "tsconfig.build.json")) && !existsSync(join(dir, "dist"))) {
        execFileSync(join(PROJECT_ROOT, "node_modules/.bin/tsc"), ["-p", join(dir, "tsconfig.build.json")], { cwd: dir, stdio: "inherit" });
    }
}

async function createBenchStack(root: string, stackName: string, config: Record<string, unknown>): Promise<BenchStack> {
    const dir = join(root, "project");
    mkdirSync(dir);
    copyProject(dir, projectSource().ref);
    symlinkSync(join(PROJECT_ROOT, "node_modules"), join(dir, "node_modules"));
    buildProject(dir);
    mkdirSync(join(dir, ".pulumi-state"));
    const namespaced = Object.fromEntries(Object.entries(config).map(([k, v]) => [`ovnlab:${k}`, v]));
    writeFileSync(join(dir, `Pulumi.${stackName}.yaml`), JSON.stringify({ config: namespaced }, null, 2));

    const shimDir = join(root, "shim");
    const nbctlLog = join(root, "ovn-nbctl.log");
    writeNbctlShim(shimDir, nbctlLog);
    // Pulumi's own home (workspace files, logs) inside the temp dir too, so nothing is left in ~/.pulumi.
    const pulumiHome = join(root, "pulumi-home");
    mkdirSync(pulumiHome);

    const binDir = pulumiBinDir();
    const pulumiCommand = await PulumiCommand.get({ root: resolve(binDir, ".."), skipVersionCheck: true });
    const stack = await LocalWorkspace.createOrSelectStack({ stackName, workDir: dir }, {
        pulumiCommand,
        pulumiHome,
        envVars: {
            // The shim first: the provider runs ovn-nbctl by name through this PATH.
            PATH: `${shimDir}:${binDir}:${process.env.PATH}`,
            PULUMI_CONFIG_PASSPHRASE: "ovnlab",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            PULUMI_SKIP_CHECKPOINTS: SKIP_CHECKPOINTS ? "true" : "false",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            // The provider's NB session writes its round trips here when it exits.
            OVNLAB_NB_STATS: join(root, "nb-session.jsonl"),
        },
    });
    return { stack, dir, nbctlLog, sessionLog: join(root, "nb-session.jsonl") };
}

// ---- Measurements ---------------------------------------------------------------

function nbctlLines(logFile: string): string[] {
    if (!existsSync(logFile)) return [];
    return readFileSync(logFile, "utf8").split("\n").filter((l) => l.length > 0);
}

/** A read is the snapshot: `ovn-nbctl --db=... --format=json list T -- list T ...`. */
const isRead = (argv: string) => /(^| )list [A-Z]/.test(argv) && !/(^| )(lsp|lrp|ls|lr)-(add|del)( |$)/.test(argv);

const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** utime, stime, cutime, cstime of a process in seconds (children count once they are reaped). */
function cpuTimes(pid: number | "self"): { own: number; children: number } {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
        // fields[0] is the state (field 3), so utime (field 14) is fields[11].
        return { own: (fields[11] + fields[12]) / CLOCK_TICKS, children: (fields[13] + fields[14]) / CLOCK_TICKS };
    } catch {
        return { own: 0, children: 0 };
    }
}

class BudgetExceeded extends Error {}

/**
 * Runs one Pulumi operation and measures it. At `deadline` the operation is
 * cancelled; the result is then marked partial and `failure` is a BudgetExceeded.
 */
async function phase(
    name: Phase,
    bench: BenchStack,
    ovsdbPid: number,
    deadline: number,
    run: (signal: AbortSignal) => Promise<Record<string, number>>,
): Promise<{ result: PhaseResult; failure?: Error }> {
    if (stopping) throw new Error("stopped by a signal");
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) throw new BudgetExceeded(`budget of ${BUDGET_S} s used up before ${name}`);
    const before = nbctlLines(bench.nbctlLog).length;
    const sessionsBefore = nbctlLines(bench.sessionLog).length;
    const cpuBefore = { self: cpuTimes("self").children, ovsdb: cpuTimes(ovsdbPid).own };
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
        timedOut = true;
        log(`${name}: budget of ${BUDGET_S} s reached, cancelling (SIGINT to pulumi)`);
        abort.abort();
    }, remainingMs);
    const start = performance.now();
    const done = run(abort.signal);
    inFlight = { abort, done };
    let summary: Record<string, number> = {};
    let failure: Error | undefined;
    try {
        summary = await done;
    } catch (e) {
        failure = e as Error;
    } finally {
        clearTimeout(timer);
        inFlight = undefined;
    }
    const seconds = (performance.now() - start) / 1000;
    const lines = nbctlLines(bench.nbctlLog).slice(before);
    const session = sessionCounts(bench.sessionLog, sessionsBefore);
    const result: PhaseResult = {
        seconds,
        nbctl: lines.length,
        nbctlReads: lines.filter(isRead).length,
        sessionRequests: session.requests,
        sessionReads: session.reads,
        // The Pulumi CLI is the bench's child: its CPU (and its reaped children's) lands in our cutime/cstime.
        pulumiCpu: cpuTimes("self").children - cpuBefore.self,
        ovsdbCpu: cpuTimes(ovsdbPid).own - cpuBefore.ovsdb,
        load1: loadavg()[0],
        summary,
    };
    if (timedOut) {
        result.partial = "cancelled at the budget";
        return { result, failure: new BudgetExceeded(`${name} cancelled after ${seconds.toFixed(0)} s: the budget of ${BUDGET_S} s per N ran out`) };
    }
    return { result, failure };
}

function nbctl(nb: ThrowawayDb, ...args: string[]): string {
    return execFileSync(REAL_NBCTL, [`--db=${nb.remote}`, ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 }).trim();
}

function countRows(nb: ThrowawayDb, table: string): number {
    const out = nbctl(nb, "--bare", "--columns=_uuid", "list", table);
    return out === "" ? 0 : out.split("\n").filter((l) => l.trim() !== "").length;
}

function log(message: string): void {
    console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

async function benchOne(n: number): Promise<RunResult> {
    const result: RunResult = { n, project: projectSource().label, stateResources: 0, stateBytes: 0, providerBytes: 0, snapshotMs: 0, phases: {} };
    const deadline = Date.now() + BUDGET_S * 1000;
    const root = mkdtempSync(join(tmpdir(), `ovnlab-bench-${n}-`));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    let nb: ThrowawayDb | undefined;
    try {
        nb = startOvnDb("nb");
        const db = nb;
        cleanups.push(() => db.stop());
        const ovsdbPid = pidFromFile(join(nb.dir, "db.pid"))!;
        const containers = Array.from({ length: n }, (_, i) => ({ name: `p${i + 1}`, node: `node${(i % NODES) + 1}` }));
        const bench = await createBenchStack(root, `scale${n}`, {
            driver: "external",
            nbDb: nb.remote,
            nodes: NODES,
            // 600 per node: a /22 each, so 1200 ports over 2 nodes fit; a /16 holds 63 such subnets.
            containersPerNode: 600,
            maxNodes: 8,
            containers,
        });
        const quiet = { onOutput: () => undefined };
        const measure = async (name: Phase, run: (signal: AbortSignal) => Promise<Record<string, number>>) => {
            log(`N=${n}: ${name}`);
            const { result: measured, failure } = await phase(name, bench, ovsdbPid, deadline, run);
            result.phases[name] = measured;
            if (failure) throw failure;
            return measured;
        };

        await measure("up", async (signal) => (await bench.stack.up({ ...quiet, signal })).summary.resourceChanges ?? {});
        const ports = countRows(nb, "Logical_Switch_Port");
        if (ports !== n + NODES) throw new Error(`after up: ${ports} logical switch ports, expected ${n + NODES}`);
        const state = await bench.stack.exportStack();
        result.stateResources = (state.deployment.resources ?? []).length;
        result.stateBytes = JSON.stringify(state).length;
        type Props = Record<string, unknown> | undefined;
        const providerText = (props: Props) => (typeof props?.__provider === "string" ? props.__provider.length : 0);
        for (const r of (state.deployment.resources ?? []) as { inputs?: Props; outputs?: Props }[]) {
            result.providerBytes += providerText(r.inputs) + providerText(r.outputs);
        }

        const t0 = performance.now();
        nbctl(nb, "--format=json", ...NB_TABLES.flatMap((t, i) => (i === 0 ? ["list", t] : ["--", "list", t])));
        result.snapshotMs = performance.now() - t0;

        const preview = await measure("preview", async (signal) => (await bench.stack.preview({ signal })).changeSummary as Record<string, number>);
        if (Object.keys(preview.summary).some((k) => k !== "same")) throw new Error(`preview is not a no-op: ${JSON.stringify(preview.summary)}`);

        await measure("refresh", async (signal) => (await bench.stack.refresh({ ...quiet, signal })).summary.resourceChanges ?? {});

        await measure("destroy", async (signal) => (await bench.stack.destroy({ ...quiet, signal })).summary.resourceChanges ?? {});
        for (const table of NB_TABLES) {
            const left = countRows(nb, table);
            if (left !== 0) throw new Error(`after destroy: ${left} rows left in ${table}`);
        }
    } catch (e) {
        result.error = (e as Error).message;
        if (e instanceof BudgetExceeded && nb) {
            // How far the cancelled phase got, from the database itself.
            try {
                const ports = Math.max(0, countRows(nb, "Logical_Switch_Port") - NODES);
                result.error += ` (${ports} of ${n} workload ports in the NB database when it stopped)`;
                const last = Object.values(result.phases).at(-1);
                if (last?.partial) last.partial += `; ${ports} of ${n} ports in NB`;
            } catch {
                // the database is not answering: leave the message as it is
            }
        }
        if (!(e instanceof BudgetExceeded)) {
            // The Automation API's message repeats Pulumi's whole output: keep it on stderr, the gist in the result.
            console.error((e as Error).message);
            result.error = shortError(result.error);
        }
        log(`N=${n}: FAILED: ${result.error}`);
    } finally {
        await runCleanups();
        cleaningUp = undefined;
    }
    return result;
}

// ---- Report -------------------------------------------------------------------------

function fmt(p: PhaseResult | undefined): string {
    if (!p) return "-";
    return p.partial ? `> ${p.seconds.toFixed(0)} (cancelled; ${p.partial.split("; ").slice(1).join("; ") || "partial"})` : p.seconds.toFixed(1);
}

/** The lines of a Pulumi failure that say what went wrong (the Automation API's message repeats the whole log). */
export function shortError(message: string): string {
    const lines = message.split("\n").map((l) => l.replace(/\u001b\[[0-9;]*m/g, "").trim());
    const wanted = lines.filter((l) => /^(error:|[A-Za-z]*Error:|command )/.test(l) && !/^error: update failed$/.test(l));
    return [...new Set(wanted)].slice(0, 3).join(" / ") || lines[0];
}

function table(results: RunResult[]): string {
    const rows = [
        "| N | up s | preview s | refresh s | refresh: ovn-nbctl processes / session requests (reads) | destroy s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ];
    for (const r of results) {
        const p = r.phases;
        rows.push(`| ${r.n} | ${fmt(p.up)} | ${fmt(p.preview)} | ${fmt(p.refresh)} | ${p.refresh ? `${p.refresh.nbctl} / ${p.refresh.sessionRequests} (${p.refresh.sessionReads})` : "-"} | ${fmt(p.destroy)} |`);
        if (r.error && !Object.values(p).some((x) => x?.partial)) rows.push(`| ${r.n} | FAILED: ${shortError(r.error).replace(/\|/g, "\\|")} | | | | |`);
    }
    rows.push("", "Per phase: wall s / CPU s of the Pulumi CLI and its children / CPU s of ovsdb-server / ovn-nbctl processes (1-min load average at the end)", "");
    rows.push("| N | resources in state | state KiB (of it `__provider` code) | one NB snapshot ms | up | preview | refresh | destroy |", "| ---: | ---: | ---: | ---: | --- | --- | --- | --- |");
    const detail = (p: PhaseResult | undefined) => (p ? `${p.partial ? "> " : ""}${p.seconds.toFixed(1)} / ${p.pulumiCpu.toFixed(1)} / ${p.ovsdbCpu.toFixed(2)} / ${p.nbctl} (load ${p.load1.toFixed(1)})` : "-");
    for (const r of results) {
        const p = r.phases;
        rows.push(`| ${r.n} | ${r.stateResources} | ${(r.stateBytes / 1024).toFixed(0)} (${r.stateBytes ? Math.round((100 * r.providerBytes) / r.stateBytes) : 0} %) | ${r.snapshotMs ? r.snapshotMs.toFixed(0) : "-"} | ${detail(p.up)} | ${detail(p.preview)} | ${detail(p.refresh)} | ${detail(p.destroy)} |`);
    }
    return rows.join("\n");
}

async function main(): Promise<void> {
    const ns = process.argv.slice(2).map(Number);
    if (ns.some((n) => !Number.isInteger(n) || n < 1 || n > 1200)) {
        throw new Error(`usage: bench/nbScale.ts [N ...] with 1 <= N <= 1200 (2 nodes of containersPerNode 600); got ${process.argv.slice(2).join(" ")}`);
    }
    const sizes = ns.length > 0 ? ns : [10, 100, 1000];
    if (!(BUDGET_S > 0)) throw new Error(`OVNLAB_BENCH_BUDGET_S must be a positive number of seconds; got ${process.env.OVNLAB_BENCH_BUDGET_S}`);
    if (!existsSync(REAL_NBCTL)) throw new Error(`${REAL_NBCTL} not found: the ovn-nbctl shim execs it (install ovn-central / ovn-common)`);
    log(`machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; project: ${projectSource().label}; sizes ${sizes.join(", ")}; budget ${BUDGET_S} s per N`);
    const results: RunResult[] = [];
    for (const n of sizes) {
        if (stopping) break;
        const r = await benchOne(n);
        results.push(r);
        console.log(JSON.stringify(r));
    }
    console.log(`\n${table(results)}`);
    if (results.some((r) => r.error)) process.exitCode = 1;
}

main().catch(async (e) => {
    console.error(e);
    await runCleanups();
    process.exit(1);
});
