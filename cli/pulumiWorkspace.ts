// Opens this project's stacks with the Automation API and the project's own
// Pulumi toolchain (scripts/install-pulumi.sh), as scripts/env.sh does for the shell.
import { execFileSync } from "child_process";
import { existsSync, readFileSync } from "fs";
import { join, resolve } from "path";
import type { Unwrap } from "@pulumi/pulumi";
import { LocalWorkspace, LocalWorkspaceOptions, OutputMap, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { parse } from "yaml";
import type { ContainerSummary, Lab, NodeSummary } from "../components/lab";

export const PROJECT_ROOT = resolve(__dirname, "..");

export async function workspaceOptions(): Promise<Pick<LocalWorkspaceOptions, "pulumiCommand" | "envVars">> {
    const binDir = execFileSync("bash", [join(PROJECT_ROOT, "scripts/install-pulumi.sh")], { encoding: "utf8" }).trim();
    return {
        pulumiCommand: await PulumiCommand.get({ root: resolve(binDir, ".."), skipVersionCheck: true }),
        envVars: {
            PATH: `${binDir}:${process.env.PATH}`,
            PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "ovnlab",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
        },
    };
}

/** Options of the project's CLIs that take a value (`--stack NAME`, `--out DIR`). */
const VALUE_OPTIONS = ["--stack", "--out"];

/** The value of `--name VALUE` on the command line. */
export function optionValue(argv: string[], name: string): string | undefined {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
}

/** The words that are neither options nor their values, e.g. `trace`'s two container names. */
export function positionalArgs(argv: string[]): string[] {
    return argv.filter((word, i) => !word.startsWith("--") && !VALUE_OPTIONS.includes(argv[i - 1]));
}

/** The stack named on the command line (--stack NAME), by OVNLAB_STACK, or dev. */
export function stackName(argv: string[]): string {
    return optionValue(argv, "--stack") ?? process.env.OVNLAB_STACK ?? "dev";
}

/** The `ovnlab:*` keys of Pulumi.<stack>.yaml, without their prefix: what index.ts validates and plans. */
export function stackFileConfig(stack: string, projectRoot = PROJECT_ROOT): Record<string, unknown> {
    const path = join(projectRoot, `Pulumi.${stack}.yaml`);
    if (!existsSync(path)) throw new Error(`there is no stack file ${path}`);
    const file = parse(readFileSync(path, "utf8")) as { config?: Record<string, unknown> } | null;
    const prefix = "ovnlab:";
    return Object.fromEntries(Object.entries(file?.config ?? {}).filter(([key]) => key.startsWith(prefix)).map(([key, value]) => [key.slice(prefix.length), value]));
}

export async function openStack(name: string, workDir = PROJECT_ROOT): Promise<Stack> {
    return LocalWorkspace.selectStack({ stackName: name, workDir }, await workspaceOptions());
}

/** A lab stack's outputs (index.ts's exports) as plain values. */
export interface LabOutputs {
    nodes: Unwrap<NodeSummary>[];
    containers: Unwrap<ContainerSummary>[];
    /** Absent without OVN (single-l2) and with the external driver. */
    central?: Unwrap<NonNullable<Lab["central"]>>;
    /** The gateway and its external host (Pulumi.gateway.yaml): `trace` can send to the external host. */
    gateway?: Unwrap<NonNullable<Lab["gateway"]>>;
    /** OVN load balancers and ACLs (Pulumi.lb.yaml, Pulumi.acl.yaml): `trace` reaches a VIP and names the deciding rule. */
    loadBalancers?: Lab["loadBalancers"];
    acls?: Lab["acls"];
}

export function labOutputs(stackName: string, outputs: OutputMap): LabOutputs {
    const nodes: unknown = outputs.nodes?.value;
    if (!Array.isArray(nodes) || nodes.length === 0) throw new Error(`stack ${stackName} has no nodes in its outputs: bring it up first (npm run lab:up)`);
    // The shapes are index.ts's own exports, written by this project's code.
    return { nodes, containers: outputs.containers?.value ?? [], central: outputs.central?.value ?? undefined, gateway: outputs.gateway?.value ?? undefined,
        loadBalancers: outputs.loadBalancers?.value ?? undefined, acls: outputs.acls?.value ?? undefined };
}
