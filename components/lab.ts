// The whole lab of one stack: nodes from the chosen driver, the OVN central,
// the router lr0, one NodeSwitch per node and one Workload per container,
// created in dependency order and destroyed in reverse.
import * as pulumi from "./kit/pulumiCore";
import { ContainerImage } from "./workloads/containerImage";
import { containerPortArgs } from "./ovn/containerPort";
import { DbConnection } from "./ovn/dbConnection";
import { centralLayout } from "./commands/hostCommands";
import { LabPlan, NodePlan } from "./plan/ipPlan";
import { LogicalRouter, LogicalSwitchPort } from "./ovn/nbResources";
import { NetnsNode } from "./drivers/netns/netnsNode";
import { NodeSwitch } from "./ovn/nodeSwitch";
import { OvnCentral } from "./drivers/netns/ovnCentral";
import { Pki } from "./drivers/netns/pki";
import { DbEndpoint } from "./commands/ovnNbctl";
import { Underlay } from "./drivers/netns/underlay";
import { dockerWorkloads, VagrantNodes } from "./drivers/vagrant/vagrantNodes";
import { Workload, WorkloadHost } from "./workloads/workload";

/** The certificate both database servers present. */
const CENTRAL_CERTIFICATE = "central";
/** Workload image in Vagrant VMs when the configuration names none: the walk-through's, pulled by the VM's Docker. */
const VM_WORKLOAD_IMAGE = "nicolaka/netshoot";
/** The central's sockets inside a Vagrant node: where ovn-central's packages put them. */
const VM_CENTRAL_SOCKETS = { nbSocket: "unix:/var/run/ovn/ovnnb_db.sock", sbSocket: "unix:/var/run/ovn/ovnsb_db.sock" };

export interface LabArgs {
    plan: LabPlan;
    /** Marks every OVN row ovnlab creates (external_ids "ovnlab:stack"). */
    stack: string;
    /** Absolute directory for the lab's files. */
    stateDir: string;
}

/** What a user needs to reach one node. */
export interface NodeSummary {
    name: string;
    underlayIp: string;
    subnet: string;
    gateway: string;
    chassis?: string;
    /** OVN: the node's logical switch and its port on the router (`trace` sends to the gateway by this MAC). */
    switchName?: string;
    routerPort?: string;
    routerMac?: string;
    /** The integration bridge. */
    bridge: string;
    namespace?: pulumi.Output<string>;
    /** vagrant driver: a shell on the node (`vagrant ssh`, in the lab's Vagrant project). */
    ssh?: string;
    /** netns driver: where `show` reaches the node's OVS: its database, ovs-vswitchd's control socket, and the run directory holding `<bridge>.mgmt`. */
    ovsDb?: pulumi.Output<string>;
    vswitchdCtl?: pulumi.Output<string>;
    runDir?: pulumi.Output<string>;
}

/** What a user needs to reach one container. */
export interface ContainerSummary {
    name: string;
    node: string;
    ip: string;
    mac: string;
    logicalPort?: string;
    containerName?: pulumi.Output<string>;
    exec?: pulumi.Output<string>;
}

/** What `show` needs to reach a netns node's OVS. */
function nodeAccess(node: NetnsNode): Pick<NodeSummary, "namespace" | "ovsDb" | "vswitchdCtl" | "runDir"> {
    return { namespace: node.namespace, ovsDb: node.ovsDb, vswitchdCtl: node.vswitchdCtl, runDir: node.runDir };
}

export class Lab extends pulumi.ComponentResource {
    readonly nodes: NodeSummary[];
    readonly containers: ContainerSummary[];
    /** NB/SB addresses the chassis use (tcp:<central>:6641/6642); the NB socket ovnlab itself uses; the SB socket `show` and `trace` read. */
    readonly central: { nb: string; sb: string; nbSocket: string; sbSocket: string } | undefined;

    constructor(name: string, args: LabArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ovnlab:lab:Lab", name, {}, opts);
        const { plan } = args;
        const config = plan.config;
        const ovn = config.experiment === "multi-l2";
        const externalIds = { "ovnlab:stack": args.stack };
        const node = (name: string) => plan.nodes.find((n) => n.name === name)!;

        // Where ovnlab reaches the northbound database, and what must exist first.
        let nbEndpoint: pulumi.Input<DbEndpoint>;
        let nbReady: pulumi.Resource[] = [];
        let netnsNodes: Map<string, NetnsNode> | undefined;
        /** Where each node's workloads run; none with the external driver. */
        let hosts: Map<string, WorkloadHost> | undefined;
        let centralSockets = { nbSocket: "", sbSocket: "" };
        let defaultImage: pulumi.Input<string> | undefined;
        let vagrantProject: string | undefined;

        if (config.driver === "external") {
            nbEndpoint = { transport: { kind: "local" }, db: config.nbDb };
        } else if (config.driver === "vagrant") {
            const vagrant = new VagrantNodes(`${name}-vagrant`, { plan, stateDir: args.stateDir }, { parent: this });
            nbEndpoint = vagrant.nbEndpoint;
            nbReady = vagrant.nbReady;
            centralSockets = VM_CENTRAL_SOCKETS;
            vagrantProject = vagrant.projectDir;
            const docker = dockerWorkloads(config.vagrantProvider);
            hosts = new Map(plan.nodes.map((n) => {
                const transport = vagrant.transports.get(n.name)!;
                return [n.name, {
                    transport, ovsDb: "", sandbox: docker ? { kind: "docker", transport } : { kind: "process" },
                    shell: `VAGRANT_CWD=${vagrant.projectDir} vagrant ssh ${n.name} -c`,
                }];
            }));
            defaultImage = config.image || VM_WORKLOAD_IMAGE;
        } else {
            const underlay = new Underlay(`${name}-underlay`, { labId: config.labId }, { parent: this });
            // With ssl, the lab's own CA signs a certificate for the databases and one per chassis.
            const pki = ovn && config.dbProtocol === "ssl"
                ? new Pki(`${name}-pki`, { dir: `${args.stateDir}/pki`, names: [CENTRAL_CERTIFICATE, ...plan.nodes.map((n) => n.name)] }, { parent: this })
                : undefined;
            netnsNodes = new Map(plan.nodes.map((n) => [n.name, this.netnsNode(n, args, underlay, pki)]));
            const local = { kind: "local" as const };
            hosts = new Map([...netnsNodes].map(([n, node]) => [n, { transport: node.transport, ovsDb: node.ovsDb, sandbox: { kind: "docker", transport: local } }]));
            // The central's socket path is planned, not read back, so preview shows every NB command in full.
            const layout = centralLayout(args.stateDir);
            centralSockets = { nbSocket: `unix:${layout.nbSocket}`, sbSocket: `unix:${layout.sbSocket}` };
            nbEndpoint = { transport: { kind: "local" }, db: centralSockets.nbSocket };
            if (ovn) nbReady = this.ovnCentral(plan, args.stateDir, netnsNodes.get(config.centralNode)!, pki);
            if (plan.containers.some((c) => !c.image)) {
                defaultImage = new ContainerImage(`${name}-image`, {}, { parent: this }).image;
            }
        }

        const switches = new Map<string, NodeSwitch>();
        if (ovn) {
            const router = new LogicalRouter(config.routerName, { endpoint: nbEndpoint, name: config.routerName, externalIds }, { parent: this, dependsOn: nbReady });
            for (const n of plan.nodes) {
                switches.set(n.name, new NodeSwitch(n.switchName, { endpoint: nbEndpoint, router, routerName: config.routerName, node: n, externalIds }, { parent: this }));
            }
        }

        const workloads = new Map<string, Workload>();
        for (const container of plan.containers) {
            const logical = ovn
                ? { endpoint: nbEndpoint, logicalSwitch: switches.get(container.node)!.logicalSwitch, switchName: node(container.node).switchName, externalIds }
                : undefined;
            if (hosts) {
                workloads.set(container.name, new Workload(container.name, {
                    labId: config.labId, container, defaultImage: defaultImage ?? "", node: hosts.get(container.node)!,
                    bridge: config.bridge, mtu: config.mtu, ovn: logical,
                }, { parent: this }));
            } else if (logical) {
                // Only the logical side (external driver): the port itself, no component around one resource,
                // so a lab of N ports is N resources for the engine, not 2N.
                new LogicalSwitchPort(container.name, containerPortArgs(logical, container), { parent: this, dependsOn: [logical.logicalSwitch] });
            }
        }

        this.central = ovn && config.driver !== "external"
            ? { nb: plan.central.nbRemote, sb: plan.central.sbRemote, ...centralSockets }
            : undefined;
        this.nodes = plan.nodes.map((n) => ({
            name: n.name, underlayIp: n.underlayIp, subnet: n.subnet, gateway: n.gateway, bridge: config.bridge,
            ...(ovn ? { chassis: n.chassis, switchName: n.switchName, routerPort: n.routerPort, routerMac: n.routerMac } : {}),
            ...(netnsNodes ? nodeAccess(netnsNodes.get(n.name)!) : {}),
            ...(vagrantProject ? { ssh: `VAGRANT_CWD=${vagrantProject} vagrant ssh ${n.name}` } : {}),
        }));
        this.containers = plan.containers.map((c) => {
            const workload = workloads.get(c.name);
            return {
                name: c.name, node: c.node, ip: c.ip, mac: c.mac,
                ...(ovn ? { logicalPort: c.logicalPort } : {}),
                ...(workload ? { containerName: workload.containerName, exec: workload.exec } : {}),
            };
        });
        this.registerOutputs({ nodes: this.nodes, containers: this.containers, central: this.central });
    }

    private netnsNode(n: NodePlan, args: LabArgs, underlay: Underlay, pki: Pki | undefined): NetnsNode {
        const config = args.plan.config;
        const ovn = config.experiment === "multi-l2";
        return new NetnsNode(n.name, {
            labId: config.labId,
            name: n.name,
            stateDir: args.stateDir,
            underlayBridge: underlay.bridgeName,
            underlayCidr: n.underlayCidr,
            ovn,
            ...(ovn ? { centralIp: args.plan.central.ip, encap: config.encap, chassis: n.chassis } : {}),
            ...(pki ? { tls: pki.files.apply((files) => files[n.name]) } : {}),
            datapathType: config.datapathType,
            bridge: config.bridge,
        }, { parent: this });
    }

    /** NB/SB databases and northd on the central node, listening on its underlay address only (with TLS when a PKI is given). */
    private ovnCentral(plan: LabPlan, stateDir: string, centralNode: NetnsNode, pki: Pki | undefined): pulumi.Resource[] {
        const daemons = new OvnCentral("central", { namespace: centralNode.namespace, stateDir }, { parent: this });
        const local = { kind: "local" as const };
        const listen = pki ? "pssl" : "ptcp";
        const ssl = pki ? { ssl: pki.files.apply((files) => files[CENTRAL_CERTIFICATE]) } : {};
        const nb = new DbConnection("central-nb", {
            endpoint: daemons.nbDb.apply((db) => ({ transport: local, db })), tool: "ovn-nbctl", target: `${listen}:6641:${plan.central.ip}`, ...ssl,
        }, { parent: this });
        const sb = new DbConnection("central-sb", {
            endpoint: daemons.sbDb.apply((db) => ({ transport: local, db })), tool: "ovn-sbctl", target: `${listen}:6642:${plan.central.ip}`, ...ssl,
        }, { parent: this });
        return [daemons, nb, sb];
    }
}
