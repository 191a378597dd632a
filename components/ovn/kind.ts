// The generic engine of northbound kinds: one OVN kind is one file under
// kinds/ (its commands, how it finds its row, its read, its check, its
// resource), and this turns it into the provider's handler.
//
// Rows are found by each kind's own `find` in a snapshot of tables, not by
// `name` (ACLs and load balancers have none). Reads share one snapshot of
// every table a registered kind needs, per database per provider process
// (discarded by every write, at most 30 s old), so a refresh of any number of
// rows is one round trip. Transactions and snapshots go through the
// provider's long-lived ovn-nbctl session (../nbSession.ts).
import * as pulumi from "../kit/pulumiCore";
import { checkFields, FieldRule } from "../kit/checkFields";
import { validOvsdbRemote } from "../plan/validate";
import { databaseGone, nbctl, ownDatabaseDown } from "./nbSession";
import { sameValue } from "../kit/hostRuntime";
import { DbEndpoint, displayTransaction, listTables, NbCommand, parseJsonTables, Row, rowName, setExternalIds, stringMap, stringSet } from "../commands/ovnNbctl";
import { ResourceHandler } from "../kit/resource";
import { transportArgv } from "../transport/transport";

/** Inputs every northbound row has. */
export interface NbRowArgs {
    endpoint: DbEndpoint;
    name: string;
    /** Ownership marks, e.g. {"ovnlab:stack": "dev"}; keys ovnlab does not own are left alone. */
    externalIds: Record<string, string>;
}

/** Rows by table name. */
export type NbSnapshot = Record<string, Row[]>;

/** How one kind of row is created, changed, deleted, found and read back. */
export interface NbKind<A extends NbRowArgs> {
    /** The tables its find and read look at (all of them are read in one request). */
    tables: string[];
    /** Inputs whose change means another row: replace, never update. */
    identity: (keyof A & string)[];
    /** `existing`: the row already there (located kinds: an interrupted create, adopted). */
    create(args: A, existing?: Row): NbCommand[];
    /** `row`: the live row (located kinds only). */
    update(olds: A, news: A, row?: Row): NbCommand[];
    remove(args: A, row?: Row): NbCommand[];
    /** Its row in the snapshot, or undefined when it is gone. */
    find(snapshot: NbSnapshot, args: A): Row | undefined;
    /** The live values of the inputs this kind owns. */
    read(snapshot: NbSnapshot, row: Row, args: A): Partial<A>;
    /** The inputs beyond NbRowArgs, checked before anything runs. */
    fields?: Record<string, FieldRule>;
    /** Inputs a program (YAML, say) may leave out. */
    defaults?: Partial<A>;
    /**
     * Rows with no name of their own (ACLs, DHCP options): their commands name the row by its uuid, so the
     * engine finds the row in a fresh snapshot before each create (to adopt one an interrupted up made),
     * update and delete (gone: nothing to delete).
     */
    located?: boolean;
    /** Values of the live row that other resources need (its uuid), added to the outputs by create, update and read. */
    outputs?(row: Row): Record<string, unknown>;
    /** The keys `outputs` returns: outputs only, never compared with the inputs by diff. */
    outputKeys?: string[];
}

/** A database endpoint, checked as the transport and ovn-nbctl's --db would take it (rows and listeners alike). */
export const ENDPOINT_FIELD: FieldRule = {
    validate: (e: DbEndpoint) => {
        if (typeof e !== "object" || typeof e.db !== "string" || typeof e.transport !== "object") throw new Error("not an endpoint");
        transportArgv(e.transport, ["true"]);
        if (e.db) validOvsdbRemote(e.db);
    },
    valid: '{transport: {kind: "local"} (or netns/ssh), db: "unix:/path/ovnnb_db.sock" or "tcp:IP:PORT" or "ssl:IP:PORT"}',
};

/** What every row's check validates, with the builders' own validation. */
const ROW_FIELDS: Record<string, FieldRule> = {
    endpoint: ENDPOINT_FIELD,
    name: { validate: rowName, valid: "a-z first, then a-z 0-9 and -, at most 63 characters (e.g. ls-node1)" },
    externalIds: {
        validate: (ids: Record<string, string>) => setExternalIds("Logical_Switch", "x", ids),
        valid: 'a map of key (a-z first, then a-z 0-9 _ : . -) to value (letters, digits and _ . : / -), e.g. {"ovnlab:stack": "dev"}',
        required: false,
    },
};

/** Every table a registered kind reads: one snapshot serves them all. */
const TABLES = new Set<string>();

type SnapshotCache = Map<string, { takenAt: number; snapshot: Promise<NbSnapshot> }>;
const cache: SnapshotCache = new Map();

/** Forgets every snapshot: the next read sees the database as it is now. */
export function forgetNbSnapshots(): void {
    cache.clear();
}

export function readNbSnapshot(endpoint: DbEndpoint): Promise<NbSnapshot> {
    const maxAgeMs = 30_000;
    const key = JSON.stringify(endpoint);
    const cached = cache.get(key);
    if (cached && Date.now() - cached.takenAt < maxAgeMs) return cached.snapshot;
    const tables = [...TABLES].sort();
    const snapshot = nbctl(endpoint, listTables(tables), ["--format=json"]).then((stdout) => {
        const rows = parseJsonTables(stdout);
        return Object.fromEntries(tables.map((t, i) => [t, rows[i] ?? []]));
    });
    cache.set(key, { takenAt: Date.now(), snapshot });
    snapshot.catch(() => cache.delete(key));
    return snapshot;
}

/** The row of a kind as the database holds it now (not from a cached snapshot). */
async function liveRow<A extends NbRowArgs>(kind: NbKind<A>, args: A): Promise<Row | undefined> {
    cache.delete(JSON.stringify(args.endpoint));
    return kind.find(await readNbSnapshot(args.endpoint), args);
}

export async function runNbTransaction(endpoint: DbEndpoint, commands: NbCommand[]): Promise<void> {
    if (commands.every((c) => c.length === 0)) return;
    cache.delete(JSON.stringify(endpoint));
    await nbctl(endpoint, commands);
}

/** ovnlab's own external_ids as they are on the row (so refresh shows a removed mark). */
export function ownedIds(row: Row, wanted: Record<string, string>): Record<string, string> {
    const live = stringMap(row.external_ids);
    return Object.fromEntries(Object.keys(wanted).filter((k) => k in live).map((k) => [k, live[k]]));
}

export const byName = (rows: Row[] | undefined, name: string) => (rows ?? []).find((r) => r.name === name);

/** The row of `parents` whose `ports` column holds `child` (a port's router or switch). */
export const portOwner = (parents: Row[] | undefined, child: Row) => (parents ?? []).find((p) => stringSet(p.ports).includes(child.uuid));

/** A kind whose row is only its name and ownership marks (a router, a switch): `<add> NAME`, `<del> NAME`. */
export function namedRowKind(table: string, add: (name: string) => NbCommand, del: (name: string) => NbCommand): NbKind<NbRowArgs> {
    return {
        tables: [table],
        identity: ["name"],
        create: (a) => [add(a.name), setExternalIds(table, a.name, a.externalIds)],
        update: (_o, a) => [setExternalIds(table, a.name, a.externalIds)],
        remove: (a) => [del(a.name)],
        find: (s, a) => byName(s[table], a.name),
        read: (_s, row, a) => ({ name: a.name, externalIds: ownedIds(row, a.externalIds) }),
    };
}

/** Inputs that are derived for display and never drive a change. */
const DISPLAY_ONLY = ["command"];

/**
 * Outputs are the inputs less the displayed transaction: it stays an input (so
 * `preview --diff` shows it) but is not stored a second time; at 1000 ports
 * that halves the state the file backend writes.
 */
function withoutDisplay<A extends object>(props: A): A {
    return Object.fromEntries(Object.entries(props).filter(([k]) => !DISPLAY_ONLY.includes(k))) as A;
}

/** The provider's handler of a kind: create/update/delete are its commands in one transaction each. */
export function nbHandler<A extends NbRowArgs>(kind: NbKind<A>): ResourceHandler {
    kind.tables.forEach((t) => TABLES.add(t));
    const liveOutputs = async (args: A): Promise<Record<string, unknown>> => {
        if (!kind.outputs) return {};
        const row = await liveRow(kind, args);
        if (!row) throw new Error(`${kind.tables[0]} row ${args.name} is not there after its transaction`);
        return kind.outputs(row);
    };
    return {
        defaults: { externalIds: {}, ...(kind.defaults ?? {}) } as Partial<A>,
        check(news: A) {
            return checkFields(news as unknown as Record<string, unknown>, { ...ROW_FIELDS, ...(kind.fields ?? {}) });
        },
        async create(inputs: A) {
            const existing = kind.located ? await liveRow(kind, inputs) : undefined;
            await runNbTransaction(inputs.endpoint, existing ? kind.update(inputs, inputs, existing) : kind.create(inputs, existing));
            return { id: inputs.name, outs: { ...withoutDisplay(inputs), ...(await liveOutputs(inputs)) } };
        },
        async diff(_id: string, olds: A, news: A) {
            const keys = new Set([...Object.keys(olds), ...Object.keys(news)].filter((k) => !k.startsWith("__") && !DISPLAY_ONLY.includes(k) && !(kind.outputKeys ?? []).includes(k)));
            const changes = [...keys].filter((k) => !sameValue((olds as Record<string, unknown>)[k], (news as Record<string, unknown>)[k]));
            const replaces = changes.filter((k) => (kind.identity as string[]).includes(k) || k === "endpoint");
            return { changes: changes.length > 0, replaces, deleteBeforeReplace: true };
        },
        async update(_id: string, olds: A, news: A) {
            const row = kind.located ? await liveRow(kind, news) : undefined;
            // A located row removed by hand since the refresh: made again.
            const commands = kind.located && !row ? kind.create(news) : kind.update(olds, news, row);
            await runNbTransaction(news.endpoint, commands);
            return { outs: { ...withoutDisplay(news), ...(await liveOutputs(news)) } };
        },
        async delete(_id: string, props: A) {
            // The lab's files removed by hand, or its own database stopped: the rows go with the central.
            if (databaseGone(props.endpoint)) return;
            try {
                const row = kind.located ? await liveRow(kind, props) : undefined;
                if (kind.located && !row) return;
                await runNbTransaction(props.endpoint, kind.remove(props, row));
            } catch (error) {
                if (!ownDatabaseDown(props.endpoint, error)) throw error;
            }
        },
        async read(id: string, props: A) {
            if (databaseGone(props.endpoint)) return {};
            // The lab's own database down (killed, or a destroy killed mid-way): its rows are reported gone, and
            // the next up re-creates them after the central's repair, adopting the rows its file still holds.
            const snapshot = await readNbSnapshot(props.endpoint).catch((error: unknown) => {
                if (ownDatabaseDown(props.endpoint, error)) return undefined;
                throw error;
            });
            if (!snapshot) return {};
            const row = kind.find(snapshot, props);
            return row ? { id, props: { ...props, ...kind.read(snapshot, row, props), ...(kind.outputs?.(row) ?? {}) } } : {};
        },
    };
}

export type InputsOf<A> = { [K in keyof A]: pulumi.Input<A[K]> };

/** The create transaction as a user would type it; an input so `pulumi preview --diff` shows it. */
export function createCommand<A extends NbRowArgs>(kind: NbKind<A>, args: InputsOf<A>): pulumi.Input<string[]> {
    // Plain inputs (a lab of 1000 ports has mostly those): plain text, without an Output and its promises per port.
    const plain = Object.values(args).every((v) => !pulumi.Output.isInstance(v) && !(v instanceof Promise));
    if (plain) return displayTransaction("ovn-nbctl", args.endpoint as DbEndpoint, kind.create(args as A));
    return pulumi.output(args as pulumi.Input<A>).apply((a) => displayTransaction("ovn-nbctl", a.endpoint as DbEndpoint, kind.create(a as A)));
}
