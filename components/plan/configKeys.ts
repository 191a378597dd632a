// The configuration's vocabulary: the keys a user may set under `ovnlab:`, their
// types, defaults and patterns, and how problems are reported. Pure: no Pulumi, no I/O.
import type { GatewayConfig } from "./gatewayConfig";
import type { DhcpConfig } from "./dhcpConfig";
import type { AclSpec, LoadBalancerSpec } from "./servicesConfig";
import type { SshHostSpec } from "./sshHostsConfig";
export const DRIVERS = ["netns", "external", "vagrant", "ssh"] as const;
/** Where the vagrant driver runs its nodes: VirtualBox as in the walk-through, libvirt, or Docker containers (CI). */
export const VAGRANT_PROVIDERS = ["virtualbox", "libvirt", "docker"] as const;
export const EXPERIMENTS = ["multi-l2", "single-l2"] as const;
export const ENCAPS = ["geneve", "vxlan"] as const;
export const DATAPATH_TYPES = ["netdev", "system"] as const;
export const DB_PROTOCOLS = ["tcp", "ssl"] as const;

export type Driver = (typeof DRIVERS)[number];
export type Experiment = (typeof EXPERIMENTS)[number];
export type Encap = (typeof ENCAPS)[number];
export type DatapathType = (typeof DATAPATH_TYPES)[number];
export type VagrantProvider = (typeof VAGRANT_PROVIDERS)[number];
export type DbProtocol = (typeof DB_PROTOCOLS)[number];

/** One workload as the user wrote it; ip and mac are planned when omitted. */
export interface ContainerSpec {
    name: string;
    node: string;
    image?: string;
    ip?: string;
    mac?: string;
    /** `http`: the container also serves HTTP on port 80 (busybox httpd answering its name). */
    serve?: "http";
}

/** The validated, defaulted configuration of one lab (one stack). */
export interface LabConfig {
    /** Short id that prefixes every host-level name (namespaces, bridges, veths). */
    labId: string;
    driver: Driver;
    experiment: Experiment;
    nodes: string[];
    centralNode: string;
    containers: ContainerSpec[];
    podCidr: string;
    hostCidr: string;
    containersPerNode: number;
    maxNodes: number;
    encap: Encap;
    datapathType: DatapathType;
    /** How chassis reach the central's databases: tcp, or ssl with certificates from the lab's own CA. */
    dbProtocol: DbProtocol;
    routerName: string;
    bridge: string;
    /** Image for containers that name none; empty means the lab's locally built image. */
    image: string;
    mtu: number;
    /** external driver: the existing northbound database to manage. */
    nbDb: string;
    /** Lab files (databases, pidfiles, logs); relative paths are relative to the project. */
    stateDir: string;
    /** vagrant driver: the Vagrant provider, the box (an image for docker), and each node's CPUs and memory (MiB). */
    vagrantProvider: VagrantProvider;
    vagrantBox: string;
    nodeCpus: number;
    nodeMemory: number;
    /** vagrant driver, libvirt provider: the lab's management network (DHCP; Vagrant's SSH). */
    libvirtManagementCidr: string;
    /** ssh driver: the existing hosts that are the nodes, in node order (empty for the other drivers). */
    sshHosts: SshHostSpec[];
    /** A gateway router with SNAT to an external network (Pulumi.gateway.yaml); none when unset. */
    gateway?: GatewayConfig;
    /** OVN load balancers: a VIP spread over containers (Pulumi.lb.yaml); empty: none. */
    loadBalancers: LoadBalancerSpec[];
    /** ACLs in front of containers, first match wins (Pulumi.acl.yaml); empty: none. */
    acls: AclSpec[];
    /** Workloads configured by OVN's own DHCP (Pulumi.dhcp.yaml); static addresses when unset. */
    dhcp?: DhcpConfig;
}

/** One problem with one key. */
export interface ConfigIssue {
    key: string;
    value: unknown;
    problem: string;
    valid: string;
}

/** All the problems found in a configuration, reported together. */
export class ConfigError extends Error {
    constructor(readonly issues: ConfigIssue[]) {
        super(formatIssues(issues));
        this.name = "ConfigError";
    }
}

export function formatIssues(issues: ConfigIssue[]): string {
    const lines = issues.map(
        (i) => `  - ovnlab:${i.key} = ${describeValue(i.value)}: ${i.problem}; valid: ${i.valid}`,
    );
    return `invalid ovnlab configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${lines.join("\n")}`;
}

function describeValue(value: unknown): string {
    if (value === undefined) return "(unset)";
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Names that reach a shell, OVN or the kernel: lower-case letters, digits and
 * inner hyphens, starting with a letter. Nothing a shell could interpret.
 */
export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$|^[a-z]$/;
export const NAME_RULE = "1-32 characters: lower-case letters, digits and inner '-', starting with a letter";
/** The lab id ends up inside 15-character interface names, so it is short. */
export const LAB_ID_PATTERN = /^[a-z][a-z0-9]{0,7}$/;
export const IMAGE_PATTERN = /^[a-z0-9][a-z0-9._\/-]{0,127}(:[A-Za-z0-9._-]{1,128})?$/;
export const DB_REMOTE_PATTERN = /^(unix:\/[A-Za-z0-9_.\/-]{1,200}|(tcp|ssl):(\d{1,3}\.){3}\d{1,3}:\d{1,5})$/;
export const PATH_PATTERN = /^(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9_.\/-]{1,200}$/;

export const DEFAULTS = {
    driver: "netns" as Driver,
    experiment: "multi-l2" as Experiment,
    nodes: 2,
    centralNode: "node1",
    podCidr: "10.244.0.0/16",
    hostCidr: "172.16.56.0/24",
    containersPerNode: 250,
    maxNodes: 100,
    encap: "geneve" as Encap,
    datapathType: "netdev" as DatapathType,
    dbProtocol: "tcp" as DbProtocol,
    routerName: "lr0",
    bridge: "br-int",
    mtu: 1442,
    containersPerNodeByDefault: 2,
    vagrantProvider: "virtualbox" as VagrantProvider,
    nodeCpus: 2,
    nodeMemory: 2048,
    dhcp: false,
    dhcpLeaseSeconds: 3600,
};

/** Every key this project reads, with its meaning; also the README's table. */
export const CONFIG_KEYS: Record<string, string> = {
    labId: "short id prefixing host-level names (namespaces, bridges); default: the stack name",
    driver: "node driver: netns (default, one Linux host), vagrant (Vagrant machines), ssh (existing hosts, sshHosts) or external (only the logical topology, in an existing NB database)",
    experiment: "multi-l2 (OVN routed, default) or single-l2 (one flat br-int, no OVN)",
    nodes: "number of nodes, named node1..nodeN (default 2; single-l2 needs 1)",
    centralNode: "node that runs the OVN NB/SB databases and northd (default node1)",
    containers: "list of {name, node, image?, ip?, mac?, serve?: http}; default two per node, netsho1..",
    podCidr: "container network carved into one subnet per node (default 10.244.0.0/16)",
    hostCidr: "underlay (host-only) network of the nodes (default 172.16.56.0/24)",
    containersPerNode: "containers a node must hold; sizes each node's subnet (default 250: a /24)",
    maxNodes: "most nodes the pod CIDR must have room for (default 100)",
    encap: "tunnel encapsulation between chassis: geneve (default) or vxlan",
    datapathType: "OVS datapath: netdev (userspace, default) or system (kernel module)",
    dbProtocol: "how chassis reach the NB/SB databases on the central's underlay address: tcp (default) or ssl (certificates from the lab's own CA)",
    routerName: "logical router name (default lr0)",
    bridge: "integration bridge name (default br-int)",
    image: "container image for workloads that name none (default: a locally built busybox image)",
    mtu: "workload MTU (default 1442: 1500 less Geneve's 58 bytes)",
    nbDb: "external driver only: the NB database remote, e.g. unix:/var/run/ovn/ovnnb_db.sock or tcp:172.16.56.2:6641",
    stateDir: "where lab files live (default .lab/<labId>, relative to the project)",
    vagrantProvider: "vagrant driver: virtualbox (default, as in the walk-through), libvirt, or docker (node containers, e.g. in CI)",
    vagrantBox: "vagrant driver: the box (default bento/ubuntu-22.04; for libvirt ovnlab/bookworm-libvirt-1, built by scripts/vagrant-libvirt-box.sh) or, for docker, the node image (default ovnlab/vagrant-node, scripts/vagrant-node-image.sh)",
    nodeCpus: "vagrant driver: CPUs per node (default 2)",
    nodeMemory: "vagrant driver: memory per node in MiB (default 2048)",
    libvirtManagementCidr: "vagrant driver with libvirt: the lab's own management network (DHCP, Vagrant's SSH), not overlapping hostCidr (default 192.168.121.0/24)",
    sshHosts: "ssh driver: the existing Linux hosts that are the nodes, [{node, address, user, keyFile, sudo?, underlayIp?, port?}], in node order; underlayIp (default: address) must lie in hostCidr",
    loadBalancers: "list of {name, vip, port, protocol?: tcp|udp, backends: [container, ...], backendPort?}: OVN load balancers on every node's switch (default none)",
    acls: "list of {to: container, from?: container|node|any, protocol?: ip|icmp|tcp|udp, port?, action: allow|drop|reject, name?, priority?}: ACLs in front of containers, first match wins (default none)",
    gateway: "{node, externalCidr, joinCidr?, physnet?}: a gateway router on that node's chassis, SNAT of the pod network to an external network the lab provides (default none)",
    dhcp: "multi-l2 only: workloads take address, gateway and MTU from OVN's own DHCP (a DHCP_Options row per node switch) instead of static addresses (default false)",
    dhcpLeaseSeconds: "with dhcp: the lease OVN grants, in seconds (default 3600)",
};

/** The box each Vagrant provider gets when vagrantBox is unset; docker's is built by scripts/vagrant-node-image.sh. */
export const DEFAULT_VAGRANT_BOXES: Record<VagrantProvider, string> = {
    virtualbox: "bento/ubuntu-22.04",
    libvirt: "ovnlab/bookworm-libvirt-1", // scripts/vagrant-libvirt-box.sh
    docker: "ovnlab/vagrant-node:bookworm-2",
};
/** Vagrant Cloud box names (owner/name); they end up inside the Vagrantfile's Ruby strings. */
export const BOX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\/[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export type Raw = Record<string, unknown>;

/**
 * Pulumi treats a declared key without a default as required, so Pulumi.yaml
 * declares these derived keys with a value that means "derive it".
 */
export const UNSET_VALUES: Record<string, unknown> = { labId: "", nodes: 0, containers: [], image: "", nbDb: "", stateDir: "", vagrantBox: "", libvirtManagementCidr: "", gateway: {}, loadBalancers: [], acls: [], sshHosts: [] };

export function isUnset(key: string, value: unknown): boolean {
    if (!(key in UNSET_VALUES)) return false;
    const unset = JSON.stringify(UNSET_VALUES[key]);
    return JSON.stringify(value) === unset || (typeof value === "string" && value.trim() === unset);
}

/** Reads an integer that may arrive as a number or as Pulumi's config string. */
export function asInteger(value: unknown): number | undefined {
    if (typeof value === "number" && Number.isInteger(value)) return value;
    if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return Number(value.trim());
    return undefined;
}

/** Reads a list that may arrive as an array or as JSON text. */
export function asArray(value: unknown): unknown[] | undefined {
    if (Array.isArray(value)) return value;
    if (typeof value === "string") {
        try {
            const parsed: unknown = JSON.parse(value);
            return Array.isArray(parsed) ? parsed : undefined;
        } catch {
            return undefined;
        }
    }
    return undefined;
}

export function isValidName(name: unknown): name is string {
    return typeof name === "string" && NAME_PATTERN.test(name);
}

/** Turns any stack name into a valid default lab id. */
export function defaultLabId(stack: string): string {
    const cleaned = stack.toLowerCase().replace(/[^a-z0-9]/g, "");
    const withLetter = /^[a-z]/.test(cleaned) ? cleaned : `l${cleaned}`;
    return withLetter.slice(0, 8);
}

/**
 * Validates raw config values (as read from `ovnlab:*`) and fills defaults.
 * Reports every problem at once; CIDR arithmetic is checked by the IP plan.
 */
