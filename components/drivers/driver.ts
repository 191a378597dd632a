// The one interface every node driver implements (netns, vagrant, external):
// the lab asks a driver for its nodes and gets back where the northbound
// database is, what must exist before the first NB row, where each node's
// workloads run, and what each node adds to the stack outputs. The lab itself
// never asks which driver it has.
import * as pulumi from "../kit/pulumiCore";
import { DbEndpoint } from "../commands/ovnNbctl";
import { LabPlan } from "../plan/ipPlan";
import { NodeSummary } from "../outputs";
import { WorkloadHost } from "../workloads/workload";

export interface DriverArgs {
    plan: LabPlan;
    /** Marks every OVN row ovnlab creates (external_ids "ovnlab:stack"). */
    stack: string;
    /** Absolute directory for the lab's files. */
    stateDir: string;
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
}

export interface NodeDriver {
    /** Creates the nodes (children of `parent`, named from `name`). */
    nodes(name: string, args: DriverArgs, parent: pulumi.Resource): DriverNodes;
}
