// The cost of each experiment: `up` and `destroy` of every stack file beside
// the dev lab, as the README's commands run them (`pulumi up --yes`, its
// preview included, and `pulumi destroy --yes`; scripts/env.sh's settings).
//
//   node -r ts-node/register/transpile-only bench/stacksUp.ts [--stacks dev,lb,acl,dhcp,gateway] [--rounds 2]
//
// One run, side by side: each round brings every stack up and down once, the
// order rotated from round to round so no stack always runs first or after
// the heaviest one. Each lab is a temp copy of the project with its own
// file:// backend (test/helpers/pulumiStack.ts) and a unique lab id, its
// configuration the stack file's as written. After each up, `verify` (the
// CLI's own check, which knows each stack's ACL policy) must pass before the
// destroy is timed; after each destroy nothing of the lab may be left
// (test/helpers/lab.ts labLeftovers). Every timed command records its CPU
// seconds and the 1/5/15-minute load average before it: the machine is shared,
// so compare the ratios to dev of the same round, and CPU seconds.
import { cpus, totalmem } from "os";
import { join } from "path";
import { labOutputs, stackFileConfig } from "../cli/pulumiWorkspace";
import { verifyTool } from "../cli/verify";
import { DockerEngine, ensureDocker } from "../test/helpers/docker";
import { cleanupLab, labLeftovers } from "../test/helpers/lab";
import { uniqueLabId } from "../test/helpers/names";
import { createTestStack, TestStack } from "../test/helpers/pulumiStack";
import { benchName, cleanUpNow, cleanups, isStopping, log, mustSucceed, once, runCleanups, tail, timed, Timed } from "./kit/measure";
import { projectLabel } from "./kit/pulumiOutput";

const ALL_STACKS = ["dev", "lb", "acl", "dhcp", "gateway"];

interface StackRun {
    stack: string;
    round: number;
    labId: string;
    up?: Timed;
    down?: Timed;
    /** Resources in the stack after up (the stack itself included). */
    resources?: number;
    verify?: string;
    leftovers: string[];
    error?: string;
}

async function stackRun(stack: string, round: number, ownLabs: string[]): Promise<StackRun> {
    const labId = uniqueLabId();
    ownLabs.push(labId);
    const result: StackRun = { stack, round, labId, leftovers: [] };
    let lab: TestStack | undefined;
    let stateDir = "";
    let destroyed = false;
    const pulumi = (...args: string[]) => timed([lab!.pulumiBin, ...args, "--stack", lab!.stack.name, "--non-interactive"], { cwd: lab!.dir, env: lab!.env, ownLabs });
    const cleanup = once(async () => {
        try {
            if (lab && !destroyed) {
                const r = await timed([lab.pulumiBin, "destroy", "--yes", "--skip-preview", "--stack", lab.stack.name, "--non-interactive"], { cwd: lab.dir, env: lab.env, ownLabs, cleanup: true });
                if (r.code !== 0) console.error(`[stacksUp] cleanup destroy of ${labId} exited with ${r.code}:\n${tail(r.output, 10)}`);
            }
        } catch (e) {
            console.error(`[stacksUp] cleanup destroy of ${labId} failed: ${(e as Error).message}`);
        }
        if (stateDir) await cleanupLab(labId, stateDir);
        if (lab) await lab.dispose().catch(() => undefined);
    });
    cleanups.push(cleanup);
    try {
        lab = await createTestStack(stack, { ...stackFileConfig(stack), labId });
        stateDir = join(lab.dir, ".lab", labId);
        result.up = mustSucceed(`pulumi up of ${stack}`, await pulumi("up", "--yes"));
        const outputs = labOutputs(stack, await lab.stack.outputs());
        const verified = await verifyTool(stack, outputs, { json: false });
        result.verify = `${verified.report.passed}/${verified.report.passed + verified.report.failed}`;
        if (verified.exitCode !== 0) throw new Error(`verify of ${stack} failed:\n${tail(verified.output, 15)}`);
        result.resources = ((await lab.stack.exportStack()).deployment.resources ?? []).length;
        result.down = mustSucceed(`pulumi destroy of ${stack}`, await pulumi("destroy", "--yes"));
        destroyed = true;
        const left = labLeftovers(labId, stateDir);
        result.leftovers = Object.entries(left).filter(([, v]) => (Array.isArray(v) ? v.length > 0 : v)).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
        log(`round ${round} ${stack}: up ${result.up.seconds.toFixed(1)} s, destroy ${result.down.seconds.toFixed(1)} s, ${result.resources} resources, verify ${result.verify}`);
    } catch (e) {
        result.error = (e as Error).message;
        log(`round ${round} ${stack}: FAILED: ${result.error}`);
    } finally {
        await cleanUpNow(cleanup);
    }
    return result;
}

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function report(runs: StackRun[], stacks: string[]): string {
    const ok = runs.filter((r) => r.up && r.down && !r.error);
    const dev = (round: number) => ok.find((r) => r.stack === "dev" && r.round === round);
    const ratio = (pick: (r: StackRun) => Timed) => (r: StackRun) => {
        const d = dev(r.round);
        return d ? pick(r).seconds / pick(d).seconds : NaN;
    };
    const fmt = (x: number, unit = "") => (Number.isNaN(x) ? "-" : `${x.toFixed(unit === "x" ? 2 : 1)}${unit}`);
    const rows = [
        "| stack | resources | up s (median) | up / dev (same round) | up CPU s | destroy s (median) | destroy / dev | destroy CPU s | load 1 min at the ups | runs |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ];
    for (const stack of stacks) {
        const mine = ok.filter((r) => r.stack === stack);
        if (mine.length === 0) {
            rows.push(`| ${stack} | FAILED | | | | | | | | 0 |`);
            continue;
        }
        const loads = mine.map((r) => r.up!.load.load1.toFixed(1)).join(", ");
        rows.push(`| ${stack} | ${mine[0].resources} | ${fmt(median(mine.map((r) => r.up!.seconds)))} | ${fmt(median(mine.map(ratio((r) => r.up!))), "x")} | ${fmt(median(mine.map((r) => r.up!.cpu)))} | ${fmt(median(mine.map((r) => r.down!.seconds)))} | ${fmt(median(mine.map(ratio((r) => r.down!))), "x")} | ${fmt(median(mine.map((r) => r.down!.cpu)))} | ${loads} | ${mine.length} |`);
    }
    rows.push("", "Every run (s; CPU s of the command's process tree):", "");
    for (const r of runs) {
        rows.push(`- round ${r.round} ${r.stack} ${r.labId}: up ${r.up?.seconds.toFixed(1) ?? "-"} (CPU ${r.up?.cpu.toFixed(1) ?? "-"}, load ${r.up?.load.load1.toFixed(2) ?? "-"}), destroy ${r.down?.seconds.toFixed(1) ?? "-"} (CPU ${r.down?.cpu.toFixed(1) ?? "-"}), verify ${r.verify ?? "-"}, leftovers ${r.leftovers.join("; ") || "none"}${r.error ? `, FAILED: ${r.error.split("\n")[0]}` : ""}`);
    }
    return rows.join("\n");
}

function option(args: string[], name: string, fallback: string): string {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] ?? "" : fallback;
}

async function main(): Promise<void> {
    benchName("stacksUp");
    const args = process.argv.slice(2);
    const stacks = option(args, "--stacks", ALL_STACKS.join(",")).split(",").filter(Boolean);
    const rounds = Number(option(args, "--rounds", "2"));
    const unknown = stacks.filter((s) => !ALL_STACKS.includes(s));
    if (stacks.length === 0 || unknown.length > 0 || !Number.isInteger(rounds) || rounds < 1) {
        throw new Error(`usage: bench/stacksUp.ts [--stacks ${ALL_STACKS.join(",")}] [--rounds N>=1]; unknown stack(s): ${unknown.join(", ") || "none"}`);
    }
    if (!stacks.includes("dev")) throw new Error("--stacks must include dev: every figure is a ratio to dev's of the same round");
    if (process.getuid?.() !== 0) throw new Error("run as root: namespaces, OVS and Docker need it");
    const docker: DockerEngine = await ensureDocker();
    cleanups.push(() => docker.stop());
    log(`project: ${projectLabel()}`);
    log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB; stacks ${stacks.join(", ")}; ${rounds} round(s)`);
    const ownLabs: string[] = [];
    const runs: StackRun[] = [];
    for (let round = 1; round <= rounds && !isStopping(); round++) {
        const shift = (round - 1) % stacks.length;
        for (const stack of [...stacks.slice(shift), ...stacks.slice(0, shift)]) {
            if (isStopping()) break;
            runs.push(await stackRun(stack, round, ownLabs));
        }
    }
    console.log(`\n${report(runs, stacks)}`);
    if (runs.some((r) => r.error || r.leftovers.length > 0)) process.exitCode = 1;
}

main()
    .catch((e) => {
        console.error(e);
        process.exitCode = 1;
    })
    .finally(async () => {
        await runCleanups();
    });
