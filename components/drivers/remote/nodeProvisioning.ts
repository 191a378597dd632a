// A node's provisioning as a resource: the generated script (provisionScript)
// run as root over the node's transport. Create and update run it (it changes
// only what is missing); read runs it with --check, so a daemon that died or a
// bridge deleted by hand shows up in `pulumi refresh`, and `up` repairs it.
import { provisionScriptArgv } from "../../commands/vagrant";
import * as pulumi from "../../kit/pulumiCore";
import { ResourceHandler, OvnlabResource } from "../../kit/resource";
import { validName } from "../../plan/validate";
import { alreadyGone, diffSettings, ResourceInputs } from "../../kit/hostRuntime";
import { parseProvisionOutput } from "./provisionScript";
import { runCommand, TransportSpec } from "../../transport/transport";

export interface NodeProvisioningArgs {
    transport: TransportSpec;
    node: string;
    /** The whole script: an input, so a preview shows what will run. */
    script: string;
}

export interface NodeProvisioningOutputs extends NodeProvisioningArgs {
    /** The steps the last run changed (none when the node was already provisioned). */
    changed: string[];
    /** Steps a refresh found missing; an update runs the script again. */
    problems: string[];
}

/** `bash -c SCRIPT provision.sh [--check]`: the script travels as one argument, quoted once by the transport. */
function runScript(args: NodeProvisioningArgs, check: boolean) {
    validName("node name", args.node);
    // Installing packages in a fresh VM takes minutes.
    return runCommand(args.transport, provisionScriptArgv(args.script, check), { timeoutMs: 30 * 60_000, allowFailure: check });
}

async function provision(args: NodeProvisioningArgs): Promise<NodeProvisioningOutputs> {
    const { steps } = parseProvisionOutput((await runScript(args, false)).stdout);
    return { transport: args.transport, node: args.node, script: args.script, changed: steps, problems: [] };
}

export const nodeProvisioningProvider: ResourceHandler<NodeProvisioningArgs, NodeProvisioningOutputs> = {
    async create(inputs) {
        return { id: inputs.node, outs: await provision(inputs) };
    },
    async diff(_id, olds, news) {
        // Nothing to undo between runs: a changed script or node address is simply run again.
        return diffSettings(olds, news, [], ["transport", "node", "script"]);
    },
    async update(_id, _olds, news) {
        return { outs: await provision(news) };
    },
    async read(id, props) {
        if (!props) return {};
        const result = await runScript(props, true);
        if (result.code !== 0 && alreadyGone(result.stderr)) return {}; // the machine is gone
        if (result.code !== 0) throw new Error(`checking ${props.node}'s provisioning failed: ${result.stderr.trim()}`);
        const { steps } = parseProvisionOutput(result.stdout);
        return { id, props: { ...props, problems: steps.map((s) => `${s} is missing`) } };
    },
    async delete() {
        // Provisioning is undone with the machine itself (vagrant destroy).
    },
};

export class NodeProvisioning extends OvnlabResource {
    /** The node's transport once it is provisioned: resources given this one wait for the provisioning. */
    declare readonly transport: pulumi.Output<TransportSpec>;
    declare readonly changed: pulumi.Output<string[]>;
    declare readonly problems: pulumi.Output<string[]>;

    constructor(name: string, args: ResourceInputs<NodeProvisioningArgs>, opts?: pulumi.CustomResourceOptions) {
        const outputs = { changed: undefined, problems: undefined };
        super("vagrant", "Provisioning", name, { ...outputs, ...args }, { ...opts, additionalSecretOutputs: ["transport"] });
    }
}
