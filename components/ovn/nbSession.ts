// One long-lived northbound session per database per provider process:
// ovn-nbctl's daemon mode (`ovn-nbctl --detach`, which keeps a replica of the
// database), spoken to over its unixctl socket with JSON-RPC `run` requests,
// so a create is one request, not one process that downloads the database.
// The commands are exactly the ones `pulumi preview --diff` shows.
//
// Only for databases reached on this host (transport local) and only when the
// provider plugin turns sessions on; elsewhere (SSH, tests calling handlers
// directly) every transaction is its own ovn-nbctl process, as before. The
// daemons are stopped by PID when the provider exits (the engine sends SIGINT);
// one left by a provider that was killed is stopped by the next provider.
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { ctlArgv, DbEndpoint, NbCommand, nbctlDaemonArgv } from "../commands/ovnNbctl";
import { pidFromPidfile } from "../kit/hostRuntime";
import { renderArgv, runCommand } from "../transport/transport";
import { CENTRAL_MARK } from "../commands/names";

const DIR_PREFIX = "ovnlab-nbctl-";
const REQUEST_TIMEOUT_MS = 20_000;
const START_TIMEOUT_MS = 20_000;

let enabled = false;
const sessions = new Map<string, Promise<Session>>();
const running: Session[] = [];
/** Directories of daemons being started. */
const starting = new Set<string>();
/** Daemons started and requests sent (reads: `list` snapshots), for the benches and tests. */
export const sessionStats = { started: 0, requests: 0, reads: 0 };

class Session {
    private socket: net.Socket | undefined;
    private queue: Promise<unknown> = Promise.resolve();
    private nextId = 1;

    constructor(readonly db: string, readonly dir: string) {}

    private connect(): Promise<net.Socket> {
        if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
        return new Promise((resolve, reject) => {
            const socket = net.createConnection(path.join(this.dir, "nbctl.ctl"));
            socket.once("connect", () => resolve((this.socket = socket)));
            socket.once("error", reject);
        });
    }

    /** One `run` request (the words after `ovn-nbctl`), answered in turn. */
    run(words: string[]): Promise<string> {
        const result = this.queue.then(() => this.request(words));
        this.queue = result.catch(() => undefined);
        return result;
    }

    private async request(words: string[]): Promise<string> {
        const socket = await this.connect();
        const id = this.nextId++;
        sessionStats.requests++;
        if (words.includes("list")) sessionStats.reads++;
        return new Promise<string>((resolve, reject) => {
            let buffer = "";
            const done = (error: Error | undefined, value?: string) => {
                clearTimeout(timer);
                socket.off("data", onData);
                socket.off("close", onClose);
                if (error) reject(error);
                else resolve(value!);
            };
            const onData = (chunk: Buffer) => {
                buffer += chunk.toString("utf8");
                let reply: { id: number; result?: string; error?: string | null };
                try {
                    reply = JSON.parse(buffer);
                } catch {
                    return; // not all of it yet
                }
                if (reply.error) done(Object.assign(new Error(`ovn-nbctl failed: ovn-nbctl ${renderArgv(words)}\n${String(reply.error).trim()}`), { stderr: String(reply.error) }));
                else done(undefined, reply.result ?? "");
            };
            const onClose = () => done(new Error(`the ovn-nbctl daemon of ${this.db} closed its socket during: ovn-nbctl ${renderArgv(words)}`));
            const timer = setTimeout(() => {
                socket.destroy();
                done(new Error(`ovn-nbctl (daemon of ${this.db}) did not answer within ${REQUEST_TIMEOUT_MS} ms: ovn-nbctl ${renderArgv(words)}`));
            }, REQUEST_TIMEOUT_MS);
            socket.on("data", onData);
            socket.once("close", onClose);
            socket.write(JSON.stringify({ id, method: "run", params: words }));
        });
    }

    stop(): void {
        this.socket?.destroy();
        stopDaemonIn(this.dir, "SIGTERM");
    }
}

/**
 * Stops the daemon that a session directory's pidfile names (only a process started with that pidfile:
 * pidFromPidfile checks) and removes the directory. False when no such daemon runs (yet).
 */
function stopDaemonIn(dir: string, signal: NodeJS.Signals): boolean {
    const pid = pidFromPidfile(path.join(dir, "nbctl.pid"));
    if (pid !== undefined) {
        try {
            process.kill(pid, signal);
        } catch {
            // already gone
        }
    }
    fs.rmSync(dir, { recursive: true, force: true });
    return pid !== undefined;
}

/** The daemons of providers that are gone (killed before they could stop theirs), stopped by their pidfiles' PIDs. */
export function reapOrphanedSessions(): void {
    for (const entry of fs.readdirSync(os.tmpdir())) {
        const match = new RegExp(`^${DIR_PREFIX}(\\d+)-`).exec(entry);
        if (!match || Number(match[1]) === process.pid) continue;
        try {
            process.kill(Number(match[1]), 0);
            continue; // its provider still runs
        } catch {
            // the provider is gone
        }
        stopDaemonIn(path.join(os.tmpdir(), entry), "SIGTERM");
    }
}

/**
 * Fails at once, in ovn-nbctl's words, when nothing listens on the database's
 * unix socket (a server killed with SIGKILL leaves its socket file behind): a
 * daemon would wait its whole start timeout for it.
 */
function probeUnixSocket(db: string): Promise<void> {
    if (!db.startsWith("unix:")) return Promise.resolve();
    return new Promise((resolve, reject) => {
        const socket = net.createConnection(db.slice("unix:".length));
        const timer = setTimeout(() => {
            socket.destroy();
            resolve(); // accepting but slow: let the daemon's own timeout judge
        }, 2000);
        socket.once("connect", () => {
            clearTimeout(timer);
            socket.destroy();
            resolve();
        });
        socket.once("error", (error: NodeJS.ErrnoException) => {
            clearTimeout(timer);
            const why = error.code === "ECONNREFUSED" ? "Connection refused" : error.code === "ENOENT" ? "No such file or directory" : error.message;
            reject(new Error(`ovn-nbctl: ${db}: database connection failed (${why})`));
        });
    });
}

async function startSession(db: string): Promise<Session> {
    await probeUnixSocket(db);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${DIR_PREFIX}${process.pid}-`));
    const pidfile = path.join(dir, "nbctl.pid");
    // Known while it starts, so a provider told to stop in the meantime stops this daemon too.
    starting.add(dir);
    try {
        // --detach returns once the daemon is connected: a database that does not answer keeps it waiting.
        await runCommand({ kind: "local" }, nbctlDaemonArgv(db, dir), { timeoutMs: START_TIMEOUT_MS });
    } catch (error) {
        // The half-started daemon (its parent was killed at the timeout) goes too, by its pidfile's PID.
        stopDaemonIn(dir, "SIGKILL");
        starting.delete(dir);
        throw new Error(`ovn-nbctl daemon for ${db} did not start within ${START_TIMEOUT_MS / 1000} s: is the database answering?\n${(error as Error).message}`);
    }
    starting.delete(dir);
    const pid = pidFromPidfile(pidfile);
    if (pid === undefined) throw new Error(`ovn-nbctl --detach for ${db} left no running daemon: see ${dir}/nbctl.log`);
    sessionStats.started++;
    const session = new Session(db, dir);
    running.push(session);
    return session;
}

/** Turns sessions on or off for this process (tests; the provider plugin calls enableNbSessions). */
export function useNbSessions(on: boolean): void {
    enabled = on;
}

/** Turns sessions on for this process (the provider plugin does) and stops their daemons when it exits. */
export function enableNbSessions(): void {
    if (enabled) return;
    enabled = true;
    reapOrphanedSessions();
    process.once("exit", closeNbSessions);
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.once(signal, () => {
            // A daemon still starting may not have written its pidfile yet: give it a moment (the engine waits 5 s).
            void stopStarting(2_000).finally(() => {
                closeNbSessions();
                process.exit(0);
            });
        });
    }
}

/** Stops the daemons still starting, by their pidfiles' PIDs, waiting up to `withinMs` for a pidfile to appear. */
async function stopStarting(withinMs: number): Promise<void> {
    const deadline = Date.now() + withinMs;
    while (starting.size > 0) {
        for (const dir of [...starting]) {
            const pidfileWritten = pidFromPidfile(path.join(dir, "nbctl.pid")) !== undefined;
            if (!pidfileWritten && Date.now() < deadline) continue;
            stopDaemonIn(dir, "SIGKILL");
            starting.delete(dir);
        }
        if (starting.size > 0) await new Promise((r) => setTimeout(r, 20));
    }
}

/** Stops every daemon this process started (synchronously: also from an exit handler). */
export function closeNbSessions(): void {
    for (const session of running.splice(0)) session.stop();
    for (const dir of starting) stopDaemonIn(dir, "SIGKILL");
    starting.clear();
    sessions.clear();
    // A bench's count of database round trips: OVNLAB_NB_STATS names a file that gets one JSON line per provider process.
    const statsFile = process.env.OVNLAB_NB_STATS;
    if (statsFile && sessionStats.requests > 0) fs.appendFileSync(statsFile, JSON.stringify({ pid: process.pid, ...sessionStats }) + "\n");
}

/**
 * A database on this host whose directory is gone: the lab's central was removed (say, by a destroy that
 * was killed after it, the state still listing its rows), and its rows with it. A database that is only
 * stopped keeps its directory (its socket goes): reading it fails, naming the socket.
 */
export function databaseGone(endpoint: DbEndpoint): boolean {
    return endpoint.transport.kind === "local" && endpoint.db.startsWith("unix:") && !fs.existsSync(path.dirname(endpoint.db.slice("unix:".length)));
}

/**
 * A database of the lab's own central (its directory holds CENTRAL_MARK) that
 * does not answer: its rows go with its files when the central is deleted, so
 * a destroy need not reach it. A user's database (external driver) has no mark.
 */
export function ownDatabaseDown(endpoint: DbEndpoint, error: unknown): boolean {
    if (endpoint.transport.kind !== "local" || !endpoint.db.startsWith("unix:")) return false;
    const dir = path.dirname(endpoint.db.slice("unix:".length));
    return fs.existsSync(path.join(dir, CENTRAL_MARK)) && /database connection failed|Connection refused|No such file/i.test(String((error as Error)?.message ?? error));
}

const socketMissing = (endpoint: DbEndpoint) => endpoint.db.startsWith("unix:") && !fs.existsSync(endpoint.db.slice("unix:".length));

/** Runs an ovn-nbctl transaction (or a query with extra options such as --format=json); returns its stdout. */
export async function nbctl(endpoint: DbEndpoint, commands: NbCommand[], extraOptions: string[] = []): Promise<string> {
    // No socket, no daemon: a plain ovn-nbctl fails at once with its own words (a daemon would wait for it).
    if (!enabled || endpoint.transport.kind !== "local" || !endpoint.db || socketMissing(endpoint)) {
        return (await runCommand(endpoint.transport, ctlArgv("ovn-nbctl", endpoint, commands, extraOptions))).stdout;
    }
    const words = ctlArgv("ovn-nbctl", { transport: endpoint.transport, db: "" }, commands, extraOptions).slice(1).filter((w) => w !== "--timeout=20");
    let session = sessions.get(endpoint.db);
    if (!session) {
        session = startSession(endpoint.db);
        sessions.set(endpoint.db, session);
        session.catch(() => sessions.delete(endpoint.db!));
    }
    return (await session).run(words);
}
