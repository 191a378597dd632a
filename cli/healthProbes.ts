// What `diagram --live` asks a running lab beyond `show`'s probes
// (cli/inspectCommands.ts, whose answers it reuses: `ovs-vsctl show` answering
// is the node's ovsdb-server alive, `dpctl/dump-flows` its ovs-vswitchd, NB/SB
// `show` the central's databases): per node whether ovn-controller answers and
// is connected, and the OVS interfaces with their external_ids (iface-id binds
// a logical port, container_id names the workload); ovn-northd's status on the
// central. As data: cli/liveDiagram.ts runs them through the node's transport.
import { Argv } from "../components/commands/argv";
import { ovnControllerAppctl, vsListInterfaceIds } from "../components/commands/ovnController";
import { ovsVsctl } from "../components/commands/ovs";
import { validSocketPath } from "../components/plan/validate";
import type { TransportSpec } from "../components/transport/transport";
import type { CentralAccess, NodeAccess, Probe } from "./inspectCommands";
import { checkedTransport } from "./nodeReach";

export type NodeHealthProbeId = "controller" | "interfaces";
export type CentralHealthProbeId = "northd";

/**
 * `ovn-appctl -t <target> status` of ovn-northd ("Status: active"): its control socket (a netns
 * central's is `<central dir>/ovn-northd.ctl`) or, empty, the packaged daemon found by its pidfile
 * in the default run directory (/var/run/ovn, as ovn-ctl starts it on a Vagrant machine).
 */
export function northdStatus(controlSocket: string): Argv {
    return ["ovn-appctl", "--timeout=5", "-t", controlSocket === "" ? "ovn-northd" : validSocketPath(controlSocket), "status"];
}

/** The central's ovn-northd control socket: beside its database sockets when the lab made the central (netns), else the package's default (empty). */
export function northdControlSocket(central: CentralAccess, labMadeCentral: boolean): string {
    if (!labMadeCentral) return "";
    const nb = /^unix:(\/.+)\/[^/]+$/.exec(central.nbSocket);
    if (!nb) throw new Error(`the central's NB socket ${JSON.stringify(central.nbSocket)} is not unix:/<dir>/<file>`);
    return validSocketPath(`${nb[1]}/ovn-northd.ctl`);
}

/** A node's probes: ovn-controller's connection-status (OVN nodes, those with a chassis) and its OVS interfaces. */
export function nodeHealthProbes(node: NodeAccess, transport?: TransportSpec): Probe<NodeHealthProbeId>[] {
    if (!transport && node.reach.kind !== "transport") throw new Error(`${node.name} is a Vagrant machine: resolve its SSH transport first (nodeReach.reachTransport)`);
    const via = checkedTransport(transport ?? (node.reach as { transport: TransportSpec }).transport);
    return [
        ...(node.chassis === undefined ? [] : [{ id: "controller" as const, title: "ovn-controller's connection to the southbound database", transport: via, argv: ovnControllerAppctl(node.runDir, "connection-status") }]),
        { id: "interfaces", title: "OVS interfaces and their external_ids", transport: via, argv: ovsVsctl(node.ovsDb, [vsListInterfaceIds()], { timeoutSeconds: 5 }) },
    ];
}

/** ovn-northd's status, where the central's files are (socketTransport of the central node). */
export function centralHealthProbes(northdCtl: string, transport: TransportSpec = { kind: "local" }): Probe<CentralHealthProbeId>[] {
    return [{ id: "northd", title: "ovn-northd's status", transport: checkedTransport(transport), argv: northdStatus(northdCtl) }];
}
