// What the benches check about a lab besides time: pings between its
// workloads, the memory of every node's daemons (by their pidfiles) and what
// a teardown left behind.
import { existsSync, readdirSync, readFileSync } from "fs";
import { join, resolve } from "path";
import { labContainers, labIptablesRules, labLinks, labNamespaces } from "../../test/helpers/lab";
import { sleep, timed } from "./measure";

const PROJECT_ROOT = resolve(__dirname, "../..");
export interface PingResult {
    from: string;
    ip: string;
    ok: boolean;
    /** Rounds of `ping -c 3 -W 2` until one got a reply. */
    attempts: number;
    received: number;
}

export async function pingFrom(labId: string, from: string, ip: string): Promise<PingResult> {
    let received = 0;
    let attempts = 0;
    while (attempts < 5 && received === 0) {
        attempts++;
        const run = await timed(["docker", "exec", `ovnlab-${labId}-${from}`, "ping", "-c", "3", "-W", "2", ip], { cwd: PROJECT_ROOT, ownLabs: [] });
        received = Number(/(\d+) packets received/.exec(run.output)?.[1] ?? "0");
        if (received === 0) await sleep(1000);
    }
    return { from, ip, ok: received > 0, attempts, received };
}

export async function verifyPings(labId: string, pairs: { from: string; ip: string }[]): Promise<PingResult[]> {
    const results: PingResult[] = [];
    for (const pair of pairs) results.push(await pingFrom(labId, pair.from, pair.ip));
    return results;
}

export interface DaemonMemory {
    daemon: string;
    pid: number;
    hwmMiB: number;
    rssMiB: number;
}

export interface NodeMemory {
    node: string;
    /** "central" for the node that also runs NB, SB and ovn-northd. */
    role: "central" | "chassis";
    daemons: DaemonMemory[];
}

function statusKiB(status: string, key: string): number {
    return Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? "0");
}

function daemonMemory(daemon: string, pidfile: string): DaemonMemory | undefined {
    try {
        const pid = Number(readFileSync(pidfile, "utf8").trim());
        // Only the process started with this very pidfile (a PID may have been reused).
        if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(`--pidfile=${pidfile}`)) return undefined;
        const status = readFileSync(`/proc/${pid}/status`, "utf8");
        const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;
        return { daemon, pid, hwmMiB: mib(statusKiB(status, "VmHWM")), rssMiB: mib(statusKiB(status, "VmRSS")) };
    } catch {
        return undefined;
    }
}

export function labMemory(stateDir: string, nodes: number): NodeMemory[] {
    const result: NodeMemory[] = [];
    for (let n = 1; n <= nodes; n++) {
        const run = join(stateDir, `node${n}`, "run");
        const daemons = [
            daemonMemory("ovsdb-server", join(run, "ovsdb-server.pid")),
            daemonMemory("ovs-vswitchd", join(run, "ovs-vswitchd.pid")),
            daemonMemory("ovn-controller", join(run, "ovn-controller.pid")),
        ];
        if (n === 1) {
            const central = join(stateDir, "central");
            daemons.push(
                daemonMemory("NB ovsdb-server", join(central, "ovnnb_db.pid")),
                daemonMemory("SB ovsdb-server", join(central, "ovnsb_db.pid")),
                daemonMemory("ovn-northd", join(central, "ovn-northd.pid")),
            );
        }
        result.push({ node: `node${n}`, role: n === 1 ? "central" : "chassis", daemons: daemons.filter((d): d is DaemonMemory => d !== undefined) });
    }
    return result;
}

/** Processes whose command line mentions the state directory (none should be left after teardown). */
function processesOf(stateDir: string): number[] {
    return readdirSync("/proc").filter((p) => /^\d+$/.test(p)).flatMap((pid) => {
        try {
            return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(stateDir) ? [Number(pid)] : [];
        } catch {
            return [];
        }
    });
}

export function leftovers(labId: string, stateDir: string): string[] {
    const found: string[] = [];
    const add = (what: string, items: (string | number)[]) => items.length > 0 && found.push(`${what}: ${items.join(", ")}`);
    add("namespaces", labNamespaces(labId));
    add("links", labLinks(labId));
    add("containers", labContainers(labId));
    add("iptables rules", labIptablesRules(labId));
    add("processes", processesOf(stateDir));
    if (existsSync(stateDir)) found.push(`state directory ${stateDir}`);
    return found;
}
