// netns (the default): each node is a network namespace on this host with its
// own ovsdb-server, ovs-vswitchd (userspace datapath) and ovn-controller, on a
// Linux bridge underlay; the central runs in the central node's namespace.
import * as pulumi from "../../kit/pulumiCore";
import { centralLayout } from "../../commands/names";
import { LabPlan, NodePlan } from "../../plan/ipPlan";
import { ContainerImage } from "../../workloads/containerImage";
import { DbConnection } from "../../ovn/dbConnection";
import { DriverArgs, NodeDriver } from "../driver";
import { NetnsNode } from "./netnsNode";
import { OvnCentral } from "./ovnCentral";
import { Pki } from "./pki";
import { Underlay } from "./underlay";
import { ExternalNetwork } from "./externalNetwork";

/** The certificate both database servers present. */
const CENTRAL_CERTIFICATE = "central";

export const netnsDriver: NodeDriver = {
    nodes(name, args, parent) {
        const { plan } = args;
        const config = plan.config;
        const ovn = config.experiment === "multi-l2";
        const underlay = new Underlay(`${name}-underlay`, { labId: config.labId }, { parent });
        // With ssl, the lab's own CA signs a certificate for the databases and one per chassis.
        const pki = ovn && config.dbProtocol === "ssl"
            ? new Pki(`${name}-pki`, { dir: `${args.stateDir}/pki`, names: [CENTRAL_CERTIFICATE, ...plan.nodes.map((n) => n.name)] }, { parent })
            : undefined;
        const nodes = new Map(plan.nodes.map((n) => [n.name, netnsNode(n, args, underlay, pki, parent)]));
        const local = { kind: "local" as const };
        // The central's socket path is planned, not read back, so preview shows every NB command in full.
        const layout = centralLayout(args.stateDir);
        const centralSockets = { nbSocket: `unix:${layout.nbSocket}`, sbSocket: `unix:${layout.sbSocket}` };
        return {
            nbEndpoint: { transport: local, db: centralSockets.nbSocket },
            nbReady: ovn ? ovnCentral(plan, args.stateDir, nodes.get(config.centralNode)!, pki, parent) : [],
            hosts: new Map([...nodes].map(([n, node]) => [n, { transport: node.transport, ovsDb: node.ovsDb, ovnRunDir: node.runDir, vswitchdCtl: node.vswitchdCtl, sandbox: { kind: "docker" as const, transport: local } }])),
            centralSockets,
            defaultImage: plan.containers.some((c) => !c.image) ? new ContainerImage(`${name}-image`, {}, { parent }).image : undefined,
            externalNetwork(gateway, parent) {
                const node = nodes.get(gateway.config.node)!;
                const external = new ExternalNetwork(`${name}-inet`, {
                    labId: config.labId, nodeNamespace: node.namespace, ovsDb: node.ovsDb, datapathType: config.datapathType,
                    physnet: gateway.config.physnet, hostCidr: gateway.externalHost.cidr, stateDir: args.stateDir,
                }, { parent });
                return { resource: external, namespace: external.namespace, url: external.url, logFile: external.logFile };
            },
            nodeOutputs(n) {
                const node = nodes.get(n)!;
                return { namespace: node.namespace, ovsDb: node.ovsDb, vswitchdCtl: node.vswitchdCtl, runDir: node.runDir, workloads: "docker" };
            },
        };
    },
};

function netnsNode(n: NodePlan, args: DriverArgs, underlay: Underlay, pki: Pki | undefined, parent: pulumi.Resource): NetnsNode {
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
    }, { parent });
}

/** NB/SB databases and northd on the central node, listening on its underlay address only (with TLS when a PKI is given). */
function ovnCentral(plan: LabPlan, stateDir: string, centralNode: NetnsNode, pki: Pki | undefined, parent: pulumi.Resource): pulumi.Resource[] {
    const daemons = new OvnCentral("central", { namespace: centralNode.namespace, stateDir }, { parent });
    const local = { kind: "local" as const };
    const listen = pki ? "pssl" : "ptcp";
    const ssl = pki ? { ssl: pki.files.apply((files) => files[CENTRAL_CERTIFICATE]) } : {};
    const nb = new DbConnection("central-nb", {
        endpoint: daemons.nbDb.apply((db) => ({ transport: local, db })), tool: "ovn-nbctl", target: `${listen}:6641:${plan.central.ip}`, ...ssl,
    }, { parent });
    const sb = new DbConnection("central-sb", {
        endpoint: daemons.sbDb.apply((db) => ({ transport: local, db })), tool: "ovn-sbctl", target: `${listen}:6642:${plan.central.ip}`, ...ssl,
    }, { parent });
    return [daemons, nb, sb];
}
