// One node's L2 domain, as the walk-through builds it: the logical switch
// ls-nodeN, its gateway port lr-nodeN on the router (MAC 00:00:00:0N:01:01,
// 10.244.N.1/24) and the `router`-type port ls-nodeN-lr that patches them;
// with ovnlab:dhcp also the switch's DHCP server, a DHCP_Options row ls-nodeN-dhcp.
import * as pulumi from "../kit/pulumiCore";
import { NodePlan } from "../plan/ipPlan";
import { DhcpConfig, dhcpOptionsFor, dhcpRowUuid } from "../plan/dhcpConfig";
import { LogicalRouter, LogicalRouterPort, LogicalSwitch, LogicalSwitchPort } from "./nbResources";
import { DhcpOptions } from "./kinds/dhcpOptions";
import { DbEndpoint } from "../commands/ovnNbctl";

export interface NodeSwitchArgs {
    endpoint: pulumi.Input<DbEndpoint>;
    /** The router the node's gateway port is added to; created first, as the walk-through does. */
    router: LogicalRouter;
    routerName: string;
    node: NodePlan;
    externalIds: Record<string, string>;
    /** OVN's own DHCP for the node's subnet (ovnlab:dhcp), offering the workloads' MTU; none when unset. */
    dhcp?: { config: DhcpConfig; mtu: number; stack: string };
}

export class NodeSwitch extends pulumi.ComponentResource {
    /** The switch, for workload ports to depend on. */
    readonly logicalSwitch: LogicalSwitch;
    /** The switch's DHCP_Options row (ovnlab:dhcp): workload ports name it by its uuid. */
    readonly dhcpOptions: DhcpOptions | undefined;

    constructor(name: string, args: NodeSwitchArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ovnlab:ovn:NodeSwitch", name, {}, opts);
        const { node, endpoint, externalIds } = args;
        // Names come from the plan (known at preview, so the commands show in full);
        // dependsOn carries the order the walk-through types them in.
        this.logicalSwitch = new LogicalSwitch(node.switchName, { endpoint, name: node.switchName, externalIds }, { parent: this, dependsOn: [args.router] });
        const routerPort = new LogicalRouterPort(node.routerPort, {
            endpoint, name: node.routerPort, router: args.routerName, mac: node.routerMac, networks: [node.gatewayCidr], externalIds,
        }, { parent: this, dependsOn: [args.router] });
        new LogicalSwitchPort(node.switchRouterPort, {
            endpoint,
            name: node.switchRouterPort,
            switch: node.switchName,
            type: "router",
            addresses: ["router"],
            options: { "router-port": node.routerPort },
            externalIds,
        }, { parent: this, dependsOn: [this.logicalSwitch, routerPort] });
        // The server is the router port: OVN answers from its address and MAC, and offers it as the default route.
        this.dhcpOptions = args.dhcp && new DhcpOptions(`${node.switchName}-dhcp`, {
            endpoint, name: `${node.switchName}-dhcp`, uuid: dhcpRowUuid(args.dhcp.stack, `${node.switchName}-dhcp`), cidr: node.subnet, options: dhcpOptionsFor(node, args.dhcp.mtu, args.dhcp.config), externalIds,
        }, { parent: this, dependsOn: [this.logicalSwitch] });
        this.registerOutputs({});
    }
}
