// ovn-nbctl verbs of a gateway: a router's options (options:chassis pins a
// gateway router), static routes and NAT, as argv arrays (one NbCommand each,
// joined into a transaction by ctlArgv). Pure: nothing here runs anything.
// Kept beside ovnNbctl.ts (which holds the walk-through's verbs) so neither passes ~300 lines.
import { NbCommand, rowName } from "./ovnNbctl";
import { checked, isIpv4, validIpv4 } from "../plan/validate";

const OPTION_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const OPTION_VALUE = /^[A-Za-z0-9_.:\/-]{0,200}$/;
/** A network address with its prefix (host bits may be set: OVN takes both), e.g. 0.0.0.0/0 or 10.244.0.0/16. */
const PREFIX = /^(\d{1,3}(\.\d{1,3}){3})\/(3[0-2]|[12]?\d)$/;
export const NAT_TYPES = ["snat", "dnat", "dnat_and_snat"] as const;
export type NatType = (typeof NAT_TYPES)[number];

export function validPrefix(value: string): string {
    const m = typeof value === "string" ? PREFIX.exec(value) : null;
    return checked("IPv4 prefix", value, m !== null && isIpv4(m[1]), "an IPv4 network/prefix such as 0.0.0.0/0 or 10.244.0.0/16");
}

export function validNatType(value: string): NatType {
    checked("NAT type", value, (NAT_TYPES as readonly string[]).includes(value), NAT_TYPES.join(" | "));
    return value as NatType;
}

/** The logical side of a NAT rule: an address, or (snat) a network/prefix. */
export function validNatLogicalIp(value: string): string {
    return isIpv4(value) ? value : validPrefix(value);
}

/**
 * `clear Logical_Router R options` then `set Logical_Router R options:k=v ...`: the router's options
 * become exactly these (a key set by hand is removed). Two commands, one transaction.
 */
export function lrSetOptions(router: string, options: Record<string, string>): NbCommand[] {
    const name = rowName(router);
    const pairs = Object.keys(options).sort().map((k) => `options:${checked("option key", k, OPTION_KEY.test(k), "a-z first, then a-z 0-9 _ -")}=${checked("option value", options[k], typeof options[k] === "string" && OPTION_VALUE.test(options[k]), "letters, digits and _ . : / -")}`);
    return [["clear", "Logical_Router", name, "options"], ...(pairs.length > 0 ? [["set", "Logical_Router", name, ...pairs]] : [])];
}

/** `--may-exist lr-route-add lr0 0.0.0.0/0 100.64.0.2` */
export function lrRouteAdd(router: string, prefix: string, nexthop: string): NbCommand {
    return ["--may-exist", "lr-route-add", rowName(router), validPrefix(prefix), validIpv4(nexthop)];
}

/** `--if-exists lr-route-del lr0 0.0.0.0/0 100.64.0.2`: that route only (another to the same prefix stays). */
export function lrRouteDel(router: string, prefix: string, nexthop: string): NbCommand {
    return ["--if-exists", "lr-route-del", rowName(router), validPrefix(prefix), validIpv4(nexthop)];
}

/** `--may-exist lr-nat-add gw0 snat 192.168.100.2 10.244.0.0/16` */
export function lrNatAdd(router: string, type: string, externalIp: string, logicalIp: string): NbCommand {
    return ["--may-exist", "lr-nat-add", rowName(router), validNatType(type), validIpv4(externalIp), validNatLogicalIp(logicalIp)];
}

/** `--if-exists lr-nat-del gw0 snat 10.244.0.0/16`: a snat rule is named by its logical side, a dnat one by its external address. */
export function lrNatDel(router: string, type: string, ip: string): NbCommand {
    return ["--if-exists", "lr-nat-del", rowName(router), validNatType(type), validNatLogicalIp(ip)];
}

const ROW_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `set NAT <uuid> external_ip="192.168.100.2"`: a NAT row has no name, so it is named by the uuid read from the database. */
export function natSetExternalIp(uuid: string, externalIp: string): NbCommand {
    checked("row uuid", uuid, typeof uuid === "string" && ROW_UUID.test(uuid), "a uuid such as 5d240623-0bd9-4fd5-9982-469425d93b67");
    return ["set", "NAT", uuid, `external_ip="${validIpv4(externalIp)}"`];
}
