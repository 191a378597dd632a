// A libvirt lab's two networks, made by ovnlab before `vagrant up` and told to
// vagrant-libvirt by name (which then uses them and, with always_destroy off,
// never removes them): the management network (DHCP; Vagrant's SSH) and the
// underlay on hostCidr (the walk-through's host-only network, the host at .1).
// Both are isolated (no NAT: the guests have no way out) and have bridges
// named after the lab. Guest-to-guest frames on the underlay bridge pass the
// FORWARD hook when bridge-nf-call-iptables=1, whose policy dockerd sets to
// DROP: an ACCEPT rule for the bridge, as the netns lab's underlay has,
// removed with the networks.
import * as ipaddr from "ipaddr.js";
import * as pulumi from "../../kit/pulumiCore";
import { ResourceHandler, OvnlabResource } from "../../kit/resource";
import { diffSettings, ResourceInputs } from "../../kit/hostRuntime";
import { runCommand, TransportSpec } from "../../transport/transport";
import { ForwardChain, iptablesChainExists, iptablesCheckUnderlayRule, iptablesDeleteUnderlayRule, iptablesInsertUnderlayRule } from "../../commands/ip";
import { parseNetInfo, virshNetDefine, virshNetDestroy, virshNetInfo, virshNetStart, virshNetUndefine } from "../../commands/virsh";
import { validInterface, validIpv4Cidr, validLabId, validName, validPath } from "../../plan/validate";

const HOST: TransportSpec = { kind: "local" };

export interface LibvirtNetwork {
    name: string;
    bridge: string;
    cidr: string;
    /** DHCP over the addresses after the host's (the management network). */
    dhcp: boolean;
}

/** The lab's networks, named so labs never share one: ovnlab-<labId>-mgmt (<labId>_lvm) and ovnlab-<labId>-underlay (<labId>_lvu). */
export function libvirtNetworks(labId: string, managementCidr: string, hostCidr: string): { management: LibvirtNetwork; underlay: LibvirtNetwork } {
    const lab = validLabId(labId);
    return {
        management: { name: `ovnlab-${lab}-mgmt`, bridge: `${lab}_lvm`, cidr: validIpv4Cidr(managementCidr), dhcp: true },
        underlay: { name: `ovnlab-${lab}-underlay`, bridge: `${lab}_lvu`, cidr: validIpv4Cidr(hostCidr), dhcp: false },
    };
}

function addresses(cidr: string): { host: string; netmask: string; first: string; last: string } {
    const [network, prefix] = ipaddr.IPv4.parseCIDR(cidr);
    const base = network.toByteArray().reduce((n, b) => n * 256 + b, 0);
    const size = 2 ** (32 - prefix);
    const at = (n: number) => new ipaddr.IPv4([24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256)).toString();
    return { host: at(base + 1), netmask: ipaddr.IPv4.subnetMaskFromPrefixLength(prefix).toString(), first: at(base + 2), last: at(base + size - 2) };
}

/** libvirt's network XML: isolated (no <forward>), no DNS, STP off, the host at the first address. */
export function renderNetworkXml(net: LibvirtNetwork): string {
    const a = addresses(net.cidr);
    return [
        `<network>`,
        `  <name>${validName("libvirt network", net.name)}</name>`,
        `  <bridge name='${validInterface(net.bridge)}' stp='off' delay='0'/>`,
        `  <dns enable='no'/>`,
        `  <ip address='${a.host}' netmask='${a.netmask}'>`,
        ...(net.dhcp ? [`    <dhcp>`, `      <range start='${a.first}' end='${a.last}'/>`, `    </dhcp>`] : []),
        `  </ip>`,
        `</network>`,
        ``,
    ].join("\n");
}

export interface LibvirtNetworksArgs {
    labId: string;
    /** Where the networks' XML is written for `virsh net-define` (the Vagrant project's directory). */
    dir: string;
    managementCidr: string;
    hostCidr: string;
}

export interface LibvirtNetworksOutputs extends LibvirtNetworksArgs {
    networks: string[];
    /** Where the underlay's ACCEPT rule went: DOCKER-USER when dockerd made one, else FORWARD. */
    chain: ForwardChain;
    problems: string[];
}

const networksOf = (args: LibvirtNetworksArgs) => {
    const { management, underlay } = libvirtNetworks(args.labId, args.managementCidr, args.hostCidr);
    return [management, underlay];
};

async function netInfo(name: string): Promise<{ active: boolean; bridge: string } | undefined> {
    const info = await runCommand(HOST, virshNetInfo(name), { allowFailure: true });
    return info.code === 0 ? parseNetInfo(info.stdout) : undefined;
}

async function ruleExists(chain: ForwardChain, bridge: string, labId: string): Promise<boolean> {
    return (await runCommand(HOST, iptablesCheckUnderlayRule(chain, bridge, labId), { allowFailure: true })).code === 0;
}

async function converge(args: LibvirtNetworksArgs): Promise<LibvirtNetworksOutputs> {
    const fs: typeof import("fs") = require("fs");
    const dir = validPath("Vagrant project directory", args.dir);
    fs.mkdirSync(dir, { recursive: true });
    const nets = networksOf(args);
    for (const net of nets) {
        let info = await netInfo(net.name);
        if (!info) {
            const file = `${dir}/libvirt-${net.name}.xml`;
            fs.writeFileSync(file, renderNetworkXml(net));
            await runCommand(HOST, virshNetDefine(file));
            info = await netInfo(net.name);
        }
        if (!info) throw new Error(`libvirt network ${net.name} is not defined after virsh net-define`);
        if (info.bridge !== net.bridge) throw new Error(`libvirt network ${net.name} exists with bridge ${info.bridge}, not ${net.bridge}: not this lab's`);
        if (!info.active) await runCommand(HOST, virshNetStart(net.name));
    }
    const underlay = nets[1];
    const dockerUser = await runCommand(HOST, iptablesChainExists("DOCKER-USER"), { allowFailure: true });
    const chain: ForwardChain = dockerUser.code === 0 ? "DOCKER-USER" : "FORWARD";
    if (!(await ruleExists(chain, underlay.bridge, args.labId))) await runCommand(HOST, iptablesInsertUnderlayRule(chain, underlay.bridge, args.labId));
    return { ...args, networks: nets.map((n) => n.name), chain, problems: [] };
}

export const libvirtNetworksProvider: ResourceHandler<LibvirtNetworksArgs, LibvirtNetworksOutputs> = {
    async create(inputs) {
        const outs = await converge(inputs);
        return { id: outs.networks.join(","), outs };
    },

    async diff(_id, olds, news) {
        return diffSettings(olds, news, ["labId", "managementCidr", "hostCidr"], ["dir"]);
    },

    async update(_id, _olds, news) {
        return { outs: await converge(news) };
    },

    async read(id, props) {
        if (!props) return {};
        const nets = networksOf(props);
        const problems: string[] = [];
        let found = 0;
        for (const net of nets) {
            const info = await netInfo(net.name);
            if (info) found++;
            if (!info) problems.push(`libvirt network ${net.name} is gone`);
            else if (!info.active) problems.push(`libvirt network ${net.name} is not active`);
        }
        if (found === 0) return {};
        const chain = props.chain ?? "FORWARD";
        if (!(await ruleExists(chain, nets[1].bridge, props.labId))) problems.push(`no ACCEPT rule for ${nets[1].bridge} in ${chain}`);
        return { id, props: { ...props, networks: nets.map((n) => n.name), chain, problems } };
    },

    async delete(_id, props) {
        const nets = networksOf(props);
        for (const chain of ["DOCKER-USER", "FORWARD"] as ForwardChain[]) {
            for (let copies = 0; copies < 10 && (await ruleExists(chain, nets[1].bridge, props.labId)); copies++) {
                await runCommand(HOST, iptablesDeleteUnderlayRule(chain, nets[1].bridge, props.labId));
            }
        }
        for (const net of nets) {
            const info = await netInfo(net.name);
            if (!info) continue;
            if (info.active) await runCommand(HOST, virshNetDestroy(net.name));
            await runCommand(HOST, virshNetUndefine(net.name));
        }
    },
};

export class LibvirtNetworks extends OvnlabResource {
    declare readonly networks: pulumi.Output<string[]>;
    declare readonly chain: pulumi.Output<string>;
    declare readonly problems: pulumi.Output<string[]>;

    constructor(name: string, args: ResourceInputs<LibvirtNetworksArgs>, opts?: pulumi.CustomResourceOptions) {
        super("vagrant", "LibvirtNetworks", name, { networks: undefined, chain: undefined, problems: undefined, ...args }, opts);
    }
}
