// A lab stack driven through the Automation API and the real Pulumi CLI.
// The project is copied into a temp dir with its own file:// backend, so a
// test never touches the user's stacks, state or Pulumi.<stack>.yaml files.
import { execFileSync } from "child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";

const PROJECT_ROOT = resolve(__dirname, "../..");
const PROJECT_FILES = ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts", "components"];

export interface TestStack {
    stack: Stack;
    dir: string;
    /** Destroys what is left (even after a failure) and removes the temp project. */
    dispose(): Promise<void>;
}

function pulumiBinDir(): string {
    return execFileSync("bash", [join(PROJECT_ROOT, "scripts/install-pulumi.sh")], { encoding: "utf8" }).trim();
}

export async function createTestStack(stackName: string, config: Record<string, unknown>): Promise<TestStack> {
    const dir = mkdtempSync(join(tmpdir(), `ovnlab-e2e-${stackName}-`));
    for (const file of PROJECT_FILES) cpSync(join(PROJECT_ROOT, file), join(dir, file), { recursive: true });
    symlinkSync(join(PROJECT_ROOT, "node_modules"), join(dir, "node_modules"));
    mkdirSync(join(dir, ".pulumi-state"));
    const namespaced = Object.fromEntries(Object.entries(config).map(([k, v]) => [`ovnlab:${k}`, v]));
    // JSON is YAML: lists and objects keep their types, as in a hand-written stack file.
    writeFileSync(join(dir, `Pulumi.${stackName}.yaml`), JSON.stringify({ config: namespaced }, null, 2));

    const binDir = pulumiBinDir();
    const pulumiCommand = await PulumiCommand.get({ root: resolve(binDir, ".."), skipVersionCheck: true });
    const stack = await LocalWorkspace.createOrSelectStack({ stackName, workDir: dir }, {
        pulumiCommand,
        envVars: {
            PATH: `${binDir}:${process.env.PATH}`,
            PULUMI_CONFIG_PASSPHRASE: "ovnlab",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
            // tsc --noEmit type-checks the same code once; no need to pay it again per run.
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
        },
    });
    return {
        stack,
        dir,
        async dispose() {
            try {
                await stack.destroy({ onOutput: () => undefined });
            } finally {
                rmSync(dir, { recursive: true, force: true });
            }
        },
    };
}

/** Counts of a preview's planned operations, e.g. { same: 19 } or { create: 1, same: 18 }. */
export async function previewChanges(stack: Stack, options: { refresh?: boolean } = {}): Promise<Record<string, number>> {
    const result = await stack.preview({ refresh: options.refresh, diff: true });
    return result.changeSummary as Record<string, number>;
}
