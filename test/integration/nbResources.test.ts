// The northbound providers' methods, called directly against a real ovsdb-server.
import { describe, expect, it } from "vitest";
import { dbConnectionProvider, DbConnectionArgs } from "../../components/ovn/dbConnection";
import { LogicalRouterPortArgs, LogicalSwitchPortArgs, NbRowArgs, providers } from "../../components/ovn/nbResources";
import { DbEndpoint } from "../../components/commands/ovnNbctl";
import { useThrowawayNb } from "../helpers/nbFixture";
import { startOvnDb } from "../helpers/ovsdb";

const nb = useThrowawayNb();
const nbctl = nb.nbctl;
const ids = { "ovnlab:stack": "itest" };

const router = (): NbRowArgs => ({ endpoint: nb.endpoint, name: "lr0", externalIds: ids });
const routerPort = (mac = "00:00:00:01:01:01"): LogicalRouterPortArgs => ({
    endpoint: nb.endpoint, name: "lr-node1", externalIds: ids, router: "lr0", mac, networks: ["10.244.1.1/24"],
});
const switchPort = (addresses = ["02:00:00:00:01:03 10.244.1.3"]): LogicalSwitchPortArgs => ({
    endpoint: nb.endpoint, name: "netsho1", externalIds: ids, switch: "ls-node1", type: "", addresses, options: {},
});

describe("northbound providers against a real database", () => {
    it("creates the walk-through's objects, and creating again converges", async () => {
        for (let round = 0; round < 2; round++) {
            await providers.logicalRouter.create!(router());
            await providers.logicalRouterPort.create!(routerPort());
            await providers.logicalSwitch.create!({ endpoint: nb.endpoint, name: "ls-node1", externalIds: ids });
            await providers.logicalSwitchPort.create!({
                endpoint: nb.endpoint, name: "ls-node1-lr", externalIds: ids, switch: "ls-node1", type: "router", addresses: ["router"], options: { "router-port": "lr-node1" },
            });
            await providers.logicalSwitchPort.create!(switchPort());
        }
        expect(nbctl("--bare", "--columns=name", "list", "Logical_Router")).toBe("lr0");
        expect(nbctl("get", "Logical_Router_Port", "lr-node1", "mac")).toBe('"00:00:00:01:01:01"');
        expect(nbctl("get", "Logical_Switch_Port", "ls-node1-lr", "type")).toBe("router");
        expect(nbctl("get", "Logical_Switch_Port", "ls-node1-lr", "options")).toBe('{router-port=lr-node1}');
        expect(nbctl("get", "Logical_Switch_Port", "netsho1", "addresses")).toBe('["02:00:00:00:01:03 10.244.1.3"]');
        expect(nbctl("get", "Logical_Switch", "ls-node1", "external_ids")).toBe('{"ovnlab:stack"=itest}');
        expect(nbctl("lsp-list", "ls-node1").split("\n")).toHaveLength(2);
    });

    it("create converges on a router port whose MAC was changed by hand", async () => {
        nbctl("set", "Logical_Router_Port", "lr-node1", 'mac="00:00:00:09:09:09"');
        await providers.logicalRouterPort.create!(routerPort());
        expect(nbctl("get", "Logical_Router_Port", "lr-node1", "mac")).toBe('"00:00:00:01:01:01"');
    });

    it("read returns the live values, so hand edits show as drift", async () => {
        nbctl("lsp-set-addresses", "netsho1", "02:00:00:00:01:99 10.244.1.99");
        const read = await providers.logicalSwitchPort.read!("netsho1", switchPort());
        expect(read.id).toBe("netsho1");
        expect(read.props.addresses).toEqual(["02:00:00:00:01:99 10.244.1.99"]);
        expect(read.props.switch).toBe("ls-node1");
        const diff = await providers.logicalSwitchPort.diff!("netsho1", read.props, switchPort());
        expect(diff.changes).toBe(true);
        expect(diff.replaces).toEqual([]);
        await providers.logicalSwitchPort.update!("netsho1", read.props, switchPort());
        expect(nbctl("get", "Logical_Switch_Port", "netsho1", "addresses")).toBe('["02:00:00:00:01:03 10.244.1.3"]');
    });

    it("read of a router port reports its router, MAC and networks", async () => {
        const read = await providers.logicalRouterPort.read!("lr-node1", routerPort());
        expect(read.props).toMatchObject({ router: "lr0", mac: "00:00:00:01:01:01", networks: ["10.244.1.1/24"] });
    });

    it("a removed ownership mark shows in read", async () => {
        nbctl("remove", "Logical_Switch", "ls-node1", "external_ids", '"ovnlab:stack"');
        const read = await providers.logicalSwitch.read!("ls-node1", { endpoint: nb.endpoint, name: "ls-node1", externalIds: ids });
        expect(read.props.externalIds).toEqual({});
        const diff = await providers.logicalSwitch.diff!("ls-node1", read.props, { endpoint: nb.endpoint, name: "ls-node1", externalIds: ids });
        expect(diff.changes).toBe(true);
    });

    it("read after a manual delete returns no id", async () => {
        nbctl("lsp-del", "netsho1");
        const read = await providers.logicalSwitchPort.read!("netsho1", switchPort());
        expect(read.id).toBeUndefined();
    });

    it("diff: identity changes replace, the rest update, nothing changed reports no changes", async () => {
        const same = await providers.logicalRouterPort.diff!("lr-node1", routerPort(), routerPort());
        expect(same.changes).toBe(false);
        const mac = await providers.logicalRouterPort.diff!("lr-node1", routerPort(), routerPort("00:00:00:01:01:02"));
        expect(mac).toMatchObject({ changes: true, replaces: [] });
        const moved = await providers.logicalRouterPort.diff!("lr-node1", routerPort(), { ...routerPort(), router: "lr1" });
        expect(moved.replaces).toEqual(["router"]);
        const renamed = await providers.logicalSwitchPort.diff!("netsho1", switchPort(), { ...switchPort(), switch: "ls-node2" });
        expect(renamed.replaces).toEqual(["switch"]);
    });

    it("update changes MAC and networks in place", async () => {
        const wanted = { ...routerPort("00:00:00:01:01:02"), networks: ["10.244.1.1/24", "10.244.100.1/24"] };
        await providers.logicalRouterPort.update!("lr-node1", routerPort(), wanted);
        const read = await providers.logicalRouterPort.read!("lr-node1", wanted);
        expect(read.props).toMatchObject({ mac: "00:00:00:01:01:02", networks: ["10.244.1.1/24", "10.244.100.1/24"] });
    });

    it("delete removes the rows and succeeds when they are already gone", async () => {
        for (let round = 0; round < 2; round++) {
            await providers.logicalSwitchPort.delete!("ls-node1-lr", { ...switchPort(), name: "ls-node1-lr" });
            await providers.logicalSwitch.delete!("ls-node1", { endpoint: nb.endpoint, name: "ls-node1", externalIds: ids });
            await providers.logicalRouterPort.delete!("lr-node1", routerPort());
            await providers.logicalRouter.delete!("lr0", router());
        }
        expect(nbctl("show")).toBe("");
    });

    it("rejects a hostile name before running anything", async () => {
        await expect(providers.logicalSwitch.create!({ endpoint: nb.endpoint, name: "x; rm -rf /", externalIds: ids })).rejects.toThrow(/invalid OVN name/);
        await expect(providers.logicalSwitch.create!({ endpoint: nb.endpoint, name: "$(id)", externalIds: ids })).rejects.toThrow(/invalid OVN name/);
        expect(nbctl("show")).toBe("");
    });

    it("an unreachable database fails with the command and its error, in bounded time", async () => {
        const gone: DbEndpoint = { transport: { kind: "local" }, db: `unix:${nb.dir}/missing.sock` };
        const started = Date.now();
        await expect(providers.logicalSwitch.create!({ endpoint: gone, name: "ls-x", externalIds: ids })).rejects.toThrow(/ovn-nbctl .*missing\.sock/);
        expect(Date.now() - started).toBeLessThan(25_000);
    });
});

describe("db connections", () => {
    const args = (target: string): DbConnectionArgs => ({ endpoint: nb.endpoint, tool: "ovn-nbctl", target });

    it("sets, reads, updates and deletes the NB connection", async () => {
        await dbConnectionProvider.create!(args("ptcp:6641:127.0.0.1"));
        expect(nbctl("get-connection")).toBe("ptcp:6641:127.0.0.1");
        const read = await dbConnectionProvider.read!("x", args("ptcp:6641:127.0.0.1"));
        expect(read.props.target).toBe("ptcp:6641:127.0.0.1");
        nbctl("set-connection", "ptcp:6641:127.0.0.2");
        const drift = await dbConnectionProvider.read!("x", args("ptcp:6641:127.0.0.1"));
        expect(drift.props.target).toBe("ptcp:6641:127.0.0.2");
        await dbConnectionProvider.update!("x", drift.props, args("ptcp:6641:127.0.0.1"));
        expect(nbctl("get-connection")).toBe("ptcp:6641:127.0.0.1");
        await dbConnectionProvider.delete!("x", args("ptcp:6641:127.0.0.1"));
        await dbConnectionProvider.delete!("x", args("ptcp:6641:127.0.0.1"));
        expect((await dbConnectionProvider.read!("x", args("ptcp:6641:127.0.0.1"))).id).toBeUndefined();
    });

    it("reads the SB connection, which ovn-sbctl prints with its role", async () => {
        const sb = startOvnDb("sb");
        try {
            const sbArgs: DbConnectionArgs = { endpoint: { transport: { kind: "local" }, db: sb.remote }, tool: "ovn-sbctl", target: "ptcp:6642:127.0.0.1" };
            await dbConnectionProvider.create!(sbArgs);
            const read = await dbConnectionProvider.read!("sb", sbArgs);
            expect(read.props.target).toBe("ptcp:6642:127.0.0.1");
            expect((await dbConnectionProvider.diff!("sb", read.props, sbArgs)).changes).toBe(false);
        } finally {
            await sb.stop();
        }
    });

    it("refuses a target that is not a listening OVSDB address", async () => {
        await expect(dbConnectionProvider.create!(args("ptcp:6641; touch /tmp/pwned"))).rejects.toThrow(/invalid connection target/);
    });
});
