// Where commands run: the local host, a network namespace on it, or a node
// reached over SSH. A transport is plain data so that resources can
// carry it in their inputs (and state); `runCommand` turns it into an argv.
//
// Commands are argv arrays executed without a shell. Only SSH needs a remote
// shell; there every word goes through `shellQuote`, the one audited quoting
// function.
//
// (Their `require` calls inside function bodies date from the dynamic providers, whose code Pulumi
// serialized; since the provider plugin they are only lazy loads.)

import { validNetnsName, validPath, validPort, validSshHost, validSshUser } from "../plan/validate";

export type TransportSpec =
    | { kind: "local" }
    | { kind: "netns"; namespace: string }
    /**
     * sudo: run every command as root through `sudo -n` (a Vagrant box's user, with passwordless sudo).
     * knownHostsFile: trust a host's key on first contact and refuse it if it changes later
     * (StrictHostKeyChecking=accept-new, the ssh driver's hosts); unset: no host key check at all
     * (a Vagrant machine, made anew with a new key on a private network, as `vagrant ssh` does).
     */
    | { kind: "ssh"; host: string; port: number; user: string; identityFile: string; sudo?: boolean; knownHostsFile?: string };

export interface RunOptions {
    /** Milliseconds before the command is killed (default 30 s). */
    timeoutMs?: number;
    /** Extra environment variables for the command. */
    env?: Record<string, string>;
    /** Resolve with the failure instead of rejecting. */
    allowFailure?: boolean;
    /** Working directory (local and netns transports only), for tools that write beside their arguments. */
    cwd?: string;
}

export interface RunResult {
    argv: string[];
    code: number;
    stdout: string;
    stderr: string;
}

/** Quotes one word for a POSIX shell: the only way a value reaches one. */
export function shellQuote(word: string): string {
    if (word.includes("\0")) throw new Error("a NUL byte cannot be passed to a shell");
    if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
    return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Renders an argv for humans (previews, error messages), quoted as a shell would need. */
export function renderArgv(argv: string[]): string {
    return argv.map(shellQuote).join(" ");
}

/** Seconds ssh waits for a host to answer before it gives up (exit 255, "Connection timed out"). */
export const SSH_CONNECT_TIMEOUT_SECONDS = 10;

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** The argv that runs `argv` through `transport`. */
export function transportArgv(transport: TransportSpec, argv: string[], env: Record<string, string> = {}): string[] {
    for (const name of Object.keys(env)) {
        if (!ENV_NAME.test(name)) throw new Error(`invalid environment variable name ${JSON.stringify(name)}`);
    }
    switch (transport.kind) {
        case "local":
            return argv;
        case "netns":
            validNetnsName(transport.namespace);
            return ["ip", "netns", "exec", transport.namespace, ...argv];
        case "ssh": {
            validSshHost(transport.host);
            validSshUser(transport.user);
            validPort("ssh port", transport.port);
            validPath("ssh identity file", transport.identityFile);
            const hostKeys = transport.knownHostsFile === undefined
                ? ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"]
                : ["-o", "StrictHostKeyChecking=accept-new", "-o", `UserKnownHostsFile=${validPath("ssh known hosts file", transport.knownHostsFile)}`];
            const assignments = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
            const remote = [
                ...(transport.sudo ? ["sudo", "-n"] : []), ...(assignments.length ? ["env", ...assignments] : []), ...argv.map(shellQuote),
            ].join(" ");
            return [
                "ssh", "-i", transport.identityFile, "-p", String(transport.port),
                // BatchMode: a refused key fails at once instead of asking for a password; ConnectTimeout: so does a host that does not answer.
                "-o", "BatchMode=yes", "-o", `ConnectTimeout=${SSH_CONNECT_TIMEOUT_SECONDS}`, ...hostKeys,
                "-o", "LogLevel=ERROR", `${transport.user}@${transport.host}`, "--", remote,
            ];
        }
    }
}

/** Runs `argv` through `transport`, without a shell, with a timeout. Errors carry the command and its stderr. */
export async function runCommand(transport: TransportSpec, argv: string[], options: RunOptions = {}): Promise<RunResult> {
    const childProcess: typeof import("child_process") = require("child_process");
    const env = options.env ?? {};
    const full = transportArgv(transport, argv, env);
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (options.cwd !== undefined && transport.kind === "ssh") throw new Error("a working directory cannot be set over SSH");
    return new Promise<RunResult>((resolve, reject) => {
        childProcess.execFile(
            full[0],
            full.slice(1),
            {
                env: transport.kind === "ssh" ? process.env : { ...process.env, ...env },
                cwd: options.cwd,
                timeout: timeoutMs,
                killSignal: "SIGKILL",
                maxBuffer: 256 * 1024 * 1024,
                encoding: "utf8",
            },
            (error, stdout, stderr) => {
                const failure = error as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string; signal?: NodeJS.Signals | null }) | null;
                const code = failure ? (typeof failure.code === "number" ? failure.code : -1) : 0;
                const result: RunResult = { argv: full, code, stdout, stderr };
                if (!failure || options.allowFailure) return resolve(result);
                const why = failure.killed
                    ? `timed out after ${timeoutMs} ms`
                    : typeof failure.code === "string"
                      ? `could not start (${failure.code})`
                      : failure.signal
                        // OVS/OVN tools end their own --timeout=N with SIGALRM; say so instead of "exited with -1".
                        ? `was killed by ${failure.signal}${failure.signal === "SIGALRM" ? " (its own --timeout expired)" : ""}`
                        : `exited with ${code}`;
                const shown = renderArgv(full);
                const message = `command ${why}: ${shown.length > 600 ? shown.slice(0, 600) + " ..." : shown}${stderr.trim() ? `\n${stderr.trim()}` : ""}`;
                reject(Object.assign(new Error(message), { argv: full, stderr, stdout, exitCode: code }));
            },
        );
    });
}
