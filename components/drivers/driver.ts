// The one interface every node driver implements (netns, vagrant, external):
// the lab asks a driver for its nodes and gets back where the northbound
// database is, what must exist before the first NB row, where each node's
// workloads run, and what each node adds to the stack outputs. The lab itself
// never asks which driver it has.
import * as pulumi from "../kit/pulumiCore";
import { DbEndpoint } from "../commands/ovnNbctl";
import { LabPlan } from "../plan/ipPlan";
import { GatewayPlan } from "../plan/gatewayConfig";
import { NodeSummary } from "../outputs";
import { WorkloadHost } from "../workloads/workload";

export interface DriverArgs {
    plan: LabPlan;
    /** Marks every OVN row ovnlab creates (external_ids "ovnlab:stack"). */
    stack: string;
    /** Absolute directory for the lab's files. */
    stateDir: string;
    /** What the driver's preflight found on each node before anything was registered (ssh: each host's). */
    nodeFacts?: Map<string, NodeFacts>;
}

/** A node as a preflight found it. */
export interface NodeFacts {
    /** Docker answers there: workloads are containers, else process sandboxes. */
    docker: boolean;
}

/** What a driver made: everything the lab composes on top of the nodes. */
export interface DriverNodes {
    /** Where ovnlab reaches the northbound database. */
    nbEndpoint: pulumi.Input<DbEndpoint>;
    /** What must exist before the first NB row (the central's daemons and listeners). */
    nbReady: pulumi.Resource[];
    /** Where each node's workloads run; undefined when the driver runs none (only their logical ports). */
    hosts?: Map<string, WorkloadHost>;
    /** The central's own sockets (for `show` and `trace`), when ovnlab runs the central. */
    centralSockets?: { nbSocket: string; sbSocket: string };
    /** The image of workloads whose configuration names none. */
    defaultImage?: pulumi.Input<string>;
    /** How a user and `cli/` reach one node: the driver's fields of its output. */
    nodeOutputs(node: string): Partial<NodeSummary>;
    /**
     * The gateway's external network on its node (the localnet port's bridge and "the internet" behind it),
     * when the driver provides one (netns); the gateway's NB rows are made either way.
     */
    externalNetwork?(gateway: GatewayPlan, parent: pulumi.Resource): ExternalHost;
}

/** The external host a driver made for the gateway: what must exist first, and where it is. */
export interface ExternalHost {
    resource: pulumi.Resource;
    /** Its network namespace (`ip netns exec <namespace> ...`), its listener's URL and log. */
    namespace: pulumi.Output<string>;
    url: pulumi.Output<string>;
    logFile: pulumi.Output<string>;
}

export interface NodeDriver {
    /**
     * Checks what the nodes must already be (ssh: each host reachable, its key accepted, root),
     * before any resource is registered; throws naming every problem, or returns the args with what it found.
     */
    preflight?(args: DriverArgs): DriverArgs;
    /** Creates the nodes (children of `parent`, named from `name`). */
    nodes(name: string, args: DriverArgs, parent: pulumi.Resource): DriverNodes;
}
