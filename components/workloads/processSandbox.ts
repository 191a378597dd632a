// A workload without Docker, for nodes that cannot run Docker themselves
// (Vagrant's docker provider: the node is a container, and Docker inside it
// would need --privileged). A `sleep` process in a network namespace of its
// own (`unshare --net`), started on the node through its transport. What
// ContainerPlug needs from a container, it has: a PID whose network namespace
// gets eth0, and an id that changes when the process is made anew. Unlike a
// container it shares the node's filesystem, processes and tools; only its
// network is its own.
//
// The process is found by its command line: `exec -a ovnlab-<labId>-<name>`
// makes its argv[0] the workload's unique name, so no pidfile can go stale.
import * as pulumi from "../kit/pulumiCore";
import { ResourceHandler, OvnlabResource } from "../kit/resource";
import { containerName, validLabId, validName, validPid } from "../commands/hostCommands";
import { alreadyGone, diffSettings, ResourceInputs } from "../kit/hostRuntime";
import { runCommand, TransportSpec } from "../transport/transport";

export interface ProcessSandboxArgs {
    /** The node's transport (as root). */
    transport: TransportSpec;
    labId: string;
    /** Workload name; the process's argv[0] is ovnlab-<labId>-<name>. */
    name: string;
}

export interface ProcessSandboxOutputs extends ProcessSandboxArgs {
    /** The process's argv[0], which names it on the node. */
    containerName: string;
    /** A hex id of this very process (PID and start time), in the form ContainerPlug takes a container's. */
    containerId: string;
    /** The process's PID on the node: its network namespace is the workload's. */
    pid: number;
}

/** The command line the sandbox process shows in /proc: its name, then sleep's argument. */
const commandLine = (marker: string): string => `${marker} infinity`;

/**
 * `setsid -f unshare --net -- bash -c '...'`: detached from the SSH session (its output closed first, so
 * the session ends), loopback up, then `sleep infinity` under the workload's name.
 */
export function sandboxStart(marker: string): string[] {
    const name = validName("sandbox name", marker);
    return ["setsid", "-f", "unshare", "--net", "--", "bash", "-c", `exec </dev/null >/dev/null 2>&1; ip link set lo up; exec -a ${name} sleep infinity`];
}

/** PIDs whose whole command line is the sandbox's (the name has no regex metacharacters). */
export const sandboxFind = (marker: string): string[] => ["pgrep", "-x", "-f", commandLine(validName("sandbox name", marker))];
export const procStat = (pid: number): string[] => ["cat", `/proc/${validPid(pid)}/stat`];

/** Field 22 of /proc/<pid>/stat, the start time in clock ticks since boot (after the parenthesised comm, which may hold spaces). */
export function parseStartTime(stat: string): string {
    const fields = stat.slice(stat.lastIndexOf(")") + 2).trim().split(" ");
    const start = fields[19];
    if (!start || !/^\d+$/.test(start)) throw new Error(`cannot read a start time from ${JSON.stringify(stat.slice(0, 120))}`);
    return start;
}

async function findSandbox(transport: TransportSpec, marker: string): Promise<number | undefined> {
    const found = await runCommand(transport, sandboxFind(marker), { allowFailure: true });
    const pids = found.stdout.split("\n").filter(Boolean).map(Number);
    if (pids.length > 1) throw new Error(`${pids.length} processes are named ${marker} (PIDs ${pids.join(", ")}): expected one`);
    return pids[0];
}

async function sandboxOutputs(args: ProcessSandboxArgs, marker: string, pid: number): Promise<ProcessSandboxOutputs> {
    const crypto: typeof import("crypto") = require("crypto");
    const start = parseStartTime((await runCommand(args.transport, procStat(pid))).stdout);
    const containerId = crypto.createHash("sha256").update(`${marker}:${pid}:${start}`).digest("hex");
    return { transport: args.transport, labId: args.labId, name: args.name, containerName: marker, containerId, pid };
}

async function ensureSandbox(args: ProcessSandboxArgs): Promise<ProcessSandboxOutputs> {
    const marker = containerName(validLabId(args.labId), args.name);
    let pid = await findSandbox(args.transport, marker);
    if (pid === undefined) {
        await runCommand(args.transport, sandboxStart(marker));
        // setsid -f returns before the forked child has exec'd sleep: wait for it to show.
        for (let tries = 0; pid === undefined && tries < 50; tries++) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            pid = await findSandbox(args.transport, marker);
        }
        if (pid === undefined) throw new Error(`sandbox ${marker} did not start`);
    }
    return sandboxOutputs(args, marker, pid);
}

export const processSandboxProvider: ResourceHandler<ProcessSandboxArgs, ProcessSandboxOutputs> = {
    async create(inputs) {
        const outs = await ensureSandbox(inputs);
        return { id: outs.containerName, outs };
    },
    async diff(_id, olds, news) {
        return diffSettings(olds, news, ["labId", "name"], ["transport"]);
    },
    async update(_id, _olds, news) {
        return { outs: await ensureSandbox(news) };
    },
    async read(id, props) {
        if (!props) return {};
        const marker = containerName(props.labId, props.name);
        const pid = await findSandbox(props.transport, marker);
        return pid === undefined ? {} : { id, props: await sandboxOutputs(props, marker, pid) };
    },
    async delete(_id, props) {
        const pid = await findSandbox(props.transport, containerName(props.labId, props.name));
        if (pid === undefined) return;
        const result = await runCommand(props.transport, ["kill", String(validPid(pid))], { allowFailure: true });
        if (result.code !== 0 && !alreadyGone(result.stderr)) throw new Error(`stopping sandbox ${props.name} (PID ${pid}) failed: ${result.stderr.trim()}`);
    },
};

export class ProcessSandbox extends OvnlabResource {
    declare readonly containerName: pulumi.Output<string>;
    declare readonly containerId: pulumi.Output<string>;
    declare readonly pid: pulumi.Output<number>;

    constructor(name: string, args: ResourceInputs<ProcessSandboxArgs>, opts?: pulumi.CustomResourceOptions) {
        const outputs = { containerName: undefined, containerId: undefined, pid: undefined };
        super("node", "ProcessSandbox", name, { ...outputs, ...args }, opts);
    }
}
