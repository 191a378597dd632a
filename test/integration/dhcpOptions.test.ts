// The DHCP_Options kind and a port's dhcpv4Options, through the provider's methods,
// against a real throwaway northbound ovsdb-server: create (and create again, adopting
// the row an interrupted create left), read seeing hand edits and a removed row, update
// by uuid, delete (also when already gone), and the port's weak reference.
import { describe, expect, it } from "vitest";
import { DhcpOptionsArgs, LogicalSwitchPortArgs, providers } from "../../components/ovn/nbResources";
import { dhcpRowUuid } from "../../components/plan/dhcpConfig";
import { useThrowawayNb } from "../helpers/nbFixture";

const nb = useThrowawayNb((nbctl) => nbctl("ls-add", "ls-node1"));
const nbctl = nb.nbctl;
const ids = { "ovnlab:stack": "itest" };

const OPTIONS = { lease_time: "3600", mtu: "1442", router: "10.244.1.1", server_id: "10.244.1.1", server_mac: "00:00:00:01:01:01" };
const UUID = dhcpRowUuid("itest", "ls-node1-dhcp");
const dhcp = (options = OPTIONS): DhcpOptionsArgs => ({ endpoint: nb.endpoint, name: "ls-node1-dhcp", uuid: UUID, externalIds: ids, cidr: "10.244.1.0/24", options });
const port = (dhcpv4Options?: string): LogicalSwitchPortArgs => ({
    endpoint: nb.endpoint, name: "netsho1", externalIds: ids, switch: "ls-node1", type: "", addresses: ["02:00:00:00:01:03 10.244.1.3"], options: {},
    ...(dhcpv4Options === undefined ? {} : { dhcpv4Options }),
});
const rows = () => nbctl("--bare", "--columns=_uuid", "list", "DHCP_Options").split("\n").filter(Boolean);

describe("DHCP_Options rows against a real database", () => {
    it("create makes one marked row with the uuid ovnlab chose; creating again adopts it instead of making a second", async () => {
        const first = await providers.dhcpOptions.create!(dhcp());
        expect(first.outs.uuid).toBe(UUID);
        expect(rows()).toEqual([UUID]);
        expect(nbctl("get", "DHCP_Options", UUID, "external_ids")).toBe('{"ovnlab:name"=ls-node1-dhcp, "ovnlab:stack"=itest}');
        expect(nbctl("dhcp-options-get-options", UUID).split("\n").sort()).toEqual(Object.entries(OPTIONS).map(([k, v]) => `${k}=${v}`));
        // An interrupted up left the row half-made: the next create brings it to what is wanted.
        nbctl("dhcp-options-set-options", UUID, "lease_time=60", "server_id=10.244.1.1", "server_mac=00:00:00:01:01:01");
        await providers.dhcpOptions.create!(dhcp());
        expect(rows()).toEqual([UUID]);
        expect(nbctl("dhcp-options-get-options", UUID)).toContain("router=10.244.1.1");
    });

    it("a port names it by uuid; without the input the port's column is left alone", async () => {
        await providers.logicalSwitchPort.create!(port(UUID));
        expect(nbctl("lsp-get-dhcpv4-options", "netsho1")).toBe(`${UUID} (10.244.1.0/24)`);
        const read = await providers.logicalSwitchPort.read!("netsho1", port(UUID));
        expect(read.props.dhcpv4Options).toBe(UUID);
        expect(await providers.logicalSwitchPort.diff!("netsho1", read.props, port(UUID))).toMatchObject({ changes: false });
        const withoutInput = await providers.logicalSwitchPort.read!("netsho1", port());
        expect(withoutInput.props).not.toHaveProperty("dhcpv4Options");
    });

    it("read sees a hand-changed option and cidr; update puts them back by uuid", async () => {
        nbctl("dhcp-options-set-options", UUID, "lease_time=3600", "router=10.244.1.99", "server_id=10.244.1.1", "server_mac=00:00:00:01:01:01");
        nbctl("set", "DHCP_Options", UUID, 'cidr="10.244.9.0/24"');
        const read = await providers.dhcpOptions.read!("ls-node1-dhcp", dhcp());
        expect(read.props).toMatchObject({ cidr: "10.244.9.0/24", uuid: UUID, options: { router: "10.244.1.99" } });
        expect(read.props.options).not.toHaveProperty("mtu");
        expect(await providers.dhcpOptions.diff!("x", read.props, dhcp())).toMatchObject({ changes: true, replaces: [] });
        await providers.dhcpOptions.update!("x", read.props, dhcp());
        expect(nbctl("get", "DHCP_Options", UUID, "cidr")).toBe('"10.244.1.0/24"');
        expect(nbctl("dhcp-options-get-options", UUID)).toContain("router=10.244.1.1");
        expect(nbctl("dhcp-options-get-options", UUID)).toContain("mtu=1442");
    });

    it("a row deleted by hand reads as gone and the port's weak reference went with it; up makes it again with the same uuid", async () => {
        nbctl("dhcp-options-del", UUID);
        expect((await providers.dhcpOptions.read!("ls-node1-dhcp", dhcp())).id).toBeUndefined();
        const portRead = await providers.logicalSwitchPort.read!("netsho1", port(UUID));
        expect(portRead.props.dhcpv4Options).toBe("");
        // Deleting what is gone is nothing to do; an update of what is gone makes it again.
        await providers.dhcpOptions.delete!("x", dhcp());
        await providers.dhcpOptions.update!("x", dhcp(), dhcp());
        expect(rows()).toEqual([UUID]);
        await providers.logicalSwitchPort.update!("netsho1", portRead.props, port(UUID));
        expect(nbctl("lsp-get-dhcpv4-options", "netsho1")).toBe(`${UUID} (10.244.1.0/24)`);
    });

    it("a row of someone else's for the same subnet is left alone", async () => {
        nbctl("dhcp-options-create", "10.244.1.0/24");
        const foreign = rows().find((u) => u !== UUID)!;
        expect((await providers.dhcpOptions.read!("ls-node1-dhcp", dhcp())).props.uuid).toBe(UUID);
        await providers.dhcpOptions.update!("x", dhcp(), dhcp());
        expect(nbctl("dhcp-options-get-options", foreign)).toBe("");
        expect(rows().sort()).toEqual([UUID, foreign].sort());
        nbctl("dhcp-options-del", foreign);
    });

    it("delete removes the row and succeeds when it is already gone; the port forgets it when DHCP is turned off", async () => {
        const before = await providers.logicalSwitchPort.read!("netsho1", port(UUID));
        await providers.logicalSwitchPort.update!("netsho1", before.props, port());
        expect(nbctl("lsp-get-dhcpv4-options", "netsho1")).toBe("");
        for (let round = 0; round < 2; round++) await providers.dhcpOptions.delete!("x", dhcp());
        expect(rows()).toEqual([]);
    });

    it("refuses hostile values before writing anything", async () => {
        await expect(providers.dhcpOptions.create!(dhcp({ ...OPTIONS, router: '10.244.1.1" options:x="y' }))).rejects.toThrow(/invalid/);
        await expect(providers.dhcpOptions.create!({ ...dhcp(), cidr: "$(id)" })).rejects.toThrow(/invalid/);
        await expect(providers.dhcpOptions.create!({ ...dhcp(), uuid: "@x -- destroy DHCP_Options" })).rejects.toThrow(/invalid/);
        expect(rows()).toEqual([]);
    });
});
