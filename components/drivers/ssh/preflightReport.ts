// What the preflight of one SSH host found, and what is wrong with it for a
// lab, in words that name the host. Pure: reads what `ssh ... preflight.sh`
// printed (commands/ssh.ts PREFLIGHT_SCRIPT) and its exit status.
import type { SshHostSpec } from "../../plan/sshHostsConfig";
import { PHYSICAL_BRIDGE } from "../../commands/names";

export interface HostFacts {
    uid: number;
    /** The interface holding the underlay address and the address with its prefix as the host has it; undefined: not on the host. */
    underlay?: { dev: string; cidr: string };
    /** Whether the host could be asked at all (no `ip` before packages are installed). */
    underlayKnown: boolean;
    defaultRouteDev?: string;
    /** br-phy in the switch's database: ovnlab moved the underlay address there before. */
    brPhy: boolean;
    docker: boolean;
    apt: boolean;
}

export interface PreflightRun {
    code: number;
    stdout: string;
    stderr: string;
}

export interface PreflightWanted {
    /** The underlay address with the prefix the plan gives it (hostCidr's). */
    underlayCidr: string;
    /** netdev: provisioning moves the underlay address onto br-phy. */
    userspaceDatapath: boolean;
}

const FACT = /^ovnlab-preflight: (\S+) ?(.*)$/gm;

export function parsePreflight(stdout: string): HostFacts | undefined {
    const facts = new Map([...stdout.matchAll(FACT)].map((m) => [m[1], m[2].trim()]));
    if (!facts.has("done") || !/^\d+$/.test(facts.get("uid") ?? "")) return undefined;
    const underlay = (facts.get("underlay") ?? "unknown").split(" ");
    return {
        uid: Number(facts.get("uid")),
        underlayKnown: underlay[0] !== "unknown",
        ...(underlay.length === 2 ? { underlay: { dev: underlay[0], cidr: underlay[1] } } : {}),
        ...(facts.get("default-route") ? { defaultRouteDev: facts.get("default-route") } : {}),
        brPhy: facts.get("br-phy") === "yes",
        docker: facts.get("docker") === "yes",
        apt: facts.get("apt") === "yes",
    };
}

/** How a host is named in messages: `node2 (debian@192.168.56.12:22)`. */
export function describeHost(host: SshHostSpec): string {
    return `${host.node} (${host.user}@${host.address}:${host.port})`;
}

/** Why ssh itself failed (exit 255), in words. */
function sshFailure(host: SshHostSpec, stderr: string): string {
    const said = stderr.trim().split("\n").filter(Boolean).pop() ?? "";
    if (/Permission denied|Too many authentication failures/i.test(stderr)) return `the host refused the key ${host.keyFile} for user ${host.user} (${said})`;
    if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(stderr)) {
        return `the host's key is not the one this lab trusted before (${said}): if the host was reinstalled, remove its line from the lab's ssh_known_hosts`;
    }
    if (/timed out|refused|No route to host|Could not resolve|Network is unreachable|Name or service not known/i.test(stderr)) return `unreachable (${said})`;
    return `ssh failed (${said || "exit 255"})`;
}

/** Every problem the host has for this lab; empty: ovnlab may provision it. */
export function preflightProblems(host: SshHostSpec, wanted: PreflightWanted, run: PreflightRun): string[] {
    if (run.code === 255) return [sshFailure(host, run.stderr)];
    const facts = parsePreflight(run.stdout);
    if (!facts) {
        const said = run.stderr.trim().split("\n").filter(Boolean).pop() ?? `exit ${run.code}`;
        if (host.sudo && /sudo:|sudo\b.*not found/i.test(run.stderr)) {
            return [`user ${host.user} cannot run commands as root without a password (sudo -n: ${said}): give it passwordless sudo, or log in as root with sudo: false`];
        }
        return [`the preflight did not run (${said})`];
    }
    const problems: string[] = [];
    if (facts.uid !== 0) problems.push(`user ${host.user} is not root and sudo is false: set sudo: true (passwordless sudo) or log in as root`);
    if (!facts.apt) problems.push("no apt-get/dpkg-query: ovnlab provisions Debian and Ubuntu hosts");
    const [ip] = wanted.underlayCidr.split("/");
    if (facts.underlay && facts.underlay.cidr !== wanted.underlayCidr) {
        problems.push(`its underlay address is ${facts.underlay.cidr} on ${facts.underlay.dev}, but hostCidr gives it ${wanted.underlayCidr}: set ovnlab:hostCidr to the underlay network`);
    } else if (facts.underlayKnown && !facts.underlay && !facts.brPhy) {
        problems.push(`underlayIp ${ip} is not an address of the host (ip -4 addr): give the address of the interface the nodes reach each other on`);
    } else if (facts.underlay && wanted.userspaceDatapath && facts.underlay.dev !== PHYSICAL_BRIDGE && facts.underlay.dev === facts.defaultRouteDev) {
        problems.push(`its underlay address is on ${facts.underlay.dev}, which holds the default route: the userspace datapath (datapathType netdev) would move the address onto br-phy and cut the host off; use another interface's address or datapathType: system`);
    }
    return problems;
}
