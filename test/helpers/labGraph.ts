// Builds a Lab under Pulumi's mocks and records every resource it registers,
// with its parent and dependsOn (which the mocks themselves do not expose):
// a transformation on the Lab sees each child's options as it is constructed.
import * as pulumi from "@pulumi/pulumi";
import { validateConfig } from "../../components/plan/config";
import { LabPlan, planLab } from "../../components/plan/ipPlan";

export interface Registered {
    type: string;
    name: string;
    parent?: string;
    dependsOn: string[];
    secretOutputs: string[];
    props: Record<string, unknown>;
}

export function useMocks(stack: string): void {
    pulumi.runtime.setMocks({
        newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
        call: (args) => args.inputs,
    }, "ovnlab", stack, true);
}

/** Registers the Lab planned from `raw` and returns its plan and what it registered, in order. */
export async function buildLabGraph(raw: Record<string, unknown>): Promise<{ plan: LabPlan; registered: Registered[] }> {
    const { Lab } = await import("../../components/lab");
    const registered: Registered[] = [];
    const labels = new Map<pulumi.Resource, string>();
    const record: pulumi.ResourceTransformation = (args) => {
        labels.set(args.resource, `${args.type}::${args.name}`);
        const dependsOn = ([] as pulumi.Input<pulumi.Resource>[]).concat((args.opts.dependsOn as pulumi.Input<pulumi.Resource>[] | undefined) ?? []);
        registered.push({
            type: args.type,
            name: args.name,
            parent: args.opts.parent ? labels.get(args.opts.parent) : undefined,
            dependsOn: dependsOn.map((d) => labels.get(d as pulumi.Resource) ?? "?"),
            secretOutputs: (args.opts as pulumi.CustomResourceOptions).additionalSecretOutputs ?? [],
            props: args.props as Record<string, unknown>,
        });
        return undefined;
    };
    const plan = planLab(validateConfig(raw, "graph"));
    const lab = new Lab("lab", { plan, stack: "graph", stateDir: "/tmp/ovnlab-graph" }, { transformations: [record] });
    await new Promise<void>((resolve) => lab.urn.apply(() => resolve()));
    return { plan, registered };
}
