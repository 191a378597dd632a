// A workload's place in OVN: its logical switch port ("MAC IP" addresses, as
// `lsp-set-addresses netsho1 "02:00:00:00:01:03 10.244.1.3"`), and, when the
// workload runs on a node, the chassis-side binding: its OVS interface on
// br-int with external_ids:iface-id=<logical port>.
import * as pulumi from "../kit/pulumiCore";
import { ContainerPlug, ContainerPlugArgs } from "../workloads/containerPlug";
import { ContainerPlan } from "../plan/ipPlan";
import { LogicalSwitch, LogicalSwitchPort } from "./nbResources";
import { DbEndpoint } from "../commands/ovnNbctl";

export interface ContainerPortArgs {
    endpoint: pulumi.Input<DbEndpoint>;
    /** The node's switch: the port is added to it (the plan names it) after it exists. */
    logicalSwitch: LogicalSwitch;
    switchName: string;
    container: ContainerPlan;
    externalIds: Record<string, string>;
    /** The node switch's DHCP_Options row (its uuid) with ovnlab:dhcp; unset: static addresses, the port names none. */
    dhcpv4Options?: pulumi.Input<string>;
    /** Where the workload is plugged; omitted when only the logical side is managed. */
    attachment?: { [K in keyof Omit<ContainerPlugArgs, "ifaceId">]: pulumi.Input<ContainerPlugArgs[K]> };
}

/**
 * The workload's logical switch port: its "MAC IP" on the node's switch. With DHCP the addresses
 * stay the same: OVN offers exactly that IP to that MAC, so the IP plan still decides.
 */
export function containerPortArgs(args: Pick<ContainerPortArgs, "endpoint" | "switchName" | "externalIds" | "dhcpv4Options">, container: ContainerPlan) {
    return {
        endpoint: args.endpoint,
        name: container.logicalPort,
        switch: args.switchName,
        type: "",
        addresses: [`${container.mac} ${container.ip}`],
        options: {},
        externalIds: args.externalIds,
        // Absent, not "", without DHCP: ports of labs made before it show no change.
        ...(args.dhcpv4Options === undefined ? {} : { dhcpv4Options: args.dhcpv4Options }),
    };
}

export class ContainerPort extends pulumi.ComponentResource {
    readonly logicalPort: LogicalSwitchPort;

    constructor(name: string, args: ContainerPortArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ovnlab:ovn:ContainerPort", name, {}, opts);
        const { container } = args;
        this.logicalPort = new LogicalSwitchPort(name, containerPortArgs(args, container), { parent: this, dependsOn: [args.logicalSwitch] });
        if (args.attachment) {
            new ContainerPlug(`${name}-plug`, { ...args.attachment, ifaceId: this.logicalPort.name }, { parent: this });
        }
        this.registerOutputs({ logicalPort: this.logicalPort.name });
    }
}
