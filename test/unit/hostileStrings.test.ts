// Nothing reaches a shell unquoted. Hostile strings go through every exported
// function of every module that builds argv, in every parameter position. The
// modules are found, not listed: every file under components/commands/, the
// validation vocabulary (components/plan/validate.ts), and any other source file
// that exports a function declared to return an argv or a command's words
// (`): Argv`, `): NbCommand`, `): VsctlCommand`). No source passes an inline
// array to runCommand, so every argv that runs comes from such a builder. Each
// hostile value is each is either rejected with a thrown validation
// error or arrives as one literal word (never split, never a new option, never
// the program). The one remote shell (SSH) is proven by running shellQuote's
// output through a real /bin/sh. And no source file runs a local shell.
import { execFileSync } from "child_process";
import { readdirSync, readFileSync } from "fs";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { centralLayout, nodeLayout } from "../../components/commands/names";
import { shellQuote, TransportSpec, transportArgv } from "../../components/transport/transport";

const HOSTILE = [
    "x; rm -rf /", "$(id)", "`id`", "'", '"', "a'b\"c", "a\nb", "a\r\nb", "a b", "a\tb", "--help", "-rf", "-", "a\0b",
    "$HOME", "a|b", "a&b", "a>b", "*", "~", "\\", "a -- lr-del lr0", "../../etc/passwd", "a".repeat(100_000),
];

/** A builder called the way ovnlab calls it, and which of its inputs are not plain values. */
interface Sample {
    args: unknown[];
    /** Paths of Record arguments whose keys are data too (options, external_ids). */
    maps?: string[];
    /** Paths that take argv ovnlab built already (commands, extra options): composed, not re-validated. */
    built?: string[];
    /** Paths whose words follow the end of the tool's options (a container's command after its image). */
    tail?: string[];
    /** The result is environment values, not argv: a leading '-' is no option there. */
    environment?: boolean;
}

const LAYOUT = nodeLayout("/var/lib/ovnlab/t1", "node1");
const CENTRAL = centralLayout("/var/lib/ovnlab/t1");
const ENDPOINT = { transport: { kind: "local" } as TransportSpec, db: "unix:/var/lib/ovnlab/t1/central/ovnnb_db.sock" };
const TLS = { privateKey: "/etc/ovnlab/key.pem", certificate: "/etc/ovnlab/cert.pem", caCert: "/etc/ovnlab/ca.pem" };
/** A Vagrant machine's transport, as verify, show and trace resolve it. */
const SSH: TransportSpec = { kind: "ssh", host: "127.0.0.1", port: 2222, user: "vagrant", identityFile: "/var/lib/ovnlab/t1/vagrant/.vagrant/machines/node1/docker/private_key", sudo: true };
const CHASSIS_IDS = {
    ovnRemote: "tcp:172.16.56.2:6642", encapType: "geneve", encapIp: "172.16.56.3", systemId: "t1-node2", hostname: "node2",
    bridge: "br-int", bridgeDatapathType: "netdev", monitorAll: true,
};

/** Every command builder with valid arguments; the test swaps one input at a time for a hostile string. */
const BUILDERS: Record<string, Sample> = {
    // ovnNbctl
    lrAdd: { args: ["lr0"] },
    lrDel: { args: ["lr0"] },
    lrpAdd: { args: ["lr0", "lr-node1", "00:00:00:01:01:01", ["10.244.1.1/24"]] },
    lrpDel: { args: ["lr-node1"] },
    lsAdd: { args: ["ls-node1"] },
    lsDel: { args: ["ls-node1"] },
    lspAdd: { args: ["ls-node1", "netsho1"] },
    lspDel: { args: ["netsho1"] },
    lspSetType: { args: ["ls-node1-lr", "router"] },
    lspSetAddresses: { args: ["netsho1", ["02:00:00:00:01:03 10.244.1.3", "router"]] },
    lspSetOptions: { args: ["ls-node1-lr", { "router-port": "lr-node1" }], maps: ["1"] },
    setExternalIds: { args: ["Logical_Switch", "ls-node1", { "ovnlab:stack": "dev" }], maps: ["2"] },
    lrpSetColumns: { args: ["lr-node1", "00:00:00:01:01:01", ["10.244.1.1/24"]] },
    setConnection: { args: ["ptcp:6641:172.16.56.2"] },
    setSsl: { args: [TLS.privateKey, TLS.certificate, TLS.caCert] },
    delSsl: { args: [] },
    getSsl: { args: [] },
    delConnection: { args: [] },
    getConnection: { args: [] },
    // ovnDhcp: OVN's own DHCP rows and a port's DHCPv4 options
    dhcpOptionsCreate: { args: ["3f0e2a4c-1d2b-5c5e-8f90-123456789abc", "10.244.1.0/24", { lease_time: "3600", server_mac: "00:00:00:01:01:01" }, { "ovnlab:name": "ls-node1-dhcp" }], maps: ["2", "3"] },
    dhcpOptionsSet: { args: ["3f0e2a4c-1d2b-4c5e-8f90-123456789abc", "10.244.1.0/24", { router: "10.244.1.1" }, { "ovnlab:stack": "dev" }], maps: ["2", "3"] },
    dhcpOptionsDestroy: { args: ["3f0e2a4c-1d2b-4c5e-8f90-123456789abc"] },
    lspSetDhcpv4Options: { args: ["netsho1", "3f0e2a4c-1d2b-4c5e-8f90-123456789abc"] },
    // ovnServices: load balancers, port groups, ACLs
    ipPort: { args: ["10.96.0.10:80"] },
    lbAdd: { args: ["web", "10.96.0.10:80", ["10.244.1.6:80", "10.244.2.5:80"], "tcp"] },
    lbSetColumns: { args: ["web", "10.96.0.10:80", ["10.244.1.6:80"], "udp"] },
    lbSetExternalIds: { args: ["web", { "ovnlab:stack": "dev" }], maps: ["1"] },
    lbDel: { args: ["web"] },
    lsLbAdd: { args: ["ls-node1", "web"] },
    lsLbDel: { args: ["ls-node1", "web"] },
    pgAdd: { args: ["pg_nginx1", ["nginx1"]] },
    pgSetPorts: { args: ["pg_nginx1", ["nginx1", "nginx2"]] },
    pgDel: { args: ["pg_nginx1"] },
    pgSetExternalIds: { args: ["pg_nginx1", { "ovnlab:stack": "dev" }], maps: ["1"] },
    aclCreate: { args: ["pg_nginx1", { name: "nginx1-1", direction: "to-lport", priority: 2000, match: "outport == @pg_nginx1 && ip4 && ip4.src == 10.244.2.3 && tcp && tcp.dst == 80", verdict: "allow-related" }, { "ovnlab:acl": "nginx1-1" }], maps: ["2"] },
    aclSet: { args: ["3f0e2a4c-1d2b-4c5e-8f90-123456789abc", { name: "nginx1-3", direction: "to-lport", priority: 1980, match: "outport == @pg_nginx1 && ip4", verdict: "drop" }, { "ovnlab:acl": "nginx1-3" }], maps: ["2"] },
    aclRemove: { args: ["pg_nginx1", "3f0e2a4c-1d2b-4c5e-8f90-123456789abc"] },
    // httpServer: a workload's web server on its node
    httpRoot: { args: ["t1", "nginx1"] },
    httpPageWrite: { args: ["/tmp/ovnlab-www-t1-nginx1", "nginx1"] },
    httpServerCommandLine: { args: ["/tmp/ovnlab-www-t1-nginx1", 80] },
    httpServerStart: { args: [4242, "/tmp/ovnlab-www-t1-nginx1", 80] },
    httpServerFind: { args: ["/tmp/ovnlab-www-t1-nginx1", 8080] },
    netnsOfPid: { args: [4242] },
    removePageDirectory: { args: ["/tmp/ovnlab-www-t1-nginx1"] },
    listTables: { args: [["Logical_Router", "Logical_Switch"]] },
    ctlArgv: { args: ["ovn-nbctl", ENDPOINT, [["ls-add", "ls-node1"]], ["--format=json"]], built: ["2", "3"] },
    nbctlDaemonArgv: { args: ["unix:/tmp/ovnlab-t1/nb.sock", "/tmp/ovnlab-nbctl-1-abc"] },
    // commands/ip, ethtool, nsenter
    ipNetnsAdd: { args: ["ovnlab-t1-node1"] },
    ipNetnsDelete: { args: ["ovnlab-t1-node1"] },
    ipLinkShow: { args: ["t1_br"] },
    ipLinkDetails: { args: ["eth0"] },
    ipLinkUp: { args: ["t1-node1"] },
    ipLinkDelete: { args: ["t1-node1"] },
    ipLinkSetMaster: { args: ["t1-node1", "t1_br"] },
    ipLinkSetAddressAndMtu: { args: ["eth0", "02:00:00:00:01:03", 1442] },
    ipLinkSetAddress: { args: ["eth0", "02:00:00:00:01:03"] },
    ipLinkSetMtu: { args: ["c-netsho1", 1400] },
    ipBridgeAdd: { args: ["t1_br"] },
    ipVethAdd: { args: [{ name: "c-netsho1", peerName: "eth0", peerNamespace: { pid: 4242 }, mtu: 1442, peerMac: "02:00:00:00:01:03" }] },
    ipAddrShow: { args: ["br-phy"] },
    ipAddrAdd: { args: ["172.16.56.2/24", "br-phy"] },
    ipAddrFlush: { args: ["eth0"] },
    ipRouteReplaceDefault: { args: ["10.244.1.1", "eth0"] },
    ipRouteDeleteDefault: { args: [] },
    ipRouteShowDefault: { args: [] },
    ethtoolTxOff: { args: ["eth0"] },
    inNetnsOfPid: { args: [4343, ["ip", "link"]], built: ["1"] },
    // udhcpc: the workload's DHCP client (ovnlab:dhcp)
    udhcpcArgv: { args: [4343, "eth0", 30] },
    // iptables
    iptablesChainExists: { args: ["DOCKER-USER"] },
    iptablesCheckUnderlayRule: { args: ["FORWARD", "t1_br", "t1"] },
    iptablesInsertUnderlayRule: { args: ["FORWARD", "t1_br", "t1"] },
    iptablesDeleteUnderlayRule: { args: ["FORWARD", "t1_br", "t1"] },
    // OVSDB and the daemons
    ovsdbToolCreate: { args: [LAYOUT.confDb, "/usr/share/openvswitch/vswitch.ovsschema"] },
    ovnDbInit: { args: ["ovn-nbctl", "unix:/var/lib/ovnlab/t1/central/ovnnb_db.sock"] },
    tlsOptions: { args: [TLS] },
    ovsdbServerStart: { args: [{ dbFile: CENTRAL.nbDbFile, socket: CENTRAL.nbSocket, pidfile: CENTRAL.nbPidfile, logFile: CENTRAL.nbLog, unixctl: CENTRAL.nbCtl, connectionsOf: "northbound" }] },
    ovsVswitchdStart: { args: [LAYOUT] },
    ovnControllerStart: { args: [LAYOUT, TLS] },
    ovnNorthdStart: { args: [CENTRAL] },
    // ovs-vsctl
    ovsVsctl: { args: ["unix:/var/lib/ovnlab/t1/node1/run/db.sock", [["br-exists", "br-int"]], { noWait: true, timeoutSeconds: 20 }], built: ["1"] },
    vsInit: { args: [] },
    vsAddBridge: { args: ["br-int"] },
    vsBridgeExists: { args: ["br-int"] },
    vsSetDatapathType: { args: ["br-int", "netdev"] },
    vsSetFailMode: { args: ["br-int", "secure"] },
    vsDisableInBand: { args: ["br-int"] },
    vsSetBridgeHwaddr: { args: ["br-phy", "12:e9:83:79:1e:37"] },
    vsAddPort: { args: ["br-int", "c-netsho1"] },
    vsDelPort: { args: ["br-int", "c-netsho1"] },
    vsPortToBridge: { args: ["c-netsho1"] },
    vsDelBridge: { args: ["br-ext"] },
    vsSetBridgeMappings: { args: ["physnet", "br-ext"] },
    vsRemoveBridgeMappings: { args: [] },
    vsGetInterfaceExternalIds: { args: ["c-netsho1"] },
    vsGetOpenVswitchExternalIds: { args: [] },
    // ovnController
    ovnControllerAppctl: { args: ["/var/lib/ovnlab/t1/node1/run", "recompute", 5] },
    vsListInterfaceIds: { args: [] },
    ofctlDumpTable0: { args: ["/var/lib/ovnlab/t1/node1/run", "br-int"] },
    tunnelNeighbours: { args: ["/var/lib/ovnlab/t1/node1/run/ovs-vswitchd.ctl"] },
    pingOnce: { args: ["172.16.56.3"] },
    ipNeighDelete: { args: ["172.16.56.3", "br-phy"] },
    ipNetnsPids: { args: ["ovnlab-t1-node1"] },
    // cli/captureCommands
    tcpdumpArgv: { args: [{ interface: "c-netsho1", count: 6, filter: ["icmp", "and", "host", "10.244.1.4"], tunnel: true, pcap: false, timeoutSeconds: 60 }] },
    vsRemoveOvnRemote: { args: [] },
    vsRemoveIfaceId: { args: ["c-netsho1"] },
    vsSetOvnChassisIds: { args: [CHASSIS_IDS] },
    vsSetWorkloadIds: { args: ["c-netsho1", { containerId: "netsho1", containerIface: "eth0", ifaceId: "lsp-netsho1" }] },
    // docker, tar, busybox
    dockerRun: {
        args: [{ name: "ovnlab-t1-netsho1", labId: "t1", hostname: "netsho1", image: "ovnlab/busybox:1.35.0", command: ["sleep", "2147483647"], pull: "never" }],
        tail: ["0.command.0", "0.command.1"],
    },
    dockerInspect: { args: ["ovnlab-t1-netsho1"] },
    dockerStart: { args: ["ovnlab-t1-netsho1"] },
    dockerRemove: { args: ["0123456789abcdef"] },
    dockerExec: { args: ["ovnlab-t1-netsho1", ["ping", "-c", "3", "10.244.2.3"]], built: ["1"] },
    dockerImageInspect: { args: ["ovnlab/busybox:1.35.0"] },
    dockerImageRemove: { args: ["ovnlab/busybox:1.35.0"] },
    dockerImport: { args: ["/tmp/ovnlab-image-x/rootfs.tar", "ovnlab/busybox:1.35.0", "busybox-1.35.0"] },
    tarDirectory: { args: ["/tmp/ovnlab-image-x/rootfs", "/tmp/ovnlab-image-x/rootfs.tar"] },
    busyboxListApplets: { args: ["/bin/busybox"] },
    busyboxBanner: { args: ["/bin/busybox"] },
    // the process sandbox, ovs-pki, vagrant
    sandboxStart: { args: ["netsho1"] },
    sandboxFind: { args: ["netsho1"] },
    procStat: { args: [4242] },
    killPid: { args: [4242] },
    listenerStart: { args: [{ pidfile: "/var/lib/ovnlab/t1/inet/httpd.pid", logFile: "/var/lib/ovnlab/t1/inet/httpd.log", address: "192.168.100.100", port: 80, wwwDir: "/var/lib/ovnlab/t1/inet/www" }] },
    // ovnNbctlRouting: the gateway's router options, routes and NAT
    lrSetOptions: { args: ["gw0", { chassis: "t1-node1" }], maps: ["1"] },
    lrRouteAdd: { args: ["lr0", "0.0.0.0/0", "100.64.0.2"] },
    lrRouteDel: { args: ["lr0", "0.0.0.0/0", "100.64.0.2"] },
    lrNatAdd: { args: ["gw0", "snat", "192.168.100.2", "10.244.0.0/16"] },
    lrNatDel: { args: ["gw0", "snat", "10.244.0.0/16"] },
    natSetExternalIp: { args: ["5d240623-0bd9-4fd5-9982-469425d93b67", "192.168.100.2"] },
    pkiInit: { args: ["/var/lib/ovnlab/t1/pki"] },
    pkiReqSign: { args: ["/var/lib/ovnlab/t1/pki", "node1"] },
    vagrantUp: { args: ["node1", "libvirt"] },
    vagrantStatus: { args: ["node1"] },
    vagrantSshConfig: { args: ["node1"] },
    vagrantDestroy: { args: ["node1"] },
    vagrantEnvironment: { args: ["/var/lib/ovnlab/t1/vagrant"], environment: true },
    // libvirt networks (commands/virsh.ts)
    virshNetDefine: { args: ["/var/lib/ovnlab/t1/vagrant/libvirt-ovnlab-t1-mgmt.xml"] },
    virshNetStart: { args: ["ovnlab-t1-mgmt"] },
    virshNetInfo: { args: ["ovnlab-t1-underlay"] },
    virshNetDestroy: { args: ["ovnlab-t1-mgmt"] },
    virshNetUndefine: { args: ["ovnlab-t1-underlay"] },
    provisionScriptArgv: { args: ["#!/usr/bin/env bash\nset -eu", true] },
    // ssh driver (commands/ssh.ts): the preflight, br-phy's ports, the undo script
    preflightArgv: { args: ["172.18.0.2"] },
    vsListPorts: { args: ["br-phy"] },
    unprovisionScriptArgv: { args: ["#!/usr/bin/env bash\nset -u", "eth1", ["ovn_controller", "openvswitch"]] },
    // cli/: what show, trace and diagram run
    ofctlDumpFlows: { args: ["/var/lib/ovnlab/t1/node1/run", "br-int"] },
    appctl: { args: ["/var/lib/ovnlab/t1/node1/run/ovs-vswitchd.4242.ctl", ["dpctl/dump-flows"]], built: ["1"] },
    nodeProbes: {
        args: [{
            name: "node1", underlayIp: "172.16.56.2", bridge: "br-int", chassis: "t1-node1", reach: { kind: "transport", transport: { kind: "netns", namespace: "ovnlab-t1-node1" } },
            ovsDb: "unix:/var/lib/ovnlab/t1/node1/run/db.sock", vswitchdCtl: "/var/lib/ovnlab/t1/node1/run/ovs-vswitchd.4242.ctl", runDir: "/var/lib/ovnlab/t1/node1/run",
        }, SSH],
    },
    centralProbes: { args: [{ nbSocket: "unix:/var/lib/ovnlab/t1/central/ovnnb_db.sock", sbSocket: "unix:/var/lib/ovnlab/t1/central/ovnsb_db.sock" }, SSH] },
    ovnTraceArgv: { args: ["unix:/var/lib/ovnlab/t1/central/ovnsb_db.sock", "ls-node1", "inport == \"netsho1\"", "summary"], built: ["2"] },
    // cli/healthProbes: what diagram --live asks beyond show's probes
    northdStatus: { args: ["/var/lib/ovnlab/t1/central/ovn-northd.ctl"] },
    northdControlSocket: { args: [{ nbSocket: "unix:/var/lib/ovnlab/t1/central/ovnnb_db.sock", sbSocket: "unix:/var/lib/ovnlab/t1/central/ovnsb_db.sock" }, true] },
    nodeHealthProbes: {
        args: [{
            name: "node1", underlayIp: "172.16.56.2", bridge: "br-int", chassis: "t1-node1", reach: { kind: "transport", transport: { kind: "netns", namespace: "ovnlab-t1-node1" } },
            ovsDb: "unix:/var/lib/ovnlab/t1/node1/run/db.sock", vswitchdCtl: "/var/lib/ovnlab/t1/node1/run/ovs-vswitchd.ctl", runDir: "/var/lib/ovnlab/t1/node1/run",
        }, SSH],
    },
    centralHealthProbes: { args: ["/var/lib/ovnlab/t1/central/ovn-northd.ctl", SSH] },
    // cli/verifyCommands: what verify runs in a workload
    pingArgv: { args: ["10.244.2.3"] },
    inWorkload: { args: [{ kind: "docker", containerName: "ovnlab-t1-netsho1" }, ["ping", "-c", "3", "10.244.2.3"]], built: ["1"] },
    dotRenderArgv: { args: ["svg", "/tmp/ovnlab-diagram/dev.dot", "/tmp/ovnlab-diagram/dev.svg"] },
    // Names and file layouts: their results become argv words and environment values.
    interfaceName: { args: ["c", "netsho1"] },
    namespaceName: { args: ["t1", "node1"] },
    underlayBridgeName: { args: ["t1"] },
    hostVethName: { args: ["t1", "node1"] },
    plugInterfaceName: { args: ["netsho1"] },
    containerName: { args: ["t1", "netsho1"] },
    nodeLayout: { args: ["/var/lib/ovnlab/t1", "node1"] },
    centralLayout: { args: ["/var/lib/ovnlab/t1"] },
    externalNamespaceName: { args: ["t1"] },
    externalLayout: { args: ["/var/lib/ovnlab/t1"] },
    controllerCtl: { args: [LAYOUT, 4444] },
    nodeEnvironment: { args: [LAYOUT], environment: true },
};

/** Validators: the value they check must be rejected outright. `index` is its position (after a kind label). */
const VALIDATOR_SAMPLES: Record<string, { args: unknown[]; index: number }> = {
    rowName: { args: ["lr0"], index: 0 },
    check: { args: ["OVN name", "lr0", /^[a-z][a-z0-9-]{0,62}$/], index: 1 },
    portGroupName: { args: ["pg_nginx1"], index: 0 },
    rowUuid: { args: ["3f0e2a4c-1d2b-4c5e-8f90-123456789abc"], index: 0 },
    validLabId: { args: ["t1"], index: 0 },
    validName: { args: ["node name", "node1"], index: 1 },
    validInterface: { args: ["br-int"], index: 0 },
    validNamespace: { args: ["ovnlab-t1-node1"], index: 0 },
    validPath: { args: ["state directory", "/var/lib/ovnlab"], index: 1 },
    validSocketPath: { args: ["/var/lib/ovnlab/db.sock"], index: 0 },
    validIpv4: { args: ["10.244.1.3"], index: 0 },
    validIpv4Cidr: { args: ["10.244.1.3/24"], index: 0 },
    validMac: { args: ["02:00:00:00:01:03"], index: 0 },
    validPid: { args: [4242], index: 0 },
    validMtu: { args: [1442], index: 0 },
    validDatapathType: { args: ["netdev"], index: 0 },
    validEncap: { args: ["geneve"], index: 0 },
    validImage: { args: ["busybox:stable"], index: 0 },
    validContainerId: { args: ["0123456789abcdef"], index: 0 },
    validHostname: { args: ["node1"], index: 0 },
    validChassis: { args: ["t1-node1"], index: 0 },
    validOvsdbRemote: { args: ["tcp:172.16.56.2:6642"], index: 0 },
    validNetnsName: { args: ["ovnlab-t1-node1"], index: 0 },
    validSshHost: { args: ["192.168.121.10"], index: 0 },
    validSshUser: { args: ["vagrant"], index: 0 },
    validPort: { args: ["ssh port", 22], index: 1 },
    validUuid: { args: ["3f0e2a4c-1d2b-4c5e-8f90-123456789abc"], index: 0 },
    validPrefix: { args: ["0.0.0.0/0"], index: 0 },
    validNatType: { args: ["snat"], index: 0 },
    validNatLogicalIp: { args: ["10.244.0.0/16"], index: 0 },
};

/** Exports that build no command, and why they need no hostile input. */
const NOT_BUILDERS: Record<string, string> = {
    externalIdArgs: "the column words of set/create, not a command; setExternalIds, lbSetExternalIds, pgSetExternalIds, aclCreate and aclSet use it and are walked with hostile maps",
    aclMatchText: "checks a match, which travels inside one OVSDB string (no quote or backslash can pass); aclCreate and aclSet are walked with hostile matches",
    displayTransaction: "text for people (previews); its argv is ctlArgv's, its quoting renderArgv = shellQuote, proven below",
    parseJsonTables: "parses ovn-nbctl output",
    stringSet: "parses ovn-nbctl output",
    stringMap: "parses ovn-nbctl output",
    parseIpv4Cidrs: "parses ip output",
    parseLinkMaster: "parses ip output",
    parseLinkKind: "parses ip output",
    parseLinkAddress: "parses ip output",
    parseDefaultGateway: "parses ip output",
    parseOvsMap: "parses ovs-vsctl output",
    parseInterfaceIds: "parses ovs-vsctl output",
    parseTable0Ports: "parses ovs-ofctl output",
    parseTunnelNeighbours: "parses ovs-appctl output",
    parseCaptureArgs: "parses the command line of npm run capture; tcpdumpArgv validates every value it passes on",
    captureTarget: "reads stack outputs into a CaptureTarget; tcpdumpArgv and transportArgv validate its words",
    parseCapturedCount: "parses tcpdump output",
    pcapPacketCount: "parses a pcap file",
    parseStartTime: "parses /proc/<pid>/stat",
    parseMachineState: "parses vagrant output",
    parseSshConfig: "parses vagrant output",
    parseNetInfo: "parses virsh output",
    checked: "the primitive every validator above is made of (tested through them)",
    isString: "a type guard",
    isIpv4: "the predicate of validIpv4 (test/unit/vocabulary.test.ts)",
    isUnicastMac: "the predicate of validMac (test/unit/vocabulary.test.ts)",
    nodeAccess: "copies stack outputs into a record; nodeProbes validates every field it uses",
    centralAccess: "copies stack outputs into a record; centralProbes builds with ctlArgv",
    probeCommand: "text for people: renderArgv = shellQuote, proven below",
    summarizeOpenFlow: "parses ovs-ofctl output",
    parseSbChassis: "parses ovn-sbctl output",
    labProblems: "reads a show report into sentences for people",
    workloadAccesses: "reads stack outputs into records; inWorkload, sandboxFind and transportArgv validate what reaches a command",
    parseSandboxPid: "parses pgrep output",
    verifyReport: "counts ping results",
    renderVerify: "text for people",
    parseFdb: "parses ovs-appctl output",
    renderShow: "text for people",
    echoMicroflow: "a microflow expression from validated outputs, one word of ovnTraceArgv",
    planEcho: "reads stack outputs into an EchoPlan",
    parseTraceSummary: "parses ovn-trace output",
    renderRoute: "text for people",
    routeVerdict: "text for people",
    topologyFromPlan: "a picture of the plan",
    withDeployment: "a picture of the outputs",
    mermaidDiagram: "text for people (Mermaid)",
    dotDiagram: "a DOT file for dot, not argv",
    markdownPage: "text for people",
};

const ROOT = join(__dirname, "../..");
const SOURCE_DIRS = ["components", "cli", "provider"];
/** An exported function declared to return an argv or a command's words. */
const EXPORTS_BUILDER = /^export (const|function) \w+[^\n]*\)\s*:\s*(Argv|NbCommand|VsctlCommand)(\[\])?\s*(=>|\{)/m;
const sourceFiles = (): string[] => SOURCE_DIRS.flatMap((dir) =>
    readdirSync(join(ROOT, dir), { recursive: true }).map(String).filter((f) => f.endsWith(".ts")).map((f) => `${dir}/${f}`));
/** The modules that build argv, found by where they are and what they declare. */
const BUILDER_FILES = sourceFiles().filter((f) =>
    f.startsWith("components/commands/") || f === "components/plan/validate.ts" || EXPORTS_BUILDER.test(readFileSync(join(ROOT, f), "utf8"))).sort();
const MODULES: Record<string, Record<string, unknown>> = Object.fromEntries(
    // @ts-ignore TS1378: vitest runs test files as ES modules, where top-level await is fine; tsconfig's commonjs is for the program.
    await Promise.all(BUILDER_FILES.map(async (f) => [f, await import(join(ROOT, f))] as const)));
type AnyFunction = (...args: unknown[]) => unknown;

function exportedFunctions(): [string, AnyFunction][] {
    const seen = new Map<string, AnyFunction>();
    return Object.values(MODULES).flatMap((module) =>
        Object.entries(module).filter((entry): entry is [string, AnyFunction] => typeof entry[1] === "function"))
        .filter(([name, fn]) => seen.get(name) !== fn && (seen.set(name, fn), true));
}

/** Every input position of a sample as a path ("1", "0.peerNamespace.pid", "1.router-port" for a map value, "1.#router-port" for its key). */
function leafPaths(value: unknown, maps: string[], path = ""): string[] {
    if (typeof value === "string" || typeof value === "number") return [path];
    if (Array.isArray(value)) return value.flatMap((v, i) => leafPaths(v, maps, join2(path, String(i))));
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => [
            ...(maps.includes(path) ? [join2(path, `#${k}`)] : []),
            ...leafPaths(v, maps, join2(path, k)),
        ]);
    }
    return []; // booleans and undefined: no string can go there
}

const join2 = (a: string, b: string) => (a === "" ? b : `${a}.${b}`);

/** A deep copy of `args` with the input at `path` replaced by `hostile`; also the sample value it replaced. */
function substitute(args: unknown[], path: string, hostile: string): { args: unknown[]; sample: string } {
    const copy = structuredClone(args);
    const parts = path.split(".");
    let holder = copy as unknown as Record<string, unknown>;
    for (const part of parts.slice(0, -1)) holder = holder[part] as Record<string, unknown>;
    const last = parts[parts.length - 1];
    if (last.startsWith("#")) {
        const key = last.slice(1);
        const value = holder[key];
        delete holder[key];
        holder[hostile] = value;
        return { args: copy, sample: key };
    }
    const sample = String(holder[last]);
    holder[last] = hostile;
    return { args: copy, sample };
}

/** The words a builder produced: argv elements, or the strings of a name or a layout, in order. */
function words(output: unknown): string[] {
    if (typeof output === "string" || typeof output === "number") return [String(output)];
    if (Array.isArray(output)) return output.flatMap(words);
    if (output !== null && typeof output === "object") return Object.values(output).flatMap(words);
    return [];
}

/** Why a hostile value that was accepted is still unsafe, or undefined when it arrived as one literal word. */
function unsafeArrival(base: unknown, output: unknown, sample: string, hostile: string, dashAllowed: boolean): string | undefined {
    const before = words(base);
    const after = words(output);
    if (after.length !== before.length) return `${before.length} words became ${after.length}`;
    for (let i = 0; i < after.length; i++) {
        if (after[i] === before[i]) continue;
        if (after[i] !== before[i].split(sample).join(hostile)) return `word ${i} ${JSON.stringify(after[i].slice(0, 60))} is not ${JSON.stringify(before[i])} with the value swapped in`;
        if (Array.isArray(base) && i === 0) return "it became the program (or the verb)";
        if (after[i].startsWith("-") && !before[i].startsWith("-") && !dashAllowed) return `word ${i} now reads as an option`;
    }
    return undefined;
}

describe("hostile strings through every command builder", () => {
    it("finds the builder modules by construction (commands/, the vocabulary, every exported Argv builder)", () => {
        for (const f of ["components/commands/ip.ts", "components/commands/ovs.ts", "components/commands/ovnNbctl.ts", "components/commands/vagrant.ts",
            "components/commands/process.ts", "components/plan/validate.ts", "cli/inspectCommands.ts", "cli/traceFlow.ts", "cli/topologyDiagram.ts", "cli/verifyCommands.ts"]) {
            expect(BUILDER_FILES).toContain(f);
        }
        expect(EXPORTS_BUILDER.test("export const x = (a: string): Argv => [a];")).toBe(true);
        expect(EXPORTS_BUILDER.test("export function y(a: string): NbCommand[] {")).toBe(true);
        expect(EXPORTS_BUILDER.test("function z(a: string): Argv {")).toBe(false);
        const names = Object.values(MODULES).flatMap((m) => Object.entries(m).filter(([, v]) => typeof v === "function").map(([k]) => k));
        const clashes = names.filter((n, i) => names.indexOf(n) !== i && Object.values(MODULES).filter((m) => n in m).map((m) => m[n]).some((fn, _, all) => fn !== all[0]));
        expect(clashes, "two builders with one name: the samples are by name").toEqual([]);
    });

    it("every exported function is a builder with a sample, a validator, or a declared non-builder", () => {
        const unknown = exportedFunctions().map(([name]) => name)
            .filter((name) => !(name in BUILDERS) && !(name in VALIDATOR_SAMPLES) && !(name in NOT_BUILDERS));
        expect(unknown, "new exports: add a sample to BUILDERS (or say why they build no command)").toEqual([]);
        const exported = new Set(exportedFunctions().map(([name]) => name));
        const stale = [...Object.keys(BUILDERS), ...Object.keys(VALIDATOR_SAMPLES), ...Object.keys(NOT_BUILDERS)].filter((name) => !exported.has(name));
        expect(stale, "entries for functions that are no longer exported").toEqual([]);
    });

    const builders = exportedFunctions().filter(([name]) => name in BUILDERS);
    it.each(builders)("%s: hostile input in every position is rejected or one literal word", (name, fn) => {
        const sample = BUILDERS[name];
        const base = fn(...sample.args);
        const problems: string[] = [];
        let positions = 0;
        for (const path of leafPaths(sample.args, sample.maps ?? [])) {
            if ((sample.built ?? []).some((built) => path === built || path.startsWith(`${built}.`))) continue;
            positions++;
            for (const hostile of HOSTILE) {
                const swapped = substitute(sample.args, path, hostile);
                let output: unknown;
                try {
                    output = fn(...swapped.args);
                } catch (e) {
                    expect(e).toBeInstanceOf(Error);
                    continue;
                }
                const why = unsafeArrival(base, output, swapped.sample, hostile, sample.environment === true || (sample.tail ?? []).includes(path));
                if (why) problems.push(`${name} with ${JSON.stringify(hostile.slice(0, 20))} at ${path}: ${why}`);
            }
        }
        expect(positions).toBeGreaterThanOrEqual(sample.args.length === 0 ? 0 : 1);
        expect(problems).toEqual([]);
    });

    const validators = exportedFunctions().filter(([name]) => name in VALIDATOR_SAMPLES);
    it.each(validators)("%s rejects every hostile string", (name, fn) => {
        const { args, index } = VALIDATOR_SAMPLES[name];
        expect(() => fn(...args)).not.toThrow();
        for (const hostile of HOSTILE) {
            const swapped = [...args];
            swapped[index] = hostile;
            expect(() => fn(...swapped), JSON.stringify(hostile.slice(0, 20))).toThrow();
        }
    });
});

describe("the SSH transport's remote command", () => {
    const ssh: TransportSpec = { kind: "ssh", host: "192.168.121.10", port: 22, user: "vagrant", identityFile: "/root/.ssh/id_ed25519" };
    const printable = HOSTILE.filter((word) => !word.includes("\0"));
    /** Runs the remote command string ssh would hand the remote shell, in a local /bin/sh. */
    const remoteShell = (argv: string[]) => execFileSync("/bin/sh", ["-c", argv[argv.length - 1]], { encoding: "utf8" });

    it("is the last word, after `--`, and the destination cannot read as an option", () => {
        const argv = transportArgv(ssh, ["ovs-vsctl", "show"]);
        expect(argv.slice(-3)).toEqual(["vagrant@192.168.121.10", "--", "ovs-vsctl show"]);
    });

    it("round-trips every hostile word through a real sh -c (shellQuote is correct)", () => {
        const out = remoteShell(transportArgv(ssh, ["printf", "%s\\n", ...printable]));
        expect(out).toBe(printable.map((word) => `${word}\n`).join(""));
    });

    it("round-trips hostile environment values", () => {
        for (const value of printable) {
            expect(remoteShell(transportArgv(ssh, ["sh", "-c", 'printf "%s" "$OVNLAB_VALUE"'], { OVNLAB_VALUE: value }))).toBe(value);
        }
    });

    it("refuses what a shell cannot carry, and environment names that are not names", () => {
        expect(() => shellQuote("a\0b")).toThrow(/NUL/);
        expect(() => transportArgv(ssh, ["echo", "a\0b"])).toThrow(/NUL/);
        for (const name of ["A B", "A;B", "$(id)", "1X", ""]) expect(() => transportArgv(ssh, ["true"], { [name]: "x" })).toThrow(/invalid environment variable name/);
    });

    it("rejects hostile hosts, users, ports and key files (ssh would read `-oProxyCommand=...` as an option)", () => {
        const fields = { host: ssh.host, user: "vagrant", identityFile: "/root/.ssh/id_ed25519", knownHostsFile: "/var/lib/ovnlab/t1/ssh_known_hosts" };
        for (const hostile of [...HOSTILE, "-oProxyCommand=id", "-F/tmp/x"]) {
            for (const field of Object.keys(fields)) {
                expect(() => transportArgv({ ...ssh, [field]: hostile }, ["true"]), `${field} ${JSON.stringify(hostile.slice(0, 20))}`).toThrow();
            }
        }
        for (const port of [0, -1, 65536, 22.5, Number.NaN]) expect(() => transportArgv({ ...ssh, port }, ["true"])).toThrow();
    });

    it("rejects a hostile network namespace (`ip netns exec` would read it as an option or a path)", () => {
        for (const hostile of HOSTILE) expect(() => transportArgv({ kind: "netns", namespace: hostile }, ["true"])).toThrow();
        expect(transportArgv({ kind: "netns", namespace: "ovnlab-t1-node1" }, ["true"])).toEqual(["ip", "netns", "exec", "ovnlab-t1-node1", "true"]);
    });
});

describe("no local shell in the sources", () => {
    /** A shell on purpose, reviewed: the script is fixed text and every value spliced into it passes a strict validator. */
    const REVIEWED: Record<string, string> = {
        "components/commands/vagrant.ts": '["bash", "-c", script, "provision.sh"',
        // The preflight's fixed text and the generated undo script; the address, port and steps are positional parameters.
        "components/commands/ssh.ts": '["bash", "-c", script, name, ...args]',
        "components/commands/process.ts": '"bash", "-c", `exec </dev/null >/dev/null 2>&1; ip link set lo up; exec -a ${name} sleep infinity`',
        // Fixed runner and script texts (commands/udhcpc.ts); the interface and the count are positional parameters.
        // Fixed texts (the page write and the detached start); directory, name, PID and port are positional parameters.
        "components/commands/httpServer.ts": '"sh", "-c", HTTP_',
        "components/commands/udhcpc.ts": '["sh", "-c", UDHCPC_RUNNER, "ovnlab-udhcpc", UDHCPC_SCRIPT,',
    };
    const FORBIDDEN: [string, RegExp][] = [
        ["child_process exec/execSync (a shell)", /(?<![\w.)\]/])exec(Sync)?\s*\(|(child_?[pP]rocess|cp)\s*\.\s*exec(Sync)?\s*\(|\{[^}]*\bexec(Sync)?\b[^}]*\}\s*=\s*require\(["']child_process|import\s*\{[^}]*\bexec(Sync)?\b[^}]*\}\s*from\s*["']child_process/],
        ["shell: true", /shell\s*:\s*true/],
        ["sh -c", /\b(ba)?sh\s+-c\b|["'](\/bin\/)?(ba)?sh["']\s*,\s*["']-c["']/],
        ["an inline argv (build it in a module the hostile-strings walk finds)", /runCommand\([^,()]+(\([^()]*\))?,\s*\[/],
    ];
    const sources = sourceFiles();

    it.each(sources)("%s", (file) => {
        const text = readFileSync(join(ROOT, file), "utf8");
        const found = text.split("\n").flatMap((line, i) =>
            FORBIDDEN.filter(([, pattern]) => pattern.test(line))
                .filter(() => !(REVIEWED[file] !== undefined && line.includes(REVIEWED[file])) && !/^\s*(\/\/|\*|\/\*)/.test(line))
                .map(([what]) => `${file}:${i + 1}: ${what}: ${line.trim()}`));
        expect(found).toEqual([]);
    });

    it("the patterns catch what they are meant to", () => {
        const hits = (line: string) => FORBIDDEN.filter(([, pattern]) => pattern.test(line)).map(([what]) => what);
        expect(hits('childProcess.exec("ls " + dir)')).toHaveLength(1);
        expect(hits('import { exec } from "child_process";')).toHaveLength(1);
        expect(hits('execSync(`ip link del ${x}`)')).toHaveLength(1);
        expect(hits('spawn("ip", args, { shell: true })')).toHaveLength(1);
        expect(hits('runCommand(t, ["sh", "-c", script])')).toContain("sh -c");
        expect(hits("const m = /x/.exec(line);")).toEqual([]);
        expect(hits('childProcess.execFile(full[0], full.slice(1))')).toEqual([]);
        expect(hits('await runCommand(props.transport, ["kill", String(pid)], { allowFailure: true })')).toHaveLength(1);
        expect(hits('await runCommand({ kind: "local" }, ["rm", x])')).toHaveLength(1);
        expect(hits('await runCommand(HOST, dockerRemove(id), { allowFailure: true })')).toEqual([]);
    });
});
