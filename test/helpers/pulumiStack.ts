// A lab stack driven through the Automation API and the real Pulumi CLI.
// The project is copied into a temp dir with its own file:// backend, so a
// test never touches the user's stacks, state or Pulumi.<stack>.yaml files.
import { execFileSync, spawn } from "child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";
import { parse } from "yaml";
import { stopDaemonsUnder } from "./lab";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";

const PROJECT_ROOT = resolve(__dirname, "../..");
const PROJECT_FILES = ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts", "components", "provider", "dist"];

export interface TestStack {
    stack: Stack;
    dir: string;
    /** The pulumi binary and the environment every command of this stack gets (for spawnPulumi). */
    pulumiBin: string;
    env: Record<string, string>;
    /** Destroys what is left (even after a failure) and removes the temp project. */
    dispose(): Promise<void>;
}

function pulumiBinDir(): string {
    return execFileSync("bash", [join(PROJECT_ROOT, "scripts/install-pulumi.sh")], { encoding: "utf8" }).trim();
}

/** Puts this working tree's project files (the program, compiled, and the provider) into a test project. */
export function copyProjectFiles(dir: string): void {
    for (const file of PROJECT_FILES) cpSync(join(PROJECT_ROOT, file), join(dir, file), { recursive: true });
}

/** Whether this clone has a commit (a shallow clone may not). */
export function hasCommit(ref: string): boolean {
    try {
        execFileSync("git", ["-C", PROJECT_ROOT, "cat-file", "-e", `${ref}^{commit}`], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

/**
 * A test stack; with `fromRef`, the project as it was at that commit (the
 * files `git archive` has of Pulumi.yaml, package.json, tsconfig.json, index.ts
 * and components/), to bring up a lab with an older ovnlab.
 */
export async function createTestStack(stackName: string, config: Record<string, unknown>, options: { fromRef?: string } = {}): Promise<TestStack> {
    const dir = mkdtempSync(join(tmpdir(), `ovnlab-e2e-${stackName}-`));
    if (options.fromRef) {
        const tar = execFileSync("git", ["-C", PROJECT_ROOT, "archive", "--format=tar", options.fromRef, "--", "Pulumi.yaml", "package.json", "tsconfig.json", "index.ts", "components"], { maxBuffer: 64 * 1024 * 1024 });
        execFileSync("tar", ["-x", "-C", dir], { input: tar });
    } else {
        copyProjectFiles(dir);
    }
    symlinkSync(join(PROJECT_ROOT, "node_modules"), join(dir, "node_modules"));
    mkdirSync(join(dir, ".pulumi-state"));
    writeStackConfig(dir, stackName, config);

    const binDir = pulumiBinDir();
    const pulumiCommand = await PulumiCommand.get({ root: resolve(binDir, ".."), skipVersionCheck: true });
    const env = {
        PATH: `${binDir}:${process.env.PATH}`,
        PULUMI_CONFIG_PASSPHRASE: "ovnlab",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
        // The settings of the README's commands (scripts/env.sh).
        PULUMI_SKIP_CHECKPOINTS: process.env.PULUMI_SKIP_CHECKPOINTS ?? "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        // The old version a migration test brings up runs through ts-node: tsc --noEmit type-checked it.
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    };
    const stack = await LocalWorkspace.createOrSelectStack({ stackName, workDir: dir }, { pulumiCommand, envVars: { ...env } });
    return {
        stack,
        dir,
        pulumiBin: join(binDir, "pulumi"),
        env,
        async dispose() {
            try {
                await stack.destroy({ onOutput: () => undefined });
            } finally {
                // The lab's pidfiles live in this temp project: stop what they name before they go,
                // or a failed destroy would leave daemons that no later cleanup can find.
                await stopDaemonsUnder(join(dir, ".lab"));
                rmSync(dir, { recursive: true, force: true });
            }
        },
    };
}

/**
 * Writes the `ovnlab:*` config of a stack file, keeping what Pulumi itself
 * put there (the encryption salt), so one project can be re-configured
 * between runs without `pulumi config set` round trips.
 */
export function writeStackConfig(dir: string, stackName: string, config: Record<string, unknown>): void {
    const file = join(dir, `Pulumi.${stackName}.yaml`);
    const kept = existsSync(file) ? ((parse(readFileSync(file, "utf8")) ?? {}) as Record<string, unknown>) : {};
    const namespaced = Object.fromEntries(Object.entries(config).map(([k, v]) => [`ovnlab:${k}`, v]));
    // JSON is YAML: lists and objects keep their types, as in a hand-written stack file.
    writeFileSync(file, JSON.stringify({ ...kept, config: namespaced }, null, 2));
}

export interface PulumiRun {
    /** The CLI's PID. */
    pid: number;
    /** What it printed so far (stdout and stderr). */
    output(): string;
    /** Settles when the CLI exits, with everything it printed. */
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
}

/**
 * Runs the pulumi CLI on the test stack directly (not through the Automation
 * API), so a test can send it SIGINT or SIGKILL at a moment of its choosing.
 * Its own process group keeps signals meant for the test runner away from it.
 */
export function spawnPulumi(lab: TestStack, args: string[], extraEnv: Record<string, string> = {}): PulumiRun {
    const child = spawn(lab.pulumiBin, [...args, "--stack", lab.stack.name, "--non-interactive"], {
        cwd: lab.dir,
        env: { ...process.env, ...lab.env, ...extraEnv },
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
    });
    if (child.pid === undefined) throw new Error(`${lab.pulumiBin} did not start`);
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) => {
        child.on("close", (code, signal) => resolve({ code, signal, output }));
    });
    return { pid: child.pid, output: () => output, exited };
}

/** The stack's lock files in its file backend: one per update that runs, or was killed before it could unlock. */
export function stackLocks(lab: TestStack): string[] {
    const dir = join(lab.dir, ".pulumi-state/.pulumi/locks/organization/ovnlab", lab.stack.name);
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
}

/** Operations a run left unfinished in the state, e.g. "creating node1" (the resource's name). */
export async function pendingOperations(stack: Stack): Promise<string[]> {
    type Pending = { type: string; resource: { urn: string } };
    const state = await stack.exportStack();
    return ((state.deployment.pending_operations ?? []) as Pending[]).map((p) => `${p.type} ${p.resource.urn.split("::").pop()}`);
}

/** Counts of a preview's planned operations, e.g. { same: 19 } or { create: 1, same: 18 }. */
export async function previewChanges(stack: Stack, options: { refresh?: boolean } = {}): Promise<Record<string, number>> {
    const result = await stack.preview({ refresh: options.refresh, diff: true });
    return result.changeSummary as Record<string, number>;
}
