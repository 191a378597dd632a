// The benches' shared way of running one command: in its own process group,
// timed, with its CPU seconds, the load average before it and the memory of
// its process tree; a clean-up registry run on success, failure and
// SIGINT/SIGTERM (the command in flight is interrupted first, by its process
// group id). Used by bench/labUp.ts and bench/stacksUp.ts.
import { spawn } from "child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "fs";
import { loadavg } from "os";
import { join } from "path";
import { performance } from "perf_hooks";

/** A timed command still running after this long is interrupted (SIGINT), then killed. */
const COMMAND_TIMEOUT_MS = 360_000;
/** The bench's name in its log lines, set by the bench (benchName). */
let name = "bench";
export const benchName = (n: string) => void (name = n);

export function log(message: string): void {
    console.error(`[${name} ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

// ---- Cleanup registry, run on success, failure and signals ----------------------------

export const cleanups: (() => Promise<void> | void)[] = [];

/** A clean-up that runs once however often it is called (the signal handler and a lab's `finally` may both call it). */
export function once(step: () => Promise<void>): () => Promise<void> {
    let running: Promise<void> | undefined;
    return () => (running ??= step());
}

/** Takes a lab's clean-up off the registry and runs it. */
export async function cleanUpNow(step: () => Promise<void>): Promise<void> {
    const i = cleanups.indexOf(step);
    if (i >= 0) cleanups.splice(i, 1);
    await step();
}

export async function runCleanups(): Promise<void> {
    while (cleanups.length > 0) {
        const step = cleanups.pop()!;
        try {
            await step();
        } catch (e) {
            console.error(`[${name}] cleanup step failed: ${(e as Error).message}`);
        }
    }
}

/** The timed command in flight: its process group id, so a signal can interrupt it. */
let inFlight: { pgid: number; done: Promise<unknown> } | undefined;
let stopping = false;
/** True once a signal asked the bench to stop: only clean-up commands run then. */
export const isStopping = () => stopping;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
    try {
        process.kill(-pgid, signal);
    } catch {
        // the group is gone
    }
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
        if (stopping) return;
        stopping = true;
        console.error(`[${name}] ${signal}: interrupting the command in flight, then cleaning up`);
        void (async () => {
            const op = inFlight;
            if (op) {
                // Pulumi on SIGINT finishes the steps in flight and saves its state.
                signalGroup(op.pgid, "SIGINT");
                await Promise.race([op.done.catch(() => undefined), sleep(60_000)]);
            }
            await runCleanups();
            process.exit(130);
        })();
    });
}

// ---- Measuring one command -------------------------------------------------------------

export interface Load {
    load1: number;
    load5: number;
    load15: number;
    /** Network namespaces of other labs on the machine, and running containers: other work in flight. */
    otherNamespaces: number;
    runningContainers: number;
}

export interface Timed {
    seconds: number;
    code: number | null;
    /** CPU seconds of the command and everything it ran (reaped children count). */
    cpu: number;
    /** Peak of the summed RSS of the command's process tree, MiB (sampled every 0.5 s). */
    treePeakMiB: number;
    /** Peak RSS per kind of process in that tree, MiB. */
    treePeaks: Record<string, number>;
    /** CPU seconds per kind of process in that tree (sampled). */
    treeCpu: Record<string, number>;
    /** Unix time (ms) the command was started. */
    startedMs: number;
    load: Load;
    output: string;
}

const CLOCK_TICKS = 100;
const PAGE_KIB = 4;

function selfChildrenCpu(): number {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
    return (fields[13] + fields[14]) / CLOCK_TICKS;
}

function currentLoad(ownLabs: string[]): Load {
    const [load1, load5, load15] = loadavg();
    const namespaces = existsSync("/run/netns") ? readdirSync("/run/netns") : [];
    const otherNamespaces = namespaces.filter((ns) => !ownLabs.some((id) => ns.startsWith(`ovnlab-${id}-`))).length;
    let runningContainers = 0;
    try {
        runningContainers = readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
            try {
                return readFileSync(`/proc/${p}/cmdline`, "utf8").startsWith("sleep\u00002147483647");
            } catch {
                return false;
            }
        }).length;
    } catch {
        // /proc unreadable: leave 0
    }
    return { load1, load5, load15, otherNamespaces, runningContainers };
}

interface ProcInfo {
    ppid: number;
    /** The program's name; node processes by what they run (the Pulumi program or the provider). */
    label: string;
    rssKiB: number;
    /** utime + stime so far, seconds. */
    cpu: number;
}

/** Labels once given stick to their PID (a process may retitle itself, which rewrites its cmdline). */
const stickyLabels = new Map<number, string>();

function processLabel(pid: number, comm: string, parentComm: string | undefined): string {
    if (comm !== "node") return comm;
    const known = stickyLabels.get(pid);
    if (known) return known;
    let label = "node";
    try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        if (cmdline.includes("dynamic-provider")) label = "node (dynamic providers)";
        else if (cmdline.includes("provider/main.js")) label = "node (ovnlab provider)";
        else if (cmdline.includes("cmd/run")) label = "node (program)";
    } catch {
        // exited
    }
    // The language host runs the program; the CLI runs the provider plugins.
    if (label === "node" && parentComm === "pulumi-language") label = "node (program)";
    if (label === "node" && (parentComm === "pulumi" || parentComm === "pulumi-resource")) label = "node (provider)";
    if (label !== "node") stickyLabels.set(pid, label);
    return label;
}

function processTable(): Map<number, ProcInfo> {
    const raw = new Map<number, { ppid: number; comm: string; rssKiB: number; cpu: number }>();
    for (const entry of readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
            const close = stat.lastIndexOf(")");
            const comm = stat.slice(stat.indexOf("(") + 1, close);
            const fields = stat.slice(close + 2).split(" ");
            // fields[0] is the state (field 3): ppid is field 4, utime/stime fields 14/15, rss (pages) field 24.
            raw.set(Number(entry), {
                ppid: Number(fields[1]), comm, rssKiB: Number(fields[21]) * PAGE_KIB, cpu: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
            });
        } catch {
            // exited while we looked
        }
    }
    const table = new Map<number, ProcInfo>();
    for (const [pid, p] of raw) {
        table.set(pid, { ppid: p.ppid, label: processLabel(pid, p.comm, raw.get(p.ppid)?.comm), rssKiB: p.rssKiB, cpu: p.cpu });
    }
    return table;
}

/**
 * Samples `root`'s process tree until stopped: the peak of its summed RSS, the
 * peak RSS and the CPU seconds per kind of process (processes living less than
 * the 0.5 s interval are mostly missed; their CPU is in the command's total).
 */
function treeSampler(root: number): { stop(): { peakMiB: number; peaks: Record<string, number>; cpu: Record<string, number> } } {
    let peakKiB = 0;
    const peaks: Record<string, number> = {};
    const cpuByPid = new Map<number, { label: string; cpu: number }>();
    const sample = () => {
        const table = processTable();
        const children = new Map<number, number[]>();
        for (const [pid, info] of table) children.set(info.ppid, [...(children.get(info.ppid) ?? []), pid]);
        let total = 0;
        const queue = [root];
        while (queue.length > 0) {
            const pid = queue.pop()!;
            const info = table.get(pid);
            if (info) {
                total += info.rssKiB;
                peaks[info.label] = Math.max(peaks[info.label] ?? 0, info.rssKiB);
                cpuByPid.set(pid, { label: info.label, cpu: info.cpu });
            }
            queue.push(...(children.get(pid) ?? []));
        }
        peakKiB = Math.max(peakKiB, total);
    };
    const timer = setInterval(sample, 500);
    return {
        stop() {
            clearInterval(timer);
            const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;
            const cpu: Record<string, number> = {};
            for (const { label, cpu: seconds } of cpuByPid.values()) cpu[label] = Math.round(((cpu[label] ?? 0) + seconds) * 100) / 100;
            return { peakMiB: mib(peakKiB), peaks: Object.fromEntries(Object.entries(peaks).map(([k, v]) => [k, mib(v)])), cpu };
        },
    };
}

/** Runs argv in its own process group, timed, with its output collected. */
export async function timed(argv: string[], options: { cwd: string; env?: Record<string, string>; ownLabs: string[]; cleanup?: boolean }): Promise<Timed> {
    // After a signal only clean-up commands run.
    if (stopping && !options.cleanup) throw new Error("stopped by a signal");
    const load = currentLoad(options.ownLabs);
    const cpuBefore = selfChildrenCpu();
    const startedMs = Date.now();
    const start = performance.now();
    const child = spawn(argv[0], argv.slice(1), {
        cwd: options.cwd,
        env: { ...process.env, ...(options.env ?? {}) },
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
    });
    if (child.pid === undefined) throw new Error(`${argv[0]} did not start`);
    const pgid = child.pid;
    const sampler = treeSampler(pgid);
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const done = new Promise<number | null>((resolveDone) => child.on("close", (code) => resolveDone(code)));
    inFlight = { pgid, done };
    const timer = setTimeout(() => {
        console.error(`[${name}] ${argv.slice(0, 3).join(" ")}: still running after ${COMMAND_TIMEOUT_MS / 1000} s, interrupting`);
        signalGroup(pgid, "SIGINT");
        setTimeout(() => signalGroup(pgid, "SIGKILL"), 60_000).unref();
    }, COMMAND_TIMEOUT_MS);
    const code = await done;
    clearTimeout(timer);
    inFlight = undefined;
    const seconds = (performance.now() - start) / 1000;
    const tree = sampler.stop();
    return { seconds, code, cpu: selfChildrenCpu() - cpuBefore, treePeakMiB: tree.peakMiB, treePeaks: tree.peaks, treeCpu: tree.cpu, startedMs, load, output };
}

/** OVNLAB_BENCH_LOG_DIR: where to keep every timed command's output (default: not kept). */
const LOG_DIR = process.env.OVNLAB_BENCH_LOG_DIR ?? "";

export function keepLog(name: string, t: Timed | undefined): void {
    if (!LOG_DIR || !t) return;
    mkdirSync(LOG_DIR, { recursive: true });
    writeFileSync(join(LOG_DIR, `${name}.log`), t.output);
}

export function tail(output: string, lines = 30): string {
    return output.replace(/\u001b\[[0-9;]*m/g, "").trim().split("\n").slice(-lines).join("\n");
}

export function mustSucceed(what: string, result: Timed): Timed {
    if (result.code !== 0) throw new Error(`${what} exited with ${result.code}:\n${tail(result.output)}`);
    return result;
}

