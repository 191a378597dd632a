// Northbound rows as Pulumi resources: logical routers, router ports,
// switches and switch ports. Each is a dynamic provider whose create, update
// and delete are the walk-through's ovn-nbctl verbs (one transaction each) and
// whose read inspects the live database, so `pulumi refresh` sees drift.
//
// Reads share one snapshot of the NB tables per database per provider process
// (invalidated by every write), so refreshing a lab with hundreds of ports
// costs about one ovn-nbctl process per two seconds of refresh, not one per
// port (bench/README.md: 1 process for 100 ports, 24 for 1000).
import * as pulumi from "@pulumi/pulumi";
import { ResourceHandler, OvnlabResource } from "./resource";
import {
    ctlArgv, DbEndpoint, displayTransaction, listTables, lrAdd, lrDel, lrpAdd, lrpDel, lrpSetColumns, lsAdd, lsDel,
    lspAdd, lspDel, lspSetAddresses, lspSetOptions, lspSetType, NbCommand, parseJsonTables, Row, rowName,
    setExternalIds, stringMap, stringSet,
} from "./ovnNbctl";
import { checkFields, FieldRule } from "./checkFields";
import { validIpv4Cidr, validMac, validOvsdbRemote } from "./hostCommands";
import { runCommand, transportArgv } from "./transport";

/** Inputs every northbound row has. */
export interface NbRowArgs {
    endpoint: DbEndpoint;
    name: string;
    /** Ownership marks, e.g. {"ovnlab:stack": "dev"}; keys ovnlab does not own are left alone. */
    externalIds: Record<string, string>;
}

export interface NbSnapshot {
    routers: Row[];
    routerPorts: Row[];
    switches: Row[];
    switchPorts: Row[];
}

/** How one kind of row is created, changed, deleted and read back. */
interface NbKind<A extends NbRowArgs> {
    table: string;
    /** Inputs whose change means another row: replace, never update. */
    identity: (keyof A & string)[];
    create(args: A): NbCommand[];
    update(olds: A, news: A): NbCommand[];
    remove(args: A): NbCommand[];
    /** The live values of the inputs this kind owns, or undefined when the row is gone. */
    read(snapshot: NbSnapshot, args: A): Partial<A> | undefined;
    /** The inputs beyond NbRowArgs, checked before anything runs. */
    fields?: Record<string, FieldRule>;
    /** Inputs a program (YAML, say) may leave out. */
    defaults?: Partial<A>;
}

/** What every row's check validates, with the builders' own validation. */
const ROW_FIELDS: Record<string, FieldRule> = {
    endpoint: {
        validate: (e: DbEndpoint) => {
            if (typeof e !== "object" || typeof e.db !== "string" || typeof e.transport !== "object") throw new Error("not an endpoint");
            transportArgv(e.transport, ["true"]);
            if (e.db) validOvsdbRemote(e.db);
        },
        valid: '{transport: {kind: "local"} (or netns/ssh), db: "unix:/path/ovnnb_db.sock" or "tcp:IP:PORT" or "ssl:IP:PORT"}',
    },
    name: { validate: rowName, valid: "a-z first, then a-z 0-9 and -, at most 63 characters (e.g. ls-node1)" },
    externalIds: {
        validate: (ids: Record<string, string>) => setExternalIds("Logical_Switch", "x", ids),
        valid: 'a map of key (a-z first, then a-z 0-9 _ : . -) to value (letters, digits and _ . : / -), e.g. {"ovnlab:stack": "dev"}',
        required: false,
    },
};

const NB_TABLES = ["Logical_Router", "Logical_Router_Port", "Logical_Switch", "Logical_Switch_Port"];

type SnapshotCache = Map<string, { takenAt: number; snapshot: Promise<NbSnapshot> }>;

/** The provider process's cache, kept on globalThis because the provider itself is serialized. */
function snapshotCache(): SnapshotCache {
    const holder = globalThis as typeof globalThis & { __ovnlabNbSnapshots?: SnapshotCache };
    holder.__ovnlabNbSnapshots ??= new Map();
    return holder.__ovnlabNbSnapshots;
}

/** Forgets every snapshot: the next read sees the database as it is now. */
export function forgetNbSnapshots(): void {
    snapshotCache().clear();
}

/**
 * Every NB table ovnlab reads, in one ovn-nbctl process. A refresh issues its
 * reads together, so a snapshot younger than two seconds serves them all;
 * every write through this process discards it.
 */
export function readNbSnapshot(endpoint: DbEndpoint): Promise<NbSnapshot> {
    const maxAgeMs = 2_000;
    const cache = snapshotCache();
    const key = JSON.stringify(endpoint);
    const cached = cache.get(key);
    if (cached && Date.now() - cached.takenAt < maxAgeMs) return cached.snapshot;
    const snapshot = runCommand(endpoint.transport, ctlArgv("ovn-nbctl", endpoint, listTables(NB_TABLES), ["--format=json"])).then((result) => {
        const [routers, routerPorts, switches, switchPorts] = parseJsonTables(result.stdout);
        return { routers, routerPorts, switches, switchPorts };
    });
    cache.set(key, { takenAt: Date.now(), snapshot });
    snapshot.catch(() => cache.delete(key));
    return snapshot;
}

export async function runNbTransaction(endpoint: DbEndpoint, commands: NbCommand[]): Promise<void> {
    if (commands.every((c) => c.length === 0)) return;
    snapshotCache().delete(JSON.stringify(endpoint));
    await runCommand(endpoint.transport, ctlArgv("ovn-nbctl", endpoint, commands));
}

/** ovnlab's own external_ids as they are on the row (so refresh shows a removed mark). */
function ownedIds(row: Row, wanted: Record<string, string>): Record<string, string> {
    const live = stringMap(row.external_ids);
    return Object.fromEntries(Object.keys(wanted).filter((k) => k in live).map((k) => [k, live[k]]));
}

function sameValue(a: unknown, b: unknown): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}

/** Inputs that are derived for display and never drive a change. */
const DISPLAY_ONLY = ["command"];

function nbProvider<A extends NbRowArgs>(kind: NbKind<A>): ResourceHandler {
    return {
        defaults: { externalIds: {}, ...(kind.defaults ?? {}) } as Partial<A>,
        check(news: A) {
            return checkFields(news as unknown as Record<string, unknown>, { ...ROW_FIELDS, ...(kind.fields ?? {}) });
        },
        async create(inputs: A) {
            await runNbTransaction(inputs.endpoint, kind.create(inputs));
            return { id: inputs.name, outs: inputs };
        },
        async diff(_id: string, olds: A, news: A) {
            const keys = new Set([...Object.keys(olds), ...Object.keys(news)].filter((k) => !k.startsWith("__") && !DISPLAY_ONLY.includes(k)));
            const changes = [...keys].filter((k) => !sameValue((olds as Record<string, unknown>)[k], (news as Record<string, unknown>)[k]));
            const replaces = changes.filter((k) => (kind.identity as string[]).includes(k) || k === "endpoint");
            return { changes: changes.length > 0, replaces, deleteBeforeReplace: true };
        },
        async update(_id: string, olds: A, news: A) {
            await runNbTransaction(news.endpoint, kind.update(olds, news));
            return { outs: news };
        },
        async delete(_id: string, props: A) {
            await runNbTransaction(props.endpoint, kind.remove(props));
        },
        async read(id: string, props: A) {
            const live = kind.read(await readNbSnapshot(props.endpoint), props);
            return live ? { id, props: { ...props, ...live } } : {};
        },
    };
}

const byName = (rows: Row[], name: string) => rows.find((r) => r.name === name);
const owner = (parents: Row[], column: string, child: Row) => parents.find((p) => stringSet(p[column]).includes(child.uuid));

// ---- Logical router ----------------------------------------------------------

export type LogicalRouterArgs = NbRowArgs;

const logicalRouterKind: NbKind<LogicalRouterArgs> = {
    table: "Logical_Router",
    identity: ["name"],
    create: (a) => [lrAdd(a.name), setExternalIds("Logical_Router", a.name, a.externalIds)],
    update: (_o, a) => [setExternalIds("Logical_Router", a.name, a.externalIds)],
    remove: (a) => [lrDel(a.name)],
    read: (s, a) => {
        const row = byName(s.routers, a.name);
        return row && { name: a.name, externalIds: ownedIds(row, a.externalIds) };
    },
};

// ---- Logical router port -------------------------------------------------------

export interface LogicalRouterPortArgs extends NbRowArgs {
    router: string;
    mac: string;
    networks: string[];
}

const logicalRouterPortKind: NbKind<LogicalRouterPortArgs> = {
    table: "Logical_Router_Port",
    identity: ["name", "router"],
    // The leading `--if-exists set` brings a half-created or hand-edited port to
    // the wanted MAC/networks first; `--may-exist lrp-add` alone refuses a port whose MAC differs.
    create: (a) => [
        lrpSetColumns(a.name, a.mac, a.networks),
        lrpAdd(a.router, a.name, a.mac, a.networks),
        setExternalIds("Logical_Router_Port", a.name, a.externalIds),
    ],
    update: (_o, a) => [lrpSetColumns(a.name, a.mac, a.networks), setExternalIds("Logical_Router_Port", a.name, a.externalIds)],
    remove: (a) => [lrpDel(a.name)],
    fields: {
        router: { validate: rowName, valid: "the router's name, e.g. lr0" },
        mac: { validate: validMac, valid: "a MAC in lower case, e.g. 00:00:00:01:01:01" },
        networks: {
            validate: (n: string[]) => { if (!Array.isArray(n) || n.length === 0) throw new Error("not a list of networks"); n.forEach(validIpv4Cidr); },
            valid: 'one or more IPv4 address/prefix, e.g. ["10.244.1.1/24"]',
        },
    },
    read: (s, a) => {
        const row = byName(s.routerPorts, a.name);
        if (!row) return undefined;
        return {
            name: a.name,
            router: String(owner(s.routers, "ports", row)?.name ?? ""),
            mac: String(row.mac),
            networks: stringSet(row.networks),
            externalIds: ownedIds(row, a.externalIds),
        };
    },
};

// ---- Logical switch --------------------------------------------------------------

export type LogicalSwitchArgs = NbRowArgs;

const logicalSwitchKind: NbKind<LogicalSwitchArgs> = {
    table: "Logical_Switch",
    identity: ["name"],
    create: (a) => [lsAdd(a.name), setExternalIds("Logical_Switch", a.name, a.externalIds)],
    update: (_o, a) => [setExternalIds("Logical_Switch", a.name, a.externalIds)],
    remove: (a) => [lsDel(a.name)],
    read: (s, a) => {
        const row = byName(s.switches, a.name);
        return row && { name: a.name, externalIds: ownedIds(row, a.externalIds) };
    },
};

// ---- Logical switch port -----------------------------------------------------------

export interface LogicalSwitchPortArgs extends NbRowArgs {
    switch: string;
    /** "" for a workload (VIF), "router" for the switch's patch to a router port. */
    type: string;
    addresses: string[];
    options: Record<string, string>;
}

function lspColumns(a: LogicalSwitchPortArgs): NbCommand[] {
    return [
        lspSetType(a.name, a.type),
        lspSetAddresses(a.name, a.addresses),
        lspSetOptions(a.name, a.options),
        setExternalIds("Logical_Switch_Port", a.name, a.externalIds),
    ];
}

const logicalSwitchPortKind: NbKind<LogicalSwitchPortArgs> = {
    table: "Logical_Switch_Port",
    identity: ["name", "switch"],
    create: (a) => [lspAdd(a.switch, a.name), ...lspColumns(a)],
    update: (_o, a) => lspColumns(a),
    remove: (a) => [lspDel(a.name)],
    fields: {
        switch: { validate: rowName, valid: "the switch's name, e.g. ls-node1" },
        type: { validate: (t: string) => lspSetType("x", t), valid: '"" (a workload), "router", "localnet", ... (a-z, at most 20)', required: false },
        addresses: {
            validate: (a: string[]) => { if (!Array.isArray(a)) throw new Error("not a list"); lspSetAddresses("x", a); },
            valid: '"router", "unknown", "dynamic" or "MAC IP", e.g. ["02:00:00:00:01:03 10.244.1.3"]', required: false,
        },
        options: { validate: (o: Record<string, string>) => lspSetOptions("x", o), valid: 'a map, e.g. {"router-port": "lr-node1"}', required: false },
    },
    defaults: { type: "", addresses: [], options: {} },
    read: (s, a) => {
        const row = byName(s.switchPorts, a.name);
        if (!row) return undefined;
        return {
            name: a.name,
            switch: String(owner(s.switches, "ports", row)?.name ?? ""),
            type: String(row.type ?? ""),
            addresses: stringSet(row.addresses),
            options: stringMap(row.options),
            externalIds: ownedIds(row, a.externalIds),
        };
    },
};

// ---- Resources ---------------------------------------------------------------------------

export const providers = {
    logicalRouter: nbProvider(logicalRouterKind),
    logicalRouterPort: nbProvider(logicalRouterPortKind),
    logicalSwitch: nbProvider(logicalSwitchKind),
    logicalSwitchPort: nbProvider(logicalSwitchPortKind),
};

type InputsOf<A> = { [K in keyof A]: pulumi.Input<A[K]> };

/** The create transaction as a user would type it; an input so `pulumi preview --diff` shows it. */
function createCommand<A extends NbRowArgs>(kind: NbKind<A>, args: InputsOf<A>): pulumi.Output<string[]> {
    return pulumi.output(args as pulumi.Input<A>).apply((a) => displayTransaction("ovn-nbctl", a.endpoint as DbEndpoint, kind.create(a as A)));
}

export class LogicalRouter extends OvnlabResource {
    declare readonly name: pulumi.Output<string>;
    declare readonly command: pulumi.Output<string[]>;
    constructor(name: string, args: InputsOf<LogicalRouterArgs>, opts?: pulumi.CustomResourceOptions) {
        super("nb", "LogicalRouter", name, { ...args, command: createCommand(logicalRouterKind, args) }, opts);
    }
}

export class LogicalRouterPort extends OvnlabResource {
    declare readonly name: pulumi.Output<string>;
    declare readonly mac: pulumi.Output<string>;
    declare readonly networks: pulumi.Output<string[]>;
    declare readonly command: pulumi.Output<string[]>;
    constructor(name: string, args: InputsOf<LogicalRouterPortArgs>, opts?: pulumi.CustomResourceOptions) {
        super("nb", "LogicalRouterPort", name, { ...args, command: createCommand(logicalRouterPortKind, args) }, opts);
    }
}

export class LogicalSwitch extends OvnlabResource {
    declare readonly name: pulumi.Output<string>;
    declare readonly command: pulumi.Output<string[]>;
    constructor(name: string, args: InputsOf<LogicalSwitchArgs>, opts?: pulumi.CustomResourceOptions) {
        super("nb", "LogicalSwitch", name, { ...args, command: createCommand(logicalSwitchKind, args) }, opts);
    }
}

export class LogicalSwitchPort extends OvnlabResource {
    declare readonly name: pulumi.Output<string>;
    declare readonly addresses: pulumi.Output<string[]>;
    declare readonly command: pulumi.Output<string[]>;
    constructor(name: string, args: InputsOf<LogicalSwitchPortArgs>, opts?: pulumi.CustomResourceOptions) {
        super("nb", "LogicalSwitchPort", name, { ...args, command: createCommand(logicalSwitchPortKind, args) }, opts);
    }
}
