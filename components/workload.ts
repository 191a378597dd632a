// One container of the lab, as the walk-through runs it: `docker run` with no
// network, then plugged into its node's br-int like `ovs-docker add-port`.
// In an OVN lab the plug is bound to the container's logical switch port
// (ContainerPort); in single-l2 it is a bare port on a MAC-learning bridge.
import * as pulumi from "@pulumi/pulumi";
import { Container } from "./container";
import { ContainerPlug } from "./containerPlug";
import { ContainerPort } from "./containerPort";
import { ContainerPlan } from "./ipPlan";
import { LogicalSwitch } from "./nbResources";
import { NetnsNode } from "./netnsNode";
import { DbEndpoint } from "./ovnNbctl";

export interface WorkloadArgs {
    labId: string;
    container: ContainerPlan;
    /** The image to run when the plan names none. */
    defaultImage: pulumi.Input<string>;
    node: NetnsNode;
    bridge: string;
    mtu: number;
    /** The logical side; omitted in single-l2. */
    ovn?: { endpoint: pulumi.Input<DbEndpoint>; logicalSwitch: LogicalSwitch; switchName: string; externalIds: Record<string, string> };
}

export class Workload extends pulumi.ComponentResource {
    readonly containerName: pulumi.Output<string>;

    constructor(name: string, args: WorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ovnlab:lab:Workload", name, {}, opts);
        const { container, node } = args;
        const docker = new Container(name, {
            transport: { kind: "local" },
            labId: args.labId,
            name: container.name,
            image: container.image || args.defaultImage,
        }, { parent: this });
        const attachment = {
            transport: node.transport,
            ovsDb: node.ovsDb,
            bridge: args.bridge,
            workload: container.name,
            containerId: docker.containerId,
            containerPid: docker.pid,
            mac: container.mac,
            cidr: container.cidr,
            gateway: container.gateway ?? "",
            mtu: args.mtu,
        };
        if (args.ovn) {
            new ContainerPort(name, { ...args.ovn, container, attachment }, { parent: this });
        } else {
            new ContainerPlug(`${name}-plug`, attachment, { parent: this });
        }
        this.containerName = docker.containerName;
        this.registerOutputs({ containerName: this.containerName });
    }
}
