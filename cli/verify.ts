// verify: pings every workload from every other one, from inside the sender's
// network, through its node's transport: `docker exec` (on this host for a
// netns lab, in the machine for a Vagrant one) or `nsenter` into a process
// sandbox's namespace. Prints every command, the matrix and why each failed
// pair failed; exits 1 if any pair cannot reach the other. In a lab with ACLs, a pair
// the rules drop (ICMP) is expected not to answer, and one that does is reported.
//   npm run verify [-- --stack NAME] [--json]
import { sandboxFind } from "../components/commands/process";
import { blockingRule } from "../components/plan/aclPolicy";
import { renderArgv, runCommand, transportArgv, TransportSpec } from "../components/transport/transport";
import { socketTransport, transportResolver } from "./nodeReach";
import { parsePingSummary, pingPairs } from "./pingMatrix";
import { LabOutputs, labOutputs, openStack } from "./pulumiWorkspace";
import { parseToolArgs, stackOf } from "./toolArgs";
import {
    inWorkload, parseSandboxPid, pingArgv, PingRun, renderVerify, SandboxLookup, VerifyReport, verifyReport, WorkloadAccess, workloadAccesses,
    WorkloadTarget,
} from "./verifyCommands";

const USAGE = "usage: npm run verify [-- --stack NAME] [--json]";
const PARALLEL_PINGS = 4;

/** Where a workload's commands run and how they enter it; undefined target: its sandbox process is gone. */
interface Entry {
    transport: TransportSpec;
    target?: WorkloadTarget;
}

/** Pings every ordered pair of running workloads, four at a time. */
export async function verifyLab(stack: string, outputs: LabOutputs): Promise<VerifyReport> {
    const workloads = workloadAccesses(stack, outputs);
    if (workloads.length < 2) throw new Error(`stack ${stack} has ${workloads.length} running workload${workloads.length === 1 ? "" : "s"}; verify needs two`);
    const resolve = transportResolver();
    const lookups: SandboxLookup[] = [];
    const entries = new Map<string, Entry>();
    await Promise.all(workloads.map(async (w) => {
        const node = await resolve(w.reach);
        if (w.kind === "docker") {
            // The docker CLI reaches its daemon through a socket file: where the node's files are.
            entries.set(w.name, { transport: socketTransport(w.reach, node), target: { kind: "docker", containerName: w.containerName } });
            return;
        }
        const find = sandboxFind(w.containerName);
        const found = await runCommand(node, find, { allowFailure: true, timeoutMs: 60_000 });
        const lookup: SandboxLookup = { workload: w.name, node: w.node, command: renderArgv(transportArgv(node, find)) };
        try {
            const pid = parseSandboxPid(found.stdout, w.containerName);
            if (pid === undefined) lookup.error = found.stderr.trim() || `no process named ${w.containerName}`;
            else lookup.pid = pid;
        } catch (e) {
            lookup.error = (e as Error).message;
        }
        lookups.push(lookup);
        entries.set(w.name, { transport: node, ...(lookup.pid === undefined ? {} : { target: { kind: "process", pid: lookup.pid } }) });
    }));
    lookups.sort((a, b) => workloads.findIndex((w) => w.name === a.workload) - workloads.findIndex((w) => w.name === b.workload));

    const ping = async (from: WorkloadAccess, to: WorkloadAccess): Promise<PingRun> => {
        const entry = entries.get(from.name)!;
        const blockedBy = blockingRule(outputs.acls ?? [], { from: { name: from.name, node: from.node }, to: to.name, protocol: "icmp" });
        const pair = { from: from.name, to: to.name, ip: to.ip, ...(blockedBy ? { blockedBy } : {}) };
        if (!entry.target) return { ...pair, sent: 0, received: 0, error: `${from.name}'s sandbox process is not running on ${from.node}` };
        const argv = inWorkload(entry.target, pingArgv(to.ip));
        const result = await runCommand(entry.transport, argv, { allowFailure: true, timeoutMs: 60_000 });
        const counts = parsePingSummary(result.stdout);
        const error = counts.received > 0 || blockedBy ? undefined : result.stderr.trim() || result.stdout.trim() || `exit ${result.code}`;
        return { ...pair, ...counts, command: renderArgv(transportArgv(entry.transport, argv)), ...(error === undefined ? {} : { error }) };
    };
    const pairs = pingPairs(workloads);
    const results: PingRun[] = [];
    for (let i = 0; i < pairs.length; i += PARALLEL_PINGS) {
        results.push(...(await Promise.all(pairs.slice(i, i + PARALLEL_PINGS).map(([from, to]) => ping(from, to)))));
    }
    return verifyReport(stack, workloads, lookups, results);
}

/** What `npm run verify` prints and its exit status: 0 when every pair pings, 1 otherwise. */
export async function verifyTool(stack: string, outputs: LabOutputs, options: { json: boolean }): Promise<{ exitCode: number; output: string; report: VerifyReport }> {
    const report = await verifyLab(stack, outputs);
    const output = options.json ? JSON.stringify({ ...report, healthy: report.failed === 0 }, null, 2) + "\n" : renderVerify(report);
    return { exitCode: report.failed === 0 ? 0 : 1, output, report };
}

async function main(argv: string[]) {
    const args = parseToolArgs(argv, { usage: USAGE, flags: ["json"], positional: 0 });
    const stack = await openStack(stackOf(args));
    const outputs = labOutputs(stack.name, await stack.outputs());
    if (!args.json) process.stderr.write(`verify: pinging every workload of stack ${stack.name} from every other one ...\n`);
    const { exitCode, output } = await verifyTool(stack.name, outputs, args);
    process.stdout.write(output);
    process.exitCode = exitCode;
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((e: Error) => {
        console.error(`verify: ${e.message}`);
        process.exitCode = 2;
    });
}
