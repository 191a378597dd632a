// A node's provisioning as a resource: the generated script (provisionScript)
// run as root over the node's transport. Create and update run it (it changes
// only what is missing); read runs it with --check, so a daemon that died or a
// bridge deleted by hand shows up in `pulumi refresh`, and `up` repairs it.
// Two kinds share this handler: a Vagrant machine's (undone with the machine
// itself) and an SSH host's, which outlives the lab: given an undo script, a
// create first asks --check what is missing (those steps are ovnlab's to undo),
// and delete undoes exactly them (unprovisionScript.ts).
import { provisionScriptArgv } from "../../commands/vagrant";
import { unprovisionScriptArgv, vsListPorts } from "../../commands/ssh";
import { ovsVsctl } from "../../commands/ovs";
import { PHYSICAL_BRIDGE } from "../../commands/names";
import { KEPT_STEPS, UNPROVISION_SUMMARY } from "./unprovisionScript";
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
    /** Hosts that outlive the lab: the script that undoes what provisioning made (run by delete). */
    undoScript?: string;
}

export interface NodeProvisioningOutputs extends NodeProvisioningArgs {
    /** The steps the last run changed (none when the node was already provisioned). */
    changed: string[];
    /** Steps a refresh found missing; an update runs the script again. */
    problems: string[];
    /** With an undo script: the steps ovnlab made (missing before it first ran them), which delete undoes. */
    owned?: string[];
    /** With an undo script: the interface br-phy took the underlay address from ("" when none). */
    underlayPort?: string;
}

/** `bash -c SCRIPT provision.sh [--check]`: the script travels as one argument, quoted once by the transport. */
function runScript(args: NodeProvisioningArgs, check: boolean) {
    validName("node name", args.node);
    // Installing packages in a fresh VM takes minutes.
    return runCommand(args.transport, provisionScriptArgv(args.script, check), { timeoutMs: 30 * 60_000, allowFailure: check });
}

async function provision(args: NodeProvisioningArgs, olds?: NodeProvisioningOutputs): Promise<NodeProvisioningOutputs> {
    const undo = args.undoScript !== undefined;
    // What is missing now is what this run makes: ovnlab's to undo (a daemon the host ran before is not;
    // one of the host's own that died and that an update restarted counts as ovnlab's from then on).
    const missing = undo ? parseProvisionOutput((await runScript(args, true)).stdout).steps : [];
    const { steps } = parseProvisionOutput((await runScript(args, false)).stdout);
    const outs: NodeProvisioningOutputs = { transport: args.transport, node: args.node, script: args.script, changed: steps, problems: [] };
    if (!undo) return outs;
    const owned = [...new Set([...(olds?.owned ?? []), ...missing])].filter((s) => !KEPT_STEPS.includes(s));
    return { ...outs, undoScript: args.undoScript, owned, underlayPort: await underlayPort(args.transport) || olds?.underlayPort || "" };
}

/** br-phy's port: the interface that held the underlay address (none without the userspace datapath). */
async function underlayPort(transport: TransportSpec): Promise<string> {
    const ports = await runCommand(transport, ovsVsctl("", [vsListPorts(PHYSICAL_BRIDGE)], { timeoutSeconds: 5 }), { allowFailure: true });
    return ports.code === 0 ? ports.stdout.split("\n")[0].trim() : "";
}

async function unprovision(props: NodeProvisioningOutputs): Promise<void> {
    const argv = unprovisionScriptArgv(props.undoScript!, props.underlayPort ?? "", props.owned ?? []);
    const result = await runCommand(props.transport, argv, { timeoutMs: 5 * 60_000, allowFailure: true });
    if (result.code !== 0 || !UNPROVISION_SUMMARY.test(result.stdout)) {
        // Not "already gone": an unreachable host may come back, and what ovnlab made there would stay. A host gone for
        // good is dropped from the state by hand (pulumi state delete).
        const why = result.code === 255 ? `ssh could not reach it: ${result.stderr.trim()}` : (result.stderr.trim() || result.stdout.trim()).slice(-2000);
        throw new Error(`undoing ${props.node}'s provisioning failed (exit ${result.code}): ${why}; if the host is gone for good, remove the resource with pulumi state delete`);
    }
}

export const nodeProvisioningProvider: ResourceHandler<NodeProvisioningArgs, NodeProvisioningOutputs> = {
    async create(inputs) {
        return { id: inputs.node, outs: await provision(inputs) };
    },
    async diff(_id, olds, news) {
        // Nothing to undo between runs: a changed script or node address is simply run again.
        return diffSettings(olds, news, [], ["transport", "node", "script"]);
    },
    async update(_id, olds, news) {
        return { outs: await provision(news, olds) };
    },
    async read(id, props) {
        if (!props) return {};
        const result = await runScript(props, true);
        if (result.code !== 0 && alreadyGone(result.stderr)) return {}; // the machine is gone
        if (result.code !== 0) throw new Error(`checking ${props.node}'s provisioning failed: ${result.stderr.trim()}`);
        const { steps } = parseProvisionOutput(result.stdout);
        return { id, props: { ...props, problems: steps.map((s) => `${s} is missing`) } };
    },
    async delete(_id, props) {
        // A Vagrant machine's provisioning goes with the machine itself (vagrant destroy); an SSH host's is undone.
        if (props.undoScript !== undefined) await unprovision(props);
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

/** An SSH host's provisioning (the ssh driver): the same handler, with an undo script that delete runs. */
export class HostProvisioning extends OvnlabResource {
    declare readonly transport: pulumi.Output<TransportSpec>;
    declare readonly changed: pulumi.Output<string[]>;
    declare readonly problems: pulumi.Output<string[]>;
    declare readonly owned: pulumi.Output<string[]>;

    constructor(name: string, args: ResourceInputs<Required<NodeProvisioningArgs>>, opts?: pulumi.CustomResourceOptions) {
        const outputs = { changed: undefined, problems: undefined, owned: undefined, underlayPort: undefined };
        super("ssh", "Provisioning", name, { ...outputs, ...args }, opts);
    }
}
