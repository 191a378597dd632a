// A workload's web server (`serve: http`): busybox httpd on port 80 in the
// container's network namespace, answering the container's name. Create starts
// it unless it already runs there; read finds it by its command line and checks
// it is in the container's namespace (a re-made container gets a new server),
// so a killed server shows in `pulumi refresh` and `up` starts it again; delete
// stops it by PID and removes its page.
import { httpPageWrite, httpRoot, httpServerFind, httpServerStart, netnsOfPid, removePageDirectory } from "../commands/httpServer";
import { killPid } from "../commands/process";
import * as pulumi from "../kit/pulumiCore";
import { ResourceHandler, OvnlabResource } from "../kit/resource";
import { alreadyGone, diffSettings, ResourceInputs } from "../kit/hostRuntime";
import { runCommand, TransportSpec } from "../transport/transport";

export interface HttpServerArgs {
    /** The node's transport (as root). */
    transport: TransportSpec;
    labId: string;
    /** The workload's name: its page says it. */
    name: string;
    /** The workload's PID on the node: whose network namespace the server listens in. */
    containerPid: number;
    port?: number;
}

export interface HttpServerOutputs extends Required<HttpServerArgs> {
    pid: number;
    pageDirectory: string;
}

const settings = (a: HttpServerArgs): Required<HttpServerArgs> => ({ transport: a.transport, labId: a.labId, name: a.name, containerPid: a.containerPid, port: a.port ?? 80 });

async function netns(transport: TransportSpec, pid: number): Promise<string | undefined> {
    const result = await runCommand(transport, netnsOfPid(pid), { allowFailure: true });
    return result.code === 0 ? result.stdout.trim() : undefined;
}

/** The server's PID when it runs in the workload's namespace. */
async function findServer(s: Required<HttpServerArgs>): Promise<number | undefined> {
    const found = await runCommand(s.transport, httpServerFind(httpRoot(s.labId, s.name), s.port), { allowFailure: true });
    const wanted = await netns(s.transport, s.containerPid);
    for (const pid of found.stdout.split("\n").filter(Boolean).map(Number)) {
        if (wanted !== undefined && (await netns(s.transport, pid)) === wanted) return pid;
    }
    return undefined;
}

async function stopStale(s: Required<HttpServerArgs>, keep?: number): Promise<void> {
    const found = await runCommand(s.transport, httpServerFind(httpRoot(s.labId, s.name), s.port), { allowFailure: true });
    for (const pid of found.stdout.split("\n").filter(Boolean).map(Number)) {
        if (pid !== keep) await runCommand(s.transport, killPid(pid), { allowFailure: true });
    }
}

async function ensureServer(args: HttpServerArgs): Promise<HttpServerOutputs> {
    const s = settings(args);
    const dir = httpRoot(s.labId, s.name);
    await runCommand(s.transport, httpPageWrite(dir, s.name));
    let pid = await findServer(s);
    // One left in a namespace the workload no longer has (a container made anew) holds its port nowhere useful.
    await stopStale(s, pid);
    if (pid === undefined) {
        await runCommand(s.transport, httpServerStart(s.containerPid, dir, s.port));
        for (let tries = 0; pid === undefined && tries < 50; tries++) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            pid = await findServer(s);
        }
        if (pid === undefined) throw new Error(`the web server of ${s.name} did not start (busybox httpd on port ${s.port}; is busybox on the node?)`);
    }
    return { ...s, pid, pageDirectory: dir };
}

export const httpServerProvider: ResourceHandler<HttpServerArgs, HttpServerOutputs> = {
    async create(inputs) {
        const outs = await ensureServer(inputs);
        return { id: `${outs.labId}-${outs.name}-http`, outs };
    },
    async diff(_id, olds, news) {
        return diffSettings(settings(olds), settings(news), ["labId", "name", "containerPid", "port"], ["transport"]);
    },
    async update(_id, _olds, news) {
        return { outs: await ensureServer(news) };
    },
    async read(id, props) {
        if (!props) return {};
        const s = settings(props);
        const pid = await findServer(s);
        return pid === undefined ? {} : { id, props: { ...s, pid, pageDirectory: httpRoot(s.labId, s.name) } };
    },
    async delete(_id, props) {
        const s = settings(props);
        const found = await runCommand(s.transport, httpServerFind(httpRoot(s.labId, s.name), s.port), { allowFailure: true });
        for (const pid of found.stdout.split("\n").filter(Boolean).map(Number)) {
            const result = await runCommand(s.transport, killPid(pid), { allowFailure: true });
            if (result.code !== 0 && !alreadyGone(result.stderr) && !/No such process/.test(result.stderr)) {
                throw new Error(`stopping the web server of ${s.name} (PID ${pid}) failed: ${result.stderr.trim()}`);
            }
        }
        await runCommand(s.transport, removePageDirectory(httpRoot(s.labId, s.name)), { allowFailure: true });
    },
};

export class HttpServer extends OvnlabResource {
    declare readonly pid: pulumi.Output<number>;
    declare readonly pageDirectory: pulumi.Output<string>;

    constructor(name: string, args: ResourceInputs<HttpServerArgs>, opts?: pulumi.CustomResourceOptions) {
        super("workload", "HttpServer", name, { pid: undefined, pageDirectory: undefined, ...args }, opts);
    }
}
