// capture: tcpdump on a container's br-int port (its veth end on the node), or
// with --tunnel on a node's underlay interface (Geneve between chassis), run
// where that interface is, through the node's transport. Prints the command,
// then the decoded packets as they come, or writes a pcap file.
//   npm run capture -- CONTAINER [--stack NAME] [--count N] [--write FILE.pcap] [--filter EXPR] [--tunnel] [--timeout-seconds S] [--json]
import { spawn } from "child_process";
import { createWriteStream, openSync, readFileSync } from "fs";
import { renderArgv, transportArgv } from "../components/transport/transport";
import { CaptureOptions, CaptureTarget, captureTarget, parseCapturedCount, parseCaptureArgs, pcapPacketCount, tcpdumpArgv } from "./captureCommands";
import { reachTransport } from "./nodeReach";
import { LabOutputs, labOutputs, openStack, stackName } from "./pulumiWorkspace";

export interface CaptureSummary {
    stack: string;
    node: string;
    container?: string;
    interface: string;
    tunnel: boolean;
    /** The command line, as a user would type it (with `> FILE` when writing a pcap). */
    command: string;
    packets: number;
    /** The pcap file written. */
    file?: string;
    /** The decoded packets (without --write), one line each. */
    lines?: string[];
    /** The timeout ended the capture before --count packets came. */
    timedOut: boolean;
    /** What was waited for, when the capture timed out. */
    message?: string;
}

export interface CaptureHooks {
    /** The command line, before it runs. */
    onCommand?(command: string): void;
    /** Each decoded packet, as it comes. */
    onLine?(line: string): void;
    /** What tcpdump prints on stderr (`listening on ...`, its summary), as it comes. */
    onStderr?(text: string): void;
    /** Aborting stops the capture as Ctrl-C would. */
    signal?: AbortSignal;
}

/** Seconds past tcpdump's own timeout before the local process is killed outright (ssh gone silent, say). */
const KILL_GRACE_SECONDS = 15;

/** Splits a stream into lines; the last, unterminated one comes at the end. */
function lineReader(onLine: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
    let rest = "";
    return {
        push(chunk) {
            const parts = (rest + chunk.toString("utf8")).split("\n");
            rest = parts.pop()!;
            parts.forEach(onLine);
        },
        end() {
            if (rest) onLine(rest);
            rest = "";
        },
    };
}

function describeWait(options: CaptureOptions, target: CaptureTarget, packets: number): string {
    const what = `${options.count} packet${options.count === 1 ? "" : "s"}${options.filter.length ? ` matching \`${options.filter.join(" ")}\`` : ""}`;
    const where = target.tunnel ? `tunnel traffic on ${target.interface} of ${target.node}` : `${target.container}'s port ${target.interface} on ${target.node}`;
    return `waited ${options.timeoutSeconds} s for ${what} (${where}); ${packets} came`;
}

/** Runs one capture to its end: --count packets, the timeout, or an abort (Ctrl-C). Rejects when tcpdump fails. */
export async function capture(stack: string, outputs: LabOutputs, options: CaptureOptions, hooks: CaptureHooks = {}): Promise<CaptureSummary> {
    const target = captureTarget(stack, outputs, options.target, options.tunnel);
    const argv = tcpdumpArgv({
        interface: target.interface, filter: options.filter, tunnel: options.tunnel, pcap: options.write !== undefined,
        ...(options.count === undefined ? {} : { count: options.count }),
        ...(options.timeoutSeconds === undefined ? {} : { timeoutSeconds: options.timeoutSeconds }),
    });
    const full = transportArgv(await reachTransport(target.reach), argv);
    const command = renderArgv(full) + (options.write === undefined ? "" : ` > ${renderArgv([options.write])}`);
    hooks.onCommand?.(command);

    // Opened before tcpdump starts, so a path that cannot be written fails at once.
    const file = options.write === undefined ? undefined : createWriteStream(options.write, { fd: openSync(options.write, "w") });
    const fileDone = file ? new Promise<void>((resolve, reject) => file.on("close", resolve).on("error", reject)) : Promise.resolve();
    fileDone.catch(() => undefined); // awaited below, after tcpdump ends
    const child = spawn(full[0], full.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    const lines: string[] = [];
    let stderr = "";
    const decoded = lineReader((line) => {
        if (line.trim() === "") return;
        lines.push(line);
        hooks.onLine?.(line);
    });
    if (file) child.stdout.pipe(file);
    else child.stdout.on("data", (chunk: Buffer) => decoded.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
        hooks.onStderr?.(chunk.toString("utf8"));
    });

    // Ctrl-C reaches the whole process group; `timeout` runs tcpdump in a group of its own, so pass it on (once).
    let interrupted = false;
    const interrupt = () => {
        if (!interrupted) child.kill("SIGINT");
        interrupted = true;
    };
    hooks.signal?.addEventListener("abort", interrupt);
    const killer = options.timeoutSeconds === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), (options.timeoutSeconds + KILL_GRACE_SECONDS) * 1000);
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
        child.on("error", reject);
        child.on("close", (code, signal) => resolve({ code, signal }));
    }).finally(() => {
        clearTimeout(killer);
        hooks.signal?.removeEventListener("abort", interrupt);
    });
    decoded.end();
    await fileDone;

    // coreutils' timeout exits 124 when its time ran out; tcpdump itself exits 0 after -c N packets or an interrupt.
    const ranOut = exit.code === 124 || exit.signal === "SIGKILL";
    if (!ranOut && exit.code !== 0 && !(interrupted && exit.signal === "SIGINT")) {
        throw new Error(`tcpdump failed (${exit.signal ? `killed by ${exit.signal}` : `exit ${exit.code}`}): ${command}\n${stderr.trim()}`);
    }
    // A tcpdump killed before its first packet may not have flushed even the pcap header.
    const pcap = options.write === undefined ? undefined : readFileSync(options.write);
    const packets = pcap ? (pcap.length === 0 ? 0 : pcapPacketCount(pcap)) : parseCapturedCount(stderr) ?? lines.length;
    // Without --count the timeout is the end the user asked for; with it, fewer packets than asked is a failure (Ctrl-C is not).
    const short = options.count !== undefined && packets < options.count && !interrupted;
    return {
        stack, node: target.node, ...(target.container ? { container: target.container } : {}), interface: target.interface, tunnel: target.tunnel,
        command, packets, ...(options.write === undefined ? { lines } : { file: options.write }),
        timedOut: short, ...(short ? { message: describeWait(options, target, packets) } : {}),
    };
}

async function main(argv: string[]) {
    const options = parseCaptureArgs(argv, process.cwd());
    const stack = await openStack(stackName(argv));
    const outputs = labOutputs(stack.name, await stack.outputs());
    const abort = new AbortController();
    process.on("SIGINT", () => abort.abort());
    process.on("SIGTERM", () => abort.abort());
    const human = !options.json;
    const summary = await capture(stack.name, outputs, options, {
        signal: abort.signal,
        ...(human ? {
            onCommand: (command: string) => process.stdout.write(`$ ${command}\n`),
            onLine: (line: string) => process.stdout.write(`${line}\n`),
            onStderr: (text: string) => process.stderr.write(text),
        } : {}),
    });
    if (options.json) process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
    else if (summary.file) process.stdout.write(`${summary.packets} packet${summary.packets === 1 ? "" : "s"} written to ${summary.file} (read it with tcpdump -r or Wireshark)\n`);
    if (summary.message) console.error(`capture: ${summary.message}`);
    process.exitCode = summary.timedOut ? 1 : 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((e: Error) => {
        console.error(`capture: ${e.message}`);
        process.exitCode = 2;
    });
}
