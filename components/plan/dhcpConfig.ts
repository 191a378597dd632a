// The `ovnlab:dhcp` and `ovnlab:dhcpLeaseSeconds` keys (Pulumi.dhcp.yaml): workloads take
// address, gateway and MTU from OVN's own DHCP server instead of static addresses.
// Validation (every problem at once, through validateConfig's flag) and the options
// of each node switch's DHCP_Options row. Pure: no Pulumi, no I/O.
//
// OVN answers DHCP itself (ovn-controller's put_dhcp_opts action, no dnsmasq): a logical
// switch port whose dhcpv4_options names a DHCP_Options row and whose addresses are
// "MAC IP" gets exactly that IP offered. So the IP plan still decides every address; DHCP
// only carries it (and the gateway and MTU) to the workload.
import { createHash } from "crypto";
import { asInteger, DEFAULTS, Raw } from "./configKeys";
import type { Flag } from "./containersConfig";

export interface DhcpConfig {
    /** The lease OVN grants (options:lease_time), in seconds. */
    leaseSeconds: number;
}

const LEASE_MIN = 60;
/** OVN's lease_time is a 32-bit number of seconds; a year is plenty for a lab. */
const LEASE_MAX = 31_536_000;

/** A boolean as Pulumi hands config over: true/false, or their text. */
function asBoolean(value: unknown): boolean | undefined {
    if (typeof value === "boolean") return value;
    if (typeof value === "string" && /^(true|false)$/.test(value.trim())) return value.trim() === "true";
    return undefined;
}

/** Checks the DHCP keys; undefined when DHCP is off (or a key is invalid: its problems flagged). */
export function validateDhcp(raw: Raw, experiment: string, flag: Flag): DhcpConfig | undefined {
    let problems = 0;
    const report: Flag = (...issue) => { problems++; flag(...issue); };
    const on = raw.dhcp === undefined ? DEFAULTS.dhcp : asBoolean(raw.dhcp);
    if (on === undefined) report("dhcp", raw.dhcp, "not a boolean", "true or false");
    if (on && experiment !== "multi-l2") {
        report("dhcp", raw.dhcp, "DHCP is served by OVN's logical switches, and single-l2 has no OVN", "false (or experiment multi-l2)");
    }
    let leaseSeconds = DEFAULTS.dhcpLeaseSeconds;
    if (raw.dhcpLeaseSeconds !== undefined) {
        const n = asInteger(raw.dhcpLeaseSeconds);
        if (n === undefined || n < LEASE_MIN || n > LEASE_MAX) {
            report("dhcpLeaseSeconds", raw.dhcpLeaseSeconds, "not a whole number of seconds in range", `an integer from ${LEASE_MIN} to ${LEASE_MAX} (default ${DEFAULTS.dhcpLeaseSeconds})`);
        } else {
            leaseSeconds = n;
        }
    }
    return on && problems === 0 ? { leaseSeconds } : undefined;
}

/** What one node switch's DHCP row needs from the plan: its subnet, gateway and router port MAC. */
export interface DhcpSubnet {
    subnet: string;
    gateway: string;
    routerMac: string;
}

/**
 * The options of a node switch's DHCP_Options row. OVN needs server_id, server_mac and lease_time
 * to answer at all; router is the default route, mtu option 26. The server is the node's router
 * port (its address and MAC), as in OVN's own examples.
 */
export function dhcpOptionsFor(node: DhcpSubnet, mtu: number, dhcp: DhcpConfig): Record<string, string> {
    return {
        lease_time: String(dhcp.leaseSeconds),
        mtu: String(mtu),
        router: node.gateway,
        server_id: node.gateway,
        server_mac: node.routerMac,
    };
}

/**
 * The uuid of a node switch's DHCP_Options row, chosen by ovnlab rather than by the database:
 * a name-based (version 5 style) uuid of the stack and the row's name. Known before the row
 * exists, so a port's dhcpv4Options is a plain value in every preview (a uuid the database
 * picked would be unknown in the preview of any update of the row, and every port naming it
 * would show as a change), and the same row comes back with the same uuid when it is made again.
 */
export function dhcpRowUuid(stack: string, name: string): string {
    const h = createHash("sha256").update(`ovnlab:${stack}:dhcp:${name}`).digest("hex").split("");
    h[12] = "5";
    h[16] = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
    const x = h.slice(0, 32).join("");
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
