// The services of a lab against its IP plan: each load balancer's VIP and the
// addresses of its backends, each ACL's port group and OVN match, composed from
// checked parts only (container addresses, node subnets, protocol words), so no
// user text ever reaches a match. Pure: no Pulumi, no I/O.
import * as ipaddr from "ipaddr.js";
import type { ConfigIssue, LabConfig } from "./configKeys";
import type { AclSpec, LoadBalancerSpec } from "./servicesConfig";

export interface LoadBalancerPlan extends LoadBalancerSpec {
    /** `vip:port`, the key of the row's vips column. */
    vipKey: string;
    /** Each backend by container name with its `ip:port`. */
    backendAddresses: { name: string; address: string }[];
    /** The switches it is applied on: every node's (the client's switch does the DNAT, whichever node it is on). */
    switches: string[];
}

export interface PortGroupPlan {
    /** The OVN name, as matches refer to it (`@pg_nginx1`: letters, digits and '_'). */
    name: string;
    /** The container the group's rules protect. */
    target: string;
    ports: string[];
}

export interface AclPlan extends AclSpec {
    portGroup: string;
    direction: "to-lport";
    match: string;
    verdict: "allow-related" | "drop" | "reject";
}

export interface ServicesPlan {
    loadBalancers: LoadBalancerPlan[];
    portGroups: PortGroupPlan[];
    acls: AclPlan[];
}

interface PlannedContainer { name: string; node: string; ip: string; logicalPort: string }
interface PlannedNode { name: string; subnet: string; switchName: string }

/** `pg_` and the container's name with '-' as '_' (container names have no '_', so no two collide). */
export const portGroupName = (container: string) => `pg_${container.replace(/-/g, "_")}`;

const VERDICTS = { allow: "allow-related", drop: "drop", reject: "reject" } as const;

/** The OVN match of one rule: to the group's ports, from a container, a node's subnet or anywhere, by protocol and port. */
export function aclMatch(acl: AclSpec, containers: PlannedContainer[], nodes: PlannedNode[]): string {
    const parts = [`outport == @${portGroupName(acl.to)}`, "ip4"];
    const fromContainer = containers.find((c) => c.name === acl.from);
    const fromNode = nodes.find((n) => n.name === acl.from);
    if (fromContainer) parts.push(`ip4.src == ${fromContainer.ip}`);
    else if (fromNode) parts.push(`ip4.src == ${fromNode.subnet}`);
    if (acl.protocol === "icmp") parts.push("icmp4");
    if (acl.protocol === "tcp" || acl.protocol === "udp") {
        parts.push(acl.protocol);
        if (acl.port !== undefined) parts.push(`${acl.protocol}.dst == ${acl.port}`);
    }
    return parts.join(" && ");
}

function inside(address: string, cidr: string): boolean {
    try {
        return ipaddr.IPv4.parse(address).match(ipaddr.IPv4.parseCIDR(cidr));
    } catch {
        return false;
    }
}

export function planServices(config: LabConfig, nodes: PlannedNode[], containers: PlannedContainer[], issues: ConfigIssue[]): ServicesPlan {
    const byName = new Map(containers.map((c) => [c.name, c]));
    const loadBalancers: LoadBalancerPlan[] = [];
    (config.loadBalancers ?? []).forEach((lb, i) => {
        for (const [key, cidr] of [["podCidr", config.podCidr], ["hostCidr", config.hostCidr]] as const) {
            if (inside(lb.vip, cidr)) {
                issues.push({ key: `loadBalancers[${i}].vip`, value: lb.vip, problem: `inside ${key} ${cidr}: a VIP is an address no port has`, valid: "an address outside the lab's networks, such as 10.96.0.10" });
                return;
            }
        }
        const backendAddresses = lb.backends.flatMap((b) => {
            const c = byName.get(b);
            return c ? [{ name: b, address: `${c.ip}:${lb.backendPort}` }] : [];
        });
        loadBalancers.push({ ...lb, vipKey: `${lb.vip}:${lb.port}`, backendAddresses, switches: nodes.map((n) => n.switchName) });
    });

    const acls = config.acls ?? [];
    const targets = [...new Set(acls.map((a) => a.to))];
    const portGroups = targets.flatMap((t) => {
        const c = byName.get(t);
        return c ? [{ name: portGroupName(t), target: t, ports: [c.logicalPort] }] : [];
    });
    const priorities = new Map<string, string>();
    const planned: AclPlan[] = acls.map((a, i) => {
        const match = aclMatch(a, containers, nodes);
        const same = `${a.priority} ${match}`;
        const other = priorities.get(same);
        // OVN keeps one ACL per direction, priority and match: a second would be the same row.
        if (other) issues.push({ key: `acls[${i}]`, value: a.name, problem: `same priority and match as ${other}`, valid: "rules that differ in what they match, or another priority" });
        priorities.set(same, a.name);
        return { ...a, portGroup: portGroupName(a.to), direction: "to-lport" as const, match, verdict: VERDICTS[a.action] };
    });
    return { loadBalancers, portGroups, acls: planned };
}
