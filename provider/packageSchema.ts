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
        description: "A logical router (`ovn-nbctl lr-add`), e.g. the walk-through's lr0.",
        inputs: { ...NB_ROW }, outputs: { ...DISPLAY },
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
        inputs: { ...NB_ROW, switch: "string", type: "string", addresses: "string[]", options: "map" },
        required: ["endpoint", "name", "switch"], outputs: { ...DISPLAY },
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
    "ovnlab:ovs:Chassis": {
        description: "A node's chassis settings (`ovs-vsctl set open . external-ids:ovn-remote=... ovn-encap-type=... ovn-encap-ip=...`).",
        inputs: { transport: "#Transport", ovsDb: "string", ids: "map" },
    },
    "ovnlab:ovn:Readiness": {
        description: "The lab forwards: every chassis recomputed and caught up (`ovn-nbctl --wait=hv sync`), every workload port ovn-installed.",
        inputs: { endpoint: "#DbEndpoint", stack: "string", nodes: "any", ports: "any", timeoutSeconds: "integer" },
        outputs: { nbDigest: "string", waitedMs: "integer", problems: "string[]" },
    },
    "ovnlab:ovs:ContainerPlug": {
        description: "A workload's eth0 on br-int (`ovs-docker add-port`, then `external_ids:iface-id=<logical port>`).",
        inputs: {
            transport: "#Transport", ovsDb: "string", bridge: "string", workload: "string", containerId: "string", containerPid: "integer",
            mac: "string", cidr: "string", gateway: "string", mtu: "integer", ifaceId: "string",
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
    "ovnlab:vagrant:Provisioning": {
        description: "A node's idempotent provisioning script, run over SSH.",
        inputs: { transport: "#Transport", node: "string", script: "string" }, outputs: { changed: "string[]", problems: "string[]" },
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
        description: "Where a command runs: kind local, netns (namespace) or ssh (host, port, user, identityFile, sudo).",
        type: "object",
        properties: props({ kind: "string", namespace: "string", host: "string", port: "integer", user: "string", identityFile: "string", sudo: "boolean" }),
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
