// Invalid stack configurations, one per way a user can get it wrong, with the
// message each must produce. Shared by the fast unit check
// (test/unit/badInput.test.ts) and the real `pulumi preview` of every one
// (test/e2e/badInput.test.ts), so both hold the same cases.

export interface BadConfig {
    title: string;
    /** `ovnlab:*` keys without the prefix, as a stack file holds them. */
    config: Record<string, unknown>;
    /** Lines ovnlab must print: each names the key, the value and what is valid. */
    ovnlab: RegExp[];
    /**
     * Pulumi checks the types Pulumi.yaml declares before the program runs and
     * stops with its own message (naming the key and the type, not the value).
     */
    pulumi?: RegExp;
    /**
     * The same code path as a case that is previewed: checked by the unit test
     * only, so the e2e file keeps within its time budget (a failing preview
     * costs ~10 s on the shared 2-core test machine).
     */
    unitOnly?: true;
}

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * One line of a ConfigError: `ovnlab:KEY = VALUE: PROBLEM...; valid: VALID...`.
 * `value` is what the program received (Pulumi hands scalars over as strings);
 * undefined for a key that was not set.
 */
function issue(key: string, value: unknown, problem: string, valid: string): RegExp {
    const shown = value === undefined ? "(unset)" : JSON.stringify(value);
    return new RegExp(`ovnlab:${escape(`${key} = ${shown}: `)}[^\\n]*${escape(problem)}[^\\n]*; valid: [^\\n]*${escape(valid)}`);
}

const pulumiType = (key: string, type: string) => new RegExp(`configuration key '${escape(key)}' must be of type '${escape(type)}'`);

const NAME_VALID = "1-32 characters: lower-case letters, digits and inner '-'";
const containerNamed = (name: string): BadConfig => ({
    title: `container name ${JSON.stringify(name)}`,
    config: { containers: [{ name, node: "node1" }] },
    ovnlab: [issue("containers[0].name", name, "not a valid name", NAME_VALID)],
});
const withIp = (ip: string) => ({ containers: [{ name: "a", node: "node1", ip }] });

export const BAD_CONFIGS: BadConfig[] = [
    // ---- CIDRs and the plan's capacity ----
    { title: "pod CIDR with a /33 prefix", config: { podCidr: "10.244.0.0/33" }, ovnlab: [issue("podCidr", "10.244.0.0/33", "not a valid CIDR", "an IPv4 CIDR such as 10.244.0.0/16")] },
    { title: "pod CIDR without a prefix", config: { podCidr: "10.244.0.0" }, ovnlab: [issue("podCidr", "10.244.0.0", "not valid", "an IPv4 CIDR such as 10.244.0.0/16")] },
    { title: "pod CIDR with host bits set", config: { podCidr: "10.244.1.0/16" }, ovnlab: [issue("podCidr", "10.244.1.0/16", "host bits are set", "the network address: 10.244.0.0/16")] },
    { title: "host CIDR with an octet of 300", unitOnly: true, config: { hostCidr: "300.1.2.0/24" }, ovnlab: [issue("hostCidr", "300.1.2.0/24", "not a valid CIDR", "an IPv4 CIDR")] },
    { title: "IPv6 pod CIDR", config: { podCidr: "fd00::/64" }, ovnlab: [issue("podCidr", "fd00::/64", "IPv6 is not supported", "an IPv4 CIDR")] },
    { title: "host CIDR inside the pod CIDR", config: { hostCidr: "10.244.200.0/24" }, ovnlab: [issue("hostCidr", "10.244.200.0/24", "overlaps podCidr 10.244.0.0/16", "a network disjoint from podCidr")] },
    { title: "pod CIDR around the default host CIDR", unitOnly: true, config: { podCidr: "172.16.0.0/12" }, ovnlab: [issue("hostCidr", "172.16.56.0/24", "overlaps podCidr 172.16.0.0/12", "a network disjoint from podCidr")] },
    { title: "pod CIDR too small for maxNodes", config: { podCidr: "10.244.0.0/20", maxNodes: 20 }, ovnlab: [issue("maxNodes", 20, "holds 15 node subnets of /24", "maxNodes <= 15")] },
    { title: "more nodes than maxNodes", unitOnly: true, config: { nodes: 5, maxNodes: 4 }, ovnlab: [issue("nodes", 5, "more nodes than maxNodes 4", "1 to 4")] },
    { title: "containersPerNode the pod CIDR cannot hold", config: { podCidr: "10.244.0.0/24", containersPerNode: 250 }, ovnlab: [issue("containersPerNode", 250, "cannot hold twice", "at most 124 for this podCidr")] },
    { title: "host CIDR too small for the nodes", unitOnly: true, config: { hostCidr: "172.16.56.0/30" }, ovnlab: [issue("hostCidr", "172.16.56.0/30", "holds 1 node addresses, fewer than the 2 nodes", "a larger host network")] },
    {
        title: "more containers than a node subnet holds",
        config: { containersPerNode: 4, containers: Array.from({ length: 5 }, (_, i) => ({ name: `c${i}`, node: "node1" })) },
        ovnlab: [issue("containers[4]", "c4", "node1's subnet 10.244.0.8/29 is full", "at most 4 containers per node")],
    },
    { title: "1001 nodes", unitOnly: true, config: { nodes: 1001 }, ovnlab: [issue("nodes", "1001", "not a whole number in range", "an integer from 1 to 1000")] },
    { title: "negative containers per node", unitOnly: true, config: { containersPerNode: -3 }, ovnlab: [issue("containersPerNode", "-3", "not a whole number in range", "an integer from 1 to 65000")] },

    // ---- Duplicates ----
    {
        title: "duplicate container names",
        config: { containers: [{ name: "a", node: "node1" }, { name: "a", node: "node2" }] },
        ovnlab: [issue("containers[1].name", "a", "duplicate container name", "names unique across the lab")],
    },
    {
        title: "duplicate explicit IPs",
        config: { containers: [{ name: "a", node: "node1", ip: "10.244.1.9" }, { name: "b", node: "node1", ip: "10.244.1.9" }] },
        ovnlab: [issue("containers[1].ip", "10.244.1.9", "already given to a", "a distinct address per container")],
    },
    {
        title: "explicit MAC equal to a planned one",
        config: { containers: [{ name: "a", node: "node1", mac: "02:00:00:00:01:04" }, { name: "b", node: "node1" }] },
        ovnlab: [issue("containers[1].mac", "02:00:00:00:01:04", "already used by a", "a distinct MAC per container")],
    },
    {
        title: "one explicit MAC in lower and upper case", unitOnly: true,
        config: { containers: [{ name: "a", node: "node1", mac: "02:aa:00:00:00:01" }, { name: "b", node: "node2", mac: "02:AA:00:00:00:01" }] },
        ovnlab: [issue("containers[1].mac", "02:aa:00:00:00:01", "already used by a", "a distinct MAC per container")],
    },

    // ---- Container addresses ----
    { title: "IP outside its node's subnet", config: withIp("10.244.2.3"), ovnlab: [issue("containers[0].ip", "10.244.2.3", "is outside node1's subnet 10.244.1.0/24", "10.244.1.3 to 10.244.1.254")] },
    { title: "IP equal to the gateway", config: withIp("10.244.1.1"), ovnlab: [issue("containers[0].ip", "10.244.1.1", "is node1's gateway", "10.244.1.3 to 10.244.1.254")] },
    { title: "IP equal to the subnet's network address", unitOnly: true, config: withIp("10.244.1.0"), ovnlab: [issue("containers[0].ip", "10.244.1.0", "is reserved", "10.244.1.3 to 10.244.1.254")] },
    { title: "IP equal to the broadcast address", unitOnly: true, config: withIp("10.244.1.255"), ovnlab: [issue("containers[0].ip", "10.244.1.255", "is reserved", "10.244.1.3 to 10.244.1.254")] },
    { title: "IP with a command after it", config: withIp("10.244.1.3; reboot"), ovnlab: [issue("containers[0].ip", "10.244.1.3; reboot", "not a dotted-quad IPv4 address", "an address in 10.244.1.0/24")] },
    {
        title: "MAC with five octets",
        config: { containers: [{ name: "a", node: "node1", mac: "02:00:00:00:01" }] },
        ovnlab: [issue("containers[0].mac", "02:00:00:00:01", "not a MAC address", "six hex pairs")],
    },
    {
        title: "multicast MAC", unitOnly: true,
        config: { containers: [{ name: "a", node: "node1", mac: "01:00:5e:00:00:01" }] },
        ovnlab: [issue("containers[0].mac", "01:00:5e:00:00:01", "multicast or zero MAC", "a unicast MAC")],
    },

    // ---- Choices ----
    { title: "unknown driver", config: { driver: "kvm" }, ovnlab: [issue("driver", "kvm", "not a known value", "netns | external")] },
    { title: "unknown experiment", unitOnly: true, config: { experiment: "multi-l3" }, ovnlab: [issue("experiment", "multi-l3", "not a known value", "multi-l2 | single-l2")] },
    { title: "unknown encapsulation", unitOnly: true, config: { encap: "gre" }, ovnlab: [issue("encap", "gre", "not a known value", "geneve | vxlan")] },
    { title: "unknown datapath type", unitOnly: true, config: { datapathType: "kernel" }, ovnlab: [issue("datapathType", "kernel", "not a known value", "netdev | system")] },

    // ---- Wrong types ----
    { title: "nodes as a word", config: { nodes: "three" }, pulumi: pulumiType("nodes", "integer"), ovnlab: [issue("nodes", "three", "not a whole number in range", "an integer from 1 to 1000")] },
    { title: "nodes as a fraction", config: { nodes: 2.5 }, pulumi: pulumiType("nodes", "integer"), ovnlab: [issue("nodes", "2.5", "not a whole number in range", "an integer from 1 to 1000")] },
    { title: "mtu as a word", config: { mtu: "jumbo" }, pulumi: pulumiType("mtu", "integer"), ovnlab: [issue("mtu", "jumbo", "not a whole number in range", "an integer from 576 to 9000")] },
    { title: "containers as a string", config: { containers: "netsho1" }, pulumi: pulumiType("containers", "array<object>"), ovnlab: [issue("containers", "netsho1", "not a list", "a list of {name, node, image?, ip?, mac?, serve?}")] },
    { title: "containers as a list of strings", config: { containers: ["netsho1"] }, pulumi: pulumiType("containers", "array<object>"), ovnlab: [issue("containers[0]", "netsho1", "not an object", "{name, node, image?, ip?, mac?, serve?}")] },
    { title: "container IP as a number", config: { containers: [{ name: "a", node: "node1", ip: 3 }] }, ovnlab: [issue("containers[0].ip", 3, "not a string", "an IPv4 address such as 10.244.1.3")] },
    { title: "lab id as a number", config: { labId: 42 }, ovnlab: [issue("labId", "42", "not a valid lab id", "1-8 of a-z and 0-9, starting with a letter")] },
    { title: "central node as a boolean", unitOnly: true, config: { centralNode: true }, ovnlab: [issue("centralNode", "true", "not one of the lab's nodes", "node1 | node2")] },

    // ---- Names a shell, OVN or the kernel would misread ----
    containerNamed("net sho"),
    containerNamed("it's"),
    containerNamed('say"hi"'),
    containerNamed("x; rm -rf /"),
    containerNamed("$(id)"),
    containerNamed("`id`"),
    containerNamed("a\nb"),
    containerNamed(".."),
    containerNamed("x".repeat(33)),
    containerNamed("ñandú"),
    { title: "router name with a command", unitOnly: true, config: { routerName: "lr0; reboot" }, ovnlab: [issue("routerName", "lr0; reboot", "not a valid name", NAME_VALID)] },
    { title: "bridge that looks like an option", config: { bridge: "--help" }, ovnlab: [issue("bridge", "--help", "not valid", "an interface name: 1-15 of a-z, 0-9, '-', starting with a letter")] },
    { title: "lab id with capitals", unitOnly: true, config: { labId: "Lab-1" }, ovnlab: [issue("labId", "Lab-1", "not a valid lab id", "1-8 of a-z and 0-9")] },
    { title: "lab id of 9 characters", unitOnly: true, config: { labId: "abcdefghi" }, ovnlab: [issue("labId", "abcdefghi", "not a valid lab id", "1-8 of a-z and 0-9")] },
    { title: "state directory outside the project", config: { stateDir: "../escape" }, ovnlab: [issue("stateDir", "../escape", "not valid", "without '..'")] },
    { title: "state directory with a command", unitOnly: true, config: { stateDir: "/tmp/$(id)" }, ovnlab: [issue("stateDir", "/tmp/$(id)", "not valid", "a path of letters, digits")] },
    { title: "image with a command", config: { image: "busybox; id" }, ovnlab: [issue("image", "busybox; id", "not valid", "an image reference")] },
    {
        title: "container image with backticks", unitOnly: true,
        config: { containers: [{ name: "a", node: "node1", image: "busybox`id`" }] },
        ovnlab: [issue("containers[0].image", "busybox`id`", "not a valid image reference", "e.g. busybox:stable")],
    },
    {
        title: "NB remote with a command",
        config: { driver: "external", nbDb: "tcp:1.2.3.4:6641; id" },
        ovnlab: [issue("nbDb", "tcp:1.2.3.4:6641; id", "not valid", "unix:/absolute/path.sock, tcp:IP:PORT or ssl:IP:PORT")],
    },

    // ---- Keys and references that do not exist ----
    { title: "external driver without nbDb", unitOnly: true, config: { driver: "external" }, ovnlab: [issue("nbDb", undefined, "the external driver needs the database to manage", "unix:/absolute/path.sock")] },
    { title: "unknown key", config: { podCIDR: "10.0.0.0/16" }, ovnlab: [issue("podCIDR", "10.0.0.0/16", "unknown key", "one of labId, driver")] },
    {
        title: "unknown container field", unitOnly: true,
        config: { containers: [{ name: "a", node: "node1", colour: "red" }] },
        ovnlab: [issue("containers[0].colour", "red", "unknown field", "name, node, image, ip, mac")],
    },
    { title: "container on a node the lab lacks", config: { containers: [{ name: "a", node: "node9" }] }, ovnlab: [issue("containers[0].node", "node9", "not one of the lab's nodes", "node1 | node2")] },
    { title: "central node the lab lacks", unitOnly: true, config: { centralNode: "node7" }, ovnlab: [issue("centralNode", "node7", "not one of the lab's nodes", "node1 | node2")] },
    { title: "container named like the router", unitOnly: true, config: { containers: [{ name: "lr0", node: "node1" }] }, ovnlab: [issue("containers", "lr0", "container name collides with routerName", "a name not starting with ls- or lr-")] },
    { title: "single-l2 with two nodes", unitOnly: true, config: { experiment: "single-l2", nodes: 2 }, ovnlab: [issue("nodes", "2", "single-l2 is one flat L2 domain on one node", "1 (or use experiment multi-l2)")] },
    // ---- Services: load balancers, ACLs, web servers ----
    {
        title: "a load balancer and an ACL wrong in every field at once",
        config: {
            containers: [{ name: "nginx1", node: "node1", serve: "http" }],
            loadBalancers: [{ name: "x; rm -rf /", vip: "$(id)", port: 0, protocol: "sctp", backends: ["nginx9"] }],
            acls: [{ to: "nginx9", from: "`id`", protocol: "gre", port: 80, action: "accept" }],
        },
        ovnlab: [
            issue("loadBalancers[0].name", "x; rm -rf /", "not a valid name", "1-32 characters"),
            issue("loadBalancers[0].vip", "$(id)", "not an IPv4 address", "a dotted quad outside the lab's networks"),
            issue("loadBalancers[0].port", 0, "not a port", "an integer from 1 to 65535"),
            issue("loadBalancers[0].protocol", "sctp", "not a known value", "tcp | udp"),
            issue("loadBalancers[0].backends[0]", "nginx9", "not one of the lab's containers", "nginx1"),
            issue("acls[0].to", "nginx9", "not one of the lab's containers", "nginx1"),
            issue("acls[0].from", "`id`", "not a container, a node or any", "any | node1 | node2 | nginx1"),
            issue("acls[0].protocol", "gre", "not a known value", "ip | icmp | tcp | udp"),
            issue("acls[0].port", 80, "a port needs protocol tcp or udp", "protocol: tcp"),
            issue("acls[0].action", "accept", "not a known value", "allow | drop | reject"),
        ],
    },
    { title: "a VIP inside the pod network", unitOnly: true, config: { containers: [{ name: "nginx1", node: "node1" }], loadBalancers: [{ name: "web", vip: "10.244.1.9", port: 80, backends: ["nginx1"] }] }, ovnlab: [issue("loadBalancers[0].vip", "10.244.1.9", "inside podCidr 10.244.0.0/16", "an address outside the lab's networks")] },
    { title: "two load balancers on one VIP", unitOnly: true, config: { containers: [{ name: "a", node: "node1" }], loadBalancers: [{ name: "one", vip: "10.96.0.1", port: 80, backends: ["a"] }, { name: "two", vip: "10.96.0.1", port: 80, backends: ["a"] }] }, ovnlab: [issue("loadBalancers", "two", "VIP 10.96.0.1:80/tcp is also one's", "one load balancer per VIP")] },
    { title: "a load balancer with no backends", unitOnly: true, config: { loadBalancers: [{ name: "web", vip: "10.96.0.1", port: 80, backends: [] }] }, ovnlab: [issue("loadBalancers[0].backends", [], "not a non-empty list", "container names")] },
    { title: "an ACL priority out of range", unitOnly: true, config: { acls: [{ to: "netsho1", action: "drop", priority: 40000 }] }, ovnlab: [issue("acls[0].priority", 40000, "not an OVN ACL priority", "an integer from 1 to 32767")] },
    { title: "two ACLs that are the same rule", unitOnly: true, config: { acls: [{ to: "netsho1", action: "drop", priority: 100 }, { to: "netsho1", action: "allow", priority: 100 }] }, ovnlab: [issue("acls[1]", "netsho1-2", "same priority and match as netsho1-1", "rules that differ")] },
    { title: "a container serving ftp", unitOnly: true, config: { containers: [{ name: "a", node: "node1", serve: "ftp" }] }, ovnlab: [issue("containers[0].serve", "ftp", "not a known service", "http")] },
    { title: "ACLs in single-l2", unitOnly: true, config: { experiment: "single-l2", acls: [{ to: "netsho1", action: "drop" }] }, ovnlab: [issue("acls", [{ to: "netsho1", action: "drop" }], "load balancers and ACLs are OVN's", "experiment: multi-l2")] },
    { title: "a libvirt management network that is no network address", unitOnly: true, config: { driver: "vagrant", vagrantProvider: "libvirt", libvirtManagementCidr: "192.168.121.7/24" }, ovnlab: [issue("libvirtManagementCidr", "192.168.121.7/24", "not valid", "an IPv4 network address with a prefix from /16 to /29")] },
    { title: "a libvirt management network overlapping the underlay", unitOnly: true, config: { driver: "vagrant", vagrantProvider: "libvirt", hostCidr: "172.16.56.0/24", libvirtManagementCidr: "172.16.0.0/16" }, ovnlab: [issue("libvirtManagementCidr", "172.16.0.0/16", "overlaps hostCidr 172.16.56.0/24", "not overlapping hostCidr")] },
    { title: "a libvirt management network without libvirt", unitOnly: true, config: { driver: "vagrant", vagrantProvider: "docker", libvirtManagementCidr: "192.168.122.0/24" }, ovnlab: [issue("libvirtManagementCidr", "192.168.122.0/24", "only the vagrant driver's libvirt provider has a management network", "vagrantProvider: libvirt")] },
    {
        title: "several problems at once",
        config: { driver: "kvm", encap: "gre", nodes: -1, labId: "$(id)" },
        ovnlab: [
            issue("driver", "kvm", "not a known value", "netns | external"),
            issue("encap", "gre", "not a known value", "geneve | vxlan"),
            issue("nodes", "-1", "not a whole number in range", "an integer from 1 to 1000"),
            issue("labId", "$(id)", "not a valid lab id", "1-8 of a-z and 0-9"),
        ],
    },
];

/**
 * The config as the program receives it from Pulumi: every value a string,
 * lists and objects as JSON text (pulumi.runtime.allConfig()).
 */
export function asPulumiDelivers(config: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}
