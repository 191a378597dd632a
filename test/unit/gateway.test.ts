// The gateway experiment's pure parts: `ovnlab:gateway` validation (all problems
// at once, hostile values rejected), its plan of names and addresses, the
// argv its rows are made with (as data), and how the nameless route and NAT
// rows are found and read back in a snapshot of the NB tables.
import { describe, expect, it } from "vitest";
import { ConfigError, validateConfig } from "../../components/plan/config";
import { planGateway } from "../../components/plan/gatewayConfig";
import { planLab } from "../../components/plan/ipPlan";
import { lrNatAdd, lrNatDel, lrRouteAdd, lrRouteDel, lrSetOptions } from "../../components/commands/ovnNbctlRouting";
import { staticRouteKind, StaticRouteArgs } from "../../components/ovn/kinds/staticRoute";
import { natKind, NatArgs } from "../../components/ovn/kinds/nat";
import { logicalRouterKind } from "../../components/ovn/kinds/logicalRouter";
import { NbSnapshot } from "../../components/ovn/kind";
import { staticRouteHandler, natHandler } from "../../components/ovn/nbResources";

const GATEWAY = { node: "node1", externalCidr: "192.168.100.0/24" };

function issuesOf(raw: Record<string, unknown>): { key: string; value: unknown; problem: string; valid: string }[] {
    try {
        validateConfig(raw, "gw");
    } catch (e) {
        if (e instanceof ConfigError) return e.issues;
        throw e;
    }
    throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

describe("ovnlab:gateway validation", () => {
    it("is off when unset or Pulumi.yaml's {} default", () => {
        expect(validateConfig({}, "gw").gateway).toBeUndefined();
        expect(validateConfig({ gateway: {} }, "gw").gateway).toBeUndefined();
        expect(validateConfig({ gateway: "{}" }, "gw").gateway).toBeUndefined();
    });
    it("fills the join network and physnet, from an object or Pulumi's JSON text", () => {
        const want = { node: "node1", externalCidr: "192.168.100.0/24", joinCidr: "100.64.0.0/16", physnet: "physnet" };
        expect(validateConfig({ gateway: GATEWAY }, "gw").gateway).toEqual(want);
        expect(validateConfig({ gateway: JSON.stringify(GATEWAY) }, "gw").gateway).toEqual(want);
    });
    it("reports every problem at once: unknown field, node not in the lab, overlaps, bad physnet", () => {
        const issues = issuesOf({ gateway: { node: "node7", externalCidr: "10.244.128.0/24", joinCidr: "172.16.0.0/16", physnet: "Phys Net", mtu: 9000 } });
        expect(issues.map((i) => [i.key, i.problem])).toEqual([
            ["gateway.mtu", "unknown field"],
            ["gateway.node", "not one of the lab's nodes"],
            ["gateway.physnet", "not a valid physical network name"],
            ["gateway.externalCidr", "overlaps podCidr 10.244.0.0/16"],
            ["gateway.joinCidr", "overlaps hostCidr 172.16.56.0/24"],
        ]);
    });
    it.each<[unknown, RegExp]>([
        [{ node: "node1" }, /externalCidr.*required/],
        [{ node: "node1", externalCidr: "192.168.100.1/24" }, /host bits clear/],
        [{ node: "node1", externalCidr: "192.168.100.0/30" }, /a \/30/],
        [{ node: "node1", externalCidr: "192.168.0.0/16", joinCidr: "192.168.64.0/18" }, /joinCidr.*overlaps externalCidr/],
        [{ externalCidr: "192.168.100.0/24" }, /gateway\.node.*required/],
        ["node1", /gateway.*not an object/],
        [["node1"], /gateway.*not an object/],
    ])("rejects %j", (gateway, message) => {
        const text = issuesOf({ gateway }).map((i) => `${i.key} ${i.problem} ${i.valid}`).join("\n");
        expect(text).toMatch(message);
    });
    it.each(["x; rm -rf /", "$(id)", "`id`", "node1 --help", "a\nb", "-rf", "../../etc/passwd"])("rejects the hostile value %j in every field", (hostile) => {
        for (const field of ["node", "externalCidr", "joinCidr", "physnet"]) {
            const issues = issuesOf({ gateway: { ...GATEWAY, [field]: hostile } });
            expect(issues.map((i) => i.key)).toEqual([`gateway.${field}`]);
        }
    });
    it("needs OVN and keeps gw0 for itself", () => {
        expect(issuesOf({ experiment: "single-l2", gateway: GATEWAY }).map((i) => i.key)).toContain("gateway");
        expect(issuesOf({ routerName: "gw0", gateway: GATEWAY }).map((i) => i.key)).toEqual(["routerName"]);
    });
});

describe("the gateway plan", () => {
    const config = validateConfig({ labId: "gw", gateway: GATEWAY }, "gw");
    const lab = planLab(config);
    const plan = planGateway(config.gateway!, { chassis: lab.nodes[0].chassis, podCidr: config.podCidr, routerName: config.routerName });

    it("pins gw0 to the gateway node's chassis and numbers the join and external networks", () => {
        expect(plan).toMatchObject({
            router: "gw0", chassis: "gw-node1", joinSwitch: "ls-join", externalSwitch: "ls-ext", localnetPort: "ls-ext-localnet",
            lrJoin: { router: "lr0", name: "lr0-join", cidr: "100.64.0.1/16", mac: "0a:58:64:40:00:01", switchPort: "ls-join-lr0" },
            gwJoin: { router: "gw0", name: "gw0-join", cidr: "100.64.0.2/16", mac: "0a:58:64:40:00:02", switchPort: "ls-join-gw0" },
            gwExternal: { router: "gw0", name: "gw0-ext", cidr: "192.168.100.2/24", mac: "0a:58:c0:a8:64:02", switchPort: "ls-ext-gw0" },
            snatIp: "192.168.100.2", snatLogicalIp: "10.244.0.0/16", externalHost: { ip: "192.168.100.100", cidr: "192.168.100.100/24" },
        });
        expect(plan.routes).toEqual([
            { router: "lr0", name: "lr0-default", prefix: "0.0.0.0/0", nexthop: "100.64.0.2" },
            { router: "gw0", name: "gw0-pods", prefix: "10.244.0.0/16", nexthop: "100.64.0.1" },
        ]);
    });
    it("puts the external host on the last address of a network too small for .100", () => {
        const small = planGateway({ ...config.gateway!, externalCidr: "192.168.100.0/29" }, { chassis: "gw-node1", podCidr: "10.244.0.0/16", routerName: "lr0" });
        expect(small.externalHost.ip).toBe("192.168.100.6");
    });
});

describe("gateway argv, as data", () => {
    it("is what a user would type", () => {
        expect(lrSetOptions("gw0", { chassis: "gw-node1" })).toEqual([["clear", "Logical_Router", "gw0", "options"], ["set", "Logical_Router", "gw0", "options:chassis=gw-node1"]]);
        expect(lrSetOptions("gw0", {})).toEqual([["clear", "Logical_Router", "gw0", "options"]]);
        expect(lrRouteAdd("lr0", "0.0.0.0/0", "100.64.0.2")).toEqual(["--may-exist", "lr-route-add", "lr0", "0.0.0.0/0", "100.64.0.2"]);
        expect(lrRouteDel("lr0", "0.0.0.0/0", "100.64.0.2")).toEqual(["--if-exists", "lr-route-del", "lr0", "0.0.0.0/0", "100.64.0.2"]);
        expect(lrNatAdd("gw0", "snat", "192.168.100.2", "10.244.0.0/16")).toEqual(["--may-exist", "lr-nat-add", "gw0", "snat", "192.168.100.2", "10.244.0.0/16"]);
        expect(lrNatDel("gw0", "snat", "10.244.0.0/16")).toEqual(["--if-exists", "lr-nat-del", "gw0", "snat", "10.244.0.0/16"]);
    });
    it("refuses what is not a prefix, address or NAT type", () => {
        expect(() => lrRouteAdd("lr0", "0.0.0.0", "100.64.0.2")).toThrow(/IPv4 prefix/);
        expect(() => lrRouteAdd("lr0", "300.0.0.0/8", "100.64.0.2")).toThrow(/IPv4 prefix/);
        expect(() => lrNatAdd("gw0", "masquerade", "192.168.100.2", "10.244.0.0/16")).toThrow(/NAT type/);
        expect(() => lrSetOptions("gw0", { chassis: "a b" })).toThrow(/option value/);
    });
});

// Rows as `ovn-nbctl --format=json list` gives them (parsed): one set member reads as a plain string.
const SNAPSHOT: NbSnapshot = {
    Logical_Router: [
        { uuid: "r-lr0", name: "lr0", static_routes: "s-default", nat: [], options: {}, external_ids: {} },
        { uuid: "r-gw0", name: "gw0", static_routes: ["s-pods", "s-other"], nat: "n-snat", options: { chassis: "gw-node1" }, external_ids: { "ovnlab:stack": "gw" } },
    ],
    Logical_Router_Static_Route: [
        { uuid: "s-default", ip_prefix: "0.0.0.0/0", nexthop: "100.64.0.2" },
        { uuid: "s-pods", ip_prefix: "10.244.0.0/16", nexthop: "100.64.0.1" },
        { uuid: "s-other", ip_prefix: "0.0.0.0/0", nexthop: "192.168.100.1" },
    ],
    NAT: [
        { uuid: "n-snat", type: "snat", external_ip: "192.168.100.9", logical_ip: "10.244.0.0/16" },
        { uuid: "n-stray", type: "snat", external_ip: "192.168.100.2", logical_ip: "10.244.0.0/16" },
    ],
};
const endpoint = { transport: { kind: "local" as const }, db: "unix:/tmp/nb.sock" };

describe("route and NAT rows: found by their router and columns, read live", () => {
    const route = (router: string, prefix: string, nexthop: string): StaticRouteArgs => ({ endpoint, name: "r", externalIds: {}, router, prefix, nexthop });
    it("a route is its router's, with that prefix and nexthop", () => {
        expect(staticRouteKind.find(SNAPSHOT, route("lr0", "0.0.0.0/0", "100.64.0.2"))?.uuid).toBe("s-default");
        expect(staticRouteKind.find(SNAPSHOT, route("gw0", "0.0.0.0/0", "192.168.100.1"))?.uuid).toBe("s-other");
        // Another router's route with the same columns is not it; a changed nexthop is another route.
        expect(staticRouteKind.find(SNAPSHOT, route("lr0", "10.244.0.0/16", "100.64.0.1"))).toBeUndefined();
        expect(staticRouteKind.find(SNAPSHOT, route("lr0", "0.0.0.0/0", "100.64.0.9"))).toBeUndefined();
        expect(staticRouteKind.find({ ...SNAPSHOT, Logical_Router: [] }, route("lr0", "0.0.0.0/0", "100.64.0.2"))).toBeUndefined();
    });
    it("a NAT rule is its router's, by type and logical side; its external address is read as it is", () => {
        const nat: NatArgs = { endpoint, name: "gw0-snat", externalIds: {}, router: "gw0", type: "snat", externalIp: "192.168.100.2", logicalIp: "10.244.0.0/16" };
        const row = natKind.find(SNAPSHOT, nat)!;
        expect(row.uuid).toBe("n-snat");
        expect(natKind.read(SNAPSHOT, row, nat)).toMatchObject({ externalIp: "192.168.100.9", logicalIp: "10.244.0.0/16", type: "snat" });
        expect(natKind.find(SNAPSHOT, { ...nat, router: "lr0" })).toBeUndefined();
    });
    it("a rule an interrupted up left, adopted at create, gets the wanted external address by its uuid", () => {
        const nat: NatArgs = { endpoint, name: "gw0-snat", externalIds: {}, router: "gw0", type: "snat", externalIp: "192.168.100.2", logicalIp: "10.244.0.0/16" };
        const uuid = "5d240623-0bd9-4fd5-9982-469425d93b67";
        expect(natKind.update(nat, nat, { uuid, type: "snat", external_ip: "192.168.100.9", logical_ip: "10.244.0.0/16" })).toEqual([["set", "NAT", uuid, 'external_ip="192.168.100.2"']]);
        expect(natKind.update(nat, nat, { uuid, type: "snat", external_ip: "192.168.100.2", logical_ip: "10.244.0.0/16" })).toEqual([]);
        expect(natKind.located && staticRouteKind.located).toBe(true);
    });
    it("a router's options are read back only when ovnlab gave it some", () => {
        const gw0 = SNAPSHOT.Logical_Router[1];
        const args = { endpoint, name: "gw0", externalIds: { "ovnlab:stack": "gw" } };
        expect(logicalRouterKind.read(SNAPSHOT, gw0, { ...args, options: { chassis: "gw-node9" } })).toMatchObject({ options: { chassis: "gw-node1" } });
        expect(logicalRouterKind.read(SNAPSHOT, gw0, args)).not.toHaveProperty("options");
        expect(logicalRouterKind.create({ ...args, options: { chassis: "gw-node1" } })).toContainEqual(["set", "Logical_Router", "gw0", "options:chassis=gw-node1"]);
        expect(logicalRouterKind.create(args).flat()).not.toContain("options");
    });
    it("rows without a name take no ownership marks, and say so at check", () => {
        const failures = staticRouteHandler.check!({ endpoint, name: "r", externalIds: { "ovnlab:stack": "gw" }, router: "lr0", prefix: "0.0.0.0/0", nexthop: "100.64.0.2" });
        expect(failures.map((f) => f.property)).toEqual(["externalIds"]);
        expect(natHandler.check!({ endpoint, name: "n", externalIds: {}, router: "gw0", type: "snat; id", externalIp: "1.2.3.4", logicalIp: "$(id)" }).map((f) => f.property))
            .toEqual(["type", "logicalIp"]);
    });
});
