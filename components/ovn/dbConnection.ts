// The central's listening sockets: `ovn-nbctl set-connection ptcp:6641:<ip>`
// and `ovn-sbctl set-connection ptcp:6642:<ip>`, as a resource whose read is
// `get-connection`. Bound to the central's underlay address, not 0.0.0.0 as in
// the walk-through, so the databases are not open to every host network.
import * as pulumi from "../kit/pulumiCore";
import { ResourceHandler, OvnlabResource } from "../kit/resource";
import { TlsFiles } from "../commands/ovs";
import { ctlArgv, CtlTool, DbEndpoint, delConnection, delSsl, displayTransaction, getConnection, getSsl, NbCommand, setConnection, setSsl } from "../commands/ovnNbctl";
import { checkFields } from "../kit/checkFields";
import { ENDPOINT_FIELD } from "./kind";
import { databaseGone, ownDatabaseDown } from "./nbSession";
import { runCommand } from "../transport/transport";

export interface DbConnectionArgs {
    endpoint: DbEndpoint;
    /** ovn-nbctl for the northbound database, ovn-sbctl for the southbound. */
    tool: CtlTool;
    /** e.g. ptcp:6641:172.16.56.2, or pssl:6641:172.16.56.2 with `ssl` */
    target: string;
    /** The server's key, certificate and CA for a pssl: target. */
    ssl?: TlsFiles;
}

/** One transaction: the SSL files (when any), then the listener. */
function openCommands(args: DbConnectionArgs): NbCommand[] {
    return [...(args.ssl ? [setSsl(args.ssl.privateKey, args.ssl.certificate, args.ssl.caCert)] : []), setConnection(args.target)];
}

/** Reads `get-ssl`'s "Private key: ..." lines back into files; undefined when none are set. */
export function parseGetSsl(stdout: string): TlsFiles | undefined {
    const value = (label: string) => new RegExp(`^${label}: (.*)$`, "m").exec(stdout)?.[1]?.trim() ?? "";
    const files = { privateKey: value("Private key"), certificate: value("Certificate"), caCert: value("CA Certificate") };
    return files.privateKey ? files : undefined;
}

export const dbConnectionProvider: ResourceHandler = {
    check(news: DbConnectionArgs) {
        return checkFields(news as unknown as Record<string, unknown>, {
            endpoint: ENDPOINT_FIELD,
            tool: { validate: (t: CtlTool) => ctlArgv(t, { transport: { kind: "local" }, db: "" }, [getConnection()]), valid: "ovn-nbctl or ovn-sbctl" },
            target: { validate: setConnection, valid: "ptcp:PORT[:IP] or pssl:PORT[:IP], e.g. ptcp:6641:172.16.56.2" },
            ssl: { validate: (f: TlsFiles) => setSsl(f.privateKey, f.certificate, f.caCert), valid: "{privateKey, certificate, caCert}: absolute paths", required: false },
        });
    },
    async create(inputs: DbConnectionArgs) {
        await runCommand(inputs.endpoint.transport, ctlArgv(inputs.tool, inputs.endpoint, openCommands(inputs)));
        return { id: `${inputs.tool}:${inputs.target}`, outs: inputs };
    },
    async diff(_id: string, olds: DbConnectionArgs, news: DbConnectionArgs) {
        const replaces = (["tool", "endpoint"] as const).filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
        const changes = replaces.length > 0 || olds.target !== news.target || JSON.stringify(olds.ssl) !== JSON.stringify(news.ssl);
        return { changes, replaces, deleteBeforeReplace: true };
    },
    async update(_id: string, olds: DbConnectionArgs, news: DbConnectionArgs) {
        const dropSsl = olds.ssl && !news.ssl ? [delSsl()] : [];
        await runCommand(news.endpoint.transport, ctlArgv(news.tool, news.endpoint, [...dropSsl, ...openCommands(news)]));
        return { outs: news };
    },
    async delete(_id: string, props: DbConnectionArgs) {
        // The database may already be gone with its central; nothing is left to close then. The timeout is for a
        // central that answers slowly, not for one that is gone (that fails at once): over SSH into a QEMU TCG guest,
        // beside the destroy's other commands, this took more than 15 s (test/vm, 2026-12-03).
        const result = await runCommand(props.endpoint.transport, ctlArgv(props.tool, props.endpoint, [...(props.ssl ? [delSsl()] : []), delConnection()]), { allowFailure: true, timeoutMs: 60_000 });
        if (result.code !== 0 && !/No such file|Connection refused|database connection failed/i.test(result.stderr)) {
            throw new Error(`${props.tool} del-connection failed: ${result.stderr.trim()}`);
        }
    },
    async read(id: string, props: DbConnectionArgs) {
        if (databaseGone(props.endpoint)) return {}; // the central went, its listener with it
        const read = await runCommand(props.endpoint.transport, ctlArgv(props.tool, props.endpoint, [getConnection()])).catch((error: unknown) => {
            if (ownDatabaseDown(props.endpoint, error)) return undefined; // set again once the central's repair restarts it
            throw error;
        });
        if (!read) return {};
        const result = read;
        const ssl = props.ssl ? parseGetSsl((await runCommand(props.endpoint.transport, ctlArgv(props.tool, props.endpoint, [getSsl()]))).stdout) : undefined;
        // ovn-sbctl prefixes each target with its role: `read-write role="" ptcp:6642:172.16.56.2`.
        const targets = result.stdout.split("\n").map((l) => l.trim().split(" ").pop()!).filter(Boolean);
        if (targets.length === 0) return {};
        return { id, props: { ...props, target: targets.includes(props.target) ? props.target : targets.join(","), ...(props.ssl ? { ssl } : {}) } };
    },
};

export class DbConnection extends OvnlabResource {
    declare readonly target: pulumi.Output<string>;
    declare readonly command: pulumi.Output<string[]>;
    constructor(name: string, args: { [K in keyof DbConnectionArgs]: pulumi.Input<DbConnectionArgs[K]> }, opts?: pulumi.CustomResourceOptions) {
        const command = pulumi.output(args).apply((a) => displayTransaction(a.tool, a.endpoint as DbEndpoint, openCommands(a as DbConnectionArgs)));
        super("nb", "DbConnection", name, { ...args, command }, opts);
    }
}
