// diagram --live for the OVN services: which drawn object a drifted resource
// of a load balancer, an ACL, a DHCP server or the gateway belongs to (as
// cli/labHealth.ts's driftOwner does for nodes, workloads, switches and lr0),
// the service objects the health model judges, and their marks on the picture
// (cli/servicesTopology.ts's shapes): red and dashed with the notes. Pure.
import type { DriftedResource, LabHealth, ObjectHealth } from "./labHealth";
import type { TopologyServices } from "./servicesTopology";
import type { Health } from "./topologyDiagram";

const lastWord = (type: string) => type.split(":").pop() ?? type;

/** The objects' names in the health model, `<kind> <name>`. */
export const SERVICE_OBJECT = {
    loadBalancer: (name: string) => `load balancer ${name}`,
    acls: (portGroup: string) => `acls ${portGroup}`,
    dhcp: (row: string) => `dhcp ${row}`,
    gateway: (router: string) => `gateway ${router}`,
    switch: (name: string) => `switch ${name}`,
    externalHost: (ip: string) => `external host ${ip}`,
};

/** The northbound kinds the gateway's rows are of (a workload named gw0-x is not the gateway's). */
const GATEWAY_KINDS = ["LogicalRouter", "LogicalRouterPort", "LogicalSwitch", "LogicalSwitchPort", "StaticRoute", "Nat"];
const hostIp = (cidr: string) => cidr.split("/")[0];

/** Every service object a live look judges: each VIP, ACL table, DHCP row, and the gateway's router, switches and external host. */
export function serviceObjects(services: TopologyServices | undefined): string[] {
    if (!services) return [];
    const g = services.gateway;
    return [
        ...services.loadBalancers.map((lb) => SERVICE_OBJECT.loadBalancer(lb.name)),
        ...services.aclTables.map((t) => SERVICE_OBJECT.acls(t.portGroup)),
        ...services.dhcp.map((d) => SERVICE_OBJECT.dhcp(d.row)),
        ...(g ? [SERVICE_OBJECT.gateway(g.router), SERVICE_OBJECT.switch(g.joinSwitch.name), SERVICE_OBJECT.switch(g.externalSwitch.name), SERVICE_OBJECT.externalHost(hostIp(g.externalHost.cidr))] : []),
    ];
}

/**
 * The service object a drifted resource belongs to, by its kind and name as the lab names them
 * (components/ovn/services.ts, nodeSwitch.ts, gateway.ts): `lb-<name>`, the port group with '-',
 * `acl-<rule>`, `<switch>-dhcp`, gw0 and its ports, route and NAT, ls-join/ls-ext and their ports,
 * the external network; lr0's own join port and default route are lr0's. Undefined: not a service's.
 */
export function serviceOwner(resource: DriftedResource, services: TopologyServices | undefined, router: string | undefined): string | undefined {
    if (!services) return undefined;
    const kind = lastWord(resource.type);
    const n = resource.name;
    if (kind === "LoadBalancer") {
        const lb = services.loadBalancers.find((l) => `lb-${l.name}` === n);
        return lb && SERVICE_OBJECT.loadBalancer(lb.name);
    }
    if (kind === "PortGroup" || kind === "Acl") {
        const table = services.aclTables.find((t) => t.portGroup.replace(/_/g, "-") === n || t.rules.some((r) => `acl-${r.name}` === n));
        return table && SERVICE_OBJECT.acls(table.portGroup);
    }
    if (kind === "DhcpOptions") {
        const row = services.dhcp.find((d) => d.row === n);
        return row && SERVICE_OBJECT.dhcp(row.row);
    }
    const g = services.gateway;
    if (!g) return undefined;
    if (kind === "ExternalNetwork") return SERVICE_OBJECT.externalHost(hostIp(g.externalHost.cidr));
    if (!GATEWAY_KINDS.includes(kind)) return undefined;
    if (router && (n === g.lrJoin.name || n === `${router}-default`)) return `router ${router}`;
    if (n === g.router || n === g.gwJoin.name || n === g.gwExternal.name || n.startsWith(`${g.router}-`)) return SERVICE_OBJECT.gateway(g.router);
    for (const sw of [g.joinSwitch.name, g.externalSwitch.name]) if (n === sw || n.startsWith(`${sw}-`)) return SERVICE_OBJECT.switch(sw);
    return undefined;
}

const mark = (o: ObjectHealth | undefined): Health | undefined => o && { healthy: o.healthy, notes: o.problems.map((p) => `! ${p}`) };

/** The services with each object's health from a live look; an ACL rule whose own resource drifted is marked in its row too. */
export function servicesWithHealth(services: TopologyServices, health: LabHealth): TopologyServices {
    const of = (object: string) => mark(health.services.find((s) => s.object === object));
    const withHealth = <T extends object>(value: T, h: Health | undefined): T => (h ? { ...value, health: h } : value);
    const g = services.gateway;
    return {
        loadBalancers: services.loadBalancers.map((lb) => withHealth(lb, of(SERVICE_OBJECT.loadBalancer(lb.name)))),
        aclTables: services.aclTables.map((t) => withHealth({
            ...t,
            rules: t.rules.map((r) => {
                const drift = health.drift.filter((d) => lastWord(d.type) === "Acl" && d.name === `acl-${r.name}`);
                return drift.length ? { ...r, health: { healthy: false, notes: drift.flatMap((d) => d.problems.map((p) => `! ${p}`)) } } : r;
            }),
        }, of(SERVICE_OBJECT.acls(t.portGroup)))),
        dhcp: services.dhcp.map((d) => withHealth(d, of(SERVICE_OBJECT.dhcp(d.row)))),
        ...(g ? {
            gateway: withHealth({
                ...g,
                joinSwitch: withHealth(g.joinSwitch, of(SERVICE_OBJECT.switch(g.joinSwitch.name))),
                externalSwitch: withHealth(g.externalSwitch, of(SERVICE_OBJECT.switch(g.externalSwitch.name))),
                externalHost: withHealth(g.externalHost, of(SERVICE_OBJECT.externalHost(hostIp(g.externalHost.cidr)))),
            }, of(SERVICE_OBJECT.gateway(g.router))),
        } : {}),
    };
}
