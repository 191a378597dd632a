// The OVN services a lab may add beyond the walk-through's topology, as the
// user writes them: `ovnlab:loadBalancers` (a VIP spread over containers) and
// `ovnlab:acls` (a firewall rule list in front of containers), checked field by
// field, every problem reported. Pure: no Pulumi, no I/O. Addresses against
// the IP plan (a VIP outside the lab's networks) are checked in servicesPlan.ts.
import { asArray, ContainerSpec, isValidName, NAME_RULE, Raw } from "./configKeys";
import type { Flag } from "./containersConfig";
import { isIpv4 } from "./validate";

export const LB_PROTOCOLS = ["tcp", "udp"] as const;
export const ACL_PROTOCOLS = ["ip", "icmp", "tcp", "udp"] as const;
export const ACL_ACTIONS = ["allow", "drop", "reject"] as const;
/** What a container may serve besides being a client: `http`, busybox httpd on port 80 answering its own name. */
export const SERVES = ["http"] as const;

export type LbProtocol = (typeof LB_PROTOCOLS)[number];
export type AclProtocol = (typeof ACL_PROTOCOLS)[number];
export type AclAction = (typeof ACL_ACTIONS)[number];

/** One VIP: `vip:port` spread over the backends (container names) on `backendPort`. */
export interface LoadBalancerSpec {
    name: string;
    vip: string;
    port: number;
    protocol: LbProtocol;
    backends: string[];
    backendPort: number;
}

/** One rule in front of a container, in list order: the first that matches decides. */
export interface AclSpec {
    /** The rule's name (its resource); default `<to>-<n>`, the n-th rule in front of that container. */
    name: string;
    /** The container the rule protects (traffic to it). */
    to: string;
    /** A container, a node (its switch's subnet), or "any". */
    from: string;
    protocol: AclProtocol;
    /** tcp/udp only: the destination port; unset: any port. */
    port?: number;
    action: AclAction;
    /** OVN priority; default from the list order (2000, 1990, ...). */
    priority: number;
}

export interface ServicesConfig {
    loadBalancers: LoadBalancerSpec[];
    acls: AclSpec[];
}

const LB_FIELDS = ["name", "vip", "port", "protocol", "backends", "backendPort"];
const ACL_FIELDS = ["name", "to", "from", "protocol", "port", "action", "priority"];
const LB_SHAPE = "{name, vip, port, protocol?: tcp|udp, backends: [container, ...], backendPort?}";
const ACL_SHAPE = "{to: container, from?: container|node|any, protocol?: ip|icmp|tcp|udp, port?, action: allow|drop|reject, name?, priority?}";
/** Rules are spaced so a hand-made ACL fits between two of ovnlab's. */
export const FIRST_ACL_PRIORITY = 2000;
export const ACL_PRIORITY_STEP = 10;

function port(value: unknown): number | undefined {
    const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    return typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/** The entries of a list key, each an object, or nothing (after flagging what is wrong). */
function entries(key: string, value: unknown, shape: string, flag: Flag): Raw[] {
    if (value === undefined) return [];
    const list = asArray(value);
    if (list === undefined) {
        flag(key, value, "not a list", `a list of ${shape}`);
        return [];
    }
    return list.flatMap((entry, i) => {
        if (typeof entry === "object" && entry !== null && !Array.isArray(entry)) return [entry as Raw];
        flag(`${key}[${i}]`, entry, "not an object", shape);
        return [];
    });
}

function unknownFields(key: string, entry: Raw, fields: string[], flag: Flag): void {
    for (const field of Object.keys(entry)) {
        if (!fields.includes(field)) flag(`${key}.${field}`, entry[field], "unknown field", fields.join(", "));
    }
}

export function validateLoadBalancers(value: unknown, containers: ContainerSpec[], flag: Flag): LoadBalancerSpec[] {
    const names = new Set(containers.map((c) => c.name));
    const seen = new Set<string>();
    const result: LoadBalancerSpec[] = [];
    entries("loadBalancers", value, LB_SHAPE, flag).forEach((e, i) => {
        const key = `loadBalancers[${i}]`;
        unknownFields(key, e, LB_FIELDS, flag);
        let ok = true;
        const bad = (field: string, problem: string, valid: string, value = e[field]) => { flag(`${key}.${field}`, value, problem, valid); ok = false; };
        if (!isValidName(e.name)) bad("name", "not a valid name", NAME_RULE);
        else if (seen.has(e.name)) bad("name", "duplicate load balancer name", "names unique across loadBalancers");
        else seen.add(e.name);
        if (!isIpv4(e.vip)) bad("vip", "not an IPv4 address", "a dotted quad outside the lab's networks, such as 10.96.0.10");
        const vipPort = port(e.port);
        if (vipPort === undefined) bad("port", "not a port", "an integer from 1 to 65535, e.g. 80");
        const backendPort = e.backendPort === undefined ? vipPort : port(e.backendPort);
        if (e.backendPort !== undefined && backendPort === undefined) bad("backendPort", "not a port", "an integer from 1 to 65535 (default: port)");
        const protocol = e.protocol ?? "tcp";
        if (!(LB_PROTOCOLS as readonly unknown[]).includes(protocol)) bad("protocol", "not a known value", LB_PROTOCOLS.join(" | "));
        const backends = asArray(e.backends);
        if (!backends || backends.length === 0) bad("backends", "not a non-empty list", "container names, e.g. [nginx1, nginx2]");
        else {
            backends.forEach((b, j) => {
                if (typeof b !== "string" || !names.has(b)) bad(`backends[${j}]`, "not one of the lab's containers", [...names].join(" | ") || "(no containers)", b);
            });
            if (new Set(backends).size !== backends.length) bad("backends", "a backend is listed twice", "each container once");
        }
        if (ok) {
            result.push({ name: e.name as string, vip: e.vip as string, port: vipPort!, protocol: protocol as LbProtocol, backends: backends as string[], backendPort: backendPort! });
        }
    });
    const vips = new Map<string, string>();
    for (const lb of result) {
        const at = `${lb.protocol}:${lb.vip}:${lb.port}`;
        const other = vips.get(at);
        if (other) flag("loadBalancers", lb.name, `VIP ${lb.vip}:${lb.port}/${lb.protocol} is also ${other}'s`, "one load balancer per VIP, port and protocol");
        vips.set(at, lb.name);
    }
    return result;
}

export function validateAcls(value: unknown, containers: ContainerSpec[], nodes: string[], flag: Flag): AclSpec[] {
    const names = new Set(containers.map((c) => c.name));
    const perTarget = new Map<string, number>();
    const seen = new Set<string>();
    const result: AclSpec[] = [];
    entries("acls", value, ACL_SHAPE, flag).forEach((e, i) => {
        const key = `acls[${i}]`;
        unknownFields(key, e, ACL_FIELDS, flag);
        let ok = true;
        const bad = (field: string, problem: string, valid: string) => { flag(`${key}.${field}`, e[field], problem, valid); ok = false; };
        if (typeof e.to !== "string" || !names.has(e.to)) bad("to", "not one of the lab's containers", [...names].join(" | ") || "(no containers)");
        const from = e.from ?? "any";
        if (typeof from !== "string" || !(from === "any" || names.has(from) || nodes.includes(from))) {
            bad("from", "not a container, a node or any", ["any", ...nodes, ...names].join(" | "));
        }
        const protocol = e.protocol ?? "ip";
        if (!(ACL_PROTOCOLS as readonly unknown[]).includes(protocol)) bad("protocol", "not a known value", ACL_PROTOCOLS.join(" | "));
        const dport = e.port === undefined ? undefined : port(e.port);
        if (e.port !== undefined && dport === undefined) bad("port", "not a port", "an integer from 1 to 65535");
        if (e.port !== undefined && protocol !== "tcp" && protocol !== "udp") bad("port", "a port needs protocol tcp or udp", "protocol: tcp (or udp) with the port");
        if (!(ACL_ACTIONS as readonly unknown[]).includes(e.action)) bad("action", "not a known value", ACL_ACTIONS.join(" | "));
        const index = (typeof e.to === "string" ? perTarget.get(e.to) ?? 0 : 0) + 1;
        if (typeof e.to === "string") perTarget.set(e.to, index);
        const name = e.name ?? (typeof e.to === "string" ? `${e.to}-${index}` : undefined);
        if (!isValidName(name)) bad("name", "not a valid name", NAME_RULE);
        else if (seen.has(name)) bad("name", "duplicate rule name", "names unique across acls");
        else seen.add(name);
        const defaultPriority = FIRST_ACL_PRIORITY - i * ACL_PRIORITY_STEP;
        const priority = e.priority === undefined ? defaultPriority : typeof e.priority === "number" ? e.priority : Number.NaN;
        if (!Number.isInteger(priority) || priority < 1 || priority > 32767) bad("priority", "not an OVN ACL priority", "an integer from 1 to 32767 (default: by list order from 2000 down)");
        if (ok) {
            result.push({
                name: name as string, to: e.to as string, from: from as string, protocol: protocol as AclProtocol,
                ...(dport !== undefined ? { port: dport } : {}), action: e.action as AclAction, priority,
            });
        }
    });
    return result;
}

/** Both service lists; problems go to `flag` with the others of the configuration. */
export function validateServices(raw: Raw, containers: ContainerSpec[], nodes: string[], flag: Flag): ServicesConfig {
    return {
        loadBalancers: validateLoadBalancers(raw.loadBalancers, containers, flag),
        acls: validateAcls(raw.acls, containers, nodes, flag),
    };
}
