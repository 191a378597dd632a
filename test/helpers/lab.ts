// Fail-safe teardown of everything a test lab may have left behind, found by
// its unique lab id: daemons by the PIDs in their pidfiles (never by name),
// containers by label, namespaces and links by name prefix, the iptables rule,
// the test's image and the state directory. Runs even when a test failed.
import { execFileSync } from "child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { LAB_LABEL } from "../../components/commands/names";
import { stopDaemon, stopNamespaceProcesses } from "../../components/kit/hostRuntime";
import { stopPid } from "./processes";
import { underlayProvider } from "../../components/drivers/netns/underlay";

/** Controllers first, then northd and the OVN databases, then vswitchd, then the Open_vSwitch database (recipe pitfall 6). */
const STOP_ORDER = ["ovn-controller", "ovn-northd", "ovnnb_db", "ovnsb_db", "ovs-vswitchd", "ovsdb-server"];

/** Every pidfile under `dir`, at any depth. */
export function pidfilesUnder(dir: string): string[] {
    if (!existsSync(dir)) return [];
    return readdirSync(dir).flatMap((entry) => {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) return pidfilesUnder(path);
        return entry.endsWith(".pid") ? [path] : [];
    });
}

function run(argv: string[]): string {
    try {
        return execFileSync(argv[0], argv.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 60_000 });
    } catch {
        return "";
    }
}

/** Names of host links that belong to the lab: `<labId>-...` (node veths) and `<labId>_...` (bridge, hashed veths). */
export function labLinks(labId: string): string[] {
    const links = JSON.parse(run(["ip", "-j", "link", "show"]) || "[]") as { ifname: string }[];
    return links.map((l) => l.ifname).filter((name) => name.startsWith(`${labId}-`) || name.startsWith(`${labId}_`));
}

export function labNamespaces(labId: string): string[] {
    return existsSync("/run/netns") ? readdirSync("/run/netns").filter((ns) => ns.startsWith(`ovnlab-${labId}-`)) : [];
}

export function labContainers(labId: string): string[] {
    return run(["docker", "ps", "-aq", "--filter", `label=${LAB_LABEL}=${labId}`]).split("\n").filter(Boolean);
}

/** Stops every daemon with a pidfile under `dir`, in the recipe's order. */
export async function stopDaemonsUnder(dir: string): Promise<void> {
    const rank = (pidfile: string) => {
        const i = STOP_ORDER.findIndex((name) => pidfile.endsWith(`/${name}.pid`));
        return i === -1 ? STOP_ORDER.length : i;
    };
    for (const pidfile of pidfilesUnder(dir).sort((a, b) => rank(a) - rank(b))) await stopDaemon(pidfile);
}

export async function cleanupLab(labId: string, stateDir: string, image?: string): Promise<void> {
    await stopDaemonsUnder(stateDir);
    for (const id of labContainers(labId)) run(["docker", "rm", "-f", id]);
    // Daemons whose pidfiles are gone (a test removed the lab's files): by the lab's namespaces, then by its directory.
    for (const ns of labNamespaces(labId)) await stopNamespaceProcesses(ns).catch(() => undefined);
    for (const pid of labProcesses(stateDir)) await stopPid(pid);
    for (const pid of labWebServers(labId)) await stopPid(pid);
    for (const dir of labPageDirectories(labId)) rmSync(join("/tmp", dir), { recursive: true, force: true });
    for (const ns of labNamespaces(labId)) run(["ip", "netns", "delete", ns]);
    for (const link of labLinks(labId)) run(["ip", "link", "delete", "dev", link]);
    await underlayProvider.delete!(labId, { labId, bridgeName: `${labId}_br`, chain: "FORWARD", problems: [] });
    if (image) run(["docker", "image", "rm", image]);
    rmSync(stateDir, { recursive: true, force: true });
}

/** The iptables rules that mention the lab (should be none after teardown). */
export function labIptablesRules(labId: string): string[] {
    return run(["iptables", "-w", "5", "-S"]).split("\n").filter((rule) => rule.includes(`ovnlab:${labId}`));
}

/** The embedded default lab's configuration (Pulumi.dev.yaml), keys without the `ovnlab:` prefix. */
export function devLabConfig(): Record<string, unknown> {
    const config = parse(readFileSync(join(__dirname, "../../Pulumi.dev.yaml"), "utf8")).config as Record<string, unknown>;
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k.replace(/^ovnlab:/, ""), v]));
}

/** Ping with three echoes: the first packet to a new tunnel neighbour may be dropped while OVS resolves it. */
export function pings(labId: string, from: string, ip: string): boolean {
    try {
        const out = execFileSync("docker", ["exec", `ovnlab-${labId}-${from}`, "ping", "-c", "3", "-W", "2", "-q", ip], { encoding: "utf8", timeout: 60_000 });
        return !/ 0 packets received/.test(out);
    } catch {
        return false;
    }
}

/** One echo, one chance: what a user's first packet gets right after `up` returns. */
export function pingsOnce(labId: string, from: string, ip: string): boolean {
    try {
        execFileSync("docker", ["exec", `ovnlab-${labId}-${from}`, "ping", "-c", "1", "-W", "2", ip], { encoding: "utf8", timeout: 30_000 });
        return true;
    } catch {
        return false;
    }
}

/** The dev lab's pairs that must ping: same node, across nodes (lr0 and a tunnel), and back. */
const DEV_LAB_PAIRS: [string, string][] = [["netsho1", "10.244.1.4"], ["netsho1", "10.244.2.3"], ["netsho4", "10.244.1.3"]];

/** The dev lab's pairs that do not ping, as "netsho1 -> 10.244.2.3"; empty when the lab works. */
export function devLabPingFailures(labId: string): string[] {
    return DEV_LAB_PAIRS.filter(([from, ip]) => !pings(labId, from, ip)).map(([from, ip]) => `${from} -> ${ip}`);
}

/**
 * Milliseconds until every pair of the dev lab pings. `pulumi up` returns once
 * OVN and OVS are configured; ovn-controller programs the datapath a few
 * seconds later (longer after a chassis was just created or reconnected).
 */
export async function msUntilDevLabPings(labId: string, timeoutMs = 60_000): Promise<number> {
    const start = Date.now();
    for (;;) {
        // Counted to the start of the round that succeeded: 0 when the lab pings at once.
        const round = Date.now();
        const failures = devLabPingFailures(labId);
        if (failures.length === 0) return round - start;
        if (Date.now() - start > timeoutMs) throw new Error(`still not pinging after ${timeoutMs} ms: ${failures.join(", ")}`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
    }
}

/** PIDs of processes whose command line mentions the lab's state directory. */
export function labProcesses(stateDir: string): number[] {
    return readdirSync("/proc").filter((p) => /^\d+$/.test(p)).flatMap((pid) => {
        try {
            return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(stateDir) ? [Number(pid)] : [];
        } catch {
            return [];
        }
    });
}

/** The lab's web servers (`serve: http`): PIDs whose command line names one of its page directories. */
export function labWebServers(labId: string): number[] {
    return readdirSync("/proc").filter((p) => /^\d+$/.test(p)).flatMap((pid) => {
        try {
            return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(`/tmp/ovnlab-www-${labId}-`) ? [Number(pid)] : [];
        } catch {
            return [];
        }
    });
}

export const labPageDirectories = (labId: string) => readdirSync("/tmp").filter((d) => d.startsWith(`ovnlab-www-${labId}-`));

/** Everything of the lab still on the host; all empty (and no state directory) after a destroy. */
export function labLeftovers(labId: string, stateDir: string) {
    return {
        namespaces: labNamespaces(labId),
        links: labLinks(labId),
        containers: labContainers(labId),
        iptables: labIptablesRules(labId),
        processes: [...labProcesses(stateDir), ...labWebServers(labId)],
        stateDir: existsSync(stateDir) || labPageDirectories(labId).length > 0,
    };
}

export const NOTHING_LEFT = { namespaces: [], links: [], containers: [], iptables: [], processes: [], stateDir: false };
