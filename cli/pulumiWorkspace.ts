// Opens this project's stacks with the Automation API and the project's own
// Pulumi toolchain (scripts/install-pulumi.sh), as scripts/env.sh does for the shell.
import { execFileSync } from "child_process";
import { join, resolve } from "path";
import { LocalWorkspace, LocalWorkspaceOptions, PulumiCommand, Stack } from "@pulumi/pulumi/automation";

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

/** The stack named on the command line (--stack NAME), by OVNLAB_STACK, or dev. */
export function stackName(argv: string[]): string {
    const i = argv.indexOf("--stack");
    return (i >= 0 ? argv[i + 1] : undefined) ?? process.env.OVNLAB_STACK ?? "dev";
}

export async function openStack(name: string, workDir = PROJECT_ROOT): Promise<Stack> {
    return LocalWorkspace.selectStack({ stackName: name, workDir }, await workspaceOptions());
}
