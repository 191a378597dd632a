// The gateway of Pulumi.gateway.yaml, as the OVN docs and ovn-kubernetes build it:
//
//   containers -- ls-nodeN -- lr0 (distributed) -- ls-join 100.64.0.0/16 -- gw0 (gateway router, options:chassis=<node>)
//                                                                              |  snat 10.244.0.0/16 -> 192.168.100.2
//                                                         ls-ext (localnet physnet -> br-ext on that node) -- "the internet"
//
// A gateway router rather than a distributed gateway port: gw0 is bound to one
// chassis as a whole, so its NAT and conntrack state live in one place and the
// topology is the one ovn-kubernetes users know. lr0 sends everything it has
// no route for to gw0 (0.0.0.0/0 via gw0-join), gw0 sends the pod network back
// via lr0-join; gw0 SNATs the pod network to its external address. Every row is
// a resource of its own (one kind each), so refresh sees a deleted route or NAT.
import * as pulumi from "../kit/pulumiCore";
import { DbEndpoint } from "../commands/ovnNbctl";
import { GatewayPlan, GatewayPort } from "../plan/gatewayConfig";
import { ExternalHost } from "../drivers/driver";
import { GatewaySummary } from "../outputs";
import { LogicalRouter, LogicalRouterPort, LogicalSwitch, LogicalSwitchPort, Nat, StaticRoute } from "./nbResources";

export interface GatewayArgs {
    endpoint: pulumi.Input<DbEndpoint>;
    plan: GatewayPlan;
    /** lr0: the join port goes on it, so it exists first. */
    router: LogicalRouter;
    externalIds: Record<string, string>;
    /** The driver's external network (netns); none: only the NB rows (the external side is the user's). */
    externalNetwork?: (parent: pulumi.Resource) => ExternalHost;
}

export class Gateway extends pulumi.ComponentResource {
    readonly summary: GatewaySummary;

    constructor(name: string, args: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ovnlab:ovn:Gateway", name, {}, opts);
        const { endpoint, plan, externalIds } = args;
        const parent = { parent: this };
        const gw = new LogicalRouter(plan.router, { endpoint, name: plan.router, externalIds, options: { chassis: plan.chassis } }, { ...parent, dependsOn: [args.router] });
        const routers: Record<string, LogicalRouter> = { [plan.lrJoin.router]: args.router, [plan.router]: gw };

        const join = new LogicalSwitch(plan.joinSwitch, { endpoint, name: plan.joinSwitch, externalIds }, { ...parent, dependsOn: [args.router] });
        const external = new LogicalSwitch(plan.externalSwitch, { endpoint, name: plan.externalSwitch, externalIds }, { ...parent, dependsOn: [args.router] });
        // A router port and the switch's `router`-type port patched to it, as NodeSwitch does for each node.
        const patch = (port: GatewayPort, lswitch: LogicalSwitch, switchName: string) => {
            const lrp = new LogicalRouterPort(port.name, { endpoint, name: port.name, router: port.router, mac: port.mac, networks: [port.cidr], externalIds }, { ...parent, dependsOn: [routers[port.router]] });
            new LogicalSwitchPort(port.switchPort, {
                endpoint, name: port.switchPort, switch: switchName, type: "router", addresses: ["router"], options: { "router-port": port.name }, externalIds,
            }, { ...parent, dependsOn: [lswitch, lrp] });
            return lrp;
        };
        const lrJoin = patch(plan.lrJoin, join, plan.joinSwitch);
        const gwJoin = patch(plan.gwJoin, join, plan.joinSwitch);
        const gwExternal = patch(plan.gwExternal, external, plan.externalSwitch);
        // The external switch's way out: a localnet port, mapped on the gateway's chassis to br-ext.
        new LogicalSwitchPort(plan.localnetPort, {
            endpoint, name: plan.localnetPort, switch: plan.externalSwitch, type: "localnet", addresses: ["unknown"],
            options: { network_name: plan.config.physnet }, externalIds,
        }, { ...parent, dependsOn: [external] });
        // Rows without a name (routes, NAT) carry no marks: found by their router and columns.
        for (const r of plan.routes) {
            new StaticRoute(r.name, { endpoint, name: r.name, router: r.router, prefix: r.prefix, nexthop: r.nexthop, externalIds: {} }, { ...parent, dependsOn: [lrJoin, gwJoin] });
        }
        new Nat(`${plan.router}-snat`, {
            endpoint, name: `${plan.router}-snat`, router: plan.router, type: "snat", externalIp: plan.snatIp, logicalIp: plan.snatLogicalIp, externalIds: {},
        }, { ...parent, dependsOn: [gwExternal] });

        const host = args.externalNetwork?.(this);
        this.summary = {
            router: plan.router, node: plan.config.node, chassis: plan.chassis, snatAddress: plan.snatIp, snatSources: plan.snatLogicalIp,
            joinNetwork: plan.config.joinCidr, externalNetwork: plan.config.externalCidr,
            externalHost: { ip: plan.externalHost.ip, ...(host ? { namespace: host.namespace, url: host.url, log: host.logFile } : {}) },
        };
        this.registerOutputs({ summary: this.summary });
    }
}
