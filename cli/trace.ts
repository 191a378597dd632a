// trace: follows an ICMP echo from one container to another through the
// logical network with ovn-trace (against the SB database: nothing is sent),
// and prints the datapaths it crosses: switch, router, switch, port.
// ovn-trace runs where the SB socket is: this host for a netns lab, the
// central machine (over SSH) for a Vagrant one. Exits 1 unless delivered.
//   npm run trace -- FROM TO [--stack NAME] [--detailed] [--json]
// TO may also be a load balancer (its name or VIP): a TCP SYN to its port, showing its backends and the one taken;
// in a lab with ACLs the rule that decided is named.
// --detailed adds ovn-trace's table-by-table backtrace; --json prints the parsed route.
import { renderArgv, runCommand, transportArgv, TransportSpec } from "../components/transport/transport";
import { centralNode, nodeReach, reachTransport, socketTransport } from "./nodeReach";
import { LabOutputs, labOutputs, openStack } from "./pulumiWorkspace";
import { parseToolArgs, stackOf } from "./toolArgs";
import { renderFindings, serviceFindings, ServiceFindings, vipTarget } from "./traceServices";
import { echoMicroflow, ovnTraceArgv, parseTraceSummary, planEcho, renderRoute, routeVerdict, TraceFormat, TraceRoute } from "./traceFlow";

export interface TraceReport {
    stack: string;
    from: { name: string; node: string; ip: string };
    to: { name: string; node: string; ip: string };
    microflow: string;
    /** The node whose files hold the SB socket (the central's). */
    centralNode: string;
    /** The ovn-trace command line whose output `summary` is, with its transport. */
    command: string;
    route: TraceRoute;
    /** What a load balancer and the ACLs did to the packet (labs with services). */
    services?: ServiceFindings;
    summary: string;
    detailed?: string;
}

export async function traceEcho(stack: string, outputs: LabOutputs, fromName: string, toName: string, options: { detailed?: boolean } = {}): Promise<TraceReport> {
    const plan = planEcho(stack, outputs, fromName, toName);
    const microflow = echoMicroflow(plan.packet);
    const central = centralNode(stack, outputs)!;
    const reach = nodeReach(stack, central, "trace");
    const transport: TransportSpec = socketTransport(reach, await reachTransport(reach));
    // With services, a first packet: conntrack new, so ACLs and load balancers decide as they would for it.
    const withServices = (outputs.acls?.length ?? 0) > 0 || (outputs.loadBalancers?.length ?? 0) > 0;
    const trace = (format: TraceFormat) => ovnTraceArgv(plan.sbDb, plan.datapath, microflow, format, withServices);
    const summary = (await runCommand(transport, trace("summary"), { timeoutMs: 60_000 })).stdout;
    const detailed = options.detailed || withServices ? (await runCommand(transport, trace("detailed"), { timeoutMs: 60_000 })).stdout : undefined;
    const route = parseTraceSummary(summary);
    const services = withServices ? serviceFindings(outputs, detailed ?? "", route.delivered, vipTarget(outputs, toName)?.lb) : undefined;
    const endpoint = ({ name, node, ip }: { name: string; node: string; ip: string }) => ({ name, node, ip });
    return {
        stack, from: endpoint(plan.from), to: endpoint(plan.to), microflow, centralNode: central.name, command: renderArgv(transportArgv(transport, trace("summary"))),
        route, ...(services ? { services } : {}), summary, ...(options.detailed && detailed !== undefined ? { detailed } : {}),
    };
}

export function renderTrace(report: TraceReport): string {
    const { from, to } = report;
    return [
        `${from.name} (${from.ip}, ${from.node}) -> ${to.name} (${to.ip}, ${to.node}): ${routeVerdict(report.route)}`,
        `path: ${renderRoute(report.route)}`,
        ...(report.services ? renderFindings(report.services) : []),
        "",
        `$ ${report.command}`,
        report.summary.trimEnd(),
        ...(report.detailed === undefined ? [] : ["", report.detailed.trimEnd()]),
    ].join("\n") + "\n";
}

/** What `npm run trace` prints and its exit status: 0 when the echo is delivered, 1 otherwise. */
export async function traceTool(stack: string, outputs: LabOutputs, from: string, to: string, options: { json: boolean; detailed: boolean }) {
    const report = await traceEcho(stack, outputs, from, to, { detailed: options.detailed });
    const delivered = report.route.delivered.length > 0;
    const output = options.json ? JSON.stringify({ ...report, delivered }, null, 2) + "\n" : renderTrace(report);
    return { exitCode: delivered ? 0 : 1, output, report };
}

const USAGE = "usage: npm run trace -- FROM TO [--stack NAME] [--detailed] [--json]";

async function main(argv: string[]) {
    const args = parseToolArgs(argv, { usage: USAGE, flags: ["json", "detailed"], positional: 2 });
    const stack = await openStack(stackOf(args));
    const [from, to] = args.positional;
    const { exitCode, output } = await traceTool(stack.name, labOutputs(stack.name, await stack.outputs()), from, to, args);
    process.stdout.write(output);
    process.exitCode = exitCode;
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((e: Error) => {
        console.error(`trace: ${e.message}`);
        process.exitCode = 2;
    });
}
