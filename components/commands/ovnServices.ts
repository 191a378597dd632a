// Which commands: the ovn-nbctl verbs of OVN's services, as argv arrays —
// load balancers (`lb-add`, `ls-lb-add`), port groups (`pg-add`) and ACLs
// (created with the generic `create` so they carry ovnlab's marks, and named
// by uuid afterwards: an ACL has no name of its own). Pure: nothing here runs anything.
import { check, externalIdArgs, NbCommand, rowName } from "./ovnNbctl";
import { isIpv4 } from "../plan/validate";

/** Port group names are identifiers in matches (`@pg_nginx1`): letters, digits and '_'. */
const PORT_GROUP = /^[a-z][a-z0-9_]{0,62}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/**
 * What ovnlab's composed matches hold (servicesPlan.ts): field names, `==`, `&&`, addresses, `@group`.
 * No quote, `$`, `;`, backslash or brace can pass, so the match is one safe OVSDB string.
 */
const MATCH = /^[a-z0-9_.@ =!<>&|()\/]{1,1000}$/;
const DIRECTIONS = ["to-lport", "from-lport"];
const VERDICTS = ["allow-related", "allow", "drop", "reject"];
const LB_PROTOCOLS = ["tcp", "udp"];

export const portGroupName = (value: string) => check("port group name", value, PORT_GROUP);
export const rowUuid = (value: string) => check("row uuid", value, UUID);
export const aclMatchText = (value: string) => check("ACL match", value, MATCH);

/** `10.96.0.10:80`: a VIP or a backend. */
export function ipPort(value: string): string {
    const [ip, port, ...rest] = typeof value === "string" ? value.split(":") : [];
    const n = Number(port);
    if (rest.length > 0 || !isIpv4(ip) || !/^\d{1,5}$/.test(port ?? "") || n < 1 || n > 65535) {
        throw new Error(`invalid address ${JSON.stringify(value)}: IP:PORT such as 10.96.0.10:80`);
    }
    return value;
}

const protocol = (value: string) => check("load balancer protocol", value, new RegExp(`^(${LB_PROTOCOLS.join("|")})$`));

function backendList(backends: string[]): string {
    if (!Array.isArray(backends) || backends.length === 0) throw new Error("a load balancer needs at least one backend IP:PORT");
    return backends.map(ipPort).join(",");
}

/** `--may-exist lb-add web 10.96.0.10:80 10.244.1.6:80,10.244.2.4:80 tcp` */
export function lbAdd(name: string, vip: string, backends: string[], proto: string): NbCommand {
    return ["--may-exist", "lb-add", rowName(name), ipPort(vip), backendList(backends), protocol(proto)];
}

/** The whole row as wanted: one VIP (others dropped) and the protocol. */
export function lbSetColumns(name: string, vip: string, backends: string[], proto: string): NbCommand {
    return ["set", "Load_Balancer", rowName(name), `vips={"${ipPort(vip)}"="${backendList(backends)}"}`, `protocol=${protocol(proto)}`];
}

export function lbSetExternalIds(name: string, ids: Record<string, string>): NbCommand {
    const args = externalIdArgs(ids);
    return args.length ? ["set", "Load_Balancer", rowName(name), ...args] : (rowName(name), []);
}

export const lbDel = (name: string): NbCommand => ["--if-exists", "lb-del", rowName(name)];
export const lsLbAdd = (lswitch: string, lb: string): NbCommand => ["--may-exist", "ls-lb-add", rowName(lswitch), rowName(lb)];
export const lsLbDel = (lswitch: string, lb: string): NbCommand => ["--if-exists", "ls-lb-del", rowName(lswitch), rowName(lb)];

/** `pg-add pg_nginx1 nginx1` */
export const pgAdd = (name: string, ports: string[]): NbCommand => ["pg-add", portGroupName(name), ...ports.map(rowName)];
export const pgSetPorts = (name: string, ports: string[]): NbCommand => ["pg-set-ports", portGroupName(name), ...ports.map(rowName)];
export const pgDel = (name: string): NbCommand => ["pg-del", portGroupName(name)];

export function pgSetExternalIds(name: string, ids: Record<string, string>): NbCommand {
    const args = externalIdArgs(ids);
    return args.length ? ["set", "Port_Group", portGroupName(name), ...args] : (portGroupName(name), []);
}

export interface AclColumns {
    /** The rule's own name (ACL.name, shown by logging and acl-list). */
    name: string;
    direction: string;
    priority: number;
    match: string;
    verdict: string;
}

function aclColumns(acl: AclColumns): string[] {
    if (!Number.isInteger(acl.priority) || acl.priority < 0 || acl.priority > 32767) throw new Error(`invalid ACL priority ${JSON.stringify(acl.priority)}: 0 to 32767`);
    return [
        `name=${rowName(acl.name)}`,
        `direction=${check("ACL direction", acl.direction, new RegExp(`^(${DIRECTIONS.join("|")})$`))}`,
        `priority=${acl.priority}`,
        `match="${aclMatchText(acl.match)}"`,
        `action=${check("ACL verdict", acl.verdict, new RegExp(`^(${VERDICTS.join("|")})$`))}`,
    ];
}

/** `--id=@acl create ACL ... -- add Port_Group pg_nginx1 acls @acl`: one rule, marked, on its group. */
export function aclCreate(portGroup: string, acl: AclColumns, ids: Record<string, string>): NbCommand[] {
    return [["--id=@acl", "create", "ACL", ...aclColumns(acl), ...externalIdArgs(ids)], ["add", "Port_Group", portGroupName(portGroup), "acls", "@acl"]];
}

/** The rule's columns as wanted, on the row found by its mark. */
export const aclSet = (uuid: string, acl: AclColumns, ids: Record<string, string>): NbCommand =>
    ["set", "ACL", rowUuid(uuid), ...aclColumns(acl), ...externalIdArgs(ids)];

/** Off its group; OVSDB then deletes the row (ACLs are not root rows). */
export const aclRemove = (portGroup: string, uuid: string): NbCommand => ["remove", "Port_Group", portGroupName(portGroup), "acls", rowUuid(uuid)];
