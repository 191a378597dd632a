// The component graph, with Pulumi's mocks: exact types, names, parents and
// dependencies of what the Lab registers. (The real thing runs in test/e2e.)
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { validateConfig } from "../../components/config";
import { planLab } from "../../components/ipPlan";

interface Registered {
    type: string;
    name: string;
    parent?: string;
    dependsOn: string[];
    props: Record<string, unknown>;
}

const registered: Registered[] = [];
const labels = new Map<pulumi.Resource, string>();

beforeAll(() => {
    pulumi.runtime.setMocks({
        newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
        call: (args) => args.inputs,
    }, "ovnlab", "graph", true);
});

/** Records each resource as it is constructed: the transformation sees its parent and dependsOn. */
const record: pulumi.ResourceTransformation = (args) => {
    const label = `${args.type}::${args.name}`;
    labels.set(args.resource, label);
    const dependsOn = ([] as pulumi.Input<pulumi.Resource>[]).concat((args.opts.dependsOn as pulumi.Input<pulumi.Resource>[] | undefined) ?? []);
    registered.push({
        type: args.type,
        name: args.name,
        parent: args.opts.parent ? labels.get(args.opts.parent) : undefined,
        dependsOn: dependsOn.map((d) => labels.get(d as pulumi.Resource) ?? "?"),
        props: args.props as Record<string, unknown>,
    });
    return undefined;
};

async function buildLab(raw: Record<string, unknown>) {
    const { Lab } = await import("../../components/lab");
    registered.length = 0;
    const plan = planLab(validateConfig(raw, "graph"));
    const lab = new Lab("lab", { plan, stack: "graph", stateDir: "/tmp/ovnlab-graph" }, { transformations: [record] });
    await new Promise<void>((resolve) => lab.urn.apply(() => resolve()));
    return lab;
}

const NB = "pulumi-nodejs:dynamic/ovnlab/nb";

describe("external driver: the logical topology", () => {
    beforeAll(async () => {
        await buildLab({ driver: "external", nbDb: "unix:/run/ovn/ovnnb_db.sock" });
    });

    it("registers the router, one NodeSwitch per node and one ContainerPort per container, with the blog's names", () => {
        expect(registered.map((r) => [r.type, r.name, r.parent?.split("::")[1]])).toEqual([
            ["ovnlab:lab:Lab", "lab", undefined],
            [`${NB}:LogicalRouter`, "lr0", "lab"],
            ["ovnlab:ovn:NodeSwitch", "ls-node1", "lab"],
            [`${NB}:LogicalSwitch`, "ls-node1", "ls-node1"],
            [`${NB}:LogicalRouterPort`, "lr-node1", "ls-node1"],
            [`${NB}:LogicalSwitchPort`, "ls-node1-lr", "ls-node1"],
            ["ovnlab:ovn:NodeSwitch", "ls-node2", "lab"],
            [`${NB}:LogicalSwitch`, "ls-node2", "ls-node2"],
            [`${NB}:LogicalRouterPort`, "lr-node2", "ls-node2"],
            [`${NB}:LogicalSwitchPort`, "ls-node2-lr", "ls-node2"],
            ["ovnlab:ovn:ContainerPort", "netsho1", "lab"],
            [`${NB}:LogicalSwitchPort`, "netsho1", "netsho1"],
            ["ovnlab:ovn:ContainerPort", "netsho2", "lab"],
            [`${NB}:LogicalSwitchPort`, "netsho2", "netsho2"],
            ["ovnlab:ovn:ContainerPort", "netsho3", "lab"],
            [`${NB}:LogicalSwitchPort`, "netsho3", "netsho3"],
            ["ovnlab:ovn:ContainerPort", "netsho4", "lab"],
            [`${NB}:LogicalSwitchPort`, "netsho4", "netsho4"],
        ]);
    });

    it("orders creation as the walk-through does: router, then ports on it; switch, then ports on it", () => {
        const deps = (type: string, name: string) => registered.find((r) => r.type === `${NB}:${type}` && r.name === name)!.dependsOn;
        expect(deps("LogicalSwitch", "ls-node1")).toEqual([`${NB}:LogicalRouter::lr0`]);
        expect(deps("LogicalRouterPort", "lr-node1")).toEqual([`${NB}:LogicalRouter::lr0`]);
        expect(deps("LogicalSwitchPort", "ls-node1-lr")).toEqual([`${NB}:LogicalSwitch::ls-node1`, `${NB}:LogicalRouterPort::lr-node1`]);
        expect(deps("LogicalSwitchPort", "netsho3")).toEqual([`${NB}:LogicalSwitch::ls-node2`]);
    });

    it("gives each row the planned values and the ownership mark", () => {
        const props = (name: string) => registered.find((r) => r.type.startsWith(NB) && r.name === name)!.props;
        expect(props("lr-node2")).toMatchObject({ router: "lr0", mac: "00:00:00:02:01:01", networks: ["10.244.2.1/24"], externalIds: { "ovnlab:stack": "graph" } });
        expect(props("ls-node2-lr")).toMatchObject({ switch: "ls-node2", type: "router", addresses: ["router"], options: { "router-port": "lr-node2" } });
        expect(props("netsho3")).toMatchObject({ switch: "ls-node2", type: "", addresses: ["02:00:00:00:02:03 10.244.2.3"] });
    });
});
