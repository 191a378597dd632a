// Which commands: ovn-nbctl / ovn-sbctl command lines as argv arrays, one
// builder per verb the walk-through types, and the parser for their
// machine-readable output. Pure: nothing here runs anything.
import { Argv } from "./argv";
import { isIpv4, isUnicastMac, validIpv4, validIpv4Cidr, validMac, validOvsdbRemote, validPath } from "../plan/validate";
import { renderArgv, TransportSpec } from "../transport/transport";

/** Where a northbound (or southbound) database is reached. */
export interface DbEndpoint {
    transport: TransportSpec;
    /** OVSDB remote, e.g. unix:/path/ovnnb_db.sock or tcp:172.16.56.2:6641; empty: the tool's default. */
    db: string;
}

/** One ovn-nbctl command: a verb with its options and arguments. Joined into one transaction with `--`. */
export type NbCommand = string[];

/** Names of OVN rows: the same strict rule as config names, plus MAC-free punctuation. */
const ROW_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const KEY = /^[a-z][a-z0-9_:.-]{0,62}$/;
const SAFE_VALUE = /^[A-Za-z0-9_.:\/-]{0,200}$/;
/** OVSDB table names: they follow `set`/`list` as words of their own. */
const TABLE = /^[A-Z][A-Za-z_]+$/;
const CONNECTION_TARGET = /^p?(tcp|ssl):\d{1,5}(:[0-9.]+)?$/;

export function check(kind: string, value: string, pattern: RegExp): string {
    if (typeof value !== "string" || !pattern.test(value)) {
        throw new Error(`invalid ${kind} ${JSON.stringify(value)}`);
    }
    return value;
}

export const rowName = (value: string) => check("OVN name", value, ROW_NAME);

/** `--may-exist lr-add lr0` */
export function lrAdd(router: string): NbCommand {
    return ["--may-exist", "lr-add", rowName(router)];
}

export function lrDel(router: string): NbCommand {
    return ["--if-exists", "lr-del", rowName(router)];
}

/** `--may-exist lrp-add lr0 lr-node1 00:00:00:01:01:01 10.244.1.1/24` */
export function lrpAdd(router: string, port: string, mac: string, networks: string[]): NbCommand {
    return ["--may-exist", "lrp-add", rowName(router), rowName(port), validMac(mac), ...networks.map((n) => validIpv4Cidr(n))];
}

export function lrpDel(port: string): NbCommand {
    return ["--if-exists", "lrp-del", rowName(port)];
}

export function lsAdd(lswitch: string): NbCommand {
    return ["--may-exist", "ls-add", rowName(lswitch)];
}

export function lsDel(lswitch: string): NbCommand {
    return ["--if-exists", "ls-del", rowName(lswitch)];
}

export function lspAdd(lswitch: string, port: string): NbCommand {
    return ["--may-exist", "lsp-add", rowName(lswitch), rowName(port)];
}

export function lspDel(port: string): NbCommand {
    return ["--if-exists", "lsp-del", rowName(port)];
}

/** An LSP type: "" (a VIF), "router", "localnet", ... */
export function lspSetType(port: string, type: string): NbCommand {
    return ["lsp-set-type", rowName(port), check("port type", type, /^[a-z]{0,20}$/)];
}

/**
 * Each address is "router", "unknown", "dynamic" or "MAC IP..."; every one is
 * one argv element, so ovn-nbctl (not a shell) splits MAC from IPs.
 */
export function lspSetAddresses(port: string, addresses: string[]): NbCommand {
    for (const address of addresses) {
        const words = address.split(" ");
        const ok = ["router", "unknown", "dynamic"].includes(address) ||
            (isUnicastMac(words[0]) && words.length > 1 && words.slice(1).every(isIpv4));
        if (!ok) throw new Error(`invalid port address ${JSON.stringify(address)}: use "router" or "MAC IP", e.g. "02:00:00:00:01:03 10.244.1.3"`);
    }
    return ["lsp-set-addresses", rowName(port), ...addresses];
}

export function lspSetOptions(port: string, options: Record<string, string>): NbCommand {
    return ["lsp-set-options", rowName(port), ...keyValues(options)];
}

function keyValues(map: Record<string, string>): string[] {
    return Object.keys(map).sort().map((k) => `${check("key", k, KEY)}=${check("value", map[k], SAFE_VALUE)}`);
}

/** ovsdb's quoting of a map key that holds ':' (e.g. "ovnlab:stack"). */
function columnKey(key: string): string {
    return key.includes(":") ? `"${key}"` : key;
}

/** `set TABLE RECORD external_ids:k=v ...` (keeps keys ovnlab does not own). */
export function setExternalIds(table: string, record: string, ids: Record<string, string>): NbCommand {
    // Nothing to set: no command (a transaction drops empty commands).
    if (Object.keys(ids).length === 0) return (check("table", table, TABLE), rowName(record), []);
    return ["set", check("table", table, TABLE), rowName(record), ...externalIdArgs(ids)];
}

/** `external_ids:"ovnlab:stack"=dev ...`: the column arguments of `set` or `create`. */
export function externalIdArgs(ids: Record<string, string>): string[] {
    return Object.keys(ids).sort().map((k) => `external_ids:${columnKey(check("key", k, KEY))}=${check("value", ids[k], SAFE_VALUE)}`);
}

/** `--if-exists set Logical_Router_Port lr-node1 mac=... networks=...`: makes a later --may-exist add converge. */
export function lrpSetColumns(port: string, mac: string, networks: string[]): NbCommand {
    return [
        "--if-exists", "set", "Logical_Router_Port", rowName(port),
        `mac="${validMac(mac)}"`,
        `networks=[${networks.map((n) => `"${validIpv4Cidr(n)}"`).join(",")}]`,
    ];
}

/** `set-connection ptcp:6641:172.16.56.2` (replaces every connection of that database). */
export function setConnection(target: string): NbCommand {
    check("connection target", target, CONNECTION_TARGET);
    const address = target.split(":")[2];
    if (address !== undefined) validIpv4(address);
    return ["set-connection", target];
}

/** `set-ssl KEY CERT CA-CERT`: the files the database server reads for its pssl: listener. */
export function setSsl(privateKey: string, certificate: string, caCert: string): NbCommand {
    return ["set-ssl", validPath("private key path", privateKey), validPath("certificate path", certificate), validPath("CA certificate path", caCert)];
}

export function delSsl(): NbCommand {
    return ["del-ssl"];
}

export function getSsl(): NbCommand {
    return ["get-ssl"];
}

export function delConnection(): NbCommand {
    return ["del-connection"];
}

export function getConnection(): NbCommand {
    return ["get-connection"];
}

/** `--format=json list TABLE` for every table, in one process. */
export function listTables(tables: string[]): NbCommand[] {
    return tables.map((t) => ["list", check("table", t, TABLE)]);
}

export type CtlTool = "ovn-nbctl" | "ovn-sbctl";

/** One transaction: `ovn-nbctl --db=... --timeout=N cmd1 -- cmd2 -- ...`. */
export function ctlArgv(tool: CtlTool, endpoint: DbEndpoint, allCommands: NbCommand[], extraOptions: string[] = []): Argv {
    const commands = allCommands.filter((c) => c.length > 0);
    if (commands.length === 0) throw new Error("an ovn-nbctl transaction needs at least one command");
    const options = [...(endpoint.db ? [`--db=${validOvsdbRemote(endpoint.db)}`] : []), "--timeout=20", ...extraOptions];
    // The tool is argv[0], the program that runs: only the two ovnlab means.
    return [check("tool", tool, /^ovn-(nb|sb)ctl$/), ...options, ...commands.flatMap((c, i) => (i === 0 ? c : ["--", ...c]))];
}

/**
 * `ovn-nbctl --detach`: ovn-nbctl's daemon mode, holding a replica of `db` and
 * answering `run` requests on <dir>/nbctl.ctl (components/nbSession.ts).
 */
export function nbctlDaemonArgv(db: string, dir: string): Argv {
    const d = validPath("daemon directory", dir);
    return ["ovn-nbctl", `--db=${validOvsdbRemote(db)}`, "--detach", "--no-chdir", `--pidfile=${d}/nbctl.pid`, `--unixctl=${d}/nbctl.ctl`, `--log-file=${d}/nbctl.log`];
}

/** The same transaction for people: the tool and its options, then one line per chained command. */
export function displayTransaction(tool: CtlTool, endpoint: DbEndpoint, allCommands: NbCommand[]): string[] {
    const commands = allCommands.filter((c) => c.length > 0);
    const argv = ctlArgv(tool, endpoint, commands.slice(0, 1));
    const head = argv.slice(0, argv.length - commands[0].length);
    return [renderArgv(head), ...commands.map((c, i) => `${i === 0 ? "" : "-- "}${renderArgv(c)}`)];
}

// ---- Output parsing --------------------------------------------------------

/** An OVSDB datum as `--format=json` prints it. */
type Datum = string | number | boolean | ["uuid", string] | ["set", Datum[]] | ["map", [Datum, Datum][]];

export interface Row {
    uuid: string;
    [column: string]: unknown;
}

/** Converts a datum to plain JS: sets to arrays, maps to records, uuids to strings. */
function plain(datum: Datum): unknown {
    if (!Array.isArray(datum)) return datum;
    switch (datum[0]) {
        case "uuid":
            return datum[1];
        case "set":
            return (datum[1] as Datum[]).map(plain);
        case "map":
            return Object.fromEntries((datum[1] as [Datum, Datum][]).map(([k, v]) => [String(plain(k)), plain(v)]));
        default:
            return datum;
    }
}

/**
 * Parses the concatenated `{"data":..., "headings":...}` objects printed by
 * `--format=json list A -- list B ...`, one per table, in order.
 */
export function parseJsonTables(stdout: string): Row[][] {
    const tables: Row[][] = [];
    for (const line of stdout.split("\n")) {
        if (!line.trim()) continue;
        const table = JSON.parse(line) as { data: Datum[][]; headings: string[] };
        tables.push(
            table.data.map((cells) => {
                const row: Row = { uuid: "" };
                table.headings.forEach((heading, i) => {
                    row[heading === "_uuid" ? "uuid" : heading] = plain(cells[i]);
                });
                return row;
            }),
        );
    }
    return tables;
}

/** A column that holds a set of strings reads as one string when it has one member. */
export function stringSet(value: unknown): string[] {
    if (Array.isArray(value)) return value.map(String);
    return value === undefined || value === null ? [] : [String(value)];
}

export function stringMap(value: unknown): Record<string, string> {
    if (value && typeof value === "object" && !Array.isArray(value)) {
        return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    }
    return {};
}
