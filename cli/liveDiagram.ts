// diagram --live: the running lab's picture with each object's health, from a
// look at the live system that changes nothing: `pulumi refresh --preview-only`
// through the Automation API (Stack.previewRefresh: every resource's read, so
// what is drifted or gone, without writing the state), `show`'s probes of every
// node and the central (cli/show.ts) and the few more cli/healthProbes.ts adds.
// Writes <out>/topology-<stack>-live.{md,dot,svg,json} (Mermaid page, Graphviz
// source, its SVG, the health model); prints what it ran and what is wrong.
// Exit 0 healthy, 1 unhealthy, 2 the tool could not run (usage, stack, dot).
//   npm run diagram -- --live [--stack NAME] [--out DIR] [--json]
import { writeFileSync } from "fs";
import { join, resolve } from "path";
import { parseArgs } from "util";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { renderArgv } from "../components/transport/transport";
import { planOfStackFile, writeDiagram } from "./diagram";
import { CentralHealthProbeId, centralHealthProbes, NodeHealthProbeId, nodeHealthProbes, northdControlSocket } from "./healthProbes";
import { centralAccess, nodeAccess, ProbeResult } from "./inspectCommands";
import { driftFromEvents, LabHealth, labHealth, liveTopology, renderHealth } from "./labHealth";
import { centralNode, nodeReach, socketTransport, transportResolver } from "./nodeReach";
import { LabOutputs, labOutputs, openStack, PROJECT_ROOT } from "./pulumiWorkspace";
import { inspectLab, runProbes } from "./show";
import { topologyFromPlan, withDeployment } from "./topologyDiagram";

const USAGE = "usage: npm run diagram -- --live [--stack NAME] [--out DIR] [--json]";

/** Where the files go without --out: beside the labs' own files (.lab/ is no lab id: ids have no '-'). */
export const DEFAULT_LIVE_DIR = join(PROJECT_ROOT, ".lab", "diagram-live");

/** `pulumi refresh --preview-only` of the stack: what a refresh would change, read from its engine events. */
async function refreshDrift(stack: Stack) {
    const command = renderArgv(["pulumi", "--cwd", stack.workspace.workDir, "refresh", "--preview-only", "--stack", stack.name]);
    const events: EngineEvent[] = [];
    await stack.previewRefresh({ onEvent: (e) => events.push(e), onOutput: () => undefined });
    return { command, exitCode: 0, drift: driftFromEvents(events) };
}

/** One live look at the lab: the refresh preview and the probes, at once. */
export async function liveHealth(stack: Stack, outputs: LabOutputs): Promise<LabHealth> {
    const resolveTransport = transportResolver();
    const extraNodeProbes = Promise.all(outputs.nodes.map(async (node) => {
        const access = nodeAccess(stack.name, node);
        return [node.name, await runProbes<NodeHealthProbeId>(nodeHealthProbes(access, await resolveTransport(access.reach)))] as const;
    }));
    const central = centralAccess(outputs);
    const extraCentralProbes = (async (): Promise<Record<CentralHealthProbeId, ProbeResult<CentralHealthProbeId>> | undefined> => {
        if (!central) return undefined;
        const reach = nodeReach(stack.name, centralNode(stack.name, outputs)!, "diagram --live");
        const labMade = reach.kind === "transport" && reach.transport.kind === "netns";
        return runProbes(centralHealthProbes(northdControlSocket(central, labMade), socketTransport(reach, await resolveTransport(reach))));
    })();
    const [refresh, show, nodeProbes, centralProbes] = await Promise.all([refreshDrift(stack), inspectLab(stack.name, outputs), extraNodeProbes, extraCentralProbes]);
    const ovn = outputs.central !== undefined;
    const planned = topologyFromPlan(planOfStackFile(stack.name, stack.workspace.workDir), stack.name);
    return labHealth({
        show, refresh, nodeProbes: Object.fromEntries(nodeProbes), ...(centralProbes ? { centralProbes } : {}),
        workloads: outputs.containers.map((c) => ({ name: c.name, node: c.node, ...(ovn && c.logicalPort ? { logicalPort: c.logicalPort } : {}) })),
        switches: outputs.nodes.flatMap((n) => (n.switchName ? [{ name: n.switchName, node: n.name, ...(n.routerPort ? { routerPort: n.routerPort } : {}) }] : [])),
        ...(ovn ? { router: planned.router } : {}),
        ...(planned.services ? { services: planned.services } : {}),
    });
}

export interface LiveDiagramResult {
    exitCode: number;
    output: string;
    health: LabHealth;
    files: string[];
}

/** What `diagram --live` prints and writes, and its exit status: 0 healthy, 1 unhealthy. */
export async function diagramLive(stack: Stack, outputs: LabOutputs, options: { json: boolean; outDir?: string }): Promise<LiveDiagramResult> {
    const health = await liveHealth(stack, outputs);
    const planned = topologyFromPlan(planOfStackFile(stack.name, stack.workspace.workDir), stack.name);
    const topology = liveTopology(withDeployment(planned, outputs), health);
    const outDir = resolve(options.outDir ?? DEFAULT_LIVE_DIR);
    const name = `topology-${stack.name}-live`;
    const command = `npm run diagram -- --live --stack ${stack.name}${options.outDir === undefined ? "" : ` --out ${options.outDir}`}`;
    const files = await writeDiagram(topology, outDir, command, name);
    const json = join(outDir, `${name}.json`);
    writeFileSync(json, JSON.stringify(health, null, 2) + "\n");
    files.push(json);
    const output = options.json
        ? JSON.stringify({ ...health, files }, null, 2) + "\n"
        : renderHealth(health) + files.map((f) => `wrote ${f}\n`).join("");
    return { exitCode: health.healthy ? 0 : 1, output, health, files };
}

/** The command line of `diagram --live`, strictly: a mistyped option is refused with the usage. */
export function parseLiveArgs(argv: string[]): { stack?: string; out?: string; json: boolean } {
    let values: { stack?: string; out?: string; json?: boolean; live?: boolean };
    let positionals: string[];
    try {
        ({ values, positionals } = parseArgs({
            args: argv, strict: true, allowPositionals: true,
            options: { live: { type: "boolean" }, stack: { type: "string" }, out: { type: "string" }, json: { type: "boolean" } },
        }));
    } catch (e) {
        throw new Error(`${(e as Error).message}\n${USAGE}`);
    }
    if (positionals.length) throw new Error(`unexpected ${positionals.join(" ")}\n${USAGE}`);
    for (const key of ["stack", "out"] as const) {
        if (values[key] !== undefined && values[key]!.trim() === "") throw new Error(`--${key} needs a value\n${USAGE}`);
    }
    return { ...(values.stack ? { stack: values.stack } : {}), ...(values.out ? { out: values.out } : {}), json: values.json === true };
}

export async function liveDiagramMain(argv: string[]): Promise<void> {
    const args = parseLiveArgs(argv);
    const stack = await openStack(args.stack ?? process.env.OVNLAB_STACK ?? "dev");
    const outputs = labOutputs(stack.name, await stack.outputs());
    if (!args.json) process.stderr.write(`diagram --live: looking at stack ${stack.name} (refresh preview and probes; nothing is changed) ...\n`);
    const { exitCode, output } = await diagramLive(stack, outputs, { json: args.json, ...(args.out ? { outDir: args.out } : {}) });
    process.stdout.write(output);
    process.exitCode = exitCode;
}
