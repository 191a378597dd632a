// What the netns driver runs on a host: ip, iptables, ovsdb-tool, the OVS/OVN
// daemons, ovs-vsctl, nsenter, ethtool and docker, as argv arrays. Pure:
// nothing here runs anything; `runCommand(transport, argv)` does.
//
// Every builder validates what it is given against a strict pattern and
// throws instead of building a bad command, so a value that reaches an argv is
// one literal word that neither a shell nor OVSDB's own parser can re-split.
//
// Plain functions and constants only: the program and the provider plugin both load it.
import { DATAPATH_TYPES, DatapathType, Encap, ENCAPS, IMAGE_PATTERN, LAB_ID_PATTERN, NAME_PATTERN } from "../plan/config";

export type Argv = string[];

// ---- Validation ------------------------------------------------------------

const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);
const IPV4_CIDR = new RegExp(`^${OCTET}(\\.${OCTET}){3}/(3[0-2]|[12]?\\d)$`);
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
/** Linux interface names: at most 15 bytes; ovnlab's own are lower-case words with '-' and '_'. */
const INTERFACE = /^[a-z][a-z0-9_-]{0,14}$/;
/** `ovnlab-<labId>-<node>`; /run/netns/<name> is a file, so longer than an interface is fine. */
const NAMESPACE = /^[a-z][a-z0-9-]{0,62}$/;
/** Absolute paths without spaces, quotes, globs or `..`: they end up inside OVSDB remotes too. */
const PATH = /^\/[A-Za-z0-9._+\/-]{0,1023}$/;
/** sun_path holds 108 bytes including the terminating NUL. */
const MAX_SOCKET_PATH = 107;
const CONTAINER_ID = /^[0-9a-f]{12,64}$/;
/** Docker names ovnlab gives its containers: `ovnlab-<labId>-<name>`. */
const DOCKER_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const HOSTNAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const PORT_MAX = 65535;

function checked(kind: string, value: unknown, valid: boolean, rule: string): string {
    if (!valid) throw new Error(`invalid ${kind} ${JSON.stringify(value)}: ${rule}`);
    return value as string;
}

const isString = (value: unknown): value is string => typeof value === "string";

export function validLabId(value: string): string {
    return checked("lab id", value, isString(value) && LAB_ID_PATTERN.test(value), "1-8 of a-z, 0-9, starting with a letter");
}

/** A node or container name as the configuration allows it. */
export function validName(kind: string, value: string): string {
    return checked(kind, value, isString(value) && NAME_PATTERN.test(value), "1-32 of a-z, 0-9 and inner '-', starting with a letter");
}

export function validInterface(value: string): string {
    return checked("interface name", value, isString(value) && INTERFACE.test(value), "1-15 of a-z, 0-9, '-', '_', starting with a letter");
}

export function validNamespace(value: string): string {
    return checked("network namespace", value, isString(value) && NAMESPACE.test(value), "1-63 of a-z, 0-9, '-', starting with a letter");
}

export function validPath(kind: string, value: string): string {
    const ok = isString(value) && PATH.test(value) && !value.split("/").some((part) => part === "." || part === "..");
    return checked(kind, value, ok, "an absolute path of letters, digits and . _ + - / (no '..')");
}

export function validSocketPath(value: string): string {
    validPath("socket path", value);
    return checked("socket path", value, value.length <= MAX_SOCKET_PATH, `at most ${MAX_SOCKET_PATH} bytes (a unix socket limit); use a shorter state directory`);
}

export function validIpv4(value: string): string {
    return checked("IPv4 address", value, isString(value) && IPV4.test(value), "a dotted quad such as 172.16.56.2");
}

/** An interface address with its prefix (host bits set), e.g. 172.16.56.2/24. */
export function validIpv4Cidr(value: string): string {
    return checked("IPv4 address/prefix", value, isString(value) && IPV4_CIDR.test(value), "an address with prefix such as 172.16.56.2/24");
}

export function validMac(value: string): string {
    const ok = isString(value) && MAC.test(value) && parseInt(value.slice(0, 2), 16) % 2 === 0 && value !== "00:00:00:00:00:00";
    return checked("MAC address", value, ok, "a unicast MAC in lower case such as 02:00:00:00:01:03");
}

export function validPid(value: number): number {
    const ok = Number.isInteger(value) && value > 1 && value < 2 ** 22;
    checked("process id", value, ok, "a process id other than 0 and 1");
    return value;
}

export function validMtu(value: number): number {
    checked("MTU", value, Number.isInteger(value) && value >= 576 && value <= 9000, "an integer from 576 to 9000");
    return value;
}

export function validDatapathType(value: string): DatapathType {
    checked("datapath type", value, (DATAPATH_TYPES as readonly string[]).includes(value), DATAPATH_TYPES.join(" | "));
    return value as DatapathType;
}

export function validEncap(value: string): Encap {
    checked("encapsulation", value, (ENCAPS as readonly string[]).includes(value), ENCAPS.join(" | "));
    return value as Encap;
}

export function validImage(value: string): string {
    return checked("image reference", value, isString(value) && IMAGE_PATTERN.test(value), "e.g. ovnlab/busybox:1.35.0 or nicolaka/netshoot");
}

export function validContainerId(value: string): string {
    return checked("container id", value, isString(value) && CONTAINER_ID.test(value), "12-64 lower-case hex digits");
}

export function validHostname(value: string): string {
    return checked("hostname", value, isString(value) && HOSTNAME.test(value), "1-63 of a-z, 0-9 and inner '-'");
}

/** An OVN chassis name (system-id), e.g. `<labId>-<node>`. */
export function validChassis(value: string): string {
    return checked("chassis name", value, isString(value) && /^[a-z][a-z0-9-]{0,62}$/.test(value), "1-63 of a-z, 0-9, '-', starting with a letter");
}

/** An OVSDB remote ovnlab connects to: unix:<socket> or tcp:<ip>:<port>. */
export function validOvsdbRemote(value: string): string {
    if (isString(value) && value.startsWith("unix:")) {
        validSocketPath(value.slice("unix:".length));
        return value;
    }
    const tcp = isString(value) ? /^(?:tcp|ssl):(.+):(\d{1,5})$/.exec(value) : null;
    const ok = tcp !== null && IPV4.test(tcp[1]) && Number(tcp[2]) > 0 && Number(tcp[2]) <= PORT_MAX;
    return checked("OVSDB remote", value, ok, "unix:/path/db.sock, tcp:172.16.56.2:6642 or ssl:172.16.56.2:6642");
}

// ---- Names -----------------------------------------------------------------

/** 32-bit FNV-1a: a stable short hash for names that do not fit in 15 bytes. */
function fnv1a(text: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
        hash ^= text.charCodeAt(i);
        hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash;
}

const INTERFACE_MAX = 15;

/**
 * `<prefix>-<name>` when it fits in an interface name, else `<prefix>_<6 hex
 * digits of a hash of name>`. Names never contain '_', so a hashed name cannot
 * equal a readable one.
 */
export function interfaceName(prefix: string, name: string): string {
    checked("interface prefix", prefix, /^[a-z][a-z0-9]{0,7}$/.test(prefix), "1-8 of a-z, 0-9, starting with a letter");
    validName("name", name);
    const readable = `${prefix}-${name}`;
    if (readable.length <= INTERFACE_MAX) return readable;
    return `${prefix}_${fnv1a(name).toString(16).padStart(8, "0").slice(0, 6)}`;
}

/** The node's network namespace. */
export function namespaceName(labId: string, node: string): string {
    return validNamespace(`ovnlab-${validLabId(labId)}-${validName("node name", node)}`);
}

/** The lab's underlay Linux bridge: `<labId>_br` (no node's veth can be called that, see interfaceName). */
export function underlayBridgeName(labId: string): string {
    return `${validLabId(labId)}_br`;
}

/** The host end of a node's underlay veth, a port of the underlay bridge. */
export function hostVethName(labId: string, node: string): string {
    return interfaceName(validLabId(labId), node);
}

/** The node end of the underlay veth, inside the node namespace (a port of br-phy). */
export const NODE_UNDERLAY_INTERFACE = "underlay";
/** The netdev bridge that owns the node's underlay address (userspace tunnelling). */
export const PHYSICAL_BRIDGE = "br-phy";
/** The workload's interface, as ovs-docker names it. */
export const WORKLOAD_INTERFACE = "eth0";

/** The node end of a workload's veth (a port of br-int). */
export function plugInterfaceName(workload: string): string {
    return interfaceName("c", workload);
}

export function containerName(labId: string, name: string): string {
    return `ovnlab-${validLabId(labId)}-${validName("container name", name)}`;
}

/** Label that marks every container a lab runs (docker ps --filter label=...). */
export const LAB_LABEL = "ovnlab.lab";
/** Label that marks images ovnlab built. */
export const IMAGE_LABEL = "ovnlab.image";

// ---- State directory layout ------------------------------------------------

/** Files of one node's own ovsdb-server, ovs-vswitchd and ovn-controller under `<stateDir>/<node>/`. */
export interface NodeLayout {
    dir: string;
    runDir: string;
    dbDir: string;
    logDir: string;
    etcDir: string;
    confDb: string;
    dbSocket: string;
    ovsdbPidfile: string;
    ovsdbCtl: string;
    ovsdbLog: string;
    vswitchdPidfile: string;
    vswitchdCtl: string;
    vswitchdLog: string;
    controllerPidfile: string;
    controllerLog: string;
}

/** Longest ovn-controller control socket name: `ovn-controller.<pid>.ctl`, pid up to 2^22. */
const CONTROLLER_CTL_NAME_MAX = "ovn-controller.4194304.ctl".length;

export function nodeLayout(stateDir: string, node: string): NodeLayout {
    validPath("state directory", stateDir);
    const dir = `${stateDir}/${validName("node name", node)}`;
    const runDir = `${dir}/run`;
    const logDir = `${dir}/log`;
    const dbDir = `${dir}/db`;
    // ovn-controller 23.03 names its socket after its pid in runDir: check the longest one fits.
    validSocketPath(`${runDir}/${"x".repeat(CONTROLLER_CTL_NAME_MAX)}`);
    return {
        dir, runDir, dbDir, logDir, etcDir: `${dir}/etc`,
        confDb: `${dbDir}/conf.db`,
        dbSocket: `${runDir}/db.sock`,
        ovsdbPidfile: `${runDir}/ovsdb-server.pid`,
        ovsdbCtl: `${runDir}/ovsdb-server.ctl`,
        ovsdbLog: `${logDir}/ovsdb-server.log`,
        vswitchdPidfile: `${runDir}/ovs-vswitchd.pid`,
        vswitchdCtl: `${runDir}/ovs-vswitchd.ctl`,
        vswitchdLog: `${logDir}/ovs-vswitchd.log`,
        controllerPidfile: `${runDir}/ovn-controller.pid`,
        controllerLog: `${logDir}/ovn-controller.log`,
    };
}

/** ovn-controller 23.03 rejects --unixctl: its control socket is `<OVN_RUNDIR>/ovn-controller.<pid>.ctl`. */
export function controllerCtl(layout: NodeLayout, pid: number): string {
    return validSocketPath(`${layout.runDir}/ovn-controller.${validPid(pid)}.ctl`);
}

/** What every OVS/OVN tool run for this node should find in its environment (defaults point at /var/run). */
export function nodeEnvironment(layout: NodeLayout): Record<string, string> {
    return {
        OVS_RUNDIR: layout.runDir, OVS_DBDIR: layout.dbDir, OVS_LOGDIR: layout.logDir, OVS_SYSCONFDIR: layout.etcDir,
        OVN_RUNDIR: layout.runDir, OVN_DBDIR: layout.dbDir, OVN_LOGDIR: layout.logDir, OVN_SYSCONFDIR: layout.etcDir,
    };
}

/** The central's NB and SB databases and ovn-northd, all in `<stateDir>/central/`. */
export interface CentralLayout {
    dir: string;
    nbDbFile: string;
    nbSocket: string;
    nbPidfile: string;
    nbCtl: string;
    nbLog: string;
    sbDbFile: string;
    sbSocket: string;
    sbPidfile: string;
    sbCtl: string;
    sbLog: string;
    northdPidfile: string;
    northdCtl: string;
    northdLog: string;
}

export function centralLayout(stateDir: string): CentralLayout {
    const dir = `${validPath("state directory", stateDir)}/central`;
    const layout: CentralLayout = {
        dir,
        nbDbFile: `${dir}/ovnnb_db.db`, nbSocket: `${dir}/ovnnb_db.sock`, nbPidfile: `${dir}/ovnnb_db.pid`,
        nbCtl: `${dir}/ovnnb_db.ctl`, nbLog: `${dir}/ovsdb-server-nb.log`,
        sbDbFile: `${dir}/ovnsb_db.db`, sbSocket: `${dir}/ovnsb_db.sock`, sbPidfile: `${dir}/ovnsb_db.pid`,
        sbCtl: `${dir}/ovnsb_db.ctl`, sbLog: `${dir}/ovsdb-server-sb.log`,
        northdPidfile: `${dir}/ovn-northd.pid`, northdCtl: `${dir}/ovn-northd.ctl`, northdLog: `${dir}/ovn-northd.log`,
    };
    [layout.nbSocket, layout.nbCtl, layout.sbSocket, layout.sbCtl, layout.northdCtl].forEach(validSocketPath);
    return layout;
}

// ---- ip ----------------------------------------------------------------------

export const ipNetnsAdd = (namespace: string): Argv => ["ip", "netns", "add", validNamespace(namespace)];
export const ipNetnsDelete = (namespace: string): Argv => ["ip", "netns", "delete", validNamespace(namespace)];

/** JSON description of one link; exits non-zero when it does not exist. */
export const ipLinkShow = (device: string): Argv => ["ip", "-j", "link", "show", "dev", validInterface(device)];
/** Like ipLinkShow, with the link kind (veth, bridge, ...). */
export const ipLinkDetails = (device: string): Argv => ["ip", "-j", "-d", "link", "show", "dev", validInterface(device)];
export const ipLinkUp = (device: string): Argv => ["ip", "link", "set", "dev", validInterface(device), "up"];
export const ipLinkDelete = (device: string): Argv => ["ip", "link", "delete", "dev", validInterface(device)];
export const ipLinkSetMaster = (device: string, master: string): Argv =>
    ["ip", "link", "set", "dev", validInterface(device), "master", validInterface(master)];
export const ipLinkSetAddressAndMtu = (device: string, mac: string, mtu: number): Argv =>
    ["ip", "link", "set", "dev", validInterface(device), "address", validMac(mac), "mtu", String(validMtu(mtu))];
export const ipLinkSetMtu = (device: string, mtu: number): Argv => ["ip", "link", "set", "dev", validInterface(device), "mtu", String(validMtu(mtu))];
export const ipBridgeAdd = (bridge: string): Argv => ["ip", "link", "add", "name", validInterface(bridge), "type", "bridge"];

export interface VethSpec {
    /** The end created where the command runs. */
    name: string;
    peerName: string;
    /** Where the peer goes: a named namespace, or the network namespace of a process. */
    peerNamespace: { name: string } | { pid: number };
    mtu?: number;
    peerMac?: string;
}

/** `ip link add A [mtu M] type veth peer name B [address MAC] [mtu M] netns NS|PID`: both ends in place at once. */
export function ipVethAdd(spec: VethSpec): Argv {
    const mtu = spec.mtu === undefined ? [] : ["mtu", String(validMtu(spec.mtu))];
    const target = "name" in spec.peerNamespace ? validNamespace(spec.peerNamespace.name) : String(validPid(spec.peerNamespace.pid));
    return [
        "ip", "link", "add", validInterface(spec.name), ...mtu, "type", "veth",
        "peer", "name", validInterface(spec.peerName), ...(spec.peerMac === undefined ? [] : ["address", validMac(spec.peerMac)]), ...mtu,
        "netns", target,
    ];
}

export const ipAddrShow = (device: string): Argv => ["ip", "-j", "addr", "show", "dev", validInterface(device)];
export const ipAddrAdd = (cidr: string, device: string): Argv => ["ip", "addr", "add", validIpv4Cidr(cidr), "dev", validInterface(device)];
export const ipAddrFlush = (device: string): Argv => ["ip", "-4", "addr", "flush", "dev", validInterface(device)];
export const ipRouteReplaceDefault = (gateway: string, device: string): Argv =>
    ["ip", "route", "replace", "default", "via", validIpv4(gateway), "dev", validInterface(device)];
export const ipRouteDeleteDefault = (): Argv => ["ip", "route", "delete", "default"];
export const ipRouteShowDefault = (): Argv => ["ip", "-j", "route", "show", "default"];

/** Turns TX checksum offload off: veth leaves partial checksums that the AF_PACKET path forwards as-is (recipe pitfall 2). */
export const ethtoolTxOff = (device: string): Argv => ["ethtool", "-K", validInterface(device), "tx", "off"];

/** Runs `argv` in the network namespace of process `pid` (a container's), with the host's tools. */
export const inNetnsOfPid = (pid: number, argv: Argv): Argv => ["nsenter", "-t", String(validPid(pid)), "-n", ...argv];

// ---- iptables ---------------------------------------------------------------

/** dockerd sets FORWARD's policy to DROP and leaves DOCKER-USER to the admin; without dockerd, FORWARD. */
export type ForwardChain = "DOCKER-USER" | "FORWARD";

function validChain(chain: string): ForwardChain {
    checked("iptables chain", chain, chain === "DOCKER-USER" || chain === "FORWARD", "DOCKER-USER | FORWARD");
    return chain as ForwardChain;
}

export const iptablesChainExists = (chain: ForwardChain): Argv => ["iptables", "-w", "5", "-n", "-L", validChain(chain)];

/** Bridged frames pass the FORWARD hook when bridge-nf-call-iptables=1: accept the underlay's own. */
function underlayAcceptRule(bridge: string, labId: string): Argv {
    return ["-i", validInterface(bridge), "-o", bridge, "-m", "comment", "--comment", `ovnlab:${validLabId(labId)}`, "-j", "ACCEPT"];
}

export const iptablesCheckUnderlayRule = (chain: ForwardChain, bridge: string, labId: string): Argv =>
    ["iptables", "-w", "5", "-C", validChain(chain), ...underlayAcceptRule(bridge, labId)];
export const iptablesInsertUnderlayRule = (chain: ForwardChain, bridge: string, labId: string): Argv =>
    ["iptables", "-w", "5", "-I", validChain(chain), ...underlayAcceptRule(bridge, labId)];
export const iptablesDeleteUnderlayRule = (chain: ForwardChain, bridge: string, labId: string): Argv =>
    ["iptables", "-w", "5", "-D", validChain(chain), ...underlayAcceptRule(bridge, labId)];

// ---- OVSDB and the daemons -------------------------------------------------

export const SCHEMAS = {
    openVswitch: "/usr/share/openvswitch/vswitch.ovsschema",
    northbound: "/usr/share/ovn/ovn-nb.ovsschema",
    southbound: "/usr/share/ovn/ovn-sb.ovsschema",
};

export const ovsdbToolCreate = (dbFile: string, schema: string): Argv =>
    ["ovsdb-tool", "create", validPath("database file", dbFile), validPath("schema", schema)];

/** Options every ovnlab daemon gets: its own pidfile and log, detached, no chdir to /. */
function daemonOptions(pidfile: string, logFile: string): Argv {
    return [`--pidfile=${validPath("pidfile", pidfile)}`, `--log-file=${validPath("log file", logFile)}`, "--detach", "--no-chdir"];
}

/** Which OVN database's connection table an ovsdb-server also listens on (so `set-connection ptcp:...` takes effect). */
const CONNECTION_REMOTES = {
    northbound: "db:OVN_Northbound,NB_Global,connections",
    southbound: "db:OVN_Southbound,SB_Global,connections",
};

export interface OvsdbServerSpec {
    dbFile: string;
    socket: string;
    pidfile: string;
    logFile: string;
    unixctl: string;
    /** Also listen on the remotes in this OVN database's connection table. */
    connectionsOf?: keyof typeof CONNECTION_REMOTES;
}

/** Certificate files for an OVSDB client or server (ovs-pki's PEM files). */
export interface TlsFiles {
    privateKey: string;
    certificate: string;
    caCert: string;
}

/** ovsdb-server options that read the SSL settings `set-ssl` stores in the database, as ovn-ctl passes them. */
const SSL_FROM_DB: Record<keyof typeof CONNECTION_REMOTES, string> = {
    northbound: "OVN_Northbound",
    southbound: "OVN_Southbound",
};

export function tlsOptions(files: TlsFiles): string[] {
    return [
        `--private-key=${validPath("private key", files.privateKey)}`,
        `--certificate=${validPath("certificate", files.certificate)}`,
        `--ca-cert=${validPath("CA certificate", files.caCert)}`,
    ];
}

export function ovsdbServerStart(spec: OvsdbServerSpec): Argv {
    // An unknown database would silently drop the connection remotes.
    if (spec.connectionsOf !== undefined) {
        checked("connections database", spec.connectionsOf, Object.hasOwn(CONNECTION_REMOTES, spec.connectionsOf), Object.keys(CONNECTION_REMOTES).join(" | "));
    }
    const db = spec.connectionsOf === undefined ? undefined : SSL_FROM_DB[spec.connectionsOf];
    const connections = db === undefined ? [] : [
        `--remote=${CONNECTION_REMOTES[spec.connectionsOf!]}`,
        `--private-key=db:${db},SSL,private_key`, `--certificate=db:${db},SSL,certificate`, `--ca-cert=db:${db},SSL,ca_cert`,
    ];
    return [
        "ovsdb-server", `--remote=punix:${validSocketPath(spec.socket)}`, ...connections,
        `--unixctl=${validSocketPath(spec.unixctl)}`, ...daemonOptions(spec.pidfile, spec.logFile), validPath("database file", spec.dbFile),
    ];
}

export function ovsVswitchdStart(layout: NodeLayout): Argv {
    return [
        "ovs-vswitchd", `unix:${validSocketPath(layout.dbSocket)}`, `--unixctl=${validSocketPath(layout.vswitchdCtl)}`,
        ...daemonOptions(layout.vswitchdPidfile, layout.vswitchdLog),
    ];
}

/** No --unixctl: ovn-controller 23.03 rejects it (see controllerCtl). With TLS, its certificate for the ssl: SB remote. */
export function ovnControllerStart(layout: NodeLayout, tls?: TlsFiles): Argv {
    return [
        "ovn-controller", `unix:${validSocketPath(layout.dbSocket)}`, ...(tls ? tlsOptions(tls) : []),
        ...daemonOptions(layout.controllerPidfile, layout.controllerLog),
    ];
}

export function ovnNorthdStart(layout: CentralLayout): Argv {
    return [
        "ovn-northd", `--ovnnb-db=unix:${validSocketPath(layout.nbSocket)}`, `--ovnsb-db=unix:${validSocketPath(layout.sbSocket)}`,
        `--unixctl=${validSocketPath(layout.northdCtl)}`, ...daemonOptions(layout.northdPidfile, layout.northdLog),
    ];
}

/** `ovn-nbctl init` / `ovn-sbctl init`: the NB_Global / SB_Global row that `set-connection` needs. */
export const ovnDbInit = (tool: "ovn-nbctl" | "ovn-sbctl", db: string): Argv => [
    checked("tool", tool, tool === "ovn-nbctl" || tool === "ovn-sbctl", "ovn-nbctl | ovn-sbctl"), `--db=${validOvsdbRemote(db)}`, "--timeout=20", "init"];

// ---- ovs-vsctl ---------------------------------------------------------------

/** One ovs-vsctl command; several are joined with `--` into one transaction. */
export type VsctlCommand = string[];

export interface VsctlOptions {
    /** Return without waiting for ovs-vswitchd to apply the change (needed before it runs). */
    noWait?: boolean;
    timeoutSeconds?: number;
}

/** `ovs-vsctl [--db=DB] --timeout=N [--no-wait] cmd1 -- cmd2 ...`; an empty db means the tool's default. */
export function ovsVsctl(db: string, commands: VsctlCommand[], options: VsctlOptions = {}): Argv {
    if (commands.length === 0) throw new Error("an ovs-vsctl transaction needs at least one command");
    const timeout = options.timeoutSeconds ?? 20;
    checked("ovs-vsctl timeout", timeout, Number.isInteger(timeout) && timeout > 0 && timeout <= 600, "1-600 seconds");
    return [
        "ovs-vsctl", ...(db === "" ? [] : [`--db=${validOvsdbRemote(db)}`]), `--timeout=${timeout}`, ...(options.noWait ? ["--no-wait"] : []),
        ...commands.flatMap((command, i) => (i === 0 ? command : ["--", ...command])),
    ];
}

export const vsInit = (): VsctlCommand => ["init"];
export const vsAddBridge = (bridge: string): VsctlCommand => ["--may-exist", "add-br", validInterface(bridge)];
export const vsBridgeExists = (bridge: string): VsctlCommand => ["br-exists", validInterface(bridge)];
export const vsSetDatapathType = (bridge: string, datapathType: string): VsctlCommand =>
    ["set", "bridge", validInterface(bridge), `datapath_type=${validDatapathType(datapathType)}`];
/** secure: only the controller's flows (OVN); standalone: the NORMAL action, MAC learning (single-l2). */
export const vsSetFailMode = (bridge: string, mode: "secure" | "standalone"): VsctlCommand =>
    ["set-fail-mode", validInterface(bridge), checked("fail mode", mode, mode === "secure" || mode === "standalone", "secure | standalone")];
export const vsDisableInBand = (bridge: string): VsctlCommand => ["set", "bridge", validInterface(bridge), "other-config:disable-in-band=true"];
/** A fixed bridge MAC (OVS's userspace-tunnelling recipe pins br-phy's to its NIC's), kept across ovs-vswitchd restarts. */
export const vsSetBridgeHwaddr = (bridge: string, mac: string): VsctlCommand => ["set", "bridge", validInterface(bridge), `other-config:hwaddr="${validMac(mac)}"`];
export const vsAddPort = (bridge: string, port: string): VsctlCommand => ["--may-exist", "add-port", validInterface(bridge), validInterface(port)];
export const vsDelPort = (bridge: string, port: string): VsctlCommand => ["--if-exists", "del-port", validInterface(bridge), validInterface(port)];
export const vsPortToBridge = (port: string): VsctlCommand => ["port-to-br", validInterface(port)];
export const vsGetInterfaceExternalIds = (iface: string): VsctlCommand => ["get", "interface", validInterface(iface), "external_ids"];

export interface OvnChassisIds {
    /** tcp:<central underlay ip>:6642 */
    ovnRemote: string;
    encapType: string;
    encapIp: string;
    systemId: string;
    hostname: string;
    bridge: string;
    bridgeDatapathType: string;
    /** Monitor the whole SB: the first ping of a new port takes ~60 ms instead of ~1 s (recipe pitfall 4). */
    monitorAll: boolean;
}

/** The walk-through's `set open . external-ids:ovn-remote=... ovn-encap-type=... ovn-encap-ip=...`, plus identity. */
export function vsSetOvnChassisIds(ids: OvnChassisIds): VsctlCommand {
    return [
        "set", "open_vswitch", ".",
        `external_ids:ovn-remote=${validOvsdbRemote(ids.ovnRemote)}`,
        `external_ids:ovn-encap-type=${validEncap(ids.encapType)}`,
        `external_ids:ovn-encap-ip=${validIpv4(ids.encapIp)}`,
        `external_ids:system-id=${validChassis(ids.systemId)}`,
        `external_ids:hostname=${validHostname(ids.hostname)}`,
        `external_ids:ovn-bridge=${validInterface(ids.bridge)}`,
        `external_ids:ovn-bridge-datapath-type=${validDatapathType(ids.bridgeDatapathType)}`,
        `external_ids:ovn-monitor-all=${ids.monitorAll ? "true" : "false"}`,
    ];
}

/** The Open_vSwitch row's external_ids: a chassis' settings as they are. */
export const vsGetOpenVswitchExternalIds = (): VsctlCommand => ["get", "open_vswitch", ".", "external_ids"];
/** Undoes the walk-through's three settings: ovn-controller stops being a chassis of the lab's central. */
export const vsRemoveOvnRemote = (): VsctlCommand => ["remove", "open_vswitch", ".", "external_ids", "ovn-remote", "ovn-encap-type", "ovn-encap-ip"];

export interface WorkloadInterfaceIds {
    /** Which workload, as ovs-docker records it (`ovs-vsctl find Interface external_ids:container_id=netsho1`). */
    containerId: string;
    containerIface: string;
    /** The OVN logical switch port this interface binds; none without OVN. */
    ifaceId?: string;
}

/** `set interface X external_ids:container_id=.. external_ids:container_iface=.. [external_ids:iface-id=..]`. */
export function vsSetWorkloadIds(iface: string, ids: WorkloadInterfaceIds): VsctlCommand {
    return [
        "set", "interface", validInterface(iface),
        `external_ids:container_id=${validName("container name", ids.containerId)}`,
        `external_ids:container_iface=${validInterface(ids.containerIface)}`,
        ...(ids.ifaceId === undefined ? [] : [`external_ids:iface-id=${validName("logical port", ids.ifaceId)}`]),
    ];
}

/** Drops a stale iface-id (a plug that no longer binds an OVN port). */
export const vsRemoveIfaceId = (iface: string): VsctlCommand => ["remove", "interface", validInterface(iface), "external_ids", "iface-id"];

// ---- docker -----------------------------------------------------------------

export interface DockerRunSpec {
    name: string;
    labId: string;
    hostname: string;
    image: string;
    command: string[];
    /** never: fail at once when the image is not local (no registry is needed or reachable). */
    pull: "never" | "missing";
}

/** `docker run -d --network none ...`: ovnlab plugs eth0 itself, as ovs-docker does. */
export function dockerRun(spec: DockerRunSpec): Argv {
    for (const word of spec.command) {
        checked("container command word", word, isString(word) && word.length > 0 && !/[\0\n\r]/.test(word), "non-empty, without NUL or newlines");
    }
    checked("pull policy", spec.pull, spec.pull === "never" || spec.pull === "missing", "never | missing");
    return [
        "docker", "run", "-d", "--network", "none", `--pull=${spec.pull}`,
        "--name", checked("container name", spec.name, isString(spec.name) && DOCKER_NAME.test(spec.name), "ovnlab-<labId>-<name>"),
        "--label", `${LAB_LABEL}=${validLabId(spec.labId)}`, "--hostname", validHostname(spec.hostname),
        "--cap-add", "NET_ADMIN", validImage(spec.image), ...spec.command,
    ];
}

const dockerTarget = (nameOrId: string): string =>
    checked("container", nameOrId, isString(nameOrId) && (DOCKER_NAME.test(nameOrId) || CONTAINER_ID.test(nameOrId)), "a container name or id");

export const dockerInspect = (nameOrId: string): Argv => ["docker", "inspect", "--type", "container", dockerTarget(nameOrId)];
export const dockerStart = (nameOrId: string): Argv => ["docker", "start", dockerTarget(nameOrId)];
export const dockerRemove = (nameOrId: string): Argv => ["docker", "rm", "-f", dockerTarget(nameOrId)];
export const dockerImageInspect = (image: string): Argv => ["docker", "image", "inspect", validImage(image)];
/** Without -f: an image a container still uses stays. */
export const dockerImageRemove = (image: string): Argv => ["docker", "image", "rm", validImage(image)];

/** `docker import` of a root filesystem tarball: no registry involved. */
export function dockerImport(tarball: string, image: string, labelValue: string): Argv {
    checked("image label", labelValue, /^[A-Za-z0-9._-]{1,64}$/.test(labelValue), "1-64 of A-Z, a-z, 0-9, '.', '_', '-'");
    return [
        "docker", "import", "--change", `LABEL ${IMAGE_LABEL}=${labelValue}`, "--change", 'CMD ["sh"]',
        validPath("tarball", tarball), validImage(image),
    ];
}

export const tarDirectory = (dir: string, tarball: string): Argv => ["tar", "-C", validPath("directory", dir), "-cf", validPath("tarball", tarball), "."];
/** Every applet as a path relative to / (bin/sh, usr/bin/nc, ...). */
export const busyboxListApplets = (busybox: string): Argv => [validPath("busybox binary", busybox), "--list-full"];

// ---- Parsing what those commands print --------------------------------------

interface IpLinkJson {
    ifname?: string;
    address?: string;
    mtu?: number;
    master?: string;
    linkinfo?: { info_kind?: string };
    addr_info?: { family?: string; local?: string; prefixlen?: number }[];
}

function parseIpJson(stdout: string): IpLinkJson[] {
    const parsed: unknown = JSON.parse(stdout.trim() || "[]");
    return Array.isArray(parsed) ? (parsed as IpLinkJson[]) : [];
}

/** The IPv4 addresses with prefixes in `ip -j addr show` output, e.g. ["172.16.56.2/24"]. */
export function parseIpv4Cidrs(stdout: string): string[] {
    return parseIpJson(stdout).flatMap((link) =>
        (link.addr_info ?? []).filter((a) => a.family === "inet").map((a) => `${a.local}/${a.prefixlen}`));
}

/** The bridge a link is enslaved to, from `ip -j link show`. */
export function parseLinkMaster(stdout: string): string | undefined {
    return parseIpJson(stdout)[0]?.master;
}

/** The kind of a link (veth, bridge, ...), from `ip -j -d link show`. */
export function parseLinkKind(stdout: string): string | undefined {
    return parseIpJson(stdout)[0]?.linkinfo?.info_kind;
}

/** MAC and MTU of a link, from `ip -j link show` or `ip -j addr show`. */
export function parseLinkAddress(stdout: string): { mac?: string; mtu?: number } {
    const link = parseIpJson(stdout)[0];
    return { mac: link?.address, mtu: link?.mtu };
}

/** The gateway of the default route, from `ip -j route show default`. */
export function parseDefaultGateway(stdout: string): string | undefined {
    const routes: unknown = JSON.parse(stdout.trim() || "[]");
    return Array.isArray(routes) ? (routes as { gateway?: string }[])[0]?.gateway : undefined;
}

/** `{container_id=netsho1, "iface-id"=netsho1}` (ovs-vsctl get ... external_ids) as a record. */
export function parseOvsMap(stdout: string): Record<string, string> {
    const body = stdout.trim().replace(/^\{|\}$/g, "");
    const map: Record<string, string> = {};
    for (const match of body.matchAll(/("(?:[^"\\]|\\.)*"|[^=,\s]+)=("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
        const unquote = (text: string) => (text.startsWith('"') ? (JSON.parse(text) as string) : text.trim());
        map[unquote(match[1])] = unquote(match[2]);
    }
    return map;
}
