// A workload's eth0 on a node's integration bridge: the walk-through's
// `ovs-docker add-port br-int eth0 <c> --ipaddress --gateway --macaddress`
// followed by `ovs-vsctl set interface ... external_ids:iface-id=<port>`.
//
// A veth pair with one end in the node (a port of br-int) and the other in the
// container's network namespace (by its PID) as eth0. Every command goes
// through the node's transport, so the same code plugs a container in a netns
// node here and, over SSH, in a VM; the container side runs under nsenter with
// the node's own ip/ethtool (the image may have neither).
//
// With `dhcp` (ovnlab:dhcp) the plug sets no address, route or MTU in the workload: once
// the port is bound, the workload leases them from OVN's own DHCP (dhcpClient.ts), and the
// lease must be the planned cidr, gateway and MTU. Read is the same either way (the live
// address, route and MTU), so a flushed address is drift that up repairs, by DHCP again.
import * as pulumi from "../kit/pulumiCore";
import { ResourceHandler, OvnlabResource } from "../kit/resource";
import { ethtoolTxOff, inNetnsOfPid, ipAddrAdd, ipLinkSetAddress, ipAddrFlush, ipAddrShow, ipLinkDelete, ipLinkDetails, ipLinkSetAddressAndMtu, ipLinkSetMtu, ipLinkUp, ipRouteDeleteDefault, ipRouteReplaceDefault, ipRouteShowDefault, ipVethAdd, parseDefaultGateway, parseIpv4Cidrs, parseLinkAddress, parseLinkKind } from "../commands/ip";
import { plugInterfaceName, WORKLOAD_INTERFACE } from "../commands/names";
import { ovsVsctl, parseOvsMap, vsAddPort, vsDelPort, vsGetInterfaceExternalIds, vsPortToBridge, vsRemoveIfaceId, vsSetWorkloadIds } from "../commands/ovs";
import { validContainerId, validIpv4, validIpv4Cidr, validMac, validMtu, validName, validPid } from "../plan/validate";
import { alreadyGone, deleteLink, diffSettings, linkExists, ResourceInputs } from "../kit/hostRuntime";
import { runCommand, TransportSpec } from "../transport/transport";
import { leaseByDhcp } from "./dhcpClient";

export interface ContainerPlugArgs {
    /** The node's transport: where its OVS runs. */
    transport: TransportSpec;
    /** The node's Open_vSwitch database (NetnsNode's ovsDb); empty: ovs-vsctl's default. */
    ovsDb?: string;
    /** Default br-int. */
    bridge?: string;
    /** Workload name: recorded as external_ids:container_id (as ovs-docker does) and names the node's veth end. */
    workload: string;
    /** The container (Container's containerId): a new container needs a new plug. */
    containerId: string;
    /** Host PID of the container (Container's pid): its network namespace gets eth0. */
    containerPid: number;
    mac: string;
    /** eth0's address with prefix, e.g. 10.244.1.3/24. */
    cidr: string;
    /** Default route via this address; empty or unset: none (single-l2). */
    gateway?: string;
    /** Default 1442: 1500 less Geneve's 58 bytes (recipe pitfall 3). */
    mtu?: number;
    /** OVN logical switch port bound to this interface (external_ids:iface-id); empty or unset: none (single-l2). */
    ifaceId?: string;
    /** Address, default route and MTU by DHCP from OVN (needs ifaceId) instead of set here; default false. */
    dhcp?: boolean;
}

export type ContainerPlugSettings = Required<ContainerPlugArgs>;

/** `dhcp` optional: state written before ovnlab:dhcp has none (and diffs clean: it reads as false). */
export interface ContainerPlugOutputs extends Omit<ContainerPlugSettings, "dhcp"> {
    dhcp?: boolean;
    /** The node's end of the veth: the br-int port. */
    portName: string;
}

function plugSettings(args: ContainerPlugArgs): ContainerPlugSettings {
    return {
        transport: args.transport,
        ovsDb: args.ovsDb ?? "",
        bridge: args.bridge ?? "br-int",
        workload: args.workload,
        containerId: args.containerId,
        containerPid: args.containerPid,
        mac: args.mac,
        cidr: args.cidr,
        gateway: args.gateway ?? "",
        mtu: args.mtu ?? 1442,
        ifaceId: args.ifaceId ?? "",
        dhcp: args.dhcp ?? false,
    };
}

function validatePlug(s: ContainerPlugSettings): void {
    validName("workload name", s.workload);
    validContainerId(s.containerId);
    validPid(s.containerPid);
    validMac(s.mac);
    validIpv4Cidr(s.cidr);
    validMtu(s.mtu);
    if (s.gateway) validIpv4(s.gateway);
    if (s.ifaceId) validName("logical port", s.ifaceId);
    if (typeof s.dhcp !== "boolean") throw new Error(`invalid dhcp ${JSON.stringify(s.dhcp)}: true or false`);
    if (s.dhcp && !s.ifaceId) throw new Error(`workload ${s.workload}: DHCP comes from OVN, so the plug needs its logical port (ifaceId)`);
}

/** The walk-through's `--ipaddress --gateway`: eth0's address and default route set by the plug. */
async function addressStatically(s: ContainerPlugSettings): Promise<void> {
    await inWorkload(s, ipLinkSetAddressAndMtu(WORKLOAD_INTERFACE, s.mac, s.mtu));
    const addresses = parseIpv4Cidrs((await inWorkload(s, ipAddrShow(WORKLOAD_INTERFACE))).stdout);
    if (addresses.length !== 1 || addresses[0] !== s.cidr) {
        await inWorkload(s, ipAddrFlush(WORKLOAD_INTERFACE));
        await inWorkload(s, ipAddrAdd(s.cidr, WORKLOAD_INTERFACE));
    }
    await inWorkload(s, ipLinkUp(WORKLOAD_INTERFACE));
    if (s.gateway) {
        await inWorkload(s, ipRouteReplaceDefault(s.gateway, WORKLOAD_INTERFACE));
    } else if (parseDefaultGateway((await inWorkload(s, ipRouteShowDefault())).stdout) !== undefined) {
        await inWorkload(s, ipRouteDeleteDefault());
    }
}

/** Runs through the node's transport, in the container's network namespace. */
function inWorkload(s: ContainerPlugSettings, argv: string[], allowFailure = false) {
    return runCommand(s.transport, inNetnsOfPid(s.containerPid, argv), { allowFailure });
}

async function convergePlug(s: ContainerPlugSettings): Promise<ContainerPlugOutputs> {
    validatePlug(s);
    const port = plugInterfaceName(s.workload);
    const node = s.transport;
    const vsctl = (commands: string[][]) => runCommand(node, ovsVsctl(s.ovsDb, commands));

    const nodeEnd = await linkExists(node, port);
    const workload = await inWorkload(s, ipLinkDetails(WORKLOAD_INTERFACE), true);
    const workloadEnd = workload.code === 0;
    if (workloadEnd && !nodeEnd) {
        // A container run with --network none has no eth0 but ovnlab's. A veth one whose node end is not in
        // the node is left from an older node namespace (which can linger for minutes): replace it.
        if (parseLinkKind(workload.stdout) !== "veth") throw new Error(`container ${s.workload} already has an ${WORKLOAD_INTERFACE} that ovnlab did not make`);
        await inWorkload(s, ipLinkDelete(WORKLOAD_INTERFACE));
    }
    if (nodeEnd && !workloadEnd) await deleteLink(node, port); // its peer went elsewhere: start again
    if (!nodeEnd || !workloadEnd) {
        // A port row left from a removed container holds the old device open in the userspace
        // datapath, and a del+add in one transaction keeps it: drop the row on its own first.
        await vsctl([vsDelPort(s.bridge, port)]);
        // With DHCP the workload's end keeps the kernel's MTU until the lease sets it.
        await runCommand(node, ipVethAdd({ name: port, peerName: WORKLOAD_INTERFACE, peerNamespace: { pid: s.containerPid }, mtu: s.dhcp ? undefined : s.mtu, peerMac: s.mac }));
    }

    if (s.dhcp) {
        await inWorkload(s, ipLinkSetAddress(WORKLOAD_INTERFACE, s.mac));
        await inWorkload(s, ipLinkUp(WORKLOAD_INTERFACE));
    } else {
        await addressStatically(s);
    }
    await inWorkload(s, ethtoolTxOff(WORKLOAD_INTERFACE));

    await runCommand(node, ipLinkSetMtu(port, s.mtu));
    await runCommand(node, ipLinkUp(port));
    const ids = { containerId: s.workload, containerIface: WORKLOAD_INTERFACE, ...(s.ifaceId ? { ifaceId: s.ifaceId } : {}) };
    await vsctl([vsAddPort(s.bridge, port), vsSetWorkloadIds(port, ids), ...(s.ifaceId ? [] : [vsRemoveIfaceId(port)])]);
    // Bound now: OVN answers the port's DHCP as soon as ovn-controller has installed its flows.
    if (s.dhcp) await leaseByDhcp({ ...s, device: WORKLOAD_INTERFACE });
    return { ...s, portName: port };
}

/** The plug as it is now, or undefined when its port, its veth or its container is gone. */
async function readPlug(s: ContainerPlugSettings): Promise<ContainerPlugOutputs | undefined> {
    const port = plugInterfaceName(s.workload);
    const bridge = await runCommand(s.transport, ovsVsctl(s.ovsDb, [vsPortToBridge(port)]), { allowFailure: true });
    if (bridge.code !== 0 || bridge.stdout.trim() !== s.bridge) return undefined;
    // The database keeps the port across a node namespace re-created by hand; the veth end does not.
    if (!(await linkExists(s.transport, port))) return undefined;
    const link = await inWorkload(s, ipAddrShow(WORKLOAD_INTERFACE), true);
    if (link.code !== 0) return undefined;
    const ids = parseOvsMap((await runCommand(s.transport, ovsVsctl(s.ovsDb, [vsGetInterfaceExternalIds(port)]))).stdout);
    const { mac, mtu } = parseLinkAddress(link.stdout);
    const gateway = parseDefaultGateway((await inWorkload(s, ipRouteShowDefault())).stdout);
    return {
        ...s,
        mac: mac ?? "",
        mtu: mtu ?? 0,
        cidr: parseIpv4Cidrs(link.stdout).join(","),
        gateway: gateway ?? "",
        ifaceId: ids["iface-id"] ?? "",
        portName: port,
    };
}

export const containerPlugProvider: ResourceHandler<ContainerPlugArgs, ContainerPlugOutputs> = {
    async create(inputs) {
        const outs = await convergePlug(plugSettings(inputs));
        return { id: `${outs.containerId.slice(0, 12)}/${outs.portName}`, outs };
    },

    async diff(_id, olds, news) {
        return diffSettings(
            plugSettings(olds), plugSettings(news),
            ["transport", "ovsDb", "bridge", "workload", "containerId", "containerPid"], ["mac", "cidr", "gateway", "mtu", "ifaceId", "dhcp"],
        );
    },

    async update(_id, _olds, news) {
        return { outs: await convergePlug(plugSettings(news)) };
    },

    async read(id, props) {
        if (!props) return {};
        const live = await readPlug(plugSettings(props));
        return live ? { id, props: live } : {};
    },

    async delete(_id, props) {
        const s = plugSettings(props);
        const port = plugInterfaceName(s.workload);
        // The node (namespace, database) may be gone already, taking the port with it.
        const result = await runCommand(s.transport, ovsVsctl(s.ovsDb, [vsDelPort(s.bridge, port)], { noWait: true }), { allowFailure: true });
        if (result.code !== 0 && !alreadyGone(result.stderr)) throw new Error(`removing port ${port} from ${s.bridge} failed: ${result.stderr.trim()}`);
        await deleteLink(s.transport, port);
    },
};

export class ContainerPlug extends OvnlabResource {
    declare readonly portName: pulumi.Output<string>;
    declare readonly mac: pulumi.Output<string>;
    declare readonly cidr: pulumi.Output<string>;

    constructor(name: string, args: ResourceInputs<ContainerPlugArgs>, opts?: pulumi.CustomResourceOptions) {
        super("ovs", "ContainerPlug", name, { portName: undefined, ...args }, opts);
    }
}
