// ip, ethtool, nsenter and iptables, as argv arrays, and parsers of what `ip -j`
// prints. Pure: nothing here runs anything; `runCommand(transport, argv)` does.
import { Argv } from "./argv";
import { checked, validInterface, validIpv4, validIpv4Cidr, validLabId, validMac, validMtu, validNamespace, validPid } from "../plan/validate";

export const ipNetnsAdd = (namespace: string): Argv => ["ip", "netns", "add", validNamespace(namespace)];
export const ipNetnsDelete = (namespace: string): Argv => ["ip", "netns", "delete", validNamespace(namespace)];
/** The PIDs of every process in the namespace, one per line. */
export const ipNetnsPids = (namespace: string): Argv => ["ip", "netns", "pids", validNamespace(namespace)];

/** JSON description of one link; exits non-zero when it does not exist. */
export const ipLinkShow = (device: string): Argv => ["ip", "-j", "link", "show", "dev", validInterface(device)];
/** Like ipLinkShow, with the link kind (veth, bridge, ...). */
export const ipLinkDetails = (device: string): Argv => ["ip", "-j", "-d", "link", "show", "dev", validInterface(device)];
export const ipLinkUp = (device: string): Argv => ["ip", "link", "set", "dev", validInterface(device), "up"];
export const ipLinkDelete = (device: string): Argv => ["ip", "link", "delete", "dev", validInterface(device)];
export const ipLinkSetMaster = (device: string, master: string): Argv =>
    ["ip", "link", "set", "dev", validInterface(device), "master", validInterface(master)];
export const ipLinkSetAddressAndMtu = (device: string, mac: string, mtu: number): Argv =>
    ["ip", "link", "set", "dev", validInterface(device), "address", validMac(mac), "mtu", String(validMtu(mtu))];
/** The MAC alone: with DHCP the workload's MTU is the server's to set. */
export const ipLinkSetAddress = (device: string, mac: string): Argv => ["ip", "link", "set", "dev", validInterface(device), "address", validMac(mac)];
export const ipLinkSetMtu = (device: string, mtu: number): Argv => ["ip", "link", "set", "dev", validInterface(device), "mtu", String(validMtu(mtu))];
export const ipBridgeAdd = (bridge: string): Argv => ["ip", "link", "add", "name", validInterface(bridge), "type", "bridge"];

export interface VethSpec {
    /** The end created where the command runs. */
    name: string;
    peerName: string;
    /** Where the peer goes: a named namespace, or the network namespace of a process. */
    peerNamespace: { name: string } | { pid: number };
    mtu?: number;
    peerMac?: string;
}

/** `ip link add A [mtu M] type veth peer name B [address MAC] [mtu M] netns NS|PID`: both ends in place at once. */
export function ipVethAdd(spec: VethSpec): Argv {
    const mtu = spec.mtu === undefined ? [] : ["mtu", String(validMtu(spec.mtu))];
    const target = "name" in spec.peerNamespace ? validNamespace(spec.peerNamespace.name) : String(validPid(spec.peerNamespace.pid));
    return [
        "ip", "link", "add", validInterface(spec.name), ...mtu, "type", "veth",
        "peer", "name", validInterface(spec.peerName), ...(spec.peerMac === undefined ? [] : ["address", validMac(spec.peerMac)]), ...mtu,
        "netns", target,
    ];
}

export const ipAddrShow = (device: string): Argv => ["ip", "-j", "addr", "show", "dev", validInterface(device)];
export const ipAddrAdd = (cidr: string, device: string): Argv => ["ip", "addr", "add", validIpv4Cidr(cidr), "dev", validInterface(device)];
export const ipAddrFlush = (device: string): Argv => ["ip", "-4", "addr", "flush", "dev", validInterface(device)];
export const ipRouteReplaceDefault = (gateway: string, device: string): Argv =>
    ["ip", "route", "replace", "default", "via", validIpv4(gateway), "dev", validInterface(device)];
export const ipRouteDeleteDefault = (): Argv => ["ip", "route", "delete", "default"];
export const ipRouteShowDefault = (): Argv => ["ip", "-j", "route", "show", "default"];

/** Turns TX checksum offload off: veth leaves partial checksums that the AF_PACKET path forwards as-is (recipe pitfall 2). */
export const ethtoolTxOff = (device: string): Argv => ["ethtool", "-K", validInterface(device), "tx", "off"];

/** Runs `argv` in the network namespace of process `pid` (a container's), with the host's tools. */
export const inNetnsOfPid = (pid: number, argv: Argv): Argv => ["nsenter", "-t", String(validPid(pid)), "-n", ...argv];

// ---- iptables ---------------------------------------------------------------

/** dockerd sets FORWARD's policy to DROP and leaves DOCKER-USER to the admin; without dockerd, FORWARD. */
export type ForwardChain = "DOCKER-USER" | "FORWARD";

function validChain(chain: string): ForwardChain {
    checked("iptables chain", chain, chain === "DOCKER-USER" || chain === "FORWARD", "DOCKER-USER | FORWARD");
    return chain as ForwardChain;
}

export const iptablesChainExists = (chain: ForwardChain): Argv => ["iptables", "-w", "5", "-n", "-L", validChain(chain)];

/** Bridged frames pass the FORWARD hook when bridge-nf-call-iptables=1: accept the underlay's own. */
function underlayAcceptRule(bridge: string, labId: string): Argv {
    return ["-i", validInterface(bridge), "-o", bridge, "-m", "comment", "--comment", `ovnlab:${validLabId(labId)}`, "-j", "ACCEPT"];
}

export const iptablesCheckUnderlayRule = (chain: ForwardChain, bridge: string, labId: string): Argv =>
    ["iptables", "-w", "5", "-C", validChain(chain), ...underlayAcceptRule(bridge, labId)];
export const iptablesInsertUnderlayRule = (chain: ForwardChain, bridge: string, labId: string): Argv =>
    ["iptables", "-w", "5", "-I", validChain(chain), ...underlayAcceptRule(bridge, labId)];
export const iptablesDeleteUnderlayRule = (chain: ForwardChain, bridge: string, labId: string): Argv =>
    ["iptables", "-w", "5", "-D", validChain(chain), ...underlayAcceptRule(bridge, labId)];


// ---- Parsing what those commands print --------------------------------------

interface IpLinkJson {
    ifname?: string;
    address?: string;
    mtu?: number;
    master?: string;
    linkinfo?: { info_kind?: string };
    addr_info?: { family?: string; local?: string; prefixlen?: number }[];
}

function parseIpJson(stdout: string): IpLinkJson[] {
    const parsed: unknown = JSON.parse(stdout.trim() || "[]");
    return Array.isArray(parsed) ? (parsed as IpLinkJson[]) : [];
}

/** The IPv4 addresses with prefixes in `ip -j addr show` output, e.g. ["172.16.56.2/24"]. */
export function parseIpv4Cidrs(stdout: string): string[] {
    return parseIpJson(stdout).flatMap((link) =>
        (link.addr_info ?? []).filter((a) => a.family === "inet").map((a) => `${a.local}/${a.prefixlen}`));
}

/** The bridge a link is enslaved to, from `ip -j link show`. */
export function parseLinkMaster(stdout: string): string | undefined {
    return parseIpJson(stdout)[0]?.master;
}

/** The kind of a link (veth, bridge, ...), from `ip -j -d link show`. */
export function parseLinkKind(stdout: string): string | undefined {
    return parseIpJson(stdout)[0]?.linkinfo?.info_kind;
}

/** MAC and MTU of a link, from `ip -j link show` or `ip -j addr show`. */
export function parseLinkAddress(stdout: string): { mac?: string; mtu?: number } {
    const link = parseIpJson(stdout)[0];
    return { mac: link?.address, mtu: link?.mtu };
}

/** The gateway of the default route, from `ip -j route show default`. */
export function parseDefaultGateway(stdout: string): string | undefined {
    const routes: unknown = JSON.parse(stdout.trim() || "[]");
    return Array.isArray(routes) ? (routes as { gateway?: string }[])[0]?.gateway : undefined;
}
