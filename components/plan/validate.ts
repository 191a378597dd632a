// The one validation vocabulary: names, addresses, MACs, paths and the other
// words that reach a command. Config checks, argv builders and transports all
// use these, so a value one of them accepts the others accept too. Each check
// throws with what it checked, the value and the valid form.
//
// Plain functions and constants only: the program and the provider plugin both load it.
import { DATAPATH_TYPES, DatapathType, ENCAPS, Encap, IMAGE_PATTERN, LAB_ID_PATTERN, NAME_PATTERN } from "./config";

const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);
const IPV4_CIDR = new RegExp(`^${OCTET}(\\.${OCTET}){3}/(3[0-2]|[12]?\\d)$`);
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
/** Linux interface names: at most 15 bytes; ovnlab's own are lower-case words with '-' and '_'. */
const INTERFACE = /^[a-z][a-z0-9_-]{0,14}$/;
/** `ovnlab-<labId>-<node>`; /run/netns/<name> is a file, so longer than an interface is fine. */
const NAMESPACE = /^[a-z][a-z0-9-]{0,62}$/;
/** Absolute paths without spaces, quotes, globs or `..`: they end up inside OVSDB remotes too. */
const PATH = /^\/[A-Za-z0-9._+\/-]{0,1023}$/;
/** sun_path holds 108 bytes including the terminating NUL. */
const MAX_SOCKET_PATH = 107;
export const CONTAINER_ID = /^[0-9a-f]{12,64}$/;
/** Docker names ovnlab gives its containers: `ovnlab-<labId>-<name>`. */
export const DOCKER_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const HOSTNAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const PORT_MAX = 65535;

export function checked(kind: string, value: unknown, valid: boolean, rule: string): string {
    if (!valid) throw new Error(`invalid ${kind} ${JSON.stringify(value)}: ${rule}`);
    return value as string;
}

export const isString = (value: unknown): value is string => typeof value === "string";

export function validLabId(value: string): string {
    return checked("lab id", value, isString(value) && LAB_ID_PATTERN.test(value), "1-8 of a-z, 0-9, starting with a letter");
}

/** A node or container name as the configuration allows it. */
export function validName(kind: string, value: string): string {
    return checked(kind, value, isString(value) && NAME_PATTERN.test(value), "1-32 of a-z, 0-9 and inner '-', starting with a letter");
}

export function validInterface(value: string): string {
    return checked("interface name", value, isString(value) && INTERFACE.test(value), "1-15 of a-z, 0-9, '-', '_', starting with a letter");
}

export function validNamespace(value: string): string {
    return checked("network namespace", value, isString(value) && NAMESPACE.test(value), "1-63 of a-z, 0-9, '-', starting with a letter");
}

export function validPath(kind: string, value: string): string {
    const ok = isString(value) && PATH.test(value) && !value.split("/").some((part) => part === "." || part === "..");
    return checked(kind, value, ok, "an absolute path of letters, digits and . _ + - / (no '..')");
}

export function validSocketPath(value: string): string {
    validPath("socket path", value);
    return checked("socket path", value, value.length <= MAX_SOCKET_PATH, `at most ${MAX_SOCKET_PATH} bytes (a unix socket limit); use a shorter state directory`);
}

export const isIpv4 = (value: unknown): boolean => isString(value) && IPV4.test(value);
export const isUnicastMac = (value: unknown): boolean =>
    isString(value) && MAC.test(value) && parseInt(value.slice(0, 2), 16) % 2 === 0 && value !== "00:00:00:00:00:00";

export function validIpv4(value: string): string {
    return checked("IPv4 address", value, isString(value) && IPV4.test(value), "a dotted quad such as 172.16.56.2");
}

/** An interface address with its prefix (host bits set), e.g. 172.16.56.2/24. */
export function validIpv4Cidr(value: string): string {
    return checked("IPv4 address/prefix", value, isString(value) && IPV4_CIDR.test(value), "an address with prefix such as 172.16.56.2/24");
}

export function validMac(value: string): string {
    const ok = isUnicastMac(value);
    return checked("MAC address", value, ok, "a unicast MAC in lower case such as 02:00:00:00:01:03");
}

export function validPid(value: number): number {
    const ok = Number.isInteger(value) && value > 1 && value < 2 ** 22;
    checked("process id", value, ok, "a process id other than 0 and 1");
    return value;
}

export function validMtu(value: number): number {
    checked("MTU", value, Number.isInteger(value) && value >= 576 && value <= 9000, "an integer from 576 to 9000");
    return value;
}

export function validDatapathType(value: string): DatapathType {
    checked("datapath type", value, (DATAPATH_TYPES as readonly string[]).includes(value), DATAPATH_TYPES.join(" | "));
    return value as DatapathType;
}

export function validEncap(value: string): Encap {
    checked("encapsulation", value, (ENCAPS as readonly string[]).includes(value), ENCAPS.join(" | "));
    return value as Encap;
}

export function validImage(value: string): string {
    return checked("image reference", value, isString(value) && IMAGE_PATTERN.test(value), "e.g. ovnlab/busybox:1.35.0 or nicolaka/netshoot");
}

export function validContainerId(value: string): string {
    return checked("container id", value, isString(value) && CONTAINER_ID.test(value), "12-64 lower-case hex digits");
}

export function validHostname(value: string): string {
    return checked("hostname", value, isString(value) && HOSTNAME.test(value), "1-63 of a-z, 0-9 and inner '-'");
}

/** An OVN chassis name (system-id), e.g. `<labId>-<node>`. */
export function validChassis(value: string): string {
    return checked("chassis name", value, isString(value) && /^[a-z][a-z0-9-]{0,62}$/.test(value), "1-63 of a-z, 0-9, '-', starting with a letter");
}

/** An OVSDB remote ovnlab connects to: unix:<socket> or tcp:<ip>:<port>. */
export function validOvsdbRemote(value: string): string {
    if (isString(value) && value.startsWith("unix:")) {
        validSocketPath(value.slice("unix:".length));
        return value;
    }
    const tcp = isString(value) ? /^(?:tcp|ssl):(.+):(\d{1,5})$/.exec(value) : null;
    const ok = tcp !== null && IPV4.test(tcp[1]) && Number(tcp[2]) > 0 && Number(tcp[2]) <= PORT_MAX;
    return checked("OVSDB remote", value, ok, "unix:/path/db.sock, tcp:172.16.56.2:6642 or ssl:172.16.56.2:6642");
}

/**
 * Words ip(8) and ssh(1) read before the command, so nothing that starts with '-' (they would parse it
 * as an option, e.g. ssh's -oProxyCommand=, which runs a local shell) and no '/' or whitespace in names.
 */
const NETNS_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;
const SSH_HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?$/;
const SSH_USER = /^[a-z_][a-z0-9_.-]{0,31}$/;

/** Any network namespace `ip netns exec` is asked to enter (ovnlab's own follow validNamespace). */
export function validNetnsName(value: string): string {
    return checked("network namespace", value, isString(value) && NETNS_NAME.test(value), "letters, digits, '_', '.', '-', not starting with '-' or '.'");
}

export function validSshHost(value: string): string {
    return checked("ssh host", value, isString(value) && SSH_HOST.test(value), "a host name or IPv4 address such as 192.168.121.10");
}

export function validSshUser(value: string): string {
    return checked("ssh user", value, isString(value) && SSH_USER.test(value), "a user name such as vagrant (a-z, 0-9, '_', '.', '-')");
}

export function validPort(kind: string, value: number): number {
    checked(kind, value, Number.isInteger(value) && value > 0 && value <= PORT_MAX, `an integer from 1 to ${PORT_MAX}`);
    return value;
}

/** An OVSDB row's uuid (RFC 4122, lower case as OVSDB prints it), e.g. a DHCP_Options row's. */
export function validUuid(value: string): string {
    const ok = isString(value) && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value);
    return checked("row uuid", value, ok, "an RFC 4122 uuid such as 3f0e2a4c-1d2b-4c5e-8f90-123456789abc");
}
