// The lab's OVN services beyond the walk-through's topology: each load
// balancer (one VIP on every node's switch: the client's switch does the DNAT,
// so a client on any node reaches it, and lr0 — a distributed router with no
// gateway port — needs none), and the ACLs in front of containers, on one port
// group per protected container. Made after the workloads' logical ports,
// which the port groups name; summarised for the stack outputs.
import * as pulumi from "../kit/pulumiCore";
import { DbEndpoint } from "../commands/ovnNbctl";
import { ServicesPlan } from "../plan/servicesPlan";
import { Acl, LoadBalancer, PortGroup } from "./nbResources";

export interface ServicesArgs {
    endpoint: pulumi.Input<DbEndpoint>;
    services: ServicesPlan;
    externalIds: Record<string, string>;
    /** The switches and ports the services name: made first. */
    dependsOn: pulumi.Resource[];
}

/** What the stack outputs say about a VIP: where it is and who answers. */
export interface LoadBalancerSummary {
    name: string;
    vip: string;
    protocol: string;
    backends: { name: string; address: string }[];
    switches: string[];
}

/** One rule as a person reads it, and the OVN ACL it became. */
export interface AclSummary {
    name: string;
    rule: string;
    /** The rule as configured (servicesConfig.ts's AclSpec): `verify` predicts with it which pings the rules drop. */
    to: string;
    from: string;
    protocol: string;
    port?: number;
    action: string;
    portGroup: string;
    priority: number;
    match: string;
    verdict: string;
}

export const describeRule = (a: { action: string; protocol: string; port?: number; from: string; to: string }) =>
    `${a.action} ${a.protocol}${a.port !== undefined ? `/${a.port}` : ""} from ${a.from} to ${a.to}`;

export class Services extends pulumi.ComponentResource {
    readonly loadBalancers: LoadBalancerSummary[];
    readonly acls: AclSummary[];

    constructor(name: string, args: ServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ovnlab:ovn:Services", name, {}, opts);
        const { endpoint, services, externalIds } = args;
        for (const lb of services.loadBalancers) {
            new LoadBalancer(`lb-${lb.name}`, {
                endpoint, name: lb.name, vip: lb.vipKey, backends: lb.backendAddresses.map((b) => b.address), protocol: lb.protocol, switches: lb.switches, externalIds,
            }, { parent: this, dependsOn: args.dependsOn });
        }
        const groups = new Map(services.portGroups.map((pg) => [pg.name, new PortGroup(pg.name.replace(/_/g, "-"), {
            endpoint, name: pg.name, ports: pg.ports, externalIds,
        }, { parent: this, dependsOn: args.dependsOn })]));
        for (const acl of services.acls) {
            new Acl(`acl-${acl.name}`, {
                endpoint, name: acl.name, portGroup: acl.portGroup, direction: acl.direction, priority: acl.priority, match: acl.match, verdict: acl.verdict, externalIds,
            }, { parent: this, dependsOn: [groups.get(acl.portGroup)!] });
        }
        this.loadBalancers = services.loadBalancers.map((lb) => ({
            name: lb.name, vip: lb.vipKey, protocol: lb.protocol, backends: lb.backendAddresses, switches: lb.switches,
        }));
        this.acls = services.acls.map((a) => ({
            name: a.name, rule: describeRule(a), to: a.to, from: a.from, protocol: a.protocol, ...(a.port !== undefined ? { port: a.port } : {}), action: a.action,
            portGroup: a.portGroup, priority: a.priority, match: a.match, verdict: a.verdict,
        }));
        this.registerOutputs({ loadBalancers: this.loadBalancers, acls: this.acls });
    }
}
