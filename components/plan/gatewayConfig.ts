// The `ovnlab:gateway` key (Pulumi.gateway.yaml): a gateway router on one node's
// chassis with SNAT to an external network the lab provides itself. Validation
// (every problem at once, through validateConfig's flag) and the plan of its
// addresses and names. Pure: no Pulumi, no I/O.
//
// The plan, with the defaults and node1 as the gateway:
//   join network 100.64.0.0/16   lr0-join 100.64.0.1 (on lr0)   gw0-join 100.64.0.2 (on gw0)
//   external     192.168.100.0/24  gw0-ext 192.168.100.2 (the SNAT address)  the external host 192.168.100.100
//   lr0: 0.0.0.0/0 via 100.64.0.2;  gw0: <podCidr> via 100.64.0.1;  gw0: snat <podCidr> -> 192.168.100.2
// The join network is the one ovn-kubernetes uses (100.64.0.0/16, shared address space): it must not
// overlap the pod, host or external networks.
import * as ipaddr from "ipaddr.js";
import { isValidName, Raw } from "./configKeys";
import type { Flag } from "./containersConfig";

/** What the user wrote under `ovnlab:gateway`, checked and defaulted. */
export interface GatewayConfig {
    /** The node whose chassis hosts the gateway router (and, with the netns driver, the external network). */
    node: string;
    /** The external network, e.g. 192.168.100.0/24: the gateway's address is .2, the external host's .100. */
    externalCidr: string;
    /** The transit network between lr0 and the gateway router (default 100.64.0.0/16). */
    joinCidr: string;
    /** The physical network name of the localnet port, mapped to the node's br-ext (default physnet). */
    physnet: string;
}

export const GATEWAY_DEFAULTS = { joinCidr: "100.64.0.0/16", physnet: "physnet" };
export const GATEWAY_ROUTER = "gw0";
const FIELDS = ["node", "externalCidr", "joinCidr", "physnet"];
const PHYSNET = /^[a-z][a-z0-9]{0,14}$/;
/** The external host takes .100 (as a walk-through would pick it) when the network holds it, else the last address. */
const EXTERNAL_HOST_OFFSET = 100;

interface Network { network: number; prefix: number; size: number }

const toInt = (a: ipaddr.IPv4) => a.toByteArray().reduce((acc, b) => acc * 256 + b, 0);
const fromInt = (v: number) => [24, 16, 8, 0].map((s) => Math.floor(v / 2 ** s) % 256).join(".");

/** A network address with its prefix (no host bits), or undefined. */
function parseNetwork(text: unknown): Network | undefined {
    if (typeof text !== "string" || !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(text)) return undefined;
    try {
        const [address, prefix] = ipaddr.IPv4.parseCIDR(text);
        if (!ipaddr.IPv4.isValidFourPartDecimal(text.split("/")[0])) return undefined;
        const size = 2 ** (32 - prefix);
        const raw = toInt(address);
        return raw % size === 0 ? { network: raw, prefix, size } : undefined;
    } catch {
        return undefined;
    }
}

const overlaps = (a: Network, b: Network) => a.network < b.network + b.size && b.network < a.network + a.size;

export interface GatewayContext {
    nodes: string[];
    podCidr: string;
    hostCidr: string;
    experiment: string;
    routerName: string;
}

/** Checks `ovnlab:gateway`; undefined when unset (no gateway) or invalid (its problems flagged). */
export function validateGateway(value: unknown, ctx: GatewayContext, report: Flag): GatewayConfig | undefined {
    if (value === undefined) return undefined;
    let problems = 0;
    const flag: Flag = (...issue) => { problems++; report(...issue); };
    const key = "gateway";
    const given = asObject(value);
    if (given === undefined) {
        flag(key, value, "not an object", "{node, externalCidr, joinCidr?, physnet?}, e.g. {node: node1, externalCidr: 192.168.100.0/24}");
        return undefined;
    }
    const g: Raw = given;
    for (const field of Object.keys(g)) {
        if (!FIELDS.includes(field)) flag(`${key}.${field}`, g[field], "unknown field", FIELDS.join(", "));
    }
    if (ctx.experiment !== "multi-l2") flag(key, value, "a gateway router needs OVN", "experiment multi-l2 (or leave gateway unset)");
    if (ctx.routerName === GATEWAY_ROUTER) flag("routerName", ctx.routerName, `is the gateway router's name`, `a name other than ${GATEWAY_ROUTER}`);
    if (!isValidName(g.node) || !ctx.nodes.includes(g.node)) {
        flag(`${key}.node`, g.node, g.node === undefined ? "required" : "not one of the lab's nodes", ctx.nodes.join(" | "));
    }
    const physnet = g.physnet ?? GATEWAY_DEFAULTS.physnet;
    if (typeof physnet !== "string" || !PHYSNET.test(physnet)) {
        flag(`${key}.physnet`, g.physnet, "not a valid physical network name", "1-15 of a-z and 0-9, starting with a letter, e.g. physnet");
    }
    const others: [string, string][] = [["podCidr", ctx.podCidr], ["hostCidr", ctx.hostCidr]];
    const network = (field: string, text: unknown, minPrefix: number, maxPrefix: number, example: string): Network | undefined => {
        const n = parseNetwork(text);
        const valid = `an IPv4 network address with a /${minPrefix} to /${maxPrefix} prefix, e.g. ${example}`;
        if (!n) {
            flag(`${key}.${field}`, text, text === undefined ? "required" : "not an IPv4 network address/prefix (host bits clear)", valid);
            return undefined;
        }
        if (n.prefix < minPrefix || n.prefix > maxPrefix) {
            flag(`${key}.${field}`, text, `a /${n.prefix}`, valid);
            return undefined;
        }
        for (const [name, cidr] of others) {
            const other = parseNetwork(cidr);
            if (other && overlaps(n, other)) flag(`${key}.${field}`, text, `overlaps ${name} ${cidr}`, `a network disjoint from ${others.map(([, c]) => c).join(" and ")}`);
        }
        return n;
    };
    const external = network("externalCidr", g.externalCidr, 16, 29, "192.168.100.0/24");
    const join = network("joinCidr", g.joinCidr ?? GATEWAY_DEFAULTS.joinCidr, 16, 30, GATEWAY_DEFAULTS.joinCidr);
    if (external && join && overlaps(external, join)) {
        flag(`${key}.joinCidr`, g.joinCidr ?? GATEWAY_DEFAULTS.joinCidr, `overlaps externalCidr ${String(g.externalCidr)}`, "a network disjoint from externalCidr, e.g. 100.64.0.0/16");
    }
    if (problems > 0) return undefined;
    return { node: g.node as string, externalCidr: g.externalCidr as string, joinCidr: (g.joinCidr as string | undefined) ?? GATEWAY_DEFAULTS.joinCidr, physnet: physnet as string };
}

/** An object as Pulumi hands structured config over: an object, or its JSON text. */
function asObject(value: unknown): Raw | undefined {
    let v = value;
    if (typeof v === "string") {
        try {
            v = JSON.parse(v);
        } catch {
            return undefined;
        }
    }
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Raw) : undefined;
}

/** One router port of the gateway topology: its router, name, MAC and address/prefix. */
export interface GatewayPort { router: string; name: string; mac: string; cidr: string; ip: string; switchPort: string }

/** Every name and address of the gateway topology, as the lab builds it. */
export interface GatewayPlan {
    config: GatewayConfig;
    router: string;
    /** The chassis the gateway router is pinned to (options:chassis), the gateway node's. */
    chassis: string;
    joinSwitch: string;
    externalSwitch: string;
    /** lr0's port on the join switch, gw0's port on it, and gw0's port on the external switch. */
    lrJoin: GatewayPort;
    gwJoin: GatewayPort;
    gwExternal: GatewayPort;
    /** The external switch's localnet port (options network_name=<physnet>). */
    localnetPort: string;
    /** The SNAT address: gw0's external address. */
    snatIp: string;
    /** Which sources are SNATed: the pod network. */
    snatLogicalIp: string;
    externalHost: { ip: string; cidr: string };
    routes: { router: string; name: string; prefix: string; nexthop: string }[];
}

/** Router port MACs: 0a:58 and the address's four bytes (locally administered, unicast, as ovn-kubernetes does). */
function macOf(ip: number): string {
    return ["0a", "58", ...fromInt(ip).split(".").map((b) => Number(b).toString(16).padStart(2, "0"))].join(":");
}

/** The plan of a validated gateway; `chassis` is the gateway node's chassis name (the IP plan's NodePlan.chassis). */
export function planGateway(g: GatewayConfig, lab: { chassis: string; podCidr: string; routerName: string }): GatewayPlan {
    const join = parseNetwork(g.joinCidr)!;
    const external = parseNetwork(g.externalCidr)!;
    const port = (router: string, name: string, switchName: string, net: Network, offset: number): GatewayPort => ({
        router, name, mac: macOf(net.network + offset), ip: fromInt(net.network + offset), cidr: `${fromInt(net.network + offset)}/${net.prefix}`,
        switchPort: `${switchName}-${router}`,
    });
    const lrJoin = port(lab.routerName, `${lab.routerName}-join`, "ls-join", join, 1);
    const gwJoin = port(GATEWAY_ROUTER, `${GATEWAY_ROUTER}-join`, "ls-join", join, 2);
    const gwExternal = port(GATEWAY_ROUTER, `${GATEWAY_ROUTER}-ext`, "ls-ext", external, 2);
    const hostOffset = external.size > EXTERNAL_HOST_OFFSET + 1 ? EXTERNAL_HOST_OFFSET : external.size - 2;
    const hostIp = fromInt(external.network + hostOffset);
    return {
        config: g,
        router: GATEWAY_ROUTER,
        chassis: lab.chassis,
        joinSwitch: "ls-join",
        externalSwitch: "ls-ext",
        lrJoin, gwJoin, gwExternal,
        localnetPort: "ls-ext-localnet",
        snatIp: gwExternal.ip,
        snatLogicalIp: lab.podCidr,
        externalHost: { ip: hostIp, cidr: `${hostIp}/${external.prefix}` },
        routes: [
            { router: lab.routerName, name: `${lab.routerName}-default`, prefix: "0.0.0.0/0", nexthop: gwJoin.ip },
            { router: GATEWAY_ROUTER, name: `${GATEWAY_ROUTER}-pods`, prefix: lab.podCidr, nexthop: lrJoin.ip },
        ],
    };
}
