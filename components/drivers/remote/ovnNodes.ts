// What makes provisioned remote nodes (Vagrant machines, SSH hosts) an OVN
// lab, the same for both drivers: each node an OVN chassis of the central with
// the walk-through's `ovs-vsctl set open . external-ids:...`, and the central's
// NB/SB databases listening on its underlay address (DbConnection, as in the
// embedded lab). ovn-nbctl runs inside the central node on its default socket.
import * as pulumi from "../../kit/pulumiCore";
import { DbConnection } from "../../ovn/dbConnection";
import { OvnChassis } from "../../ovn/ovnChassis";
import { DbEndpoint } from "../../commands/ovnNbctl";
import { LabPlan } from "../../plan/ipPlan";
import { TransportSpec } from "../../transport/transport";

/** The central's sockets inside a remote node: where ovn-central's packages put them. */
export const REMOTE_CENTRAL_SOCKETS = { nbSocket: "unix:/var/run/ovn/ovnnb_db.sock", sbSocket: "unix:/var/run/ovn/ovnsb_db.sock" };

/** Workload image on a remote node when the configuration names none: the walk-through's, pulled by the node's Docker. */
export const REMOTE_WORKLOAD_IMAGE = "nicolaka/netshoot";

export interface OvnNodes {
    nbEndpoint: pulumi.Output<DbEndpoint>;
    /** What must exist before the northbound rows: the central, provisioned, with its listeners. */
    nbReady: pulumi.Resource[];
}

/** `provisioned`: each node's transport once it is provisioned (what runs there waits for that). */
export function ovnNodes(plan: LabPlan, provisioned: Map<string, pulumi.Output<TransportSpec>>, parent: pulumi.Resource): OvnNodes {
    const config = plan.config;
    const ovn = config.experiment === "multi-l2";
    if (ovn) {
        for (const n of plan.nodes) {
            new OvnChassis(n.name, {
                transport: provisioned.get(n.name)!,
                ovsDb: "",
                ids: {
                    ovnRemote: plan.central.sbRemote, encapType: config.encap, encapIp: n.underlayIp, systemId: n.chassis,
                    hostname: n.name, bridge: config.bridge, bridgeDatapathType: config.datapathType, monitorAll: true,
                },
            }, { parent });
        }
    }
    const nbEndpoint = provisioned.get(config.centralNode)!.apply((transport) => ({ transport, db: "" }));
    const nbReady: pulumi.Resource[] = [];
    if (ovn) {
        // db "" is each tool's default socket: ovn-sbctl's is the SB database beside the NB one.
        nbReady.push(
            new DbConnection("central-nb", { endpoint: nbEndpoint, tool: "ovn-nbctl", target: `ptcp:6641:${plan.central.ip}` }, { parent }),
            new DbConnection("central-sb", { endpoint: nbEndpoint, tool: "ovn-sbctl", target: `ptcp:6642:${plan.central.ip}` }, { parent }),
        );
    }
    return { nbEndpoint, nbReady };
}
