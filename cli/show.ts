// show: looks inside a running lab, node by node: `ovs-vsctl show`, the
// OpenFlow rules on br-int, the datapath flows, br-int's MAC learning table,
// and for OVN labs `ovn-nbctl show` / `ovn-sbctl show`.
//   npm run show [-- --stack NAME] [--json]
import { runCommand } from "../components/transport/transport";
import {
    centralAccess, centralProbes, nodeAccess, NodeProbeId, nodeProbes, parseFdb, Probe, probeCommand, ProbeResult, renderShow,
    ShowReport, summarizeOpenFlow,
} from "./inspectCommands";
import { LabOutputs, labOutputs, openStack, stackName } from "./pulumiWorkspace";

/** Runs every probe, one after another; a failing one is reported, not fatal (a stopped daemon is worth seeing). */
async function runProbes<Id extends string>(probes: Probe<Id>[]): Promise<Record<Id, ProbeResult<Id>>> {
    const results = {} as Record<Id, ProbeResult<Id>>;
    for (const probe of probes) {
        const result = await runCommand(probe.transport, probe.argv, { allowFailure: true });
        results[probe.id] = {
            id: probe.id, title: probe.title, command: probeCommand(probe), exitCode: result.code,
            output: result.code === 0 ? result.stdout : result.stderr || result.stdout,
        };
    }
    return results;
}

/** Everything `show` prints, for the lab whose outputs are given. Nodes are inspected in parallel. */
export async function inspectLab(stack: string, outputs: LabOutputs): Promise<ShowReport> {
    const accesses = outputs.nodes.map((node) => nodeAccess(stack, node));
    const central = centralAccess(outputs);
    const [nodes, centralProbeResults] = await Promise.all([
        Promise.all(accesses.map(async (access) => {
            const probes: Record<NodeProbeId, ProbeResult<NodeProbeId>> = await runProbes(nodeProbes(access));
            return {
                name: access.name, namespace: access.namespace, underlayIp: access.underlayIp, bridge: access.bridge, probes,
                openflow: summarizeOpenFlow(probes.openflow.exitCode === 0 ? probes.openflow.output : ""),
                macTable: probes.macTable.exitCode === 0 ? parseFdb(probes.macTable.output) : [],
            };
        })),
        central ? runProbes(centralProbes(central)) : undefined,
    ]);
    return { stack, nodes, ...(centralProbeResults ? { central: { probes: centralProbeResults } } : {}) };
}

async function main(argv: string[]) {
    const stack = await openStack(stackName(argv));
    const report = await inspectLab(stack.name, labOutputs(stack.name, await stack.outputs()));
    process.stdout.write(argv.includes("--json") ? JSON.stringify(report, null, 2) + "\n" : renderShow(report));
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((e: Error) => {
        console.error(`show: ${e.message}`);
        process.exitCode = 2;
    });
}
