// Soak of the dev lab through the real Pulumi CLI (Automation API, the
// README's settings): N cycles of up / verify / destroy, then one lab kept up
// through N cycles of break / refresh / up / verify, counting what leaks after
// each cycle — namespaces, links, iptables rules, containers, daemons, open
// fds of the long-lived daemons, files under the state directory, lab rows in
// NB and SB — and the time per cycle, to see whether it drifts upward.
//
//   node -r ts-node/register/transpile-only bench/soak.ts [--cycles 20] [--json FILE]
//
// Every lab is removed by cleanupLab even when a step fails or on SIGINT.
// Traffic stays inside the lab's own containers.
import { execFileSync } from "child_process";
import { existsSync, readdirSync, statSync, writeFileSync } from "fs";
import { loadavg } from "os";
import { join } from "path";
import { plugInterfaceName } from "../components/commands/names";
import { pidFromPidfile } from "../components/kit/hostRuntime";
import { ensureDocker } from "../test/helpers/docker";
import { cleanupLab, devLabConfig, devLabPingFailures, labLeftovers, pidfilesUnder } from "../test/helpers/lab";
import { uniqueLabId } from "../test/helpers/names";
import { createTestStack, TestStack } from "../test/helpers/pulumiStack";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const CYCLES = Number(option("--cycles", "20"));
const JSON_FILE = option("--json", "");
const quiet = { onOutput: () => undefined };

const run = (argv: string[]) => execFileSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 30_000 });

function filesUnder(dir: string): number {
    if (!existsSync(dir)) return 0;
    return readdirSync(dir).reduce((n, e) => n + (statSync(join(dir, e)).isDirectory() ? filesUnder(join(dir, e)) : 1), 0);
}

/** Open fds of each long-lived daemon, by its pidfile. */
function daemonFds(stateDir: string): Record<string, number> {
    return Object.fromEntries(pidfilesUnder(stateDir).flatMap((pidfile) => {
        const pid = pidFromPidfile(pidfile);
        if (pid === undefined) return [];
        try {
            return [[pidfile.slice(stateDir.length + 1), readdirSync(`/proc/${pid}/fd`).length]];
        } catch {
            return [];
        }
    }));
}

function rows(stateDir: string): { nb: number; sb: number } {
    const count = (tool: string, db: string, tables: string[]) => tables.reduce((n, t) => n + run([tool, `--db=unix:${stateDir}/central/${db}`, "--bare", "--columns=_uuid", "list", t]).split("\n").filter(Boolean).length, 0);
    return {
        nb: count("ovn-nbctl", "ovnnb_db.sock", ["Logical_Switch", "Logical_Switch_Port", "Logical_Router", "Logical_Router_Port"]),
        sb: count("ovn-sbctl", "ovnsb_db.sock", ["Chassis", "Port_Binding", "Datapath_Binding"]),
    };
}

const leakCount = (l: ReturnType<typeof labLeftovers>) => l.namespaces.length + l.links.length + l.containers.length + l.iptables.length + l.processes.length + (l.stateDir ? 1 : 0);

interface Cycle { kind: string; i: number; ms: number; load1: number; leaks: number; pingFailures: number; detail?: Record<string, unknown> }

async function main(): Promise<void> {
    const docker = await ensureDocker();
    const labId = uniqueLabId();
    let lab: TestStack | undefined;
    let stateDir = "";
    const cycles: Cycle[] = [];
    const stop = async () => {
        await lab?.dispose().catch(() => undefined);
        await cleanupLab(labId, stateDir);
        await docker.stop();
    };
    process.on("SIGINT", () => void stop().then(() => process.exit(130)));
    try {
        lab = await createTestStack("dev", { ...devLabConfig(), labId });
        stateDir = join(lab.dir, ".lab", labId);
        for (let i = 1; i <= CYCLES; i++) {
            const load1 = loadavg()[0];
            const start = Date.now();
            await lab.stack.up(quiet);
            const upMs = Date.now() - start;
            const pingFailures = devLabPingFailures(labId).length;
            // What the readiness wait took of the up (recompute, --wait=hv, ports installed, tunnel neighbours).
            const resources = (await lab.stack.exportStack()).deployment.resources as { type: string; outputs?: { waitedMs?: number } }[];
            const readyMs = resources.find((r) => r.type === "ovnlab:ovn:Readiness")?.outputs?.waitedMs ?? -1;
            const destroyStart = Date.now();
            await lab.stack.destroy(quiet);
            const destroyMs = Date.now() - destroyStart;
            const ms = Date.now() - start;
            const leaks = leakCount(labLeftovers(labId, stateDir));
            cycles.push({ kind: "up/verify/destroy", i, ms, load1, leaks, pingFailures, detail: { upMs, readyMs, destroyMs } });
            console.log(`up/verify/destroy ${i}: ${ms} ms (up ${upMs} ms, of it readiness ${readyMs} ms; destroy ${destroyMs} ms), ping failures ${pingFailures}, leaks ${leaks}`);
        }

        await lab.stack.up(quiet);
        const baseline = { rows: rows(stateDir), files: filesUnder(stateDir), fds: daemonFds(stateDir) };
        const nbctl = (...a: string[]) => run(["ovn-nbctl", `--db=unix:${stateDir}/central/ovnnb_db.sock`, ...a]);
        const breaks: [string, () => void][] = [
            ["lsp-del netsho3", () => void nbctl("lsp-del", "netsho3")],
            ["docker rm -f netsho4", () => void run(["docker", "rm", "-f", `ovnlab-${labId}-netsho4`])],
            ["del-port netsho2", () => void run(["ip", "netns", "exec", `ovnlab-${labId}-node1`, "ovs-vsctl", `--db=unix:${stateDir}/node1/run/db.sock`, "del-port", "br-int", plugInterfaceName("netsho2")])],
            ["kill node2 ovn-controller", () => process.kill(pidFromPidfile(join(stateDir, "node2", "run", "ovn-controller.pid"))!, "SIGKILL")],
        ];
        for (let i = 1; i <= CYCLES; i++) {
            const [what, breakIt] = breaks[(i - 1) % breaks.length];
            const load1 = loadavg()[0];
            const start = Date.now();
            breakIt();
            await new Promise((r) => setTimeout(r, 300));
            await lab.stack.refresh(quiet);
            await lab.stack.up(quiet);
            const pingFailures = devLabPingFailures(labId).length;
            const ms = Date.now() - start;
            const now = { rows: rows(stateDir), files: filesUnder(stateDir), fds: daemonFds(stateDir) };
            // fds of daemons that were not restarted by this cycle; a restarted one starts afresh.
            const fdGrowth = Object.entries(now.fds).reduce((n, [k, v]) => n + Math.max(0, v - (baseline.fds[k] ?? v)), 0);
            const leaks = Math.abs(now.rows.nb - baseline.rows.nb) + Math.abs(now.rows.sb - baseline.rows.sb) + Math.max(0, now.files - baseline.files) + fdGrowth;
            cycles.push({ kind: `break(${what})/refresh/up/verify`, i, ms, load1, leaks, pingFailures, detail: { ...now.rows, files: now.files, fdGrowth } });
            console.log(`break ${i} (${what}): ${ms} ms, ping failures ${pingFailures}, leaks ${leaks} (nb ${now.rows.nb}, sb ${now.rows.sb}, files ${now.files}, fd growth ${fdGrowth})`);
        }
        await lab.stack.destroy(quiet);
        const final = labLeftovers(labId, stateDir);
        const summary = {
            cycles: CYCLES, baseline: { ...baseline.rows, files: baseline.files },
            finalLeaks: final,
            perKind: ["up/verify/destroy", "break"].map((k) => {
                const of = cycles.filter((c) => c.kind.startsWith(k));
                const half = Math.floor(of.length / 2);
                const mean = (xs: Cycle[]) => Math.round(xs.reduce((n, c) => n + c.ms, 0) / Math.max(1, xs.length));
                return { kind: k, meanMs: mean(of), firstHalfMs: mean(of.slice(0, half)), secondHalfMs: mean(of.slice(half)), leaks: of.reduce((n, c) => n + c.leaks, 0), pingFailures: of.reduce((n, c) => n + c.pingFailures, 0) };
            }),
            load: loadavg(),
        };
        console.log(JSON.stringify(summary, null, 2));
        if (JSON_FILE) writeFileSync(JSON_FILE, JSON.stringify({ summary, cycles }, null, 2));
    } finally {
        await stop();
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
