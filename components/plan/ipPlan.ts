// IP plan: per-node subnets carved from the pod CIDR, underlay addresses from
// the host CIDR, and container addresses. Pure (no Pulumi, no I/O).
//
// With the defaults it reproduces the walk-through: node1 10.244.1.0/24 with
// gateway 10.244.1.1 and router MAC 00:00:00:01:01:01, node2 10.244.2.0/24,
// first containers 10.244.1.3 / 02:00:00:00:01:03, underlay 172.16.56.2, .3, ...
import * as ipaddr from "ipaddr.js";
import { ConfigError, ConfigIssue, LabConfig } from "./config";
import { planServices, ServicesPlan } from "./servicesPlan";

export interface NodePlan {
    name: string;
    /** 1-based: node1 is 1. Also the index of its subnet within the pod CIDR. */
    index: number;
    underlayIp: string;
    /** Underlay address with the host network's prefix, e.g. 172.16.56.2/24. */
    underlayCidr: string;
    subnet: string;
    gateway: string;
    /** The router port's address, e.g. 10.244.1.1/24. */
    gatewayCidr: string;
    routerPort: string;
    routerMac: string;
    switchName: string;
    /** The switch's `router`-type port that patches it to the router port. */
    switchRouterPort: string;
    chassis: string;
    isCentral: boolean;
}

export interface ContainerPlan {
    name: string;
    node: string;
    /** Empty: the lab's locally built default image. */
    image: string;
    ip: string;
    /** Address with the prefix the container's eth0 gets (the node subnet's, or the pod CIDR's in single-l2). */
    cidr: string;
    mac: string;
    /** Default route via the node's router port; none in single-l2 (one flat L2). */
    gateway?: string;
    logicalPort: string;
    /** `http`: it also serves HTTP on port 80. */
    serve?: "http";
}

export interface LabPlan {
    config: LabConfig;
    subnetPrefix: number;
    /** How many node subnets the pod CIDR holds (subnet 0 is left unused, as in the walk-through). */
    nodeCapacity: number;
    nodes: NodePlan[];
    containers: ContainerPlan[];
    central: { node: string; ip: string; nbRemote: string; sbRemote: string };
    /** Load balancers and ACLs (servicesPlan.ts). */
    services: ServicesPlan;
}

/** Addresses in a node subnet not given to containers: network, gateway (.1), reserved (.2), broadcast. */
const RESERVED_PER_SUBNET = 4;
/** Index of the first container address within a node subnet (.3, as in the walk-through). */
const FIRST_CONTAINER_OFFSET = 3;

function toInt(address: ipaddr.IPv4): number {
    return address.toByteArray().reduce((acc, b) => acc * 256 + b, 0);
}

function fromInt(value: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

function macFromBytes(bytes: number[]): string {
    return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}

const MAC_PATTERN = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

interface Cidr {
    network: number;
    prefix: number;
    size: number;
}

function parseIpv4Cidr(key: string, text: string, issues: ConfigIssue[]): Cidr | undefined {
    let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
    try {
        parsed = ipaddr.parseCIDR(text);
    } catch {
        issues.push({ key, value: text, problem: "not a valid CIDR", valid: "an IPv4 CIDR such as 10.244.0.0/16" });
        return undefined;
    }
    const [address, prefix] = parsed;
    if (address.kind() !== "ipv4") {
        issues.push({ key, value: text, problem: "IPv6 is not supported (OVN can, ovnlab does not plan it yet)", valid: "an IPv4 CIDR such as 10.244.0.0/16" });
        return undefined;
    }
    if (!ipaddr.IPv4.isValidFourPartDecimal(text.split("/")[0])) {
        issues.push({ key, value: text, problem: "not a dotted-quad IPv4 address", valid: "an IPv4 CIDR such as 10.244.0.0/16" });
        return undefined;
    }
    const size = 2 ** (32 - prefix);
    const raw = toInt(address as ipaddr.IPv4);
    const network = raw - (raw % size);
    if (network !== raw) {
        issues.push({ key, value: text, problem: "host bits are set", valid: `the network address: ${fromInt(network)}/${prefix}` });
        return undefined;
    }
    return { network, prefix, size };
}

/** Smallest prefix whose subnet holds the containers plus the reserved addresses. */
export function subnetPrefixFor(containersPerNode: number): number {
    const needed = containersPerNode + RESERVED_PER_SUBNET;
    return 32 - Math.ceil(Math.log2(needed));
}

export function planLab(config: LabConfig): LabPlan {
    const issues: ConfigIssue[] = [];
    const pod = parseIpv4Cidr("podCidr", config.podCidr, issues);
    const host = parseIpv4Cidr("hostCidr", config.hostCidr, issues);
    if (!pod || !host) throw new ConfigError(issues);

    if (pod.network < host.network + host.size && host.network < pod.network + pod.size) {
        issues.push({ key: "hostCidr", value: config.hostCidr, problem: `overlaps podCidr ${config.podCidr}`, valid: "a network disjoint from podCidr, such as 172.16.56.0/24" });
    }

    const subnetPrefix = subnetPrefixFor(config.containersPerNode);
    const nodeCapacity = subnetPrefix >= pod.prefix ? 2 ** (subnetPrefix - pod.prefix) - 1 : 0;
    // The smallest node subnet, twice (subnet 0 stays unused): a /29 pair, so a pod CIDR of /28 at least.
    const smallestPodPrefix = subnetPrefixFor(1) - 1;
    if (pod.prefix > smallestPodPrefix) {
        issues.push({
            key: "podCidr", value: config.podCidr,
            problem: `too small: node subnets start at a /${smallestPodPrefix + 1} and subnet 0 stays unused`,
            valid: `a /${smallestPodPrefix} or larger, such as 10.244.0.0/16`,
        });
    } else if (nodeCapacity === 0) {
        issues.push({
            key: "containersPerNode", value: config.containersPerNode,
            problem: `${config.containersPerNode} containers need a /${subnetPrefix} per node, which podCidr ${config.podCidr} cannot hold twice`,
            valid: `at most ${2 ** (32 - pod.prefix - 1) - RESERVED_PER_SUBNET} for this podCidr, or a larger podCidr`,
        });
    } else if (config.maxNodes > nodeCapacity) {
        issues.push({
            key: "maxNodes", value: config.maxNodes,
            problem: `podCidr ${config.podCidr} holds ${nodeCapacity} node subnets of /${subnetPrefix} (for ${config.containersPerNode} containers per node), fewer than maxNodes ${config.maxNodes}`,
            valid: `maxNodes <= ${nodeCapacity}, fewer containersPerNode, or a larger podCidr`,
        });
    }
    if (config.nodes.length > config.maxNodes) {
        issues.push({ key: "nodes", value: config.nodes.length, problem: `more nodes than maxNodes ${config.maxNodes}`, valid: `1 to ${config.maxNodes}, or raise maxNodes` });
    }
    // The underlay keeps .1 for the host (VirtualBox's host-only adapter), nodes from .2.
    const hostCapacity = host.size - 3;
    if (config.nodes.length > hostCapacity) {
        issues.push({ key: "hostCidr", value: config.hostCidr, problem: `holds ${Math.max(hostCapacity, 0)} node addresses, fewer than the ${config.nodes.length} nodes`, valid: "a larger host network, e.g. a /24" });
    }
    // The ssh driver's hosts have their underlay addresses already: given ones win, inside hostCidr (its prefix is theirs).
    const givenUnderlay = new Map(config.sshHosts.map((h) => [h.node, h.underlayIp]));
    config.sshHosts.forEach((h, i) => {
        const ip = toInt(ipaddr.IPv4.parse(h.underlayIp));
        if (ip <= host.network || ip >= host.network + host.size - 1) {
            issues.push({ key: `sshHosts[${i}].underlayIp`, value: h.underlayIp, problem: `not a host address of hostCidr ${config.hostCidr}`, valid: "set ovnlab:hostCidr to the hosts' underlay network (its prefix is the addresses')" });
        }
    });
    if (issues.length > 0) throw new ConfigError(issues);

    const subnetSize = 2 ** (32 - subnetPrefix);
    const singleL2 = config.experiment === "single-l2";
    const nodes: NodePlan[] = config.nodes.map((name, i) => {
        const index = i + 1;
        const subnet = pod.network + index * subnetSize;
        const gateway = fromInt(subnet + 1);
        return {
            name,
            index,
            underlayIp: givenUnderlay.get(name) ?? fromInt(host.network + 1 + index),
            underlayCidr: `${givenUnderlay.get(name) ?? fromInt(host.network + 1 + index)}/${host.prefix}`,
            subnet: `${fromInt(subnet)}/${subnetPrefix}`,
            gateway,
            gatewayCidr: `${gateway}/${subnetPrefix}`,
            routerPort: `lr-${name}`,
            routerMac: macFromBytes([0, 0, Math.floor(index / 256), index % 256, 1, 1]),
            switchName: `ls-${name}`,
            switchRouterPort: `ls-${name}-lr`,
            chassis: `${config.labId}-${name}`,
            isCentral: name === config.centralNode,
        };
    });

    const containers = planContainers(config, nodes, pod, subnetSize, singleL2, issues);
    const services = planServices(config, nodes, containers, issues);
    if (issues.length > 0) throw new ConfigError(issues);

    const central = nodes.find((n) => n.isCentral)!;
    return {
        config,
        subnetPrefix,
        nodeCapacity,
        nodes,
        containers,
        central: {
            node: central.name,
            ip: central.underlayIp,
            nbRemote: `${config.dbProtocol}:${central.underlayIp}:6641`,
            sbRemote: `${config.dbProtocol}:${central.underlayIp}:6642`,
        },
        services,
    };
}

function planContainers(
    config: LabConfig,
    nodes: NodePlan[],
    pod: Cidr,
    subnetSize: number,
    singleL2: boolean,
    issues: ConfigIssue[],
): ContainerPlan[] {
    const byName = new Map(nodes.map((n) => [n.name, n]));
    const subnetStart = (node: NodePlan) => pod.network + node.index * subnetSize;
    const usedIps = new Map<number, string>();
    const explicitIps = new Map<number, number>();
    const usedMacs = new Map<string, string>();
    // A router port shares its node's L2 domain with the containers: an explicit MAC must not take its MAC.
    if (!singleL2) for (const n of nodes) usedMacs.set(n.routerMac, n.routerPort);

    // Explicit addresses first, so automatic ones flow around them: adding a
    // container (or an explicit address) never renumbers the containers before it.
    config.containers.forEach((c, i) => {
        if (c.ip === undefined) return;
        const key = `containers[${i}].ip`;
        const node = byName.get(c.node)!;
        const start = subnetStart(node);
        if (!ipaddr.IPv4.isValidFourPartDecimal(c.ip)) {
            issues.push({ key, value: c.ip, problem: "not a dotted-quad IPv4 address", valid: `an address in ${node.subnet}, from ${fromInt(start + FIRST_CONTAINER_OFFSET)}` });
            return;
        }
        const value = toInt(ipaddr.IPv4.parse(c.ip));
        if (value < start + FIRST_CONTAINER_OFFSET || value >= start + subnetSize - 1) {
            const what = value === start + 1 ? `is ${node.name}'s gateway` : value >= start && value < start + subnetSize ? "is reserved (network, gateway, .2 or broadcast)" : `is outside ${node.name}'s subnet ${node.subnet}`;
            issues.push({ key, value: c.ip, problem: what, valid: `${fromInt(start + FIRST_CONTAINER_OFFSET)} to ${fromInt(start + subnetSize - 2)}` });
            return;
        }
        const owner = usedIps.get(value);
        if (owner) {
            issues.push({ key, value: c.ip, problem: `already given to ${owner}`, valid: "a distinct address per container" });
            return;
        }
        usedIps.set(value, c.name);
        explicitIps.set(i, value);
    });

    const nextFree = new Map<string, number>();
    const planned: ContainerPlan[] = [];
    config.containers.forEach((c, i) => {
        const node = byName.get(c.node)!;
        const start = subnetStart(node);
        let ipValue: number;
        if (c.ip !== undefined) {
            const explicit = explicitIps.get(i);
            if (explicit === undefined) return; // its problem is already reported
            ipValue = explicit;
        } else {
            let candidate = nextFree.get(node.name) ?? start + FIRST_CONTAINER_OFFSET;
            while (usedIps.has(candidate)) candidate++;
            if (candidate >= start + subnetSize - 1) {
                issues.push({ key: `containers[${i}]`, value: c.name, problem: `${node.name}'s subnet ${node.subnet} is full`, valid: `at most ${subnetSize - RESERVED_PER_SUBNET} containers per node (raise containersPerNode)` });
                return;
            }
            usedIps.set(candidate, c.name);
            nextFree.set(node.name, candidate + 1);
            ipValue = candidate;
        }
        const offset = ipValue - pod.network;
        let mac = macFromBytes([2, 0, Math.floor(offset / 2 ** 24) % 256, Math.floor(offset / 65536) % 256, Math.floor(offset / 256) % 256, offset % 256]);
        if (c.mac !== undefined) {
            const wanted = c.mac.toLowerCase();
            if (!MAC_PATTERN.test(wanted)) {
                issues.push({ key: `containers[${i}].mac`, value: c.mac, problem: "not a MAC address", valid: "six hex pairs such as 02:00:00:00:01:03" });
                return;
            }
            if (parseInt(wanted.slice(0, 2), 16) % 2 === 1 || wanted === "00:00:00:00:00:00") {
                issues.push({ key: `containers[${i}].mac`, value: c.mac, problem: "multicast or zero MAC", valid: "a unicast MAC (even first octet), e.g. 02:00:00:00:01:03" });
                return;
            }
            mac = wanted;
        }
        const macOwner = usedMacs.get(mac);
        if (macOwner) {
            issues.push({ key: `containers[${i}].mac`, value: mac, problem: `already used by ${macOwner}`, valid: "a distinct MAC per container" });
            return;
        }
        usedMacs.set(mac, c.name);
        const ip = fromInt(ipValue);
        planned.push({
            name: c.name,
            node: c.node,
            image: c.image ?? config.image,
            ip,
            cidr: `${ip}/${singleL2 ? pod.prefix : 32 - Math.log2(subnetSize)}`,
            mac,
            ...(singleL2 ? {} : { gateway: node.gateway }),
            logicalPort: c.name,
            ...(c.serve ? { serve: c.serve } : {}),
        });
    });
    return planned;
}
