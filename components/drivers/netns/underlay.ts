// The lab's underlay: a Linux bridge on the host that every node's underlay
// veth joins (the walk-through's host-only network), plus the iptables rule
// that lets bridged frames through. With bridge-nf-call-iptables=1 bridged
// frames traverse FORWARD, whose policy dockerd sets to DROP (recipe pitfall 1).
import * as pulumi from "../../kit/pulumiCore";
import { ResourceHandler, OvnlabResource } from "../../kit/resource";
import { ForwardChain, ipBridgeAdd, iptablesChainExists, iptablesCheckUnderlayRule, iptablesDeleteUnderlayRule, iptablesInsertUnderlayRule, ipLinkUp } from "../../commands/ip";
import { underlayBridgeName } from "../../commands/names";
import { validLabId } from "../../plan/validate";
import { deleteLink, diffSettings, linkExists, ResourceInputs } from "../../kit/hostRuntime";
import { runCommand, TransportSpec } from "../../transport/transport";

export interface UnderlayArgs {
    /** The bridge is `<labId>_br`. */
    labId: string;
}

export interface UnderlayOutputs extends UnderlayArgs {
    bridgeName: string;
    /** Where the accept rule went: DOCKER-USER when dockerd made one, else FORWARD. */
    chain: ForwardChain;
    /** What a refresh found broken; an update repairs it. */
    problems: string[];
}

const HOST: TransportSpec = { kind: "local" };

async function ruleExists(chain: ForwardChain, bridge: string, labId: string): Promise<boolean> {
    return (await runCommand(HOST, iptablesCheckUnderlayRule(chain, bridge, labId), { allowFailure: true })).code === 0;
}

async function convergeUnderlay(args: UnderlayArgs): Promise<UnderlayOutputs> {
    const labId = validLabId(args.labId);
    const bridgeName = underlayBridgeName(labId);
    if (!(await linkExists(HOST, bridgeName))) await runCommand(HOST, ipBridgeAdd(bridgeName));
    await runCommand(HOST, ipLinkUp(bridgeName));
    const dockerUser = await runCommand(HOST, iptablesChainExists("DOCKER-USER"), { allowFailure: true });
    const chain: ForwardChain = dockerUser.code === 0 ? "DOCKER-USER" : "FORWARD";
    if (!(await ruleExists(chain, bridgeName, labId))) await runCommand(HOST, iptablesInsertUnderlayRule(chain, bridgeName, labId));
    return { labId, bridgeName, chain, problems: [] };
}

export const underlayProvider: ResourceHandler<UnderlayArgs, UnderlayOutputs> = {
    async create(inputs) {
        const outs = await convergeUnderlay(inputs);
        return { id: outs.bridgeName, outs };
    },

    async diff(_id, olds, news) {
        return diffSettings(olds, news, ["labId"], []);
    },

    async update(_id, _olds, news) {
        return { outs: await convergeUnderlay(news) };
    },

    async read(id, props) {
        if (!props) return {};
        const bridgeName = underlayBridgeName(props.labId);
        if (!(await linkExists(HOST, bridgeName))) return {};
        const recorded = props.chain ?? "FORWARD";
        for (const chain of [recorded, recorded === "FORWARD" ? "DOCKER-USER" : "FORWARD"] as ForwardChain[]) {
            if (await ruleExists(chain, bridgeName, props.labId)) return { id, props: { labId: props.labId, bridgeName, chain, problems: [] } };
        }
        return { id, props: { labId: props.labId, bridgeName, chain: recorded, problems: [`no ACCEPT rule for ${bridgeName} in ${recorded}`] } };
    },

    async delete(_id, props) {
        const bridgeName = underlayBridgeName(props.labId);
        // Every copy of the rule, wherever it is (a create interrupted before its state was saved may have added one).
        for (const chain of ["DOCKER-USER", "FORWARD"] as ForwardChain[]) {
            for (let copies = 0; copies < 10 && (await ruleExists(chain, bridgeName, props.labId)); copies++) {
                await runCommand(HOST, iptablesDeleteUnderlayRule(chain, bridgeName, props.labId));
            }
        }
        await deleteLink(HOST, bridgeName);
    },
};

export class Underlay extends OvnlabResource {
    declare readonly bridgeName: pulumi.Output<string>;
    declare readonly chain: pulumi.Output<ForwardChain>;
    declare readonly problems: pulumi.Output<string[]>;

    constructor(name: string, args: ResourceInputs<UnderlayArgs>, opts?: pulumi.CustomResourceOptions) {
        super("netns", "Underlay", name, { bridgeName: undefined, chain: undefined, problems: undefined, ...args }, opts);
    }
}
