// Helpers every ovnlab host provider shares: diffs, link checks, and daemons
// managed by the PID in their pidfiles (never by name). Plain functions, run
// by the provider plugin's handlers.
import { DiffResult } from "./resource";
import { ipLinkDelete, ipLinkShow, ipNetnsPids } from "../commands/ip";
import { runCommand, TransportSpec } from "../transport/transport";

export type { ResourceInputs } from "./resource";

/** Compares plain data (strings, numbers, arrays, objects) regardless of key order. */
export function sameValue(a: unknown, b: unknown): boolean {
    const canonical = (value: unknown): unknown =>
        Array.isArray(value) ? value.map(canonical)
        : value !== null && typeof value === "object"
            ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]))
            : value;
    return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/**
 * A diff of old outputs against new inputs (both with defaults filled):
 * `replaceKeys` name another object on the host, `updateKeys` are changed in
 * place, and problems a refresh found (a dead daemon, a missing rule) are
 * repaired by an update.
 */
export function diffSettings<T extends object>(olds: T & { problems?: string[] }, news: T, replaceKeys: (keyof T & string)[], updateKeys: (keyof T & string)[]): DiffResult {
    const replaces = replaceKeys.filter((k) => !sameValue(olds[k], news[k]));
    const updates = updateKeys.filter((k) => !sameValue(olds[k], news[k]));
    const needsRepair = (olds.problems ?? []).length > 0;
    return { changes: replaces.length > 0 || updates.length > 0 || needsRepair, replaces, deleteBeforeReplace: true };
}

/** stderr of a command that failed only because what it acts on is already gone. */
export function alreadyGone(stderr: string): boolean {
    // `ssh: connect to host`: the node it ran on (a Vagrant machine) is gone, and everything on it with it.
    return /Cannot find device|does not exist|No such (file|device|container|image|object|process)|Cannot open network namespace|database connection failed|no port named|no bridge named|ssh: connect to host/i.test(stderr);
}

export async function linkExists(transport: TransportSpec, device: string): Promise<boolean> {
    return (await runCommand(transport, ipLinkShow(device), { allowFailure: true })).code === 0;
}

/** Deletes a link (a veth takes its peer with it); fine when it is already gone. */
export async function deleteLink(transport: TransportSpec, device: string): Promise<void> {
    if (!(await linkExists(transport, device))) return;
    const result = await runCommand(transport, ipLinkDelete(device), { allowFailure: true });
    if (result.code !== 0 && !alreadyGone(result.stderr)) throw new Error(`deleting ${device} failed: ${result.stderr.trim()}`);
}

export function namespaceExists(namespace: string): boolean {
    const fs: typeof import("fs") = require("fs");
    return fs.existsSync(`/run/netns/${namespace}`);
}

/** Where the daemon named by a pidfile is: running in the expected namespace, stopped, or running elsewhere. */
export type DaemonState = "running" | "stopped" | "stray";

/**
 * The live process a pidfile names. Only a process that was started with that
 * very pidfile counts (a reused PID does not), and a zombie has exited: detached
 * daemons are re-parented to PID 1, which may reap them late (recipe pitfall 7).
 */
export function pidFromPidfile(pidfile: string): number | undefined {
    return pidFromMarkedPidfile(pidfile, `--pidfile=${pidfile}`);
}

/** Like pidFromPidfile, for a daemon that has `mark` among its argv words instead of --pidfile=. */
export function pidFromMarkedPidfile(pidfile: string, mark: string): number | undefined {
    const fs: typeof import("fs") = require("fs");
    try {
        const pid = Number(fs.readFileSync(pidfile, "utf8").trim());
        if (!Number.isInteger(pid) || pid <= 1) return undefined;
        if (/^\d+ \(.*\) [ZX] /s.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"))) return undefined;
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        // `mark`: an argv word only that daemon has (its --pidfile=, or for one that takes none, e.g. busybox httpd, its own directory).
        return argv.includes(mark) ? pid : undefined;
    } catch {
        return undefined; // no pidfile, or the process is gone
    }
}

/** Whether `pid` lives in the named network namespace (a daemon outlives a namespace deleted by hand). */
function inNamespace(pid: number, namespace: string): boolean {
    const fs: typeof import("fs") = require("fs");
    try {
        const mine = fs.statSync(`/proc/${pid}/ns/net`);
        const wanted = fs.statSync(`/run/netns/${namespace}`);
        return mine.ino === wanted.ino && mine.dev === wanted.dev;
    } catch {
        return false;
    }
}

export function daemonState(pidfile: string, namespace: string, mark?: string): DaemonState {
    const pid = pidFromMarkedPidfile(pidfile, mark ?? `--pidfile=${pidfile}`);
    if (pid === undefined) return "stopped";
    return inNamespace(pid, namespace) ? "running" : "stray";
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL; done when the pidfile names no live process. */
export async function stopDaemon(pidfile: string, graceMs = 5000, mark?: string): Promise<void> {
    const pid = pidFromMarkedPidfile(pidfile, mark ?? `--pidfile=${pidfile}`);
    if (pid === undefined) return;
    const exited = async (withinMs: number) => {
        const deadline = Date.now() + withinMs;
        while (pidFromMarkedPidfile(pidfile, mark ?? `--pidfile=${pidfile}`) === pid) {
            if (Date.now() > deadline) return false;
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return true;
    };
    const signal = (name: NodeJS.Signals) => {
        try {
            process.kill(pid, name);
        } catch {
            // already exited
        }
    };
    signal("SIGTERM");
    if (await exited(graceMs)) return;
    signal("SIGKILL");
    if (!(await exited(3000))) throw new Error(`process ${pid} of ${pidfile} survived SIGKILL`);
}

/**
 * Starts a detached daemon in `namespace` unless the one its pidfile names runs
 * there already (a re-run after an interrupted create reuses it). One left
 * running outside the namespace (deleted by hand) is stopped first.
 */
export async function ensureDaemon(namespace: string, pidfile: string, argv: string[], env: Record<string, string>): Promise<number> {
    const state = daemonState(pidfile, namespace);
    if (state === "running") return pidFromPidfile(pidfile)!;
    if (state === "stray") await stopDaemon(pidfile);
    await runCommand({ kind: "netns", namespace }, argv, { env, timeoutMs: 60_000 });
    const pid = pidFromPidfile(pidfile);
    if (pid === undefined) throw new Error(`${argv[0]} detached but ${pidfile} names no running process: see its log file`);
    return pid;
}

/** One problem per daemon that is not running where it should. */
export function daemonProblems(namespace: string, daemons: Record<string, string>, mark?: string): string[] {
    return Object.entries(daemons).flatMap(([name, pidfile]) => {
        const state = daemonState(pidfile, namespace, mark);
        return state === "running" ? [] : [`${name} is ${state === "stray" ? `running outside namespace ${namespace}` : "not running"}`];
    });
}

/**
 * For a diff: the daemons that died since the last refresh, from their pidfiles (no command runs), so a
 * plain `up` restarts them. None whose pidfile's directory is gone: nothing of the lab ran on this host
 * (a preview elsewhere), or the whole node is gone, which a refresh reports.
 */
export function deadDaemons(namespace: string, daemons: Record<string, string>): string[] {
    const fs: typeof import("fs") = require("fs");
    const path: typeof import("path") = require("path");
    return daemonProblems(namespace, Object.fromEntries(Object.entries(daemons).filter(([, pidfile]) => fs.existsSync(path.dirname(pidfile)))));
}

/** Removes a directory tree; its parent too when that is left empty (a lab's state directory). */
export function removeStateDir(dir: string): void {
    const fs: typeof import("fs") = require("fs");
    const path: typeof import("path") = require("path");
    fs.rmSync(dir, { recursive: true, force: true });
    try {
        fs.rmdirSync(path.dirname(dir));
    } catch {
        // not empty (other nodes) or already gone
    }
}

/** /proc/<pid>/cmdline with its NULs as spaces; empty when the process is gone. */
function commandLineOf(pid: number): string {
    const fs: typeof import("fs") = require("fs");
    try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
    } catch {
        return "";
    }
}

/**
 * Stops the processes in the lab's own namespace (those whose command line
 * contains `mark`, when given), by PID: SIGTERM, then SIGKILL. For daemons
 * whose pidfiles went with the lab's files (`rm -rf .lab`): the namespace's
 * exact name, never a pattern, says they are the lab's. Returns how many it stopped.
 */
export async function stopNamespaceProcesses(namespace: string, mark?: string, graceMs = 5000): Promise<number> {
    if (!namespaceExists(namespace)) return 0;
    const listed = await runCommand({ kind: "local" }, ipNetnsPids(namespace), { allowFailure: true });
    const pids = listed.stdout.split("\n").map((l) => Number(l.trim())).filter((p) => Number.isInteger(p) && p > 1 && p !== process.pid)
        .filter((p) => mark === undefined || commandLineOf(p).includes(mark));
    const alive = (pid: number) => commandLineOf(pid) !== "" && !/^Z/.test(processState(pid));
    const signal = (pid: number, name: NodeJS.Signals) => {
        try {
            process.kill(pid, name);
        } catch {
            // already exited
        }
    };
    const waitFor = async (withinMs: number) => {
        const deadline = Date.now() + withinMs;
        while (pids.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    };
    pids.forEach((p) => signal(p, "SIGTERM"));
    await waitFor(graceMs);
    pids.filter(alive).forEach((p) => signal(p, "SIGKILL"));
    await waitFor(3000);
    const left = pids.filter(alive);
    if (left.length > 0) throw new Error(`processes ${left.join(", ")} in namespace ${namespace} survived SIGKILL`);
    return pids.length;
}

/** The state letter of /proc/<pid>/stat (R, S, Z, ...); empty when gone. */
function processState(pid: number): string {
    const fs: typeof import("fs") = require("fs");
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    } catch {
        return "";
    }
}

/**
 * Removes `<daemon>.<pid>.ctl` control sockets in `runDir` whose process is
 * gone: a daemon that names its socket after its PID (ovn-controller) and was
 * killed leaves one behind per restart (the soak counted them).
 */
export function removeStaleControlSockets(runDir: string, daemon: string): number {
    const fs: typeof import("fs") = require("fs");
    const path: typeof import("path") = require("path");
    if (!fs.existsSync(runDir)) return 0;
    let removed = 0;
    for (const entry of fs.readdirSync(runDir)) {
        const match = entry.match(/^(.+)\.(\d+)\.ctl$/);
        if (!match) continue;
        // A killed daemon may linger as a zombie (no one reaps it): its /proc entry is no sign of life.
        const state = processState(Number(match[2]));
        if (match[1] !== daemon || (state !== "" && state !== "Z")) continue;
        fs.rmSync(path.join(runDir, entry), { force: true });
        removed++;
    }
    return removed;
}
