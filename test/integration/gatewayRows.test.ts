// The gateway's northbound kinds (a router with options, static routes, NAT),
// their handlers called directly against a real ovsdb-server: create twice
// converges, read returns the live row (so a hand edit is drift), a row
// deleted by hand reads as gone, and delete is tolerant of a router gone.
import { describe, expect, it } from "vitest";
import { NatArgs, providers, StaticRouteArgs } from "../../components/ovn/nbResources";
import { LogicalRouterArgs } from "../../components/ovn/kinds/logicalRouter";
import { useThrowawayNb } from "../helpers/nbFixture";

const nb = useThrowawayNb();
const nbctl = nb.nbctl;
const ids = { "ovnlab:stack": "itest" };

const gw0 = (options: Record<string, string> = { chassis: "t1-node1" }): LogicalRouterArgs => ({ endpoint: nb.endpoint, name: "gw0", externalIds: ids, options });
const route = (nexthop = "100.64.0.1"): StaticRouteArgs => ({ endpoint: nb.endpoint, name: "gw0-pods", externalIds: {}, router: "gw0", prefix: "10.244.0.0/16", nexthop });
const snat = (externalIp = "192.168.100.2"): NatArgs => ({ endpoint: nb.endpoint, name: "gw0-snat", externalIds: {}, router: "gw0", type: "snat", externalIp, logicalIp: "10.244.0.0/16" });

describe("gateway rows against a real database", () => {
    it("creates gw0 pinned to a chassis, its route and its SNAT rule; creating again converges", async () => {
        for (let round = 0; round < 2; round++) {
            await providers.logicalRouter.create!(gw0());
            await providers.staticRoute.create!(route());
            await providers.nat.create!(snat());
        }
        expect(nbctl("get", "Logical_Router", "gw0", "options")).toBe("{chassis=t1-node1}");
        expect(nbctl("--bare", "--columns=nexthop", "list", "Logical_Router_Static_Route")).toBe("100.64.0.1");
        expect(nbctl("--bare", "--columns=external_ip", "find", "NAT", "type=snat")).toBe("192.168.100.2");
    });

    it("a router's options set by hand are drift, and update makes them exactly the wanted ones", async () => {
        nbctl("set", "Logical_Router", "gw0", "options:chassis=t1-node2", "options:foo=bar");
        const read = await providers.logicalRouter.read!("gw0", gw0());
        expect(read.props.options).toEqual({ chassis: "t1-node2", foo: "bar" });
        expect((await providers.logicalRouter.diff!("gw0", read.props, gw0())).changes).toBe(true);
        await providers.logicalRouter.update!("gw0", read.props, gw0());
        expect(nbctl("get", "Logical_Router", "gw0", "options")).toBe("{chassis=t1-node1}");
    });

    it("a NAT rule's external address changed by hand reads live and means a replace", async () => {
        const uuid = nbctl("--bare", "--columns=_uuid", "find", "NAT", "type=snat");
        nbctl("set", "NAT", uuid, "external_ip=192.168.100.9");
        const read = await providers.nat.read!("gw0-snat", snat());
        expect(read.props.externalIp).toBe("192.168.100.9");
        expect((await providers.nat.diff!("gw0-snat", read.props, snat())).replaces).toEqual(["externalIp"]);
        // The replace: delete (by logical side), then create.
        await providers.nat.delete!("gw0-snat", read.props);
        await providers.nat.create!(snat());
        expect(nbctl("lr-nat-list", "gw0")).toMatch(/snat\s+192\.168\.100\.2\s+10\.244\.0\.0\/16/);
    });

    it("a route deleted by hand reads as gone; an update after it adds the route again", async () => {
        nbctl("lr-route-del", "gw0", "10.244.0.0/16");
        expect((await providers.staticRoute.read!("gw0-pods", route())).id).toBeUndefined();
        await providers.staticRoute.update!("gw0-pods", route(), route());
        expect(nbctl("lr-route-list", "gw0")).toMatch(/10\.244\.0\.0\/16\s+100\.64\.0\.1/);
    });

    it("a route whose nexthop was changed by hand is not ovnlab's route any more: gone, and create puts the nexthop back", async () => {
        nbctl("--may-exist", "lr-route-add", "gw0", "10.244.0.0/16", "100.64.0.7");
        expect((await providers.staticRoute.read!("gw0-pods", route())).id).toBeUndefined();
        await providers.staticRoute.create!(route());
        expect(nbctl("--bare", "--columns=nexthop", "list", "Logical_Router_Static_Route")).toBe("100.64.0.1");
    });

    it("with the router deleted by hand, the route and the rule read as gone and delete has nothing to do", async () => {
        nbctl("lr-del", "gw0");
        expect((await providers.staticRoute.read!("gw0-pods", route())).id).toBeUndefined();
        expect((await providers.nat.read!("gw0-snat", snat())).id).toBeUndefined();
        await providers.staticRoute.delete!("gw0-pods", route());
        await providers.nat.delete!("gw0-snat", snat());
        await providers.logicalRouter.delete!("gw0", gw0());
        expect(nbctl("--bare", "--columns=_uuid", "list", "NAT")).toBe("");
    });
});
