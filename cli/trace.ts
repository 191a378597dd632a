// trace: follows an ICMP echo from one container to another through the
// logical network with ovn-trace (against the SB database: nothing is sent),
// and prints the datapaths it crosses: switch, router, switch, port.
//   npm run trace -- FROM TO [--stack NAME] [--detailed] [--json]
// --detailed adds ovn-trace's table-by-table backtrace; --json prints the parsed route.
import { renderArgv, runCommand } from "../components/transport/transport";
import { LabOutputs, labOutputs, openStack, positionalArgs, stackName } from "./pulumiWorkspace";
import { echoMicroflow, ovnTraceArgv, parseTraceSummary, planEcho, renderRoute, routeVerdict, TraceFormat, TraceRoute } from "./traceFlow";

export interface TraceReport {
    stack: string;
    from: { name: string; node: string; ip: string };
    to: { name: string; node: string; ip: string };
    microflow: string;
    /** The ovn-trace command line whose output `summary` is. */
    command: string;
    route: TraceRoute;
    summary: string;
    detailed?: string;
}

export async function traceEcho(stack: string, outputs: LabOutputs, fromName: string, toName: string, options: { detailed?: boolean } = {}): Promise<TraceReport> {
    const plan = planEcho(stack, outputs, fromName, toName);
    const microflow = echoMicroflow(plan.packet);
    const trace = (format: TraceFormat) => ovnTraceArgv(plan.sbDb, plan.datapath, microflow, format);
    const summary = (await runCommand({ kind: "local" }, trace("summary"))).stdout;
    const detailed = options.detailed ? (await runCommand({ kind: "local" }, trace("detailed"))).stdout : undefined;
    const endpoint = ({ name, node, ip }: { name: string; node: string; ip: string }) => ({ name, node, ip });
    return {
        stack, from: endpoint(plan.from), to: endpoint(plan.to), microflow, command: renderArgv(trace("summary")),
        route: parseTraceSummary(summary), summary, ...(detailed === undefined ? {} : { detailed }),
    };
}

export function renderTrace(report: TraceReport): string {
    const { from, to } = report;
    return [
        `${from.name} (${from.ip}, ${from.node}) -> ${to.name} (${to.ip}, ${to.node}): ${routeVerdict(report.route)}`,
        `path: ${renderRoute(report.route)}`,
        "",
        `$ ${report.command}`,
        report.summary.trimEnd(),
        ...(report.detailed === undefined ? [] : ["", report.detailed.trimEnd()]),
    ].join("\n") + "\n";
}

async function main(argv: string[]) {
    const names = positionalArgs(argv);
    if (names.length !== 2) throw new Error("usage: npm run trace -- FROM TO [--stack NAME] [--detailed] [--json]");
    const stack = await openStack(stackName(argv));
    const report = await traceEcho(stack.name, labOutputs(stack.name, await stack.outputs()), names[0], names[1], { detailed: argv.includes("--detailed") });
    process.stdout.write(argv.includes("--json") ? JSON.stringify(report, null, 2) + "\n" : renderTrace(report));
    process.exitCode = report.route.delivered.length > 0 ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((e: Error) => {
        console.error(`trace: ${e.message}`);
        process.exitCode = 2;
    });
}
