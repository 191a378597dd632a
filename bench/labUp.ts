// Lab up/destroy: how long the real Pulumi CLI takes to bring a whole netns
// lab up from nothing and to destroy it, next to the same lab built the
// walk-through's manual way (bench/manual-lab.sh: the same commands, one after
// another), plus the memory of every node's daemons.
//
//   node -r ts-node/register/transpile-only bench/labUp.ts [--sizes 2x2,4x10] [--manual-first] [--only pulumi|manual]
//
// Pulumi runs with the README's settings (PULUMI_SKIP_CHECKPOINTS=true: state written once
// per operation); OVNLAB_BENCH_SKIP_CHECKPOINTS=0 keeps per-step checkpoints.
// OVNLAB_BENCH_LOG_DIR=<dir> keeps every timed command's output.
//
// Sizes: 2x2 is stack dev's lab (Pulumi.dev.yaml: netsho1..netsho4, two per
// node); 4x10 is 4 nodes with c1..c40, c1-c10 on node1, c11-c20 on node2, ...
// For each size, in one run:
//   - Pulumi: a temp copy of the project with its own file:// backend
//     (test/helpers/pulumiStack.ts), a unique lab id (test/helpers/names.ts);
//     `pulumi up --yes --skip-preview` timed from an empty stack, cross-node pings,
//     daemon memory, a second `pulumi up` that has nothing to do (the fixed
//     cost: program, engine, one check/diff RPC per resource), a no-op
//     `pulumi preview`, then `pulumi destroy --yes --skip-preview` timed; then
//     the README's way once more: `pulumi up --yes` (preview, then up) from an
//     empty stack, and its destroy.
//   - Manual: `bash bench/manual-lab.sh up|down <id> <nodes> <perNode> <prefix>`
//     with its own unique lab id, timed the same way, same pings and memory.
// The 1/5/15-minute load averages are recorded before every timed command:
// other engineers' tests may share the machine.
//
// Memory: VmHWM (peak) and VmRSS of each daemon, by the PID in its pidfile
// under the lab's state directory, read after the pings; also the peak summed
// RSS of the timed command's own process tree (Pulumi CLI, language host,
// program, dynamic providers and the commands they run), sampled every 0.5 s.
//
// Hygiene: every lab is removed by cleanupLab (test/helpers/lab.ts: daemons by
// the PIDs in their pidfiles, containers by label, namespaces, links and the
// iptables rule by the lab's unique id) even when a step fails or on
// SIGINT/SIGTERM (the command in flight is interrupted first, by its process
// group id). Traffic stays inside the labs' own namespaces and containers.
import { readFileSync, rmSync } from "fs";
import { cpus, totalmem } from "os";
import { join, resolve } from "path";
import { parse } from "yaml";
import { DockerEngine, ensureDocker } from "../test/helpers/docker";
import { cleanupLab } from "../test/helpers/lab";
import { uniqueLabId } from "../test/helpers/names";
import { createTestStack, TestStack } from "../test/helpers/pulumiStack";
import { labMemory, leftovers, NodeMemory, PingResult, verifyPings } from "./kit/labChecks";
import { benchName, cleanUpNow, cleanups, isStopping, keepLog, log, mustSucceed, once, runCleanups, tail, timed, Timed } from "./kit/measure";
import { eventTimeline, manualPhases, perTypeSeconds, projectLabel, pulumiDuration, strip } from "./kit/pulumiOutput";

const PROJECT_ROOT = resolve(__dirname, "..");
const MANUAL_SCRIPT = join(__dirname, "manual-lab.sh");
/**
 * Pulumi runs as the README's commands run it (scripts/env.sh: PULUMI_SKIP_CHECKPOINTS=true, the
 * state written once per operation); OVNLAB_BENCH_SKIP_CHECKPOINTS=0 measures per-step checkpoints.
 */
const SKIP_CHECKPOINTS = !/^(0|false)$/i.test(process.env.OVNLAB_BENCH_SKIP_CHECKPOINTS ?? "true");

// ---- Sizes --------------------------------------------------------------------------

interface Size {
    label: string;
    nodes: number;
    perNode: number;
    /** Containers are <prefix>1..<prefix>N, the first perNode on node1, and so on. */
    prefix: string;
    /** The stack's ovnlab:* configuration, without labId. */
    config: Record<string, unknown>;
}

function devSize(): Size {
    const raw = parse(readFileSync(join(PROJECT_ROOT, "Pulumi.dev.yaml"), "utf8")).config as Record<string, unknown>;
    const config = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.replace(/^ovnlab:/, ""), v]));
    return { label: "2x2", nodes: 2, perNode: 2, prefix: "netsho", config };
}

function blockSize(nodes: number, perNode: number): Size {
    const containers = Array.from({ length: nodes * perNode }, (_, i) => ({ name: `c${i + 1}`, node: `node${Math.floor(i / perNode) + 1}` }));
    return { label: `${nodes}x${perNode}`, nodes, perNode, prefix: "c", config: { driver: "netns", experiment: "multi-l2", nodes, containers } };
}

const SIZES: Record<string, () => Size> = { "2x2": devSize, "4x10": () => blockSize(4, 10), "10x20": () => blockSize(10, 20) };

/** Container i (1-based): its name, node and address, as ovnlab's IP plan gives them. */
function containerAt(size: Size, i: number): { name: string; node: number; ip: string } {
    const node = Math.floor((i - 1) / size.perNode) + 1;
    const slot = ((i - 1) % size.perNode) + 1;
    return { name: `${size.prefix}${i}`, node, ip: `10.244.${node}.${slot + 2}` };
}

/** A couple of cross-node pings: first of node1 <-> last of the last node, and node2 -> node3 when there is one. */
function pingPairs(size: Size): { from: string; to: string; ip: string }[] {
    const total = size.nodes * size.perNode;
    const first = containerAt(size, 1);
    const last = containerAt(size, total);
    const pairs = [
        { from: first.name, to: last.name, ip: last.ip },
        { from: last.name, to: first.name, ip: first.ip },
    ];
    if (size.nodes >= 3) {
        const a = containerAt(size, size.perNode + 1);
        const b = containerAt(size, 2 * size.perNode + Math.ceil(size.perNode / 2));
        pairs.push({ from: a.name, to: b.name, ip: b.ip });
    }
    return pairs;
}


interface LabResult {
    size: string;
    way: "pulumi" | "manual";
    labId: string;
    up?: Timed;
    /** Pulumi only: a second up with nothing to change, and a preview with nothing to change. */
    noopUp?: Timed;
    noopPreview?: Timed;
    /** Pulumi only: the README's up (`pulumi up --yes`: preview, then up) from an empty stack, and its destroy. */
    readmeUp?: Timed;
    readmeDown?: Timed;
    down?: Timed;
    /** Pulumi only: resources in the stack after up (the stack itself included). */
    resources?: number;
    /** Pulumi only: size of the exported state after up, and of the serialized dynamic-provider code in it (`__provider`), KiB. */
    stateKiB?: number;
    providerKiB?: number;
    /** Pulumi's own "Duration:" line, or the manual script's phase times. */
    detail?: Record<string, string | number>;
    pings: PingResult[];
    memory: NodeMemory[];
    leftovers: string[];
    error?: string;
}


async function pulumiLab(size: Size, ownLabs: string[]): Promise<LabResult> {
    const labId = uniqueLabId();
    ownLabs.push(labId);
    const result: LabResult = { size: size.label, way: "pulumi", labId, pings: [], memory: [], leftovers: [] };
    log(`${size.label} pulumi: lab ${labId}`);
    let lab: TestStack | undefined;
    let stateDir = "";
    let destroyed = false;
    const cleanup = once(async () => {
        try {
            if (lab && !destroyed) {
                const r = await timed([lab.pulumiBin, "destroy", "--yes", "--skip-preview", "--stack", lab.stack.name, "--non-interactive"], {
                    cwd: lab.dir, env: lab.env, ownLabs, cleanup: true,
                });
                if (r.code !== 0) console.error(`[labUp] cleanup destroy of ${labId} exited with ${r.code}:\n${tail(r.output, 10)}`);
            }
        } catch (e) {
            console.error(`[labUp] cleanup destroy of ${labId} failed: ${(e as Error).message}`);
        }
        // Whatever the destroy left (or could not reach): by the lab's unique id and its pidfiles.
        if (stateDir) await cleanupLab(labId, stateDir);
        if (lab) rmSync(lab.dir, { recursive: true, force: true });
    });
    cleanups.push(cleanup);
    try {
        lab = await createTestStack(`bench${size.label}`, { ...size.config, labId });
        stateDir = join(lab.dir, ".lab", labId);
        const events = (step: string) => join(lab!.dir, `events-${step}.jsonl`);
        const pulumi = (step: string, ...args: string[]) =>
            // --event-log exists only with PULUMI_DEBUG_COMMANDS (the Automation API sets it too).
            timed([lab!.pulumiBin, ...args, "--event-log", events(step), "--stack", lab!.stack.name, "--non-interactive"], {
                cwd: lab!.dir, env: { ...lab!.env, PULUMI_DEBUG_COMMANDS: "true", PULUMI_SKIP_CHECKPOINTS: SKIP_CHECKPOINTS ? "true" : "false" }, ownLabs,
            });

        result.up = mustSucceed("pulumi up", await pulumi("up", "up", "--yes", "--skip-preview"));
        log(`${size.label} pulumi: up ${result.up.seconds.toFixed(1)} s`);
        const exported = await timed([lab.pulumiBin, "stack", "export", "--stack", lab.stack.name], { cwd: lab.dir, env: lab.env, ownLabs });
        const state = JSON.parse(exported.output.slice(exported.output.indexOf("{"))) as { deployment: { resources?: { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[] } };
        const stateResources = state.deployment.resources ?? [];
        result.resources = stateResources.length;
        result.stateKiB = Math.round(JSON.stringify(state).length / 1024);
        // ovnlab 0.1's dynamic providers stored their serialized code here; 0 since the provider plugin.
        const providerText = (props: Record<string, unknown> | undefined) => (typeof props?.__provider === "string" ? props.__provider.length : 0);
        result.providerKiB = Math.round(stateResources.reduce((sum, r) => sum + providerText(r.inputs) + providerText(r.outputs), 0) / 1024);
        result.pings = await verifyPings(labId, pingPairs(size));
        result.memory = labMemory(stateDir, size.nodes);

        result.noopUp = mustSucceed("pulumi up (no changes)", await pulumi("noop", "up", "--yes", "--skip-preview"));
        if (/ (created|updated|deleted|replaced)\b/.test(result.noopUp.output.replace(/\u001b\[[0-9;]*m/g, "").split("Resources:")[1] ?? "")) {
            throw new Error(`the second pulumi up changed something:\n${tail(result.noopUp.output, 15)}`);
        }
        result.noopPreview = mustSucceed("pulumi preview (no changes)", await pulumi("preview", "preview"));
        result.down = mustSucceed("pulumi destroy", await pulumi("destroy", "destroy", "--yes", "--skip-preview"));
        log(`${size.label} pulumi: destroy ${result.down.seconds.toFixed(1)} s`);
        result.readmeUp = mustSucceed("pulumi up --yes (with its preview)", await pulumi("readme-up", "up", "--yes"));
        result.readmeDown = mustSucceed("pulumi destroy (again)", await pulumi("readme-destroy", "destroy", "--yes"));
        destroyed = true;
        result.detail = {
            upDuration: pulumiDuration(result.up.output) ?? "?",
            noopDuration: pulumiDuration(result.noopUp.output) ?? "?",
            destroyDuration: pulumiDuration(result.down.output) ?? "?",
            upTimeline: eventTimeline(events("up"), result.up),
            noopTimeline: eventTimeline(events("noop"), result.noopUp),
            destroyTimeline: eventTimeline(events("destroy"), result.down),
            ...Object.fromEntries(Object.entries(perTypeSeconds(result.up.output, "created")).map(([k, v]) => [`created ${k}`, v])),
            ...Object.fromEntries(Object.entries(perTypeSeconds(result.down.output, "deleted")).map(([k, v]) => [`deleted ${k}`, v])),
        };
        result.leftovers = leftovers(labId, stateDir);
    } catch (e) {
        result.error = (e as Error).message;
        log(`${size.label} pulumi: FAILED: ${result.error}`);
    } finally {
        await cleanUpNow(cleanup);
    }
    return result;
}

async function manualLab(size: Size, ownLabs: string[]): Promise<LabResult> {
    const labId = uniqueLabId();
    ownLabs.push(labId);
    const stateDir = `/tmp/ovnlab-manual-${labId}`;
    const result: LabResult = { size: size.label, way: "manual", labId, pings: [], memory: [], leftovers: [] };
    log(`${size.label} manual: lab ${labId}`);
    const script = (action: "up" | "down", cleanup = false) =>
        timed(["bash", MANUAL_SCRIPT, action, labId, String(size.nodes), String(size.perNode), size.prefix], {
            cwd: PROJECT_ROOT, env: { OVNLAB_MANUAL_STATE_DIR: stateDir }, ownLabs, cleanup,
        });
    let down = false;
    const cleanup = once(async () => {
        try {
            if (!down) {
                const r = await script("down", true);
                if (r.code !== 0) console.error(`[labUp] cleanup: manual-lab.sh down ${labId} exited with ${r.code}:\n${tail(r.output, 10)}`);
            }
        } catch (e) {
            console.error(`[labUp] cleanup: manual-lab.sh down ${labId} failed: ${(e as Error).message}`);
        }
        await cleanupLab(labId, stateDir);
    });
    cleanups.push(cleanup);
    try {
        result.up = mustSucceed("manual-lab.sh up", await script("up"));
        log(`${size.label} manual: up ${result.up.seconds.toFixed(1)} s`);
        result.pings = await verifyPings(labId, pingPairs(size));
        result.memory = labMemory(stateDir, size.nodes);
        result.down = mustSucceed("manual-lab.sh down", await script("down"));
        down = true;
        log(`${size.label} manual: down ${result.down.seconds.toFixed(1)} s`);
        const phases = (t: Timed, prefix: string) => Object.fromEntries(Object.entries(manualPhases(t.output)).map(([k, v]) => [`${prefix} ${k}`, v]));
        result.detail = { ...phases(result.up, "up"), ...phases(result.down, "down") };
        result.leftovers = leftovers(labId, stateDir);
    } catch (e) {
        result.error = (e as Error).message;
        log(`${size.label} manual: FAILED: ${result.error}`);
    } finally {
        await cleanUpNow(cleanup);
    }
    return result;
}

// ---- Report -------------------------------------------------------------------------------

const loadText = (t: Timed | undefined) => (t ? `${t.load.load1.toFixed(2)}/${t.load.load5.toFixed(2)}/${t.load.load15.toFixed(2)}` : "-");
const secs = (t: Timed | undefined) => (t ? `${t.seconds.toFixed(1)} (load ${t.load.load1.toFixed(1)})` : "-");

function report(results: LabResult[]): string {
    const sizes = [...new Set(results.map((r) => r.size))];
    const find = (size: string, way: string) => results.find((r) => r.size === size && r.way === way);
    const rows = [
        "| size | pulumi up --skip-preview s | pulumi up (with preview) s | no-op preview s | pulumi destroy s | manual up s | manual down s | up / manual | up with preview / manual | destroy / manual |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ];
    const ratio = (a: Timed | undefined, b: Timed | undefined) => (a && b ? `${(a.seconds / b.seconds).toFixed(2)}x` : "-");
    for (const size of sizes) {
        const p = find(size, "pulumi");
        const m = find(size, "manual");
        rows.push(`| ${size} | ${secs(p?.up)} | ${secs(p?.readmeUp)} | ${secs(p?.noopPreview)} | ${secs(p?.down)} | ${secs(m?.up)} | ${secs(m?.down)} | ${ratio(p?.up, m?.up)} | ${ratio(p?.readmeUp, m?.up)} | ${ratio(p?.down, m?.down)} |`);
    }
    rows.push("", "| size | way | resources (state KiB, of it `__provider`) | no-op up s | CPU s up / down | tree peak RSS MiB up / down | load 1/5/15 before up | other labs' namespaces, running sleep containers | pings (attempts) | leftovers |");
    rows.push("| --- | --- | ---: | ---: | --- | --- | --- | --- | --- | --- |");
    for (const r of results) {
        const pings = r.pings.map((p) => `${p.from}->${p.ip} ${p.ok ? "ok" : "FAIL"}${p.attempts > 1 ? ` (${p.attempts})` : ""}`).join(", ") || "-";
        rows.push(`| ${r.size} | ${r.way} | ${r.resources === undefined ? "-" : `${r.resources} (${r.stateKiB}, ${r.providerKiB})`} | ${r.noopUp ? r.noopUp.seconds.toFixed(1) : "-"} | ${r.up?.cpu.toFixed(1) ?? "-"} / ${r.down?.cpu.toFixed(1) ?? "-"} | ${r.up?.treePeakMiB ?? "-"} / ${r.down?.treePeakMiB ?? "-"} | ${loadText(r.up)} | ${r.up ? `${r.up.load.otherNamespaces}, ${r.up.load.runningContainers}` : "-"} | ${pings} | ${r.leftovers.join("; ") || "none"} |`);
        if (r.error) rows.push(`| ${r.size} | ${r.way} | FAILED: ${r.error.split("\n")[0].replace(/\|/g, "\\|")} | | | | | | | |`);
    }
    rows.push("", "Daemon memory, MiB: VmHWM (peak) / VmRSS after the pings", "");
    rows.push("| size | way | node | role | ovsdb-server | ovs-vswitchd | ovn-controller | NB ovsdb-server | SB ovsdb-server | ovn-northd | node total (HWM) |");
    rows.push("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    const names = ["ovsdb-server", "ovs-vswitchd", "ovn-controller", "NB ovsdb-server", "SB ovsdb-server", "ovn-northd"];
    for (const r of results) {
        for (const node of r.memory) {
            const cell = (name: string) => {
                const d = node.daemons.find((x) => x.daemon === name);
                return d ? `${d.hwmMiB} / ${d.rssMiB}` : "-";
            };
            const total = node.daemons.reduce((sum, d) => sum + d.hwmMiB, 0);
            rows.push(`| ${r.size} | ${r.way} | ${node.node} | ${node.role} | ${names.map(cell).join(" | ")} | ${total.toFixed(1)} |`);
        }
    }
    rows.push("", "Details (Pulumi's own Duration lines and per-type create/delete times; the manual script's phases, s):", "");
    for (const r of results) {
        rows.push(`- ${r.size} ${r.way} ${r.labId}: ${JSON.stringify(r.detail ?? {})}`);
        for (const [step, t] of [["up", r.up], ["no-op up", r.noopUp], ["no-op preview", r.noopPreview], ["down", r.down], ["up with preview", r.readmeUp], ["its down", r.readmeDown]] as const) {
            if (t) rows.push(`  - ${step}: CPU s by process ${JSON.stringify(t.treeCpu)}; peak RSS MiB ${JSON.stringify(t.treePeaks)}`);
        }
    }
    return rows.join("\n");
}

async function main(): Promise<void> {
    benchName("labUp");
    const args = process.argv.slice(2);
    const sizesArg = args.includes("--sizes") ? args[args.indexOf("--sizes") + 1] ?? "" : "2x2,4x10";
    const manualFirst = args.includes("--manual-first");
    const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
    if (only !== undefined && only !== "pulumi" && only !== "manual") throw new Error("--only takes pulumi or manual");
    const labels = sizesArg.split(",").filter(Boolean);
    const unknown = labels.filter((l) => !(l in SIZES));
    if (labels.length === 0 || unknown.length > 0) throw new Error(`usage: bench/labUp.ts [--sizes ${Object.keys(SIZES).join(",")}] [--manual-first] [--only pulumi|manual]; unknown size(s): ${unknown.join(", ")}`);
    if (process.getuid?.() !== 0) throw new Error("run as root: namespaces, OVS and Docker need it");

    const docker: DockerEngine = await ensureDocker();
    cleanups.push(() => docker.stop());
    log(`project: ${projectLabel()}`);
    log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB; sizes ${labels.join(", ")}; ${only ? `${only} only` : `${manualFirst ? "manual" : "pulumi"} first`}${SKIP_CHECKPOINTS ? "; PULUMI_SKIP_CHECKPOINTS=true" : ""}`);
    const ownLabs: string[] = [];
    const results: LabResult[] = [];
    for (const label of labels) {
        const size = SIZES[label]();
        const ways = (manualFirst ? [manualLab, pulumiLab] : [pulumiLab, manualLab])
            .filter((way) => only === undefined || (only === "pulumi") === (way === pulumiLab));
        for (const way of ways) {
            if (isStopping()) break;
            const r = await way(size, ownLabs);
            results.push(r);
            for (const [step, t] of [["up", r.up], ["noop", r.noopUp], ["down", r.down]] as const) keepLog(`${r.size}-${r.way}-${r.labId}-${step}`, t);
            console.log(JSON.stringify({ ...r, up: strip(r.up), noopUp: strip(r.noopUp), down: strip(r.down) }));
        }
    }
    console.log(`\n${report(results)}`);
    if (results.some((r) => r.error || r.leftovers.length > 0 || r.pings.some((p) => !p.ok))) process.exitCode = 1;
}

main()
    .catch((e) => {
        console.error(e);
        process.exitCode = 1;
    })
    .finally(async () => {
        await runCleanups();
    });
