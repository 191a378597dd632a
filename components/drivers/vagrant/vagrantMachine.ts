// The vagrant driver's host side: the lab's Vagrant project (its Vagrantfile,
// written under the lab's state directory) and one machine per node, brought
// up with `vagrant up <node>` and destroyed with `vagrant destroy -f <node>`.
// A machine's read is `vagrant status --machine-readable`, so one destroyed or
// halted by hand shows up in `pulumi refresh`; its SSH access comes from
// `vagrant ssh-config` and is a Pulumi secret (it names the machine's key).
import * as pulumi from "../../kit/pulumiCore";
import { ResourceHandler, OvnlabResource } from "../../kit/resource";
import { VagrantProvider } from "../../plan/config";
import { validName, validPath } from "../../plan/validate";
import { diffSettings, removeStateDir, ResourceInputs } from "../../kit/hostRuntime";
import { runCommand, TransportSpec } from "../../transport/transport";
import {
    parseMachineState, parseSshConfig, vagrantDestroy, vagrantEnvironment, vagrantSshConfig, vagrantStatus, vagrantUp,
} from "../../commands/vagrant";

const HOST: TransportSpec = { kind: "local" };

// ---- The project: the Vagrantfile ------------------------------------------------

export interface VagrantProjectArgs {
    /** Absolute directory of the Vagrantfile (and Vagrant's .vagrant/ machine data). */
    dir: string;
    /** The Vagrantfile's text (renderVagrantfile): an input, so a preview shows it. */
    vagrantfile: string;
}

function vagrantfilePath(dir: string): string {
    return `${validPath("Vagrant project directory", dir)}/Vagrantfile`;
}

function writeVagrantfile(args: VagrantProjectArgs): VagrantProjectArgs {
    const fs: typeof import("fs") = require("fs");
    fs.mkdirSync(args.dir, { recursive: true });
    fs.writeFileSync(vagrantfilePath(args.dir), args.vagrantfile);
    return { dir: args.dir, vagrantfile: args.vagrantfile };
}

export const vagrantProjectProvider: ResourceHandler<VagrantProjectArgs, VagrantProjectArgs> = {
    async create(inputs) {
        return { id: vagrantfilePath(inputs.dir), outs: writeVagrantfile(inputs) };
    },
    async diff(_id, olds, news) {
        return diffSettings(olds, news, ["dir"], ["vagrantfile"]);
    },
    async update(_id, _olds, news) {
        return { outs: writeVagrantfile(news) };
    },
    async read(id, props) {
        const fs: typeof import("fs") = require("fs");
        if (!props || !fs.existsSync(vagrantfilePath(props.dir))) return {};
        // An edited Vagrantfile shows as a change to its text, which an update writes back.
        return { id, props: { dir: props.dir, vagrantfile: fs.readFileSync(vagrantfilePath(props.dir), "utf8") } };
    },
    async delete(_id, props) {
        // Every machine depends on the project, so they are destroyed by now: only Vagrant's bookkeeping is left.
        removeStateDir(props.dir);
    },
};

export class VagrantProject extends OvnlabResource {
    declare readonly dir: pulumi.Output<string>;
    declare readonly vagrantfile: pulumi.Output<string>;

    constructor(name: string, args: ResourceInputs<VagrantProjectArgs>, opts?: pulumi.CustomResourceOptions) {
        super("vagrant", "Project", name, { ...args }, opts);
    }
}

// ---- One machine ---------------------------------------------------------------------

export interface VagrantMachineArgs {
    /** The project's directory (VagrantProject's dir, so the Vagrantfile is written first). */
    projectDir: string;
    /** The machine's name in the Vagrantfile: the node name. */
    name: string;
    provider: VagrantProvider;
    /** The machine's `config.vm.define` block: when it changes, the machine is made anew. */
    definition: string;
}

export interface VagrantMachineOutputs extends VagrantMachineArgs {
    /** Vagrant's state: running, or what a refresh found (not running: an update brings it up). */
    state: string;
    /** SSH to the machine as `vagrant ssh` does, every command through sudo. A secret: it names the private key. */
    transport: TransportSpec;
    problems: string[];
}

function vagrant(projectDir: string, argv: string[], timeoutMs = 60_000) {
    return runCommand(HOST, argv, { env: vagrantEnvironment(projectDir), timeoutMs });
}

async function machineState(args: VagrantMachineArgs): Promise<string> {
    const status = await vagrant(args.projectDir, vagrantStatus(args.name));
    const state = parseMachineState(status.stdout, args.name);
    if (state === undefined) throw new Error(`vagrant status printed no state for ${args.name}:\n${status.stdout.trim()}`);
    return state;
}

async function sshTransport(args: VagrantMachineArgs): Promise<TransportSpec> {
    const config = parseSshConfig((await vagrant(args.projectDir, vagrantSshConfig(args.name))).stdout);
    return { kind: "ssh", ...config, sudo: true };
}

/** `vagrant up` (creates, or starts a halted machine), then where SSH reaches it. */
async function upMachine(args: VagrantMachineArgs): Promise<VagrantMachineOutputs> {
    validPath("Vagrant project directory", args.projectDir);
    validName("node name", args.name);
    // A VM boots from a box that may first have to be downloaded: minutes, not seconds.
    await vagrant(args.projectDir, vagrantUp(args.name, args.provider), 30 * 60_000);
    const state = await machineState(args);
    if (state !== "running") throw new Error(`vagrant up ${args.name} left it ${state}`);
    return { ...args, state, transport: await sshTransport(args), problems: [] };
}

export const vagrantMachineProvider: ResourceHandler<VagrantMachineArgs, VagrantMachineOutputs> = {
    async create(inputs) {
        const outs = await upMachine(inputs);
        return { id: `${outs.projectDir}#${outs.name}`, outs };
    },

    async diff(_id, olds, news) {
        return diffSettings(olds, news, ["projectDir", "name", "provider", "definition"], []);
    },

    async update(_id, _olds, news) {
        return { outs: await upMachine(news) };
    },

    async read(id, props) {
        const fs: typeof import("fs") = require("fs");
        if (!props || !fs.existsSync(`${props.projectDir}/Vagrantfile`)) return {};
        const state = await machineState(props);
        if (state === "not_created") return {};
        const running = state === "running";
        // Restarted machines may come back on another address: record where they are now.
        const transport = running ? await sshTransport(props) : props.transport;
        return { id, props: { ...props, state, transport, problems: running ? [] : [`machine is ${state}`] } };
    },

    async delete(_id, props) {
        await vagrant(props.projectDir, vagrantDestroy(props.name), 10 * 60_000);
    },
};

export class VagrantMachine extends OvnlabResource {
    declare readonly state: pulumi.Output<string>;
    declare readonly transport: pulumi.Output<TransportSpec>;
    declare readonly problems: pulumi.Output<string[]>;

    constructor(name: string, args: ResourceInputs<VagrantMachineArgs>, opts?: pulumi.CustomResourceOptions) {
        const outputs = { state: undefined, transport: undefined, problems: undefined };
        super("vagrant", "Machine", name, { ...outputs, ...args }, { ...opts, additionalSecretOutputs: ["transport"] });
    }
}
