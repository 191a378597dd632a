// The names and file layouts of what a lab makes on a host: interfaces,
// namespaces, containers, labels, each daemon's files. Every result is a word
// that reaches an argv or an environment, so each is built from validated parts.
import { checked, validLabId, validName, validNamespace, validPath, validPid, validSocketPath } from "../plan/validate";

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

/** The gateway's external network (netns driver): "the internet", a namespace of its own: `ovnlab-<labId>-inet`. */
export function externalNamespaceName(labId: string): string {
    return validNamespace(`ovnlab-${validLabId(labId)}-inet`);
}
/** On the gateway node: the OVS bridge the localnet port's physical network maps to. */
export const EXTERNAL_BRIDGE = "br-ext";
/** The veth between them: its end in the gateway node (a port of br-ext) and its end in the external namespace. */
export const EXTERNAL_NODE_INTERFACE = "ext-inet";
export const EXTERNAL_HOST_INTERFACE = "eth0";

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
    /** Says the databases beside it are an ovnlab central's (their rows go with its files). */
    mark: string;
}

/** The file in a central's directory that marks its databases as the lab's own. */
export const CENTRAL_MARK = "ovnlab-central";

export function centralLayout(stateDir: string): CentralLayout {
    const dir = `${validPath("state directory", stateDir)}/central`;
    const layout: CentralLayout = {
        dir,
        nbDbFile: `${dir}/ovnnb_db.db`, nbSocket: `${dir}/ovnnb_db.sock`, nbPidfile: `${dir}/ovnnb_db.pid`,
        nbCtl: `${dir}/ovnnb_db.ctl`, nbLog: `${dir}/ovsdb-server-nb.log`,
        sbDbFile: `${dir}/ovnsb_db.db`, sbSocket: `${dir}/ovnsb_db.sock`, sbPidfile: `${dir}/ovnsb_db.pid`,
        sbCtl: `${dir}/ovnsb_db.ctl`, sbLog: `${dir}/ovsdb-server-sb.log`,
        northdPidfile: `${dir}/ovn-northd.pid`, northdCtl: `${dir}/ovn-northd.ctl`, northdLog: `${dir}/ovn-northd.log`,
        mark: `${dir}/${CENTRAL_MARK}`,
    };
    [layout.nbSocket, layout.nbCtl, layout.sbSocket, layout.sbCtl, layout.northdCtl].forEach(validSocketPath);
    return layout;
}

/** The external host's files: its listener's document root (a CGI that prints the source it sees), pidfile and log. */
export function externalLayout(stateDir: string) {
    const dir = `${validPath("state directory", stateDir)}/inet`;
    return { dir, wwwDir: `${dir}/www`, cgi: `${dir}/www/cgi-bin/source`, pidfile: `${dir}/httpd.pid`, logFile: `${dir}/httpd.log` };
}
