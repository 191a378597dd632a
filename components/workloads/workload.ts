// One container of the lab, as the walk-through runs it: `docker run` with no
// network, then plugged into its node's br-int like `ovs-docker add-port`.
// In an OVN lab the plug is bound to the container's logical switch port
// (ContainerPort); in single-l2 it is a bare port on a MAC-learning bridge.
// Where a node cannot run Docker (Vagrant's docker provider), a process in a
// network namespace of its own stands in for the container (ProcessSandbox).
import * as pulumi from "../kit/pulumiCore";
import { Container } from "./container";
import { ContainerPlug } from "./containerPlug";
import { ContainerPort } from "../ovn/containerPort";
import { ContainerPlan } from "../plan/ipPlan";
import { LogicalSwitch } from "../ovn/nbResources";
import { DbEndpoint } from "../commands/ovnNbctl";
import { ProcessSandbox } from "./processSandbox";
import { HttpServer } from "./httpServer";
import { TransportSpec } from "../transport/transport";

/** The node a workload runs on, and what holds its network namespace there. */
export interface WorkloadHost {
    /** Where the node's OVS is reached: the plug runs here. */
    transport: pulumi.Input<TransportSpec>;
    /** The node's Open_vSwitch database; empty: ovs-vsctl's default. */
    ovsDb: pulumi.Input<string>;
    /** Where the node's ovn-controller.pid is (for ovn-appctl); empty: the tool's default. */
    ovnRunDir: pulumi.Input<string>;
    /** ovs-vswitchd's control socket; unset: the tool's default. */
    vswitchdCtl?: pulumi.Input<string>;
    /** A Docker container run through `transport`, or a process in the node itself. */
    sandbox: { kind: "docker"; transport: pulumi.Input<TransportSpec> } | { kind: "process" };
    /** How a person runs a command on the node, e.g. `vagrant ssh node1 -c`; unset: on this host. */
    shell?: string;
}

export interface WorkloadArgs {
    labId: string;
    container: ContainerPlan;
    /** The image to run when the plan names none. */
    defaultImage: pulumi.Input<string>;
    node: WorkloadHost;
    bridge: string;
    mtu: number;
    /** The logical side; omitted in single-l2. */
    ovn?: { endpoint: pulumi.Input<DbEndpoint>; logicalSwitch: LogicalSwitch; switchName: string; externalIds: Record<string, string>; dhcpv4Options?: pulumi.Input<string> };
}

export class Workload extends pulumi.ComponentResource {
    readonly containerName: pulumi.Output<string>;
    /** The command that opens a shell in the workload. */
    readonly exec: pulumi.Output<string>;

    constructor(name: string, args: WorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ovnlab:lab:Workload", name, {}, opts);
        const { container, node } = args;
        const sandbox = node.sandbox.kind === "docker"
            ? new Container(name, { transport: node.sandbox.transport, labId: args.labId, name: container.name, image: container.image || args.defaultImage }, { parent: this })
            : new ProcessSandbox(name, { transport: node.transport, labId: args.labId, name: container.name }, { parent: this });
        const attachment = {
            transport: node.transport,
            ovsDb: node.ovsDb,
            bridge: args.bridge,
            workload: container.name,
            containerId: sandbox.containerId,
            containerPid: sandbox.pid,
            mac: container.mac,
            cidr: container.cidr,
            gateway: container.gateway ?? "",
            mtu: args.mtu,
            // Address, route and MTU by OVN's DHCP instead of set by the plug (ovnlab:dhcp).
            ...(args.ovn?.dhcpv4Options === undefined ? {} : { dhcp: true }),
        };
        if (args.ovn) {
            new ContainerPort(name, { ...args.ovn, container, attachment }, { parent: this });
        } else {
            new ContainerPlug(`${name}-plug`, attachment, { parent: this });
        }
        if (container.serve === "http") {
            new HttpServer(`${name}-http`, { transport: node.transport, labId: args.labId, name: container.name, containerPid: sandbox.pid }, { parent: this });
        }
        this.containerName = sandbox.containerName;
        const shell = node.sandbox.kind === "docker"
            ? pulumi.interpolate`docker exec -it ${sandbox.containerName} sh`
            : pulumi.interpolate`nsenter -t ${sandbox.pid} -n bash`;
        // On another machine the command goes through its shell, as root (the walk-through's `sudo docker exec`).
        this.exec = node.shell ? pulumi.interpolate`${node.shell} 'sudo ${shell}'` : shell;
        this.registerOutputs({ containerName: this.containerName, exec: this.exec });
    }
}
