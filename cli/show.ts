// show: looks inside a running lab, node by node: `ovs-vsctl show`, the
// OpenFlow rules on br-int, the datapath flows, br-int's MAC learning table,
// and for OVN labs `ovn-nbctl show` / `ovn-sbctl show`; each through the
// node's transport (`ip netns exec`, or SSH into a Vagrant machine), each
// command printed before what it printed. Exits 1 when something looks broken
// (a command failed, a chassis or a workload's port binding is missing).
//   npm run show [-- --stack NAME] [--json]
import { runCommand } from "../components/transport/transport";
import {
    centralAccess, centralProbes, ExpectedBinding, labProblems, nodeAccess, NodeProbeId, nodeProbes, parseFdb, Probe, probeCommand,
    ProbeResult, renderShow, ShowReport, summarizeOpenFlow,
} from "./inspectCommands";
import { centralNode, describeReach, nodeReach, socketTransport, transportResolver } from "./nodeReach";
import { LabOutputs, labOutputs, openStack } from "./pulumiWorkspace";
import { parseToolArgs, stackOf } from "./toolArgs";

const USAGE = "usage: npm run show [-- --stack NAME] [--json]";

/** Runs every probe, one after another; a failing one is reported, not fatal (a stopped daemon is worth seeing). */
export async function runProbes<Id extends string>(probes: Probe<Id>[]): Promise<Record<Id, ProbeResult<Id>>> {
    const results = {} as Record<Id, ProbeResult<Id>>;
    for (const probe of probes) {
        const result = await runCommand(probe.transport, probe.argv, { allowFailure: true, timeoutMs: 60_000 });
        results[probe.id] = {
            id: probe.id, title: probe.title, command: probeCommand(probe), exitCode: result.code,
            output: result.code === 0 ? result.stdout : result.stderr || result.stdout,
        };
    }
    return results;
}

/** Everything `show` prints, for the lab whose outputs are given, with its problems. Nodes are inspected in parallel. */
export async function inspectLab(stack: string, outputs: LabOutputs): Promise<ShowReport> {
    const resolve = transportResolver();
    const accesses = outputs.nodes.map((node) => nodeAccess(stack, node));
    const central = centralAccess(outputs);
    const centralOn = centralNode(stack, outputs);
    const inspectCentral = async () => {
        if (!central) return undefined;
        const reach = nodeReach(stack, centralOn!, "show");
        const probes = await runProbes(centralProbes(central, socketTransport(reach, await resolve(reach))));
        return { node: centralOn!.name, probes };
    };
    const [nodes, centralReport] = await Promise.all([
        Promise.all(accesses.map(async (access) => {
            const probes: Record<NodeProbeId, ProbeResult<NodeProbeId>> = await runProbes(nodeProbes(access, await resolve(access.reach)));
            return {
                name: access.name, via: describeReach(access.reach), underlayIp: access.underlayIp, bridge: access.bridge,
                ...(access.reach.kind === "transport" && access.reach.transport.kind === "netns" ? { namespace: access.reach.transport.namespace } : {}),
                ...(access.chassis === undefined ? {} : { chassis: access.chassis }),
                probes,
                openflow: summarizeOpenFlow(probes.openflow.exitCode === 0 ? probes.openflow.output : ""),
                macTable: probes.macTable.exitCode === 0 ? parseFdb(probes.macTable.output) : [],
            };
        })),
        inspectCentral(),
    ]);
    const report: ShowReport = { stack, nodes, ...(centralReport ? { central: centralReport } : {}) };
    const bindings: ExpectedBinding[] = outputs.containers.flatMap((c) =>
        c.containerName && c.logicalPort ? [{ workload: c.name, node: c.node, logicalPort: c.logicalPort }] : []);
    return { ...report, problems: labProblems(report, bindings) };
}

/** What `npm run show` prints and its exit status: 0 healthy, 1 when the report lists problems. */
export async function showTool(stack: string, outputs: LabOutputs, options: { json: boolean }): Promise<{ exitCode: number; output: string; report: ShowReport }> {
    const report = await inspectLab(stack, outputs);
    const output = options.json ? JSON.stringify({ ...report, healthy: report.problems!.length === 0 }, null, 2) + "\n" : renderShow(report);
    return { exitCode: report.problems!.length === 0 ? 0 : 1, output, report };
}

async function main(argv: string[]) {
    const args = parseToolArgs(argv, { usage: USAGE, flags: ["json"], positional: 0 });
    const stack = await openStack(stackOf(args));
    const { exitCode, output } = await showTool(stack.name, labOutputs(stack.name, await stack.outputs()), args);
    process.stdout.write(output);
    process.exitCode = exitCode;
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((e: Error) => {
        console.error(`show: ${e.message}`);
        process.exitCode = 2;
    });
}
