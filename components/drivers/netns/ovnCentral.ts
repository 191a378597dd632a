// The OVN central of the netns driver: the NB and SB ovsdb-servers and
// ovn-northd, inside the central node's namespace, files in
// `<stateDir>/central/`. Their unix sockets are reachable from the host's root
// namespace, which is how the northbound providers talk to them; TCP (6641/6642
// on the central's underlay address, for the chassis) comes from a separate
// DbConnection resource (`set-connection`), which the databases pick up through
// their `db:...,connections` remotes.
import * as pulumi from "../../kit/pulumiCore";
import { ResourceHandler, OvnlabResource } from "../../kit/resource";
import { centralLayout, CentralLayout } from "../../commands/names";
import { ovnDbInit, ovnNorthdStart, ovsdbServerStart, ovsdbToolCreate, SCHEMAS } from "../../commands/ovs";
import { validNamespace, validPath } from "../../plan/validate";
import { daemonProblems, deadDaemons, diffSettings, ensureDaemon, namespaceExists, removeStateDir, ResourceInputs, stopDaemon, stopNamespaceProcesses } from "../../kit/hostRuntime";
import { runCommand } from "../../transport/transport";

export interface OvnCentralArgs {
    /** The central node's namespace (its NetnsNode's namespace output). */
    namespace: string;
    /** The lab's state directory; files go to `<stateDir>/central/`. */
    stateDir: string;
}

export interface OvnCentralOutputs extends OvnCentralArgs {
    /** unix:<dir>/ovnnb_db.sock */
    nbDb: string;
    /** unix:<dir>/ovnsb_db.sock */
    sbDb: string;
    dir: string;
    /** Absolute control sockets, for `ovs-appctl -t` / `ovn-appctl -t`. */
    northdCtl: string;
    nbCtl: string;
    sbCtl: string;
    /** What a refresh found broken; an update repairs it. */
    problems: string[];
}

function centralOutputs(args: OvnCentralArgs, problems: string[]): OvnCentralOutputs {
    const layout = centralLayout(args.stateDir);
    return {
        namespace: args.namespace,
        stateDir: args.stateDir,
        nbDb: `unix:${layout.nbSocket}`,
        sbDb: `unix:${layout.sbSocket}`,
        dir: layout.dir,
        northdCtl: layout.northdCtl,
        nbCtl: layout.nbCtl,
        sbCtl: layout.sbCtl,
        problems,
    };
}

function centralDaemons(layout: CentralLayout): Record<string, string> {
    return { "NB ovsdb-server": layout.nbPidfile, "SB ovsdb-server": layout.sbPidfile, "ovn-northd": layout.northdPidfile };
}

async function convergeCentral(args: OvnCentralArgs): Promise<OvnCentralOutputs> {
    const fs: typeof import("fs") = require("fs");
    validNamespace(args.namespace);
    validPath("state directory", args.stateDir);
    if (!namespaceExists(args.namespace)) throw new Error(`the central's namespace ${args.namespace} does not exist: create its node first`);
    const layout = centralLayout(args.stateDir);
    const out = centralOutputs(args, []);
    fs.mkdirSync(layout.dir, { recursive: true });
    fs.writeFileSync(layout.mark, `${args.namespace}\n`);
    const env = { OVS_RUNDIR: layout.dir, OVN_RUNDIR: layout.dir, OVS_LOGDIR: layout.dir, OVN_LOGDIR: layout.dir, OVS_DBDIR: layout.dir, OVN_DBDIR: layout.dir };

    for (const [dbFile, schema] of [[layout.nbDbFile, SCHEMAS.northbound], [layout.sbDbFile, SCHEMAS.southbound]]) {
        if (!fs.existsSync(dbFile)) await runCommand({ kind: "local" }, ovsdbToolCreate(dbFile, schema));
    }
    await ensureDaemon(args.namespace, layout.nbPidfile, ovsdbServerStart({
        dbFile: layout.nbDbFile, socket: layout.nbSocket, pidfile: layout.nbPidfile, logFile: layout.nbLog, unixctl: layout.nbCtl, connectionsOf: "northbound",
    }), env);
    await ensureDaemon(args.namespace, layout.sbPidfile, ovsdbServerStart({
        dbFile: layout.sbDbFile, socket: layout.sbSocket, pidfile: layout.sbPidfile, logFile: layout.sbLog, unixctl: layout.sbCtl, connectionsOf: "southbound",
    }), env);
    // NB_Global / SB_Global rows exist before anyone runs set-connection (northd would add them later).
    await runCommand({ kind: "local" }, ovnDbInit("ovn-nbctl", out.nbDb));
    await runCommand({ kind: "local" }, ovnDbInit("ovn-sbctl", out.sbDb));
    await ensureDaemon(args.namespace, layout.northdPidfile, ovnNorthdStart(layout), env);
    return out;
}

export const ovnCentralProvider: ResourceHandler<OvnCentralArgs, OvnCentralOutputs> = {
    async create(inputs) {
        try {
            const outs = await convergeCentral(inputs);
            return { id: outs.dir, outs };
        } catch (error) {
            // A failed create is not recorded in the state, so nothing would ever stop what it started.
            await removeCentral(inputs.stateDir, inputs.namespace).catch(() => undefined);
            throw error;
        }
    },

    async diff(_id, olds, news) {
        // A daemon that died since the last refresh is restarted by the next up, even without --refresh
        // (with the NB server dead, every NB read fails, so `up --refresh` cannot get that far).
        const dead = deadDaemons(olds.namespace, centralDaemons(centralLayout(olds.stateDir)));
        return diffSettings({ ...olds, problems: [...(olds.problems ?? []), ...dead] }, news, ["namespace", "stateDir"], []);
    },

    async update(_id, _olds, news) {
        return { outs: await convergeCentral(news) };
    },

    async read(id, props) {
        const fs: typeof import("fs") = require("fs");
        if (!props) return {};
        const layout = centralLayout(props.stateDir);
        const problems = daemonProblems(props.namespace, centralDaemons(layout));
        // Gone when nothing is left of it; anything less is repaired by an update.
        if (!fs.existsSync(layout.nbDbFile) && !fs.existsSync(layout.sbDbFile) && problems.length === 3) return {};
        return { id, props: centralOutputs(props, problems) };
    },

    async delete(_id, props) {
        await removeCentral(props.stateDir, props.namespace);
    },
};

/** northd, then the databases, then their files; tolerant of what is gone. */
async function removeCentral(stateDir: string, namespace: string): Promise<void> {
    const layout = centralLayout(stateDir);
    for (const pidfile of [layout.northdPidfile, layout.nbPidfile, layout.sbPidfile]) await stopDaemon(pidfile);
    // Without their pidfiles (the lab's files removed by hand): the central's daemons in its node's namespace, by their directory.
    if (namespace) await stopNamespaceProcesses(namespace, layout.dir);
    removeStateDir(layout.dir);
}

export class OvnCentral extends OvnlabResource {
    declare readonly nbDb: pulumi.Output<string>;
    declare readonly sbDb: pulumi.Output<string>;
    declare readonly dir: pulumi.Output<string>;
    declare readonly northdCtl: pulumi.Output<string>;
    declare readonly nbCtl: pulumi.Output<string>;
    declare readonly sbCtl: pulumi.Output<string>;
    declare readonly problems: pulumi.Output<string[]>;

    constructor(name: string, args: ResourceInputs<OvnCentralArgs>, opts?: pulumi.CustomResourceOptions) {
        const outputs = { nbDb: undefined, sbDb: undefined, dir: undefined, northdCtl: undefined, nbCtl: undefined, sbCtl: undefined, problems: undefined };
        super("netns", "OvnCentral", name, { ...outputs, ...args }, opts);
    }
}
