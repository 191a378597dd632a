// Stack configuration: validateConfig turns the raw `ovnlab:*` values into a
// LabConfig, reporting every problem at once. Pure: no Pulumi, no I/O, so it
// can run (and be tested) before a single resource is registered.
import {
    ConfigError, ConfigIssue, DATAPATH_TYPES, DB_PROTOCOLS, DB_REMOTE_PATTERN, DEFAULT_VAGRANT_BOXES, DEFAULTS, DRIVERS, ENCAPS,
    EXPERIMENTS, BOX_PATTERN, CONFIG_KEYS, IMAGE_PATTERN, LAB_ID_PATTERN, LabConfig, NAME_RULE, PATH_PATTERN, Raw, VAGRANT_PROVIDERS,
    asArray, asInteger, defaultLabId, isUnset, isValidName,
} from "./configKeys";
import { validateContainers } from "./containersConfig";
import { validateSshHosts } from "./sshHostsConfig";
import { validateGateway } from "./gatewayConfig";
import { validateDhcp } from "./dhcpConfig";
import { validateServices } from "./servicesConfig";
import { validateLibvirtManagement } from "./libvirtConfig";

export * from "./configKeys";

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
    // The ssh driver's nodes are the hosts it is given, in their order.
    const { hosts: sshHosts, nodes: sshNodes } = validateSshHosts(raw.sshHosts, { driver, experiment, datapathType, nodes: raw.nodes }, flag);
    const nodes = driver === "ssh" ? sshNodes : Array.from({ length: nodeCount }, (_, i) => `node${i + 1}`);
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
    const libvirtManagementCidr = validateLibvirtManagement(raw, { driver, vagrantProvider, hostCidr }, flag);
    if (driver === "ssh" && dbProtocol === "ssl") flag("dbProtocol", raw.dbProtocol, "the ssh driver does not set up the lab's CA on its hosts yet", "tcp");
    if (driver === "vagrant" && dbProtocol === "ssl") {
        flag("dbProtocol", raw.dbProtocol, "the vagrant driver does not set up the lab's CA in its nodes yet", "tcp");
    }

    const containers = validateContainers(raw.containers, nodes, flag);
    const reserved = new Map<string, string>([[routerName, "routerName"]]);
    for (const c of containers) {
        const clash = reserved.get(c.name) ?? (/^l[rs]-/.test(c.name) ? "the ls-<node>/lr-<node> names" : undefined);
        if (clash) flag("containers", c.name, `container name collides with ${clash}`, "a name not starting with ls- or lr- and not the router's");
    }

    const gateway = validateGateway(raw.gateway, { nodes, podCidr, hostCidr, experiment, routerName }, flag);
    const dhcp = validateDhcp(raw, experiment, flag);

    const { loadBalancers, acls } = validateServices(raw, containers, nodes, flag);
    if (experiment === "single-l2" && (loadBalancers.length > 0 || acls.length > 0)) {
        const key = loadBalancers.length > 0 ? "loadBalancers" : "acls";
        flag(key, asArray(raw[key]), "load balancers and ACLs are OVN's: single-l2 has no OVN", "experiment: multi-l2");
    }

    if (issues.length > 0) throw new ConfigError(issues);
    return {
        labId, driver, experiment, nodes, centralNode, containers, podCidr, hostCidr,
        containersPerNode, maxNodes, encap, datapathType, dbProtocol, routerName, bridge, image, mtu,
        nbDb, stateDir, vagrantProvider, vagrantBox, nodeCpus, nodeMemory, libvirtManagementCidr, loadBalancers, acls, sshHosts,
        ...(gateway ? { gateway } : {}),
        ...(dhcp ? { dhcp } : {}),
    };
}

