// A workload container: `docker run -d --network none` (ovnlab plugs eth0
// itself, as ovs-docker does), named ovnlab-<labId>-<name> and labelled with
// the lab id, through a transport (the local host for the netns driver).
import * as pulumi from "../kit/pulumiCore";
import { ResourceHandler, OvnlabResource } from "../kit/resource";
import { dockerInspect, dockerRemove, dockerRun, dockerStart } from "../commands/docker";
import { containerName, LAB_LABEL } from "../commands/names";
import { validHostname, validLabId } from "../plan/validate";
import { alreadyGone, diffSettings, ResourceInputs } from "../kit/hostRuntime";
import { runCommand, TransportSpec } from "../transport/transport";

export interface ContainerArgs {
    /** Where docker runs. */
    transport: TransportSpec;
    labId: string;
    /** Workload name, e.g. netsho1; the container is ovnlab-<labId>-<name>. */
    name: string;
    image: string;
    /** Default the workload name. */
    hostname?: string;
    /** Default `sleep 2147483647` (busybox's sleep has no "infinity"). */
    command?: string[];
    /** never: fail at once when the image is not local. Default missing (docker's own default). */
    pull?: "never" | "missing";
}

export type ContainerSettings = Required<ContainerArgs>;

export interface ContainerOutputs extends ContainerSettings {
    containerName: string;
    containerId: string;
    /** Host PID of the container's init: its network namespace is where eth0 goes. 0 when stopped. */
    pid: number;
    running: boolean;
    /** What a refresh found broken (a stopped container); an update starts it again. */
    problems: string[];
}

function containerSettings(args: ContainerArgs): ContainerSettings {
    return {
        transport: args.transport,
        labId: args.labId,
        name: args.name,
        image: args.image,
        hostname: args.hostname ?? args.name,
        command: args.command ?? ["sleep", "2147483647"],
        pull: args.pull ?? "missing",
    };
}

interface LiveContainer {
    id: string;
    pid: number;
    running: boolean;
    status: string;
    image: string;
    lab?: string;
}

/** `docker inspect`, or undefined when there is no such container. */
async function inspectContainer(transport: TransportSpec, nameOrId: string): Promise<LiveContainer | undefined> {
    const result = await runCommand(transport, dockerInspect(nameOrId), { allowFailure: true });
    if (result.code !== 0) {
        if (alreadyGone(result.stderr)) return undefined;
        throw new Error(`docker inspect ${nameOrId} failed: ${result.stderr.trim()}`);
    }
    type Inspect = { Id: string; State: { Pid: number; Running: boolean; Status: string }; Config: { Image: string; Labels?: Record<string, string> | null } };
    const [found] = JSON.parse(result.stdout) as Inspect[];
    if (!found) return undefined;
    return {
        id: found.Id, pid: found.State.Pid, running: found.State.Running, status: found.State.Status,
        image: found.Config.Image, lab: found.Config.Labels?.[LAB_LABEL],
    };
}

function containerOutputs(s: ContainerSettings, live: LiveContainer): ContainerOutputs {
    return {
        ...s,
        containerName: containerName(s.labId, s.name),
        containerId: live.id,
        pid: live.running ? live.pid : 0,
        running: live.running,
        problems: live.running ? [] : [`container is ${live.status}`],
    };
}

async function convergeContainer(s: ContainerSettings): Promise<ContainerOutputs> {
    validLabId(s.labId);
    validHostname(s.hostname);
    const name = containerName(s.labId, s.name);
    let live = await inspectContainer(s.transport, name);
    if (live && live.lab !== s.labId) throw new Error(`a container named ${name} exists and is not lab ${s.labId}'s (label ${LAB_LABEL}=${live.lab ?? "none"})`);
    if (live && live.image !== s.image) {
        await runCommand(s.transport, dockerRemove(name));
        live = undefined;
    }
    if (!live) {
        await runCommand(s.transport, dockerRun({ name, labId: s.labId, hostname: s.hostname, image: s.image, command: s.command, pull: s.pull }), { timeoutMs: 120_000 });
    } else if (!live.running) {
        await runCommand(s.transport, dockerStart(name), { timeoutMs: 60_000 });
    }
    live = await inspectContainer(s.transport, name);
    if (!live?.running) throw new Error(`container ${name} is not running after docker run/start (status ${live?.status ?? "gone"}): see docker logs ${name}`);
    return containerOutputs(s, live);
}

export const containerProvider: ResourceHandler<ContainerArgs, ContainerOutputs> = {
    async create(inputs) {
        const outs = await convergeContainer(containerSettings(inputs));
        return { id: outs.containerName, outs };
    },

    async diff(_id, olds, news) {
        return diffSettings(
            { ...containerSettings(olds), problems: olds.problems }, containerSettings(news),
            ["transport", "labId", "name", "image", "hostname", "command"], ["pull"],
        );
    },

    async update(_id, _olds, news) {
        return { outs: await convergeContainer(containerSettings(news)) };
    },

    async read(id, props) {
        if (!props) return {};
        const s = containerSettings(props);
        const live = await inspectContainer(s.transport, containerName(s.labId, s.name));
        if (!live) return {};
        return { id, props: containerOutputs(s, live) };
    },

    async delete(_id, props) {
        const s = containerSettings(props);
        const result = await runCommand(s.transport, dockerRemove(containerName(s.labId, s.name)), { allowFailure: true, timeoutMs: 60_000 });
        if (result.code !== 0 && !alreadyGone(result.stderr)) throw new Error(`docker rm failed: ${result.stderr.trim()}`);
    },
};

export class Container extends OvnlabResource {
    declare readonly containerName: pulumi.Output<string>;
    declare readonly containerId: pulumi.Output<string>;
    declare readonly pid: pulumi.Output<number>;
    declare readonly running: pulumi.Output<boolean>;
    declare readonly problems: pulumi.Output<string[]>;

    constructor(name: string, args: ResourceInputs<ContainerArgs>, opts?: pulumi.CustomResourceOptions) {
        const outputs = { containerName: undefined, containerId: undefined, pid: undefined, running: undefined, problems: undefined };
        super("docker", "Container", name, { ...outputs, ...args }, opts);
    }
}
