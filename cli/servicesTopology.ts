// The OVN services of the lab's picture, beside nodes, switches and lr0
// (cli/topologyDiagram.ts): each load balancer (VIP, protocol, the switches
// that carry it, its backends), the ACLs as one rule table per port group,
// each node switch's DHCP server, and the gateway (gw0 on its chassis, ls-join,
// ls-ext with its localnet, the external host, the SNAT address). Drawn from
// the plan (so `diagram --plan` needs no deployed stack), checked against the
// stack's outputs (withServicesDeployment), marked with health in --live
// (cli/servicesHealth.ts). Pure; the shapes are cli/servicesDiagram.ts'.
import { externalNamespaceName } from "../components/commands/names";
import { describeRule } from "../components/ovn/services";
import { planGateway } from "../components/plan/gatewayConfig";
import type { LabPlan } from "../components/plan/ipPlan";
import type { LabOutputs } from "./pulumiWorkspace";
import type { Health } from "./topologyDiagram";

/** What every service shape carries: whether the outputs list it (dashed when not) and, live, its health. */
interface Drawn {
    deployed?: boolean;
    health?: Health;
}

export interface TopologyLoadBalancer extends Drawn {
    name: string;
    /** `vip:port`. */
    vipKey: string;
    protocol: string;
    /** The switches the VIP is applied on (their clients reach it). */
    switches: string[];
    backends: { name: string; address: string }[];
}

export interface TopologyAclRule extends Drawn {
    name: string;
    priority: number;
    from: string;
    protocol: string;
    port?: number;
    action: string;
    /** OVN's verdict: allow-related, drop or reject. */
    verdict: string;
}

/** The rules in front of one container, on its port group, highest priority first (the order OVN tries them in). */
export interface TopologyAclTable extends Drawn {
    portGroup: string;
    target: string;
    rules: TopologyAclRule[];
}

/** A node switch's DHCP_Options row, as the plan makes it. */
export interface TopologyDhcp extends Drawn {
    node: string;
    switchName: string;
    row: string;
    cidr: string;
    router: string;
    server: { ip: string; mac: string };
    mtu: number;
    leaseSeconds: number;
}

export interface TopologyGatewayPort { name: string; mac: string; cidr: string }

export interface TopologyGateway extends Drawn {
    router: string;
    node: string;
    chassis: string;
    joinSwitch: { name: string; cidr: string; health?: Health };
    externalSwitch: { name: string; cidr: string; localnet: string; physnet: string; health?: Health };
    lrJoin: TopologyGatewayPort;
    gwJoin: TopologyGatewayPort;
    gwExternal: TopologyGatewayPort;
    routes: { router: string; prefix: string; nexthop: string }[];
    snat: { address: string; sources: string };
    externalHost: { cidr: string; namespace?: string; deployed?: boolean; health?: Health };
}

export interface TopologyServices {
    loadBalancers: TopologyLoadBalancer[];
    aclTables: TopologyAclTable[];
    dhcp: TopologyDhcp[];
    gateway?: TopologyGateway;
}

const isEmpty = (s: TopologyServices) => !s.loadBalancers.length && !s.aclTables.length && !s.dhcp.length && !s.gateway;

/** The services of a plan; undefined when it has none (the dev and single-l2 labs). */
export function servicesFromPlan(plan: LabPlan): TopologyServices | undefined {
    const { config, services } = plan;
    if (config.experiment !== "multi-l2") return undefined;
    const aclTables = services.portGroups.map((pg) => ({
        portGroup: pg.name, target: pg.target,
        rules: services.acls.filter((a) => a.portGroup === pg.name).sort((a, b) => b.priority - a.priority).map((a) => ({
            name: a.name, priority: a.priority, from: a.from, protocol: a.protocol, ...(a.port !== undefined ? { port: a.port } : {}), action: a.action, verdict: a.verdict,
        })),
    }));
    const dhcp = config.dhcp ? plan.nodes.map((n) => ({
        node: n.name, switchName: n.switchName, row: `${n.switchName}-dhcp`, cidr: n.subnet, router: n.gateway,
        server: { ip: n.gateway, mac: n.routerMac }, mtu: config.mtu, leaseSeconds: config.dhcp!.leaseSeconds,
    })) : [];
    let gateway: TopologyGateway | undefined;
    if (config.gateway) {
        const node = plan.nodes.find((n) => n.name === config.gateway!.node)!;
        const g = planGateway(config.gateway, { chassis: node.chassis, podCidr: config.podCidr, routerName: config.routerName });
        const port = (p: { name: string; mac: string; cidr: string }) => ({ name: p.name, mac: p.mac, cidr: p.cidr });
        gateway = {
            router: g.router, node: g.config.node, chassis: g.chassis,
            joinSwitch: { name: g.joinSwitch, cidr: g.config.joinCidr },
            externalSwitch: { name: g.externalSwitch, cidr: g.config.externalCidr, localnet: g.localnetPort, physnet: g.config.physnet },
            lrJoin: port(g.lrJoin), gwJoin: port(g.gwJoin), gwExternal: port(g.gwExternal),
            routes: g.routes.map((r) => ({ router: r.router, prefix: r.prefix, nexthop: r.nexthop })),
            snat: { address: g.snatIp, sources: g.snatLogicalIp },
            externalHost: { cidr: g.externalHost.cidr, ...(config.driver === "netns" ? { namespace: externalNamespaceName(config.labId) } : {}) },
        };
    }
    const drawn: TopologyServices = {
        loadBalancers: services.loadBalancers.map((lb) => ({ name: lb.name, vipKey: lb.vipKey, protocol: lb.protocol, switches: lb.switches, backends: lb.backendAddresses })),
        aclTables, dhcp, ...(gateway ? { gateway } : {}),
    };
    return isEmpty(drawn) ? undefined : drawn;
}

/** What the stack's outputs list as running: a VIP, a rule, the gateway and its external host by name; a DHCP row with its node. */
export function withServicesDeployment(services: TopologyServices, outputs: LabOutputs, deployedNodes: Set<string>): TopologyServices {
    const aclTables = services.aclTables.map((t) => {
        const rules = t.rules.map((r) => ({ ...r, deployed: (outputs.acls ?? []).some((a) => a.name === r.name) }));
        return { ...t, rules, deployed: rules.some((r) => r.deployed) };
    });
    const gw = services.gateway;
    const live = outputs.gateway;
    return {
        loadBalancers: services.loadBalancers.map((lb) => ({ ...lb, deployed: (outputs.loadBalancers ?? []).some((o) => o.name === lb.name) })),
        aclTables,
        dhcp: services.dhcp.map((d) => ({ ...d, deployed: deployedNodes.has(d.node) })),
        ...(gw ? {
            gateway: {
                ...gw,
                deployed: live?.router === gw.router,
                externalHost: { ...gw.externalHost, namespace: live?.externalHost.namespace ?? gw.externalHost.namespace, deployed: live?.externalHost.ip === gw.externalHost.cidr.split("/")[0] },
            },
        } : {}),
    };
}

/** A rule as a person reads it (the words of the stack outputs' `rule`). */
export const ruleText = (rule: TopologyAclRule, target: string) => describeRule({ ...rule, to: target });
/** Drop and reject deny; allow (OVN's allow-related) lets the packet and its replies through. */
export const denies = (rule: { action: string }) => rule.action !== "allow";
