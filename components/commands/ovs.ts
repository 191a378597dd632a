// ovsdb-tool, ovsdb-server, the OVS/OVN daemons and ovs-vsctl, as argv arrays,
// and a parser of ovs-vsctl's maps. Pure: nothing here runs anything.
import { Argv } from "./argv";
import { CentralLayout, NodeLayout } from "./names";
import { checked, validChassis, validDatapathType, validEncap, validHostname, validInterface, validIpv4, validMac, validName, validOvsdbRemote, validPath, validSocketPath } from "../plan/validate";

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
export const vsDelBridge = (bridge: string): VsctlCommand => ["--if-exists", "del-br", validInterface(bridge)];
/** `set open . external_ids:ovn-bridge-mappings=physnet:br-ext`: ovn-controller patches br-int to that bridge for localnet ports of that network. */
export const vsSetBridgeMappings = (physnet: string, bridge: string): VsctlCommand =>
    ["set", "open_vswitch", ".", `external_ids:ovn-bridge-mappings=${checked("physical network", physnet, /^[a-z][a-z0-9]{0,14}$/.test(physnet), "1-15 of a-z, 0-9, starting with a letter")}:${validInterface(bridge)}`];
export const vsRemoveBridgeMappings = (): VsctlCommand => ["remove", "open_vswitch", ".", "external_ids", "ovn-bridge-mappings"];
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
