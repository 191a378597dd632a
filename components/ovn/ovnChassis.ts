// A node's chassis settings as a resource, over any transport: the
// walk-through's `ovs-vsctl set open . external-ids:ovn-remote=...
// ovn-encap-type=... ovn-encap-ip=...` (vsSetOvnChassisIds, the same builder
// the netns nodes use), read back with `ovs-vsctl get open . external_ids`.
import * as pulumi from "../kit/pulumiCore";
import { ResourceHandler, OvnlabResource } from "../kit/resource";
import { OvnChassisIds, ovsVsctl, parseOvsMap, vsGetOpenVswitchExternalIds, vsRemoveOvnRemote, vsSetOvnChassisIds } from "../commands/ovs";
import { alreadyGone, diffSettings, ResourceInputs } from "../kit/hostRuntime";
import { runCommand, TransportSpec } from "../transport/transport";

export interface OvnChassisArgs {
    transport: TransportSpec;
    /** The node's Open_vSwitch database; empty: ovs-vsctl's default (a VM's system OVS). */
    ovsDb: string;
    ids: OvnChassisIds;
}

/** The settings as the database holds them; undefined when the node is no chassis (no ovn-remote). */
export function parseOvnChassisIds(externalIds: Record<string, string>): OvnChassisIds | undefined {
    if (!externalIds["ovn-remote"]) return undefined;
    return {
        ovnRemote: externalIds["ovn-remote"],
        encapType: externalIds["ovn-encap-type"] ?? "",
        encapIp: externalIds["ovn-encap-ip"] ?? "",
        systemId: externalIds["system-id"] ?? "",
        hostname: externalIds.hostname ?? "",
        bridge: externalIds["ovn-bridge"] ?? "",
        bridgeDatapathType: externalIds["ovn-bridge-datapath-type"] ?? "",
        monitorAll: externalIds["ovn-monitor-all"] === "true",
    };
}

async function apply(args: OvnChassisArgs): Promise<OvnChassisArgs> {
    await runCommand(args.transport, ovsVsctl(args.ovsDb, [vsSetOvnChassisIds(args.ids)]));
    return { transport: args.transport, ovsDb: args.ovsDb, ids: args.ids };
}

export const ovnChassisProvider: ResourceHandler<OvnChassisArgs, OvnChassisArgs> = {
    async create(inputs) {
        return { id: inputs.ids.systemId, outs: await apply(inputs) };
    },
    async diff(_id, olds, news) {
        // `set open .` changes every setting in place; another database is another chassis.
        return diffSettings(olds, news, ["ovsDb"], ["transport", "ids"]);
    },
    async update(_id, _olds, news) {
        return { outs: await apply(news) };
    },
    async read(id, props) {
        if (!props) return {};
        const live = await runCommand(props.transport, ovsVsctl(props.ovsDb, [vsGetOpenVswitchExternalIds()]), { allowFailure: true });
        if (live.code !== 0 && alreadyGone(live.stderr)) return {}; // the node or its database is gone
        if (live.code !== 0) throw new Error(`reading the chassis settings failed: ${live.stderr.trim()}`);
        const ids = parseOvnChassisIds(parseOvsMap(live.stdout));
        return ids ? { id, props: { ...props, ids } } : {};
    },
    async delete(_id, props) {
        const result = await runCommand(props.transport, ovsVsctl(props.ovsDb, [vsRemoveOvnRemote()]), { allowFailure: true });
        if (result.code !== 0 && !alreadyGone(result.stderr)) throw new Error(`removing the chassis settings failed: ${result.stderr.trim()}`);
    },
};

export class OvnChassis extends OvnlabResource {
    declare readonly transport: pulumi.Output<TransportSpec>;
    declare readonly ids: pulumi.Output<OvnChassisIds>;

    constructor(name: string, args: ResourceInputs<OvnChassisArgs>, opts?: pulumi.CustomResourceOptions) {
        super("ovs", "Chassis", name, { ...args }, { ...opts, additionalSecretOutputs: ["transport"] });
    }
}
