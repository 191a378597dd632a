// diagram: the lab as a picture, drawn from the IP plan of Pulumi.<stack>.yaml
// and, when the stack is deployed, checked against its outputs (what is not
// running is drawn dashed). Prints Mermaid (or Graphviz DOT with --dot); with
// --out DIR writes DIR/topology-<stack>.md (Mermaid), .dot and .svg (by dot).
//   npm run diagram [-- --stack NAME] [--plan] [--dot] [--out DIR]
// --plan: the plan alone, as docs/ holds it: npm run diagram -- --stack dev --plan --out docs
// --live: the running lab with each object's health (cli/liveDiagram.ts):
//   npm run diagram -- --live [--stack NAME] [--out DIR] [--json]
import { mkdirSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import { validateConfig } from "../components/plan/config";
import { LabPlan, planLab } from "../components/plan/ipPlan";
import { runCommand } from "../components/transport/transport";
import { labOutputs, openStack, optionValue, stackFileConfig, stackName } from "./pulumiWorkspace";
import { dotDiagram, dotRenderArgv, markdownPage, mermaidDiagram, Topology, topologyFromPlan, withDeployment } from "./topologyDiagram";

/** The plan `pulumi up` would make from the stack's file, computed without Pulumi as index.ts does. */
export function planOfStackFile(stack: string, projectRoot?: string): LabPlan {
    return planLab(validateConfig(stackFileConfig(stack, projectRoot), stack));
}

/** The plan, with what the stack's outputs say is running; the plan alone when the stack was never created or is not up. */
async function deployedTopology(stack: string, planned: Topology): Promise<Topology> {
    try {
        const outputs = await (await openStack(stack)).outputs();
        return outputs.nodes ? withDeployment(planned, labOutputs(stack, outputs)) : planned;
    } catch (e) {
        if (/no stack named/.test((e as Error).message)) return planned;
        throw e;
    }
}

/** How the files in `outDir` were made, written into the Markdown page. */
export const diagramCommand = (stack: string, outDir: string, planOnly: boolean) =>
    `npm run diagram -- --stack ${stack}${planOnly ? " --plan" : ""} --out ${outDir}`;

/** Writes `<outDir>/<name>.{md,dot,svg}` (default name `topology-<stack>`); returns their paths. */
export async function writeDiagram(topology: Topology, outDir: string, command: string, name = `topology-${topology.stack}`): Promise<string[]> {
    const dir = resolve(outDir);
    mkdirSync(dir, { recursive: true });
    const base = join(dir, name);
    writeFileSync(`${base}.md`, markdownPage(topology, `${name}.svg`, command));
    writeFileSync(`${base}.dot`, dotDiagram(topology));
    await runCommand({ kind: "local" }, dotRenderArgv("svg", `${base}.dot`, `${base}.svg`));
    return [`${base}.md`, `${base}.dot`, `${base}.svg`];
}

async function main(argv: string[]) {
    if (argv.includes("--live")) {
        // Loaded only here: the live look needs the stack's Automation API, the plan alone does not.
        const { liveDiagramMain } = await import("./liveDiagram");
        return liveDiagramMain(argv);
    }
    const stack = stackName(argv);
    const planOnly = argv.includes("--plan");
    const planned = topologyFromPlan(planOfStackFile(stack), stack);
    const topology = planOnly ? planned : await deployedTopology(stack, planned);
    const outDir = optionValue(argv, "--out");
    if (outDir === undefined) {
        process.stdout.write(argv.includes("--dot") ? dotDiagram(topology) : mermaidDiagram(topology));
        return;
    }
    for (const file of await writeDiagram(topology, outDir, diagramCommand(stack, outDir, planOnly))) console.log(`wrote ${file}`);
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((e: Error) => {
        console.error(`diagram: ${e.message}`);
        process.exitCode = 2;
    });
}
