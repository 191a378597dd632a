// The ovnlab package schema (GetSchema): every resource the provider serves,
// with its inputs and outputs, so other Pulumi languages (YAML: see
// test/e2e/yamlProgram.test.ts) can use them. provider/schema.json is this,
// written by `npm run schema`; a unit test keeps both in step with the registry.
import { PACKAGE } from "../components/kit/resource";

type Prop = "string" | "integer" | "boolean" | "string[]" | "map" | "any" | `#${string}`;
interface KindSpec {
    description: string;
    inputs: Record<string, Prop>;
    /** Required inputs (default: all). */
    required?: string[];
    /** Outputs beyond the inputs. */
    outputs?: Record<string, Prop>;
}

const NB_ROW = { endpoint: "#DbEndpoint", name: "string", externalIds: "map" } as const;
const DISPLAY = { command: "string[]" } as const;

/** Every kind by type token; the registry and this table name the same tokens (test/unit/provider.test.ts). */
export const KINDS: Record<string, KindSpec> = {
    "ovnlab:nb:LogicalRouter": {
        description: "A logical router (`ovn-nbctl lr-add`), e.g. the walk-through's lr0; options (e.g. chassis) make a gateway router.",
        inputs: { ...NB_ROW, options: "map" }, required: ["endpoint", "name", "externalIds"], outputs: { ...DISPLAY },
    },
    "ovnlab:nb:StaticRoute": {
        description: "A static route (`ovn-nbctl lr-route-add <router> <prefix> <nexthop>`), found by its router, prefix and nexthop.",
        inputs: { ...NB_ROW, router: "string", prefix: "string", nexthop: "string" }, required: ["endpoint", "name", "router", "prefix", "nexthop"], outputs: { ...DISPLAY },
    },
    "ovnlab:nb:Nat": {
        description: "A NAT rule (`ovn-nbctl lr-nat-add <router> snat <external ip> <logical ip>`), found by its router, type and logical side.",
        inputs: { ...NB_ROW, router: "string", type: "string", externalIp: "string", logicalIp: "string" },
        required: ["endpoint", "name", "router", "type", "externalIp", "logicalIp"], outputs: { ...DISPLAY },
    },
    "ovnlab:nb:LoadBalancer": {
        description: "A load balancer VIP (`ovn-nbctl lb-add web 10.96.0.10:80 <backends> tcp`) applied on switches (`ls-lb-add`), found by name.",
        inputs: { ...NB_ROW, vip: "string", backends: "string[]", protocol: "string", switches: "string[]" },
        required: ["endpoint", "name", "vip", "backends"], outputs: { ...DISPLAY },
    },
    "ovnlab:nb:PortGroup": {
        description: "A port group (`ovn-nbctl pg-add pg_nginx1 nginx1`) that ACL matches name as @pg_nginx1, found by name.",
        inputs: { ...NB_ROW, ports: "string[]" }, required: ["endpoint", "name"], outputs: { ...DISPLAY },
    },
    "ovnlab:nb:Acl": {
        description: "An ACL on a port group (`create ACL ... -- add Port_Group <group> acls @acl`), found by its mark external_ids ovnlab:acl=<name>.",
        inputs: { ...NB_ROW, portGroup: "string", direction: "string", priority: "integer", match: "string", verdict: "string" },
        required: ["endpoint", "name", "portGroup", "priority", "match", "verdict"], outputs: { ...DISPLAY, uuid: "string" },
    },
    "ovnlab:nb:LogicalRouterPort": {
        description: "A logical router port (`ovn-nbctl lrp-add <router> <port> <mac> <network>`), e.g. lr-node1.",
        inputs: { ...NB_ROW, router: "string", mac: "string", networks: "string[]" }, outputs: { ...DISPLAY },
    },
    "ovnlab:nb:LogicalSwitch": {
        description: "A logical switch (`ovn-nbctl ls-add`), e.g. ls-node1.",
        inputs: { ...NB_ROW }, outputs: { ...DISPLAY },
    },
    "ovnlab:nb:LogicalSwitchPort": {
        description: "A logical switch port (`ovn-nbctl lsp-add <switch> <port>`, then its type, addresses and options).",
        inputs: { ...NB_ROW, switch: "string", type: "string", addresses: "string[]", options: "map", dhcpv4Options: "string" },
        required: ["endpoint", "name", "switch"], outputs: { ...DISPLAY },
    },
    "ovnlab:nb:DhcpOptions": {
        description: "OVN's own DHCP server for one subnet: a DHCP_Options row made with the uuid given (`ovn-nbctl --id=<uuid> create DHCP_Options cidr=... options:...`), marked external_ids:ovnlab:name=<name>; ports name it by that uuid (dhcpv4Options).",
        inputs: { ...NB_ROW, uuid: "string", cidr: "string", options: "map" }, outputs: { ...DISPLAY },
    },
    "ovnlab:nb:DbConnection": {
        description: "The NB or SB database's listener (`ovn-nbctl set-connection ptcp:6641:<ip>`).",
        inputs: { endpoint: "#DbEndpoint", tool: "string", target: "string", ssl: "#TlsFiles" }, required: ["endpoint", "tool", "target"],
        outputs: { ...DISPLAY },
    },
    "ovnlab:netns:Node": {
        description: "A node of the netns driver: a network namespace with its own ovsdb-server, ovs-vswitchd and ovn-controller.",
        inputs: {
            labId: "string", name: "string", stateDir: "string", underlayBridge: "string", underlayCidr: "string", ovn: "boolean", centralIp: "string",
            encap: "string", datapathType: "string", chassis: "string", bridge: "string", hostname: "string", tls: "#TlsFiles",
        },
        required: ["labId", "name", "stateDir", "underlayBridge", "underlayCidr", "ovn"],
        outputs: {
            namespace: "string", transport: "#Transport", ovsDb: "string", runDir: "string", nodeDir: "string", underlayIp: "string",
            hostInterface: "string", vswitchdCtl: "string", problems: "string[]",
        },
    },
    "ovnlab:netns:OvnCentral": {
        description: "The OVN central in a node's namespace: NB and SB ovsdb-servers and ovn-northd.",
        inputs: { namespace: "string", stateDir: "string" },
        outputs: { nbDb: "string", sbDb: "string", dir: "string", northdCtl: "string", nbCtl: "string", sbCtl: "string", problems: "string[]" },
    },
    "ovnlab:netns:Underlay": {
        description: "The lab's underlay: a Linux bridge joining the nodes and the iptables rule that lets it forward.",
        inputs: { labId: "string" }, outputs: { bridgeName: "string", chain: "any", problems: "string[]" },
    },
    "ovnlab:netns:ExternalNetwork": {
        description: "The gateway's external network (netns driver): br-ext with ovn-bridge-mappings on the gateway node, a veth to a namespace of its own holding the external host and its listener.",
        inputs: { labId: "string", nodeNamespace: "string", ovsDb: "string", datapathType: "string", physnet: "string", hostCidr: "string", stateDir: "string" },
        outputs: { namespace: "string", url: "string", logFile: "string", problems: "string[]" },
    },
    "ovnlab:ovs:Chassis": {
        description: "A node's chassis settings (`ovs-vsctl set open . external-ids:ovn-remote=... ovn-encap-type=... ovn-encap-ip=...`).",
        inputs: { transport: "#Transport", ovsDb: "string", ids: "map" },
    },
    "ovnlab:ovn:Readiness": {
        description: "The lab forwards: every chassis recomputed and caught up (`ovn-nbctl --wait=hv sync`), every workload port ovn-installed.",
        inputs: { endpoint: "#DbEndpoint", stack: "string", nodes: "any", ports: "any", timeoutSeconds: "integer" },
        outputs: { nbDigest: "string", waitedMs: "integer", problems: "string[]" },
    },
    "ovnlab:workload:HttpServer": {
        description: "A workload's web server: busybox httpd on its node, in the workload's network namespace, answering the workload's name.",
        inputs: { transport: "#Transport", labId: "string", name: "string", containerPid: "integer", port: "integer" },
        required: ["transport", "labId", "name", "containerPid"], outputs: { pid: "integer", pageDirectory: "string" },
    },
    "ovnlab:ovs:ContainerPlug": {
        description: "A workload's eth0 on br-int (`ovs-docker add-port`, then `external_ids:iface-id=<logical port>`).",
        inputs: {
            transport: "#Transport", ovsDb: "string", bridge: "string", workload: "string", containerId: "string", containerPid: "integer",
            mac: "string", cidr: "string", gateway: "string", mtu: "integer", ifaceId: "string", dhcp: "boolean",
        },
        required: ["transport", "workload", "containerId", "containerPid", "mac", "cidr"], outputs: { portName: "string" },
    },
    "ovnlab:docker:Container": {
        description: "A workload container (`docker run -d --network none`), labelled with its lab.",
        inputs: { transport: "#Transport", labId: "string", name: "string", image: "string", hostname: "string", command: "string[]", pull: "string" },
        required: ["transport", "labId", "name", "image"],
        outputs: { containerName: "string", containerId: "string", pid: "integer", running: "boolean", problems: "string[]" },
    },
    "ovnlab:docker:Image": {
        description: "The default workload image, built locally from Debian's busybox-static (`docker import`).",
        inputs: { repository: "string", busybox: "string" }, required: [],
        outputs: { image: "string", imageId: "string", busyboxVersion: "string", built: "boolean" },
    },
    "ovnlab:node:ProcessSandbox": {
        description: "A workload as a process in a network namespace of its own on a node (`unshare --net`).",
        inputs: { transport: "#Transport", labId: "string", name: "string" },
        outputs: { containerName: "string", containerId: "string", pid: "integer" },
    },
    "ovnlab:pki:Pki": {
        description: "The lab's certificate authority (`ovs-pki`) and one certificate per name; the private keys are secret outputs.",
        inputs: { dir: "string", names: "string[]" }, outputs: { caCert: "string", files: "any", privateKeys: "map" },
    },
    "ovnlab:vagrant:Project": {
        description: "The lab's Vagrant project: its generated Vagrantfile.",
        inputs: { dir: "string", vagrantfile: "string" },
    },
    "ovnlab:vagrant:Machine": {
        description: "One Vagrant machine (`vagrant up <node>`), read by `vagrant status`.",
        inputs: { projectDir: "string", name: "string", provider: "string", definition: "string" },
        outputs: { state: "string", transport: "#Transport", problems: "string[]" },
    },
    "ovnlab:vagrant:LibvirtNetworks": {
        description: "A libvirt lab's management and underlay networks (`virsh net-define`), isolated, and the underlay bridge's FORWARD ACCEPT rule.",
        inputs: { labId: "string", dir: "string", managementCidr: "string", hostCidr: "string" },
        outputs: { networks: "string[]", chain: "string", problems: "string[]" },
    },
    "ovnlab:vagrant:Provisioning": {
        description: "A node's idempotent provisioning script, run over SSH.",
        inputs: { transport: "#Transport", node: "string", script: "string" }, outputs: { changed: "string[]", problems: "string[]" },
    },
    "ovnlab:ssh:Provisioning": {
        description: "An SSH host's idempotent provisioning script; delete runs the undo script for the steps ovnlab made (owned).",
        inputs: { transport: "#Transport", node: "string", script: "string", undoScript: "string" },
        outputs: { changed: "string[]", problems: "string[]", owned: "string[]", underlayPort: "string" },
    },
};

function property(p: Prop): Record<string, unknown> {
    if (p.startsWith("#")) return { $ref: `#/types/${PACKAGE}:index:${p.slice(1)}` };
    switch (p) {
        case "string[]": return { type: "array", items: { type: "string" } };
        case "map": return { type: "object", additionalProperties: { type: "string" } };
        case "any": return { $ref: "pulumi.json#/Any" };
        default: return { type: p };
    }
}

const props = (spec: Record<string, Prop>) => Object.fromEntries(Object.entries(spec).map(([k, p]) => [k, property(p)]));

const TYPES = {
    Transport: {
        description: "Where a command runs: kind local, netns (namespace) or ssh (host, port, user, identityFile, sudo, knownHostsFile).",
        type: "object",
        properties: props({ kind: "string", namespace: "string", host: "string", port: "integer", user: "string", identityFile: "string", sudo: "boolean", knownHostsFile: "string" }),
        required: ["kind"],
    },
    DbEndpoint: {
        description: "An OVSDB database as ovn-nbctl reaches it: the transport it runs through and its --db remote.",
        type: "object", properties: props({ transport: "#Transport", db: "string" }), required: ["transport", "db"],
    },
    TlsFiles: {
        description: "A private key, its certificate and the CA certificate (paths).",
        type: "object", properties: props({ privateKey: "string", certificate: "string", caCert: "string" }), required: ["privateKey", "certificate", "caCert"],
    },
};

export function buildSchema(version: string): Record<string, unknown> {
    return {
        name: PACKAGE,
        version,
        description: "Open vSwitch / OVN network labs as code: OVN northbound rows, lab nodes, workloads and their plugs.",
        license: "Apache-2.0",
        types: Object.fromEntries(Object.entries(TYPES).map(([k, t]) => [`${PACKAGE}:index:${k}`, t])),
        resources: Object.fromEntries(Object.entries(KINDS).map(([token, k]) => [token, {
            description: k.description,
            inputProperties: props(k.inputs),
            requiredInputs: k.required ?? Object.keys(k.inputs),
            properties: props({ ...k.inputs, ...(k.outputs ?? {}) }),
            required: k.required ?? Object.keys(k.inputs),
        }])),
    };
}
