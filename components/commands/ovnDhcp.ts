// OVN's native DHCP in the northbound database, as ovn-nbctl commands: a DHCP_Options
// row (cidr, options, external_ids) made with the generic db commands, and a logical
// switch port pointed at it. Pure: nothing here runs anything.
//
// A DHCP_Options row has no name: ovnlab creates it with a uuid of its own choosing
// (plan/dhcpConfig.ts), names it by that uuid in every later command, and marks it with
// external_ids "ovnlab:name"=<resource name> for people. Values go
// in double quotes, which OVSDB reads as JSON strings (ovn-nbctl(8), "Database Values"):
// a MAC or a CIDR is not a bare word there. Every value is checked first, and none may
// hold a quote or a backslash, so the quoting cannot be escaped.
import { NbCommand, rowName } from "./ovnNbctl";
import { checked, isString, validIpv4Cidr, validUuid } from "../plan/validate";

export const DHCP_TABLE = "DHCP_Options";
/** The option names OVN knows (server_id, router, lease_time, mtu, dns_server, ...). */
const OPTION_KEY = /^[a-z][a-z0-9_]{0,40}$/;
const ID_KEY = /^[a-z][a-z0-9_:.-]{0,62}$/;
const VALUE = /^[A-Za-z0-9_.:\/-]{0,200}$/;

function quotedValue(value: string): string {
    return `"${checked("DHCP option or external id value", value, isString(value) && VALUE.test(value), "letters, digits and _ . : / - (at most 200)")}"`;
}

function mapEntries(column: "options" | "external_ids", map: Record<string, string>): string[] {
    const pattern = column === "options" ? OPTION_KEY : ID_KEY;
    if (typeof map !== "object" || map === null || Array.isArray(map)) throw new Error(`invalid ${column}: not a map`);
    return Object.keys(map).sort().map((k) => {
        checked(`${column} key`, k, pattern.test(k), column === "options" ? "a-z first, then a-z 0-9 _ (e.g. lease_time)" : "a-z first, then a-z 0-9 _ : . - (e.g. ovnlab:stack)");
        return `"${k}"=${quotedValue(map[k])}`;
    });
}

/**
 * `--id=<uuid> create DHCP_Options cidr="10.244.1.0/24" options:"lease_time"="3600" ... external_ids:"ovnlab:name"="..."`:
 * the row gets the uuid ovnlab chose (ovn-nbctl(8): "If a valid uuid is specified, then it is used as the UUID of the new row").
 */
export function dhcpOptionsCreate(uuid: string, cidr: string, options: Record<string, string>, externalIds: Record<string, string>): NbCommand {
    return [
        `--id=${validUuid(uuid)}`, "create", DHCP_TABLE, `cidr="${validIpv4Cidr(cidr)}"`,
        ...mapEntries("options", options).map((e) => `options:${e}`),
        ...mapEntries("external_ids", externalIds).map((e) => `external_ids:${e}`),
    ];
}

/**
 * `set DHCP_Options <uuid> cidr=... options={...} external_ids:"k"=v ...`: the cidr and the whole
 * options map as ovnlab wants them (an option added by hand goes), the ownership marks one by one
 * (keys ovnlab does not own are left alone).
 */
export function dhcpOptionsSet(uuid: string, cidr: string, options: Record<string, string>, externalIds: Record<string, string>): NbCommand {
    return [
        "set", DHCP_TABLE, validUuid(uuid), `cidr="${validIpv4Cidr(cidr)}"`,
        `options={${mapEntries("options", options).join(",")}}`,
        ...mapEntries("external_ids", externalIds).map((e) => `external_ids:${e}`),
    ];
}

/** `--if-exists destroy DHCP_Options <uuid>` (ports that name it lose it: the reference is weak). */
export function dhcpOptionsDestroy(uuid: string): NbCommand {
    return ["--if-exists", "destroy", DHCP_TABLE, validUuid(uuid)];
}

/** `lsp-set-dhcpv4-options <port> <uuid>`; an empty uuid clears the port's DHCPv4 options. */
export function lspSetDhcpv4Options(port: string, uuid: string): NbCommand {
    return ["lsp-set-dhcpv4-options", rowName(port), ...(uuid === "" ? [] : [validUuid(uuid)])];
}
