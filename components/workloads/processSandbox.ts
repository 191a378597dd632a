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
import { killPid, parseStartTime, procStat, sandboxFind, sandboxStart } from "../commands/process";
import * as pulumi from "../kit/pulumiCore";
import { ResourceHandler, OvnlabResource } from "../kit/resource";
import { containerName } from "../commands/names";
import { validLabId } from "../plan/validate";
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
        const result = await runCommand(props.transport, killPid(pid), { allowFailure: true });
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
