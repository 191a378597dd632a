// Stack configuration: the keys a user may set under `ovnlab:`, their defaults,
// and validation. Pure: no Pulumi, no I/O, so it can run (and be tested)
// before a single resource is registered.

export const DRIVERS = ["netns", "external", "vagrant"] as const;
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
const DB_REMOTE_PATTERN = /^(unix:\/[A-Za-z0-9_.\/-]{1,200}|(tcp|ssl):(\d{1,3}\.){3}\d{1,3}:\d{1,5})$/;
const PATH_PATTERN = /^(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9_.\/-]{1,200}$/;

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
};

/** Every key this project reads, with its meaning; also the README's table. */
export const CONFIG_KEYS: Record<string, string> = {
    labId: "short id prefixing host-level names (namespaces, bridges); default: the stack name",
    driver: "node driver: netns (default, one Linux host) or external (only the logical topology, in an existing NB database)",
    experiment: "multi-l2 (OVN routed, default) or single-l2 (one flat br-int, no OVN)",
    nodes: "number of nodes, named node1..nodeN (default 2; single-l2 needs 1)",
    centralNode: "node that runs the OVN NB/SB databases and northd (default node1)",
    containers: "list of {name, node, image?, ip?, mac?}; default two per node, netsho1..",
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
    vagrantBox: "vagrant driver: the box (default bento/ubuntu-22.04; generic/ubuntu2204 for libvirt) or, for docker, the node image (default ovnlab/vagrant-node, scripts/vagrant-node-image.sh)",
    nodeCpus: "vagrant driver: CPUs per node (default 2)",
    nodeMemory: "vagrant driver: memory per node in MiB (default 2048)",
};

/** The box each Vagrant provider gets when vagrantBox is unset; docker's is built by scripts/vagrant-node-image.sh. */
export const DEFAULT_VAGRANT_BOXES: Record<VagrantProvider, string> = {
    virtualbox: "bento/ubuntu-22.04",
    libvirt: "generic/ubuntu2204",
    docker: "ovnlab/vagrant-node:bookworm-2",
};
/** Vagrant Cloud box names (owner/name); they end up inside the Vagrantfile's Ruby strings. */
const BOX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\/[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

type Raw = Record<string, unknown>;

/**
 * Pulumi treats a declared key without a default as required, so Pulumi.yaml
 * declares these derived keys with a value that means "derive it".
 */
export const UNSET_VALUES: Record<string, unknown> = { labId: "", nodes: 0, containers: [], image: "", nbDb: "", stateDir: "", vagrantBox: "" };

function isUnset(key: string, value: unknown): boolean {
    if (!(key in UNSET_VALUES)) return false;
    const unset = JSON.stringify(UNSET_VALUES[key]);
    return JSON.stringify(value) === unset || (typeof value === "string" && value.trim() === unset);
}

/** Reads an integer that may arrive as a number or as Pulumi's config string. */
function asInteger(value: unknown): number | undefined {
    if (typeof value === "number" && Number.isInteger(value)) return value;
    if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return Number(value.trim());
    return undefined;
}

/** Reads a list that may arrive as an array or as JSON text. */
function asArray(value: unknown): unknown[] | undefined {
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
export function validateConfig(given: Raw, stack: string): LabConfig {
    const raw = Object.fromEntries(Object.entries(given).filter(([key, value]) => !isUnset(key, value)));
    const issues: ConfigIssue[] = [];
    const flag = (key: string, value: unknown, problem: string, valid: string) =>
        issues.push({ key, value, problem, valid });

    for (const key of Object.keys(raw)) {
        if (!(key in CONFIG_KEYS)) {
            flag(key, raw[key], "unknown key", `one of ${Object.keys(CONFIG_KEYS).join(", ")}`);
        }
    }

    const oneOf = <T extends string>(key: string, options: readonly T[], fallback: T): T => {
        const value = raw[key];
        if (value === undefined) return fallback;
        if (typeof value === "string" && (options as readonly string[]).includes(value)) return value as T;
        flag(key, value, "not a known value", options.join(" | "));
        return fallback;
    };
    const integer = (key: string, fallback: number, min: number, max: number): number => {
        const value = raw[key];
        if (value === undefined) return fallback;
        const n = asInteger(value);
        if (n === undefined || n < min || n > max) {
            flag(key, value, "not a whole number in range", `an integer from ${min} to ${max}`);
            return fallback;
        }
        return n;
    };
    const name = (key: string, fallback: string): string => {
        const value = raw[key];
        if (value === undefined) return fallback;
        if (isValidName(value)) return value;
        flag(key, value, "not a valid name", NAME_RULE);
        return fallback;
    };
    const text = (key: string, fallback: string, pattern: RegExp, rule: string): string => {
        const value = raw[key];
        if (value === undefined) return fallback;
        if (typeof value === "string" && pattern.test(value)) return value;
        flag(key, value, "not valid", rule);
        return fallback;
    };

    const driver = oneOf("driver", DRIVERS, DEFAULTS.driver);
    const experiment = oneOf("experiment", EXPERIMENTS, DEFAULTS.experiment);
    const encap = oneOf("encap", ENCAPS, DEFAULTS.encap);
    const datapathType = oneOf("datapathType", DATAPATH_TYPES, DEFAULTS.datapathType);
    const dbProtocol = oneOf("dbProtocol", DB_PROTOCOLS, DEFAULTS.dbProtocol);
    const nodeCount = integer("nodes", experiment === "single-l2" ? 1 : DEFAULTS.nodes, 1, 1000);
    if (experiment === "single-l2" && nodeCount !== 1) {
        flag("nodes", raw.nodes, "single-l2 is one flat L2 domain on one node", "1 (or use experiment multi-l2)");
    }
    const containersPerNode = integer("containersPerNode", DEFAULTS.containersPerNode, 1, 65000);
    const maxNodes = integer("maxNodes", DEFAULTS.maxNodes, 1, 65000);
    const mtu = integer("mtu", DEFAULTS.mtu, 576, 9000);
    const routerName = name("routerName", DEFAULTS.routerName);
    const bridge = text("bridge", DEFAULTS.bridge, /^[a-z][a-z0-9-]{0,14}$/, "an interface name: 1-15 of a-z, 0-9, '-', starting with a letter");
    const image = text("image", "", IMAGE_PATTERN, "an image reference such as busybox:stable or nicolaka/netshoot");
    const podCidr = text("podCidr", DEFAULTS.podCidr, /^[0-9a-fA-F.:]+\/\d{1,3}$/, "an IPv4 CIDR such as 10.244.0.0/16");
    const hostCidr = text("hostCidr", DEFAULTS.hostCidr, /^[0-9a-fA-F.:]+\/\d{1,3}$/, "an IPv4 CIDR such as 172.16.56.0/24");

    const nbDb = text("nbDb", "", DB_REMOTE_PATTERN, "unix:/absolute/path.sock, tcp:IP:PORT or ssl:IP:PORT");
    // Only when unset: an invalid nbDb is already reported above, once.
    if (driver === "external" && raw.nbDb === undefined) flag("nbDb", raw.nbDb, "the external driver needs the database to manage", "unix:/absolute/path.sock, tcp:IP:PORT or ssl:IP:PORT");
    const labIdRaw = raw.labId;
    let labId = defaultLabId(stack);
    if (labIdRaw !== undefined) {
        if (typeof labIdRaw === "string" && LAB_ID_PATTERN.test(labIdRaw)) labId = labIdRaw;
        else flag("labId", labIdRaw, "not a valid lab id", "1-8 of a-z and 0-9, starting with a letter");
    }

    const stateDir = text("stateDir", `.lab/${labId}`, PATH_PATTERN, "a path of letters, digits, '_', '.', '-', '/' without '..'");
    const nodes = Array.from({ length: nodeCount }, (_, i) => `node${i + 1}`);
    const centralNode = name("centralNode", DEFAULTS.centralNode);
    if (!nodes.includes(centralNode)) {
        flag("centralNode", raw.centralNode, "not one of the lab's nodes", nodes.join(" | "));
    }

    const vagrantProvider = oneOf("vagrantProvider", VAGRANT_PROVIDERS, DEFAULTS.vagrantProvider);
    // A docker "box" is an image reference; any other provider's is a Vagrant Cloud name.
    const vagrantBox = vagrantProvider === "docker"
        ? text("vagrantBox", DEFAULT_VAGRANT_BOXES.docker, IMAGE_PATTERN, "an image reference such as ovnlab/vagrant-node:bookworm-2")
        : text("vagrantBox", DEFAULT_VAGRANT_BOXES[vagrantProvider], BOX_PATTERN, "a box name such as bento/ubuntu-22.04");
    const nodeCpus = integer("nodeCpus", DEFAULTS.nodeCpus, 1, 64);
    const nodeMemory = integer("nodeMemory", DEFAULTS.nodeMemory, 256, 1048576);
    if (driver === "vagrant" && dbProtocol === "ssl") {
        flag("dbProtocol", raw.dbProtocol, "the vagrant driver does not set up the lab's CA in its nodes yet", "tcp");
    }

    const containers = validateContainers(raw.containers, nodes, flag);
    const reserved = new Map<string, string>([[routerName, "routerName"]]);
    for (const c of containers) {
        const clash = reserved.get(c.name) ?? (/^l[rs]-/.test(c.name) ? "the ls-<node>/lr-<node> names" : undefined);
        if (clash) flag("containers", c.name, `container name collides with ${clash}`, "a name not starting with ls- or lr- and not the router's");
    }

    if (issues.length > 0) throw new ConfigError(issues);
    return {
        labId, driver, experiment, nodes, centralNode, containers, podCidr, hostCidr,
        containersPerNode, maxNodes, encap, datapathType, dbProtocol, routerName, bridge, image, mtu,
        nbDb, stateDir, vagrantProvider, vagrantBox, nodeCpus, nodeMemory,
    };
}

const CONTAINER_FIELDS = ["name", "node", "image", "ip", "mac"];

function validateContainers(
    value: unknown,
    nodes: string[],
    flag: (key: string, value: unknown, problem: string, valid: string) => void,
): ContainerSpec[] {
    if (value === undefined) {
        // The walk-through's workloads: netsho1, netsho2 on node1, netsho3, netsho4 on node2, ...
        const perNode = DEFAULTS.containersPerNodeByDefault;
        return nodes.flatMap((node, n) =>
            Array.from({ length: perNode }, (_, i) => ({ name: `netsho${n * perNode + i + 1}`, node })),
        );
    }
    const list = asArray(value);
    if (list === undefined) {
        flag("containers", value, "not a list", "a list of {name, node, image?, ip?, mac?}");
        return [];
    }
    const seen = new Set<string>();
    const result: ContainerSpec[] = [];
    list.forEach((entry, i) => {
        const key = `containers[${i}]`;
        if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
            flag(key, entry, "not an object", "{name, node, image?, ip?, mac?}");
            return;
        }
        const e = entry as Raw;
        for (const field of Object.keys(e)) {
            if (!CONTAINER_FIELDS.includes(field)) flag(`${key}.${field}`, e[field], "unknown field", CONTAINER_FIELDS.join(", "));
        }
        let ok = true;
        if (!isValidName(e.name)) {
            flag(`${key}.name`, e.name, "not a valid name", NAME_RULE);
            ok = false;
        } else if (seen.has(e.name)) {
            flag(`${key}.name`, e.name, "duplicate container name", "names unique across the lab");
            ok = false;
        } else {
            seen.add(e.name);
        }
        if (typeof e.node !== "string" || !nodes.includes(e.node)) {
            flag(`${key}.node`, e.node, "not one of the lab's nodes", nodes.join(" | "));
            ok = false;
        }
        for (const field of ["image", "ip", "mac"] as const) {
            if (e[field] !== undefined && typeof e[field] !== "string") {
                flag(`${key}.${field}`, e[field], "not a string", field === "image" ? "an image reference" : field === "ip" ? "an IPv4 address such as 10.244.1.3" : "a MAC such as 02:00:00:00:01:03");
                ok = false;
            }
        }
        if (typeof e.image === "string" && !IMAGE_PATTERN.test(e.image)) {
            flag(`${key}.image`, e.image, "not a valid image reference", "e.g. busybox:stable or nicolaka/netshoot");
            ok = false;
        }
        if (ok) {
            result.push({
                name: e.name as string,
                node: e.node as string,
                ...(e.image !== undefined ? { image: e.image as string } : {}),
                ...(e.ip !== undefined ? { ip: e.ip as string } : {}),
                ...(e.mac !== undefined ? { mac: e.mac as string } : {}),
            });
        }
    });
    return result;
}
