// Lab up/destroy: how long the real Pulumi CLI takes to bring a whole netns
// lab up from nothing and to destroy it, next to the same lab built the
// walk-through's manual way (bench/manual-lab.sh: the same commands, one after
// another), plus the memory of every node's daemons.
//
//   node -r ts-node/register/transpile-only bench/labUp.ts [--sizes 2x2,4x10] [--manual-first] [--only pulumi|manual]
//
// Pulumi runs with the README's settings (PULUMI_SKIP_CHECKPOINTS=true: state written once
// per operation); OVNLAB_BENCH_SKIP_CHECKPOINTS=0 keeps per-step checkpoints.
// OVNLAB_BENCH_LOG_DIR=<dir> keeps every timed command's output.
//
// Sizes: 2x2 is stack dev's lab (Pulumi.dev.yaml: netsho1..netsho4, two per
// node); 4x10 is 4 nodes with c1..c40, c1-c10 on node1, c11-c20 on node2, ...
// For each size, in one run:
//   - Pulumi: a temp copy of the project with its own file:// backend
//     (test/helpers/pulumiStack.ts), a unique lab id (test/helpers/names.ts);
//     `pulumi up --yes --skip-preview` timed from an empty stack, cross-node pings,
//     daemon memory, a second `pulumi up` that has nothing to do (the fixed
//     cost: program, engine, one check/diff RPC per resource), a no-op
//     `pulumi preview`, then `pulumi destroy --yes --skip-preview` timed; then
//     the README's way once more: `pulumi up --yes` (preview, then up) from an
//     empty stack, and its destroy.
//   - Manual: `bash bench/manual-lab.sh up|down <id> <nodes> <perNode> <prefix>`
//     with its own unique lab id, timed the same way, same pings and memory.
// The 1/5/15-minute load averages are recorded before every timed command:
// other engineers' tests may share the machine.
//
// Memory: VmHWM (peak) and VmRSS of each daemon, by the PID in its pidfile
// under the lab's state directory, read after the pings; also the peak summed
// RSS of the timed command's own process tree (Pulumi CLI, language host,
// program, dynamic providers and the commands they run), sampled every 0.5 s.
//
// Hygiene: every lab is removed by cleanupLab (test/helpers/lab.ts: daemons by
// the PIDs in their pidfiles, containers by label, namespaces, links and the
// iptables rule by the lab's unique id) even when a step fails or on
// SIGINT/SIGTERM (the command in flight is interrupted first, by its process
// group id). Traffic stays inside the labs' own namespaces and containers.
import { execFileSync, spawn } from "child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { cpus, loadavg, totalmem } from "os";
import { join, resolve } from "path";
import { performance } from "perf_hooks";
import { parse } from "yaml";
import { DockerEngine, ensureDocker } from "../test/helpers/docker";
import { cleanupLab, labContainers, labIptablesRules, labLinks, labNamespaces } from "../test/helpers/lab";
import { uniqueLabId } from "../test/helpers/names";
import { createTestStack, TestStack } from "../test/helpers/pulumiStack";

const PROJECT_ROOT = resolve(__dirname, "..");
const MANUAL_SCRIPT = join(__dirname, "manual-lab.sh");
/**
 * Pulumi runs as the README's commands run it (scripts/env.sh: PULUMI_SKIP_CHECKPOINTS=true, the
 * state written once per operation); OVNLAB_BENCH_SKIP_CHECKPOINTS=0 measures per-step checkpoints.
 */
const SKIP_CHECKPOINTS = !/^(0|false)$/i.test(process.env.OVNLAB_BENCH_SKIP_CHECKPOINTS ?? "true");
/** A timed command still running after this long is interrupted (SIGINT), then killed. */
const COMMAND_TIMEOUT_MS = 360_000;

// ---- Sizes --------------------------------------------------------------------------

interface Size {
    label: string;
    nodes: number;
    perNode: number;
    /** Containers are <prefix>1..<prefix>N, the first perNode on node1, and so on. */
    prefix: string;
    /** The stack's ovnlab:* configuration, without labId. */
    config: Record<string, unknown>;
}

function devSize(): Size {
    const raw = parse(readFileSync(join(PROJECT_ROOT, "Pulumi.dev.yaml"), "utf8")).config as Record<string, unknown>;
    const config = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.replace(/^ovnlab:/, ""), v]));
    return { label: "2x2", nodes: 2, perNode: 2, prefix: "netsho", config };
}

function blockSize(nodes: number, perNode: number): Size {
    const containers = Array.from({ length: nodes * perNode }, (_, i) => ({ name: `c${i + 1}`, node: `node${Math.floor(i / perNode) + 1}` }));
    return { label: `${nodes}x${perNode}`, nodes, perNode, prefix: "c", config: { driver: "netns", experiment: "multi-l2", nodes, containers } };
}

const SIZES: Record<string, () => Size> = { "2x2": devSize, "4x10": () => blockSize(4, 10), "10x20": () => blockSize(10, 20) };

/** Container i (1-based): its name, node and address, as ovnlab's IP plan gives them. */
function containerAt(size: Size, i: number): { name: string; node: number; ip: string } {
    const node = Math.floor((i - 1) / size.perNode) + 1;
    const slot = ((i - 1) % size.perNode) + 1;
    return { name: `${size.prefix}${i}`, node, ip: `10.244.${node}.${slot + 2}` };
}

/** A couple of cross-node pings: first of node1 <-> last of the last node, and node2 -> node3 when there is one. */
function pingPairs(size: Size): { from: string; to: string; ip: string }[] {
    const total = size.nodes * size.perNode;
    const first = containerAt(size, 1);
    const last = containerAt(size, total);
    const pairs = [
        { from: first.name, to: last.name, ip: last.ip },
        { from: last.name, to: first.name, ip: first.ip },
    ];
    if (size.nodes >= 3) {
        const a = containerAt(size, size.perNode + 1);
        const b = containerAt(size, 2 * size.perNode + Math.ceil(size.perNode / 2));
        pairs.push({ from: a.name, to: b.name, ip: b.ip });
    }
    return pairs;
}

// ---- Cleanup registry, run on success, failure and signals ----------------------------

const cleanups: (() => Promise<void> | void)[] = [];

/** A clean-up that runs once however often it is called (the signal handler and a lab's `finally` may both call it). */
function once(step: () => Promise<void>): () => Promise<void> {
    let running: Promise<void> | undefined;
    return () => (running ??= step());
}

/** Takes a lab's clean-up off the registry and runs it. */
async function cleanUpNow(step: () => Promise<void>): Promise<void> {
    const i = cleanups.indexOf(step);
    if (i >= 0) cleanups.splice(i, 1);
    await step();
}

async function runCleanups(): Promise<void> {
    while (cleanups.length > 0) {
        const step = cleanups.pop()!;
        try {
            await step();
        } catch (e) {
            console.error(`[labUp] cleanup step failed: ${(e as Error).message}`);
        }
    }
}

/** The timed command in flight: its process group id, so a signal can interrupt it. */
let inFlight: { pgid: number; done: Promise<unknown> } | undefined;
let stopping = false;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
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
        console.error(`[labUp] ${signal}: interrupting the command in flight, then cleaning up`);
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

interface Load {
    load1: number;
    load5: number;
    load15: number;
    /** Network namespaces of other labs on the machine, and running containers: other work in flight. */
    otherNamespaces: number;
    runningContainers: number;
}

interface Timed {
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
async function timed(argv: string[], options: { cwd: string; env?: Record<string, string>; ownLabs: string[]; cleanup?: boolean }): Promise<Timed> {
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
        console.error(`[labUp] ${argv.slice(0, 3).join(" ")}: still running after ${COMMAND_TIMEOUT_MS / 1000} s, interrupting`);
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

function keepLog(name: string, t: Timed | undefined): void {
    if (!LOG_DIR || !t) return;
    mkdirSync(LOG_DIR, { recursive: true });
    writeFileSync(join(LOG_DIR, `${name}.log`), t.output);
}

function tail(output: string, lines = 30): string {
    return output.replace(/\u001b\[[0-9;]*m/g, "").trim().split("\n").slice(-lines).join("\n");
}

function mustSucceed(what: string, result: Timed): Timed {
    if (result.code !== 0) throw new Error(`${what} exited with ${result.code}:\n${tail(result.output)}`);
    return result;
}

// ---- Checks and memory -----------------------------------------------------------------

interface PingResult {
    from: string;
    ip: string;
    ok: boolean;
    /** Rounds of `ping -c 3 -W 2` until one got a reply. */
    attempts: number;
    received: number;
}

async function pingFrom(labId: string, from: string, ip: string): Promise<PingResult> {
    let received = 0;
    let attempts = 0;
    while (attempts < 5 && received === 0) {
        attempts++;
        const run = await timed(["docker", "exec", `ovnlab-${labId}-${from}`, "ping", "-c", "3", "-W", "2", ip], { cwd: PROJECT_ROOT, ownLabs: [] });
        received = Number(/(\d+) packets received/.exec(run.output)?.[1] ?? "0");
        if (received === 0) await sleep(1000);
    }
    return { from, ip, ok: received > 0, attempts, received };
}

async function verifyPings(labId: string, size: Size): Promise<PingResult[]> {
    const results: PingResult[] = [];
    for (const pair of pingPairs(size)) results.push(await pingFrom(labId, pair.from, pair.ip));
    return results;
}

interface DaemonMemory {
    daemon: string;
    pid: number;
    hwmMiB: number;
    rssMiB: number;
}

interface NodeMemory {
    node: string;
    /** "central" for the node that also runs NB, SB and ovn-northd. */
    role: "central" | "chassis";
    daemons: DaemonMemory[];
}

function statusKiB(status: string, key: string): number {
    return Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? "0");
}

function daemonMemory(daemon: string, pidfile: string): DaemonMemory | undefined {
    try {
        const pid = Number(readFileSync(pidfile, "utf8").trim());
        // Only the process started with this very pidfile (a PID may have been reused).
        if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(`--pidfile=${pidfile}`)) return undefined;
        const status = readFileSync(`/proc/${pid}/status`, "utf8");
        const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;
        return { daemon, pid, hwmMiB: mib(statusKiB(status, "VmHWM")), rssMiB: mib(statusKiB(status, "VmRSS")) };
    } catch {
        return undefined;
    }
}

function labMemory(stateDir: string, nodes: number): NodeMemory[] {
    const result: NodeMemory[] = [];
    for (let n = 1; n <= nodes; n++) {
        const run = join(stateDir, `node${n}`, "run");
        const daemons = [
            daemonMemory("ovsdb-server", join(run, "ovsdb-server.pid")),
            daemonMemory("ovs-vswitchd", join(run, "ovs-vswitchd.pid")),
            daemonMemory("ovn-controller", join(run, "ovn-controller.pid")),
        ];
        if (n === 1) {
            const central = join(stateDir, "central");
            daemons.push(
                daemonMemory("NB ovsdb-server", join(central, "ovnnb_db.pid")),
                daemonMemory("SB ovsdb-server", join(central, "ovnsb_db.pid")),
                daemonMemory("ovn-northd", join(central, "ovn-northd.pid")),
            );
        }
        result.push({ node: `node${n}`, role: n === 1 ? "central" : "chassis", daemons: daemons.filter((d): d is DaemonMemory => d !== undefined) });
    }
    return result;
}

/** Processes whose command line mentions the state directory (none should be left after teardown). */
function processesOf(stateDir: string): number[] {
    return readdirSync("/proc").filter((p) => /^\d+$/.test(p)).flatMap((pid) => {
        try {
            return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(stateDir) ? [Number(pid)] : [];
        } catch {
            return [];
        }
    });
}

function leftovers(labId: string, stateDir: string): string[] {
    const found: string[] = [];
    const add = (what: string, items: (string | number)[]) => items.length > 0 && found.push(`${what}: ${items.join(", ")}`);
    add("namespaces", labNamespaces(labId));
    add("links", labLinks(labId));
    add("containers", labContainers(labId));
    add("iptables rules", labIptablesRules(labId));
    add("processes", processesOf(stateDir));
    if (existsSync(stateDir)) found.push(`state directory ${stateDir}`);
    return found;
}

// ---- One lab, both ways ------------------------------------------------------------------

interface LabResult {
    size: string;
    way: "pulumi" | "manual";
    labId: string;
    up?: Timed;
    /** Pulumi only: a second up with nothing to change, and a preview with nothing to change. */
    noopUp?: Timed;
    noopPreview?: Timed;
    /** Pulumi only: the README's up (`pulumi up --yes`: preview, then up) from an empty stack, and its destroy. */
    readmeUp?: Timed;
    readmeDown?: Timed;
    down?: Timed;
    /** Pulumi only: resources in the stack after up (the stack itself included). */
    resources?: number;
    /** Pulumi only: size of the exported state after up, and of the serialized dynamic-provider code in it (`__provider`), KiB. */
    stateKiB?: number;
    providerKiB?: number;
    /** Pulumi's own "Duration:" line, or the manual script's phase times. */
    detail?: Record<string, string | number>;
    pings: PingResult[];
    memory: NodeMemory[];
    leftovers: string[];
    error?: string;
}

/** `[manual] <phase> <seconds>` lines of the manual script. */
function manualPhases(output: string): Record<string, number> {
    return Object.fromEntries([...output.matchAll(/^\[manual\] (\S+) ([\d.]+)$/gm)].map((m) => [m[1], Number(m[2])]));
}

function pulumiDuration(output: string): string | undefined {
    return /Duration: (\S+)/.exec(output)?.[1];
}

/** Mean and max of the "created (Ns)" / "deleted (Ns)" lines per resource type. */
function perTypeSeconds(output: string, verb: "created" | "deleted"): Record<string, string> {
    const byType: Record<string, number[]> = {};
    const pattern = new RegExp(`^\\s*[-+]\\s+(\\S+) \\S+ ${verb} \\((\\d+(?:\\.\\d+)?)s\\)`, "gm");
    for (const match of output.replace(/\u001b\[[0-9;]*m/g, "").matchAll(pattern)) {
        (byType[match[1].replace(/^ovnlab:/, "")] ??= []).push(Number(match[2]));
    }
    return Object.fromEntries(Object.entries(byType).map(([type, s]) => [
        type, `n=${s.length} mean ${(s.reduce((a, b) => a + b, 0) / s.length).toFixed(1)} s max ${Math.max(...s)} s`,
    ]));
}

/**
 * When the engine reported its first and last resource event, in seconds after
 * the command was started (engine timestamps are whole seconds: +-1 s). Before
 * the first: CLI, language host, Node.js and the program's start; after the
 * last: the final checkpoint and exits.
 */
function eventTimeline(eventLog: string, run: Timed): string {
    if (!existsSync(eventLog)) return "?";
    const times: number[] = [];
    for (const line of readFileSync(eventLog, "utf8").split("\n")) {
        if (!line.trim()) continue;
        try {
            const event = JSON.parse(line) as { timestamp?: number; resourcePreEvent?: unknown; resOutputsEvent?: unknown };
            if ((event.resourcePreEvent || event.resOutputsEvent) && event.timestamp) times.push(event.timestamp);
        } catch {
            // a partial last line
        }
    }
    if (times.length === 0) return "no resource events";
    const at = (t: number) => Math.max(0, t - run.startedMs / 1000).toFixed(0);
    return `first resource event at ~${at(Math.min(...times))} s, last at ~${at(Math.max(...times))} s, exit at ${run.seconds.toFixed(1)} s`;
}

async function pulumiLab(size: Size, ownLabs: string[]): Promise<LabResult> {
    const labId = uniqueLabId();
    ownLabs.push(labId);
    const result: LabResult = { size: size.label, way: "pulumi", labId, pings: [], memory: [], leftovers: [] };
    log(`${size.label} pulumi: lab ${labId}`);
    let lab: TestStack | undefined;
    let stateDir = "";
    let destroyed = false;
    const cleanup = once(async () => {
        try {
            if (lab && !destroyed) {
                const r = await timed([lab.pulumiBin, "destroy", "--yes", "--skip-preview", "--stack", lab.stack.name, "--non-interactive"], {
                    cwd: lab.dir, env: lab.env, ownLabs, cleanup: true,
                });
                if (r.code !== 0) console.error(`[labUp] cleanup destroy of ${labId} exited with ${r.code}:\n${tail(r.output, 10)}`);
            }
        } catch (e) {
            console.error(`[labUp] cleanup destroy of ${labId} failed: ${(e as Error).message}`);
        }
        // Whatever the destroy left (or could not reach): by the lab's unique id and its pidfiles.
        if (stateDir) await cleanupLab(labId, stateDir);
        if (lab) rmSync(lab.dir, { recursive: true, force: true });
    });
    cleanups.push(cleanup);
    try {
        lab = await createTestStack(`bench${size.label}`, { ...size.config, labId });
        stateDir = join(lab.dir, ".lab", labId);
        const events = (step: string) => join(lab!.dir, `events-${step}.jsonl`);
        const pulumi = (step: string, ...args: string[]) =>
            // --event-log exists only with PULUMI_DEBUG_COMMANDS (the Automation API sets it too).
            timed([lab!.pulumiBin, ...args, "--event-log", events(step), "--stack", lab!.stack.name, "--non-interactive"], {
                cwd: lab!.dir, env: { ...lab!.env, PULUMI_DEBUG_COMMANDS: "true", PULUMI_SKIP_CHECKPOINTS: SKIP_CHECKPOINTS ? "true" : "false" }, ownLabs,
            });

        result.up = mustSucceed("pulumi up", await pulumi("up", "up", "--yes", "--skip-preview"));
        log(`${size.label} pulumi: up ${result.up.seconds.toFixed(1)} s`);
        const exported = await timed([lab.pulumiBin, "stack", "export", "--stack", lab.stack.name], { cwd: lab.dir, env: lab.env, ownLabs });
        const state = JSON.parse(exported.output.slice(exported.output.indexOf("{"))) as { deployment: { resources?: { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[] } };
        const stateResources = state.deployment.resources ?? [];
        result.resources = stateResources.length;
        result.stateKiB = Math.round(JSON.stringify(state).length / 1024);
        // ovnlab 0.1's dynamic providers stored their serialized code here; 0 since the provider plugin.
        const providerText = (props: Record<string, unknown> | undefined) => (typeof props?.__provider === "string" ? props.__provider.length : 0);
        result.providerKiB = Math.round(stateResources.reduce((sum, r) => sum + providerText(r.inputs) + providerText(r.outputs), 0) / 1024);
        result.pings = await verifyPings(labId, size);
        result.memory = labMemory(stateDir, size.nodes);

        result.noopUp = mustSucceed("pulumi up (no changes)", await pulumi("noop", "up", "--yes", "--skip-preview"));
        if (/ (created|updated|deleted|replaced)\b/.test(result.noopUp.output.replace(/\u001b\[[0-9;]*m/g, "").split("Resources:")[1] ?? "")) {
            throw new Error(`the second pulumi up changed something:\n${tail(result.noopUp.output, 15)}`);
        }
        result.noopPreview = mustSucceed("pulumi preview (no changes)", await pulumi("preview", "preview"));
        result.down = mustSucceed("pulumi destroy", await pulumi("destroy", "destroy", "--yes", "--skip-preview"));
        log(`${size.label} pulumi: destroy ${result.down.seconds.toFixed(1)} s`);
        result.readmeUp = mustSucceed("pulumi up --yes (with its preview)", await pulumi("readme-up", "up", "--yes"));
        result.readmeDown = mustSucceed("pulumi destroy (again)", await pulumi("readme-destroy", "destroy", "--yes"));
        destroyed = true;
        result.detail = {
            upDuration: pulumiDuration(result.up.output) ?? "?",
            noopDuration: pulumiDuration(result.noopUp.output) ?? "?",
            destroyDuration: pulumiDuration(result.down.output) ?? "?",
            upTimeline: eventTimeline(events("up"), result.up),
            noopTimeline: eventTimeline(events("noop"), result.noopUp),
            destroyTimeline: eventTimeline(events("destroy"), result.down),
            ...Object.fromEntries(Object.entries(perTypeSeconds(result.up.output, "created")).map(([k, v]) => [`created ${k}`, v])),
            ...Object.fromEntries(Object.entries(perTypeSeconds(result.down.output, "deleted")).map(([k, v]) => [`deleted ${k}`, v])),
        };
        result.leftovers = leftovers(labId, stateDir);
    } catch (e) {
        result.error = (e as Error).message;
        log(`${size.label} pulumi: FAILED: ${result.error}`);
    } finally {
        await cleanUpNow(cleanup);
    }
    return result;
}

async function manualLab(size: Size, ownLabs: string[]): Promise<LabResult> {
    const labId = uniqueLabId();
    ownLabs.push(labId);
    const stateDir = `/tmp/ovnlab-manual-${labId}`;
    const result: LabResult = { size: size.label, way: "manual", labId, pings: [], memory: [], leftovers: [] };
    log(`${size.label} manual: lab ${labId}`);
    const script = (action: "up" | "down", cleanup = false) =>
        timed(["bash", MANUAL_SCRIPT, action, labId, String(size.nodes), String(size.perNode), size.prefix], {
            cwd: PROJECT_ROOT, env: { OVNLAB_MANUAL_STATE_DIR: stateDir }, ownLabs, cleanup,
        });
    let down = false;
    const cleanup = once(async () => {
        try {
            if (!down) {
                const r = await script("down", true);
                if (r.code !== 0) console.error(`[labUp] cleanup: manual-lab.sh down ${labId} exited with ${r.code}:\n${tail(r.output, 10)}`);
            }
        } catch (e) {
            console.error(`[labUp] cleanup: manual-lab.sh down ${labId} failed: ${(e as Error).message}`);
        }
        await cleanupLab(labId, stateDir);
    });
    cleanups.push(cleanup);
    try {
        result.up = mustSucceed("manual-lab.sh up", await script("up"));
        log(`${size.label} manual: up ${result.up.seconds.toFixed(1)} s`);
        result.pings = await verifyPings(labId, size);
        result.memory = labMemory(stateDir, size.nodes);
        result.down = mustSucceed("manual-lab.sh down", await script("down"));
        down = true;
        log(`${size.label} manual: down ${result.down.seconds.toFixed(1)} s`);
        const phases = (t: Timed, prefix: string) => Object.fromEntries(Object.entries(manualPhases(t.output)).map(([k, v]) => [`${prefix} ${k}`, v]));
        result.detail = { ...phases(result.up, "up"), ...phases(result.down, "down") };
        result.leftovers = leftovers(labId, stateDir);
    } catch (e) {
        result.error = (e as Error).message;
        log(`${size.label} manual: FAILED: ${result.error}`);
    } finally {
        await cleanUpNow(cleanup);
    }
    return result;
}

// ---- Report -------------------------------------------------------------------------------

function log(message: string): void {
    console.error(`[labUp ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

const loadText = (t: Timed | undefined) => (t ? `${t.load.load1.toFixed(2)}/${t.load.load5.toFixed(2)}/${t.load.load15.toFixed(2)}` : "-");
const secs = (t: Timed | undefined) => (t ? `${t.seconds.toFixed(1)} (load ${t.load.load1.toFixed(1)})` : "-");

function report(results: LabResult[]): string {
    const sizes = [...new Set(results.map((r) => r.size))];
    const find = (size: string, way: string) => results.find((r) => r.size === size && r.way === way);
    const rows = [
        "| size | pulumi up --skip-preview s | pulumi up (with preview) s | no-op preview s | pulumi destroy s | manual up s | manual down s | up / manual | up with preview / manual | destroy / manual |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ];
    const ratio = (a: Timed | undefined, b: Timed | undefined) => (a && b ? `${(a.seconds / b.seconds).toFixed(2)}x` : "-");
    for (const size of sizes) {
        const p = find(size, "pulumi");
        const m = find(size, "manual");
        rows.push(`| ${size} | ${secs(p?.up)} | ${secs(p?.readmeUp)} | ${secs(p?.noopPreview)} | ${secs(p?.down)} | ${secs(m?.up)} | ${secs(m?.down)} | ${ratio(p?.up, m?.up)} | ${ratio(p?.readmeUp, m?.up)} | ${ratio(p?.down, m?.down)} |`);
    }
    rows.push("", "| size | way | resources (state KiB, of it `__provider`) | no-op up s | CPU s up / down | tree peak RSS MiB up / down | load 1/5/15 before up | other labs' namespaces, running sleep containers | pings (attempts) | leftovers |");
    rows.push("| --- | --- | ---: | ---: | --- | --- | --- | --- | --- | --- |");
    for (const r of results) {
        const pings = r.pings.map((p) => `${p.from}->${p.ip} ${p.ok ? "ok" : "FAIL"}${p.attempts > 1 ? ` (${p.attempts})` : ""}`).join(", ") || "-";
        rows.push(`| ${r.size} | ${r.way} | ${r.resources === undefined ? "-" : `${r.resources} (${r.stateKiB}, ${r.providerKiB})`} | ${r.noopUp ? r.noopUp.seconds.toFixed(1) : "-"} | ${r.up?.cpu.toFixed(1) ?? "-"} / ${r.down?.cpu.toFixed(1) ?? "-"} | ${r.up?.treePeakMiB ?? "-"} / ${r.down?.treePeakMiB ?? "-"} | ${loadText(r.up)} | ${r.up ? `${r.up.load.otherNamespaces}, ${r.up.load.runningContainers}` : "-"} | ${pings} | ${r.leftovers.join("; ") || "none"} |`);
        if (r.error) rows.push(`| ${r.size} | ${r.way} | FAILED: ${r.error.split("\n")[0].replace(/\|/g, "\\|")} | | | | | | | |`);
    }
    rows.push("", "Daemon memory, MiB: VmHWM (peak) / VmRSS after the pings", "");
    rows.push("| size | way | node | role | ovsdb-server | ovs-vswitchd | ovn-controller | NB ovsdb-server | SB ovsdb-server | ovn-northd | node total (HWM) |");
    rows.push("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    const names = ["ovsdb-server", "ovs-vswitchd", "ovn-controller", "NB ovsdb-server", "SB ovsdb-server", "ovn-northd"];
    for (const r of results) {
        for (const node of r.memory) {
            const cell = (name: string) => {
                const d = node.daemons.find((x) => x.daemon === name);
                return d ? `${d.hwmMiB} / ${d.rssMiB}` : "-";
            };
            const total = node.daemons.reduce((sum, d) => sum + d.hwmMiB, 0);
            rows.push(`| ${r.size} | ${r.way} | ${node.node} | ${node.role} | ${names.map(cell).join(" | ")} | ${total.toFixed(1)} |`);
        }
    }
    rows.push("", "Details (Pulumi's own Duration lines and per-type create/delete times; the manual script's phases, s):", "");
    for (const r of results) {
        rows.push(`- ${r.size} ${r.way} ${r.labId}: ${JSON.stringify(r.detail ?? {})}`);
        for (const [step, t] of [["up", r.up], ["no-op up", r.noopUp], ["no-op preview", r.noopPreview], ["down", r.down], ["up with preview", r.readmeUp], ["its down", r.readmeDown]] as const) {
            if (t) rows.push(`  - ${step}: CPU s by process ${JSON.stringify(t.treeCpu)}; peak RSS MiB ${JSON.stringify(t.treePeaks)}`);
        }
    }
    return rows.join("\n");
}

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    const sizesArg = args.includes("--sizes") ? args[args.indexOf("--sizes") + 1] ?? "" : "2x2,4x10";
    const manualFirst = args.includes("--manual-first");
    const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
    if (only !== undefined && only !== "pulumi" && only !== "manual") throw new Error("--only takes pulumi or manual");
    const labels = sizesArg.split(",").filter(Boolean);
    const unknown = labels.filter((l) => !(l in SIZES));
    if (labels.length === 0 || unknown.length > 0) throw new Error(`usage: bench/labUp.ts [--sizes ${Object.keys(SIZES).join(",")}] [--manual-first] [--only pulumi|manual]; unknown size(s): ${unknown.join(", ")}`);
    if (process.getuid?.() !== 0) throw new Error("run as root: namespaces, OVS and Docker need it");

    const docker: DockerEngine = await ensureDocker();
    cleanups.push(() => docker.stop());
    log(`project: ${projectLabel()}`);
    log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB; sizes ${labels.join(", ")}; ${only ? `${only} only` : `${manualFirst ? "manual" : "pulumi"} first`}${SKIP_CHECKPOINTS ? "; PULUMI_SKIP_CHECKPOINTS=true" : ""}`);
    const ownLabs: string[] = [];
    const results: LabResult[] = [];
    for (const label of labels) {
        const size = SIZES[label]();
        const ways = (manualFirst ? [manualLab, pulumiLab] : [pulumiLab, manualLab])
            .filter((way) => only === undefined || (only === "pulumi") === (way === pulumiLab));
        for (const way of ways) {
            if (stopping) break;
            const r = await way(size, ownLabs);
            results.push(r);
            for (const [step, t] of [["up", r.up], ["noop", r.noopUp], ["down", r.down]] as const) keepLog(`${r.size}-${r.way}-${r.labId}-${step}`, t);
            console.log(JSON.stringify({ ...r, up: strip(r.up), noopUp: strip(r.noopUp), down: strip(r.down) }));
        }
    }
    console.log(`\n${report(results)}`);
    if (results.some((r) => r.error || r.leftovers.length > 0 || r.pings.some((p) => !p.ok))) process.exitCode = 1;
}

/** The project the stacks copy: the working tree (test/helpers/pulumiStack.ts), marked when it differs from HEAD. */
function projectLabel(): string {
    try {
        const git = (...args: string[]) => execFileSync("git", ["-C", PROJECT_ROOT, ...args], { encoding: "utf8" }).trim();
        const dirty = git("status", "--porcelain", "--", "Pulumi.yaml", "index.ts", "components") !== "";
        return `working tree at ${git("rev-parse", "--short", "HEAD")}${dirty ? ", with uncommitted changes to the program" : ""}`;
    } catch {
        return "working tree";
    }
}

/** A timed result without its (long) output, for the JSON lines. */
function strip(t: Timed | undefined) {
    if (!t) return undefined;
    const { output: _output, ...rest } = t;
    return rest;
}

main()
    .catch((e) => {
        console.error(e);
        process.exitCode = 1;
    })
    .finally(async () => {
        await runCleanups();
    });
