// What `verify` runs, as data: which workloads it pings from and how to enter
// each one's network (`docker exec` of its container, or `nsenter` into a
// process sandbox's network namespace, by the PID `pgrep` finds by its
// argv[0]), the ping, and the report it prints. Pure: cli/verify.ts runs it.
import type { Unwrap } from "@pulumi/pulumi";
import type { NodeSummary } from "../components/lab";
import { Argv } from "../components/commands/argv";
import { dockerExec } from "../components/commands/docker";
import { inNetnsOfPid } from "../components/commands/ip";
import { checked, validIpv4 } from "../components/plan/validate";
import { NodeReach, nodeReach } from "./nodeReach";
import { passed, PingResult, renderMatrix } from "./pingMatrix";
import type { LabOutputs } from "./pulumiWorkspace";

/** A running workload, where it is and how its network is entered. */
export interface WorkloadAccess {
    name: string;
    node: string;
    ip: string;
    /** Its container's name; for a process sandbox the process's argv[0]. */
    containerName: string;
    kind: "docker" | "process";
    /** Its node's. */
    reach: NodeReach;
}

/** How the node's workloads run, from its outputs; a netns node brought up before the field existed runs Docker containers. */
function workloadKind(stack: string, node: Unwrap<NodeSummary>): "docker" | "process" {
    if (node.workloads === "docker" || node.workloads === "process") return node.workloads;
    if (node.workloads === undefined && node.namespace !== undefined) return "docker";
    throw new Error(`stack ${stack}: the outputs of ${node.name} do not say how its workloads run; a stack brought up before verify reached every driver needs \`npm run lab:up\` once to record it`);
}

/** The workloads that run (the external driver's containers are only logical ports), with their nodes' reach. */
export function workloadAccesses(stack: string, outputs: LabOutputs): WorkloadAccess[] {
    return outputs.containers.flatMap((c) => {
        if (!c.containerName) return [];
        const node = outputs.nodes.find((n) => n.name === c.node);
        if (!node) throw new Error(`stack ${stack}: ${c.name} is on node ${c.node}, which the outputs do not list`);
        return [{ name: c.name, node: c.node, ip: c.ip, containerName: c.containerName, kind: workloadKind(stack, node), reach: nodeReach(stack, node, "verify") }];
    });
}

/** Three echoes, two seconds each at most; -q: only the summary, which parsePingSummary reads. */
export const pingArgv = (ip: string): Argv => ["ping", "-c", "3", "-W", "2", "-q", validIpv4(ip)];

/** Where a command enters a workload's network: its container, or the process whose network namespace it is. */
export type WorkloadTarget = { kind: "docker"; containerName: string } | { kind: "process"; pid: number };

/** `docker exec CONTAINER ...` (through the node's docker), or `nsenter -t PID -n ...` on the node. */
export function inWorkload(target: WorkloadTarget, argv: Argv): Argv {
    checked("workload kind", target.kind, target.kind === "docker" || target.kind === "process", "docker | process");
    return target.kind === "docker" ? dockerExec(target.containerName, argv) : inNetnsOfPid(target.pid, argv);
}

/** The one PID of `pgrep` output; undefined when none; an error when several processes claim the name. */
export function parseSandboxPid(stdout: string, marker: string): number | undefined {
    const pids = stdout.split("\n").map((line) => line.trim()).filter(Boolean);
    if (pids.some((pid) => !/^\d+$/.test(pid))) throw new Error(`pgrep printed ${JSON.stringify(stdout.slice(0, 120))}, not PIDs`);
    if (pids.length > 1) throw new Error(`${pids.length} processes are named ${marker} (PIDs ${pids.join(", ")}): expected one`);
    return pids.length ? Number(pids[0]) : undefined;
}

/** One ping of the matrix, with the command that ran it and, when it failed, why. */
export interface PingRun extends PingResult {
    ip: string;
    /** The command line, as a user would type it; absent when there was nothing to run (no sandbox process). */
    command?: string;
    /** stderr (or the reason nothing ran) when no echo came back. */
    error?: string;
}

/** A process sandbox's PID, looked up on its node. */
export interface SandboxLookup {
    workload: string;
    node: string;
    command: string;
    pid?: number;
    error?: string;
}

export interface VerifyReport {
    stack: string;
    workloads: { name: string; node: string; ip: string; kind: "docker" | "process" }[];
    lookups: SandboxLookup[];
    results: PingRun[];
    passed: number;
    failed: number;
    /** The pairs that did not ping. */
    failures: PingRun[];
}

export function verifyReport(stack: string, workloads: WorkloadAccess[], lookups: SandboxLookup[], results: PingRun[]): VerifyReport {
    const failures = results.filter((r) => !passed(r));
    return {
        stack, workloads: workloads.map(({ name, node, ip, kind }) => ({ name, node, ip, kind })), lookups, results,
        passed: results.length - failures.length, failed: failures.length, failures,
    };
}

const verdict = (r: PingResult) => `${passed(r) ? "ok" : "FAIL"} ${r.received}/${r.sent}${r.blockedBy !== undefined ? ` (ACL ${r.blockedBy} drops it)` : ""}`;
const firstLine = (text: string) => text.trim().split("\n")[0];

/** For people: every command (with what it found), the matrix, the counts, and why each failed pair failed. */
export function renderVerify(report: VerifyReport): string {
    const lookups = report.lookups.map((l) => `$ ${l.command}    # ${l.workload} on ${l.node}: ${l.pid === undefined ? `not found${l.error ? ` (${firstLine(l.error)})` : ""}` : `PID ${l.pid}`}`);
    const pings = report.results.map((r) => r.command === undefined ? `# ${r.from} -> ${r.to}: not run` : `$ ${r.command}    # ${r.from} -> ${r.to}: ${verdict(r)}`);
    const failures = report.failures.map((r) => r.blockedBy !== undefined
        ? `FAIL ${r.from} -> ${r.to} (${r.ip}): ${r.received}/${r.sent} echoes came back though ACL ${r.blockedBy} should drop them`
        : `FAIL ${r.from} -> ${r.to} (${r.ip}): ${r.received}/${r.sent} echoes came back${r.error ? `: ${firstLine(r.error)}` : ""}`);
    return [
        [...lookups, ...pings].join("\n"),
        renderMatrix(report.workloads.map((w) => w.name), report.results),
        [`${report.passed} passed, ${report.failed} failed`, ...failures].join("\n"),
    ].join("\n\n") + "\n";
}
