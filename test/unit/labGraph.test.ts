// The component graph, with Pulumi's mocks: exact types, names, parents and
// dependencies of what the Lab registers. (The real thing runs in test/e2e.)
import { beforeAll, describe, expect, it } from "vitest";
import { buildLabGraph, Registered, useMocks } from "../helpers/labGraph";

let registered: Registered[] = [];

beforeAll(() => useMocks("graph"));

async function buildLab(raw: Record<string, unknown>) {
    registered = (await buildLabGraph(raw)).registered;
}

const NB = "ovnlab:nb";

describe("external driver: the logical topology", () => {
    beforeAll(async () => {
        await buildLab({ driver: "external", nbDb: "unix:/run/ovn/ovnnb_db.sock" });
    });

    it("registers the router, one NodeSwitch per node and one logical switch port per container (no component around it), with the blog's names", () => {
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
            [`${NB}:LogicalSwitchPort`, "netsho1", "lab"],
            [`${NB}:LogicalSwitchPort`, "netsho2", "lab"],
            [`${NB}:LogicalSwitchPort`, "netsho3", "lab"],
            [`${NB}:LogicalSwitchPort`, "netsho4", "lab"],
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
