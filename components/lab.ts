// The whole lab of one stack: nodes from the chosen driver, the OVN central,
// the router lr0, one NodeSwitch per node and one ContainerPort per workload,
// created in dependency order and destroyed in reverse.
import * as pulumi from "@pulumi/pulumi";
import { ContainerPort } from "./containerPort";
import { LabPlan } from "./ipPlan";
import { LogicalRouter } from "./nbResources";
import { NodeSwitch } from "./nodeSwitch";
import { DbEndpoint } from "./ovnNbctl";

export interface LabArgs {
    plan: LabPlan;
    /** Marks every OVN row ovnlab creates (external_ids "ovnlab:stack"). */
    stack: string;
    /** Absolute directory for the lab's files. */
    stateDir: string;
}

export class Lab extends pulumi.ComponentResource {
    readonly nbEndpoint: pulumi.Output<DbEndpoint>;
    readonly router?: LogicalRouter;

    constructor(name: string, args: LabArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ovnlab:lab:Lab", name, {}, opts);
        const { plan } = args;
        const config = plan.config;
        const externalIds = { "ovnlab:stack": args.stack };

        this.nbEndpoint = pulumi.output<DbEndpoint>({ transport: { kind: "local" }, db: config.nbDb });

        const router = new LogicalRouter(config.routerName, { endpoint: this.nbEndpoint, name: config.routerName, externalIds }, { parent: this });
        this.router = router;
        const switches = new Map(plan.nodes.map((node) => [
            node.name,
            new NodeSwitch(node.switchName, { endpoint: this.nbEndpoint, router, routerName: config.routerName, node, externalIds }, { parent: this }),
        ]));
        for (const container of plan.containers) {
            new ContainerPort(container.name, {
                endpoint: this.nbEndpoint,
                logicalSwitch: switches.get(container.node)!.logicalSwitch,
                switchName: plan.nodes.find((n) => n.name === container.node)!.switchName,
                container,
                externalIds,
            }, { parent: this });
        }
        this.registerOutputs({ nbEndpoint: this.nbEndpoint });
    }
}
