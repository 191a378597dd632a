// ovnlab:dhcp without a lab: the keys' validation, each node switch's DHCP options from
// the IP plan, the builders as data, the DHCP_Options kind's find/read on snapshot data,
// the logical switch port's optional dhcpv4Options (absent: no command, no diff for old
// state), the plug's diff, and udhcpc's script run against a stand-in `ip`.
import { execFileSync } from "child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, validateConfig } from "../../components/plan/config";
import { dhcpOptionsFor, dhcpRowUuid } from "../../components/plan/dhcpConfig";
import { planLab } from "../../components/plan/ipPlan";
import { dhcpOptionsCreate, dhcpOptionsDestroy, dhcpOptionsSet, lspSetDhcpv4Options } from "../../components/commands/ovnDhcp";
import { UDHCPC_RUNNER, UDHCPC_SCRIPT, udhcpcArgv } from "../../components/commands/udhcpc";
import { dhcpOptionsKind, DhcpOptionsArgs } from "../../components/ovn/kinds/dhcpOptions";
import { logicalSwitchPortKind, LogicalSwitchPortArgs } from "../../components/ovn/kinds/logicalSwitchPort";
import { providers } from "../../components/ovn/nbResources";
import { ContainerPlugArgs, ContainerPlugOutputs, containerPlugProvider } from "../../components/workloads/containerPlug";
import { NbSnapshot } from "../../components/ovn/kind";

const UUID = "3f0e2a4c-1d2b-4c5e-8f90-123456789abc";
const OTHER = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const endpoint = { transport: { kind: "local" as const }, db: "unix:/tmp/ovnlab-t1/nb.sock" };

function issuesOf(raw: Record<string, unknown>): ConfigError {
    try {
        validateConfig(raw, "dev");
    } catch (e) {
        if (e instanceof ConfigError) return e;
        throw e;
    }
    throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

describe("ovnlab:dhcp and ovnlab:dhcpLeaseSeconds", () => {
    it("are off by default: the lab has no dhcp at all", () => {
        expect(validateConfig({}, "dev").dhcp).toBeUndefined();
        expect(validateConfig({ dhcp: false, dhcpLeaseSeconds: 3600 }, "dev")).toEqual(validateConfig({}, "dev"));
    });
    it("on, with the lease in seconds, as Pulumi hands them over (booleans and numbers or their text)", () => {
        expect(validateConfig({ dhcp: true }, "dev").dhcp).toEqual({ leaseSeconds: 3600 });
        expect(validateConfig({ dhcp: "true", dhcpLeaseSeconds: "600" }, "dev").dhcp).toEqual({ leaseSeconds: 600 });
        expect(validateConfig({ dhcp: "false", dhcpLeaseSeconds: "600" }, "dev").dhcp).toBeUndefined();
    });
    it("single-l2 has no OVN to serve DHCP: said so", () => {
        const e = issuesOf({ experiment: "single-l2", dhcp: true });
        expect(e.issues).toEqual([expect.objectContaining({ key: "dhcp", problem: expect.stringMatching(/single-l2 has no OVN/), valid: "false (or experiment multi-l2)" })]);
    });
    it("reports every problem at once, with the valid forms", () => {
        const e = issuesOf({ dhcp: "yes", dhcpLeaseSeconds: 5, encap: "gre" });
        expect(e.issues.map((i) => i.key).sort()).toEqual(["dhcp", "dhcpLeaseSeconds", "encap"]);
        expect(e.message).toMatch(/ovnlab:dhcp = "yes": not a boolean; valid: true or false/);
        expect(e.message).toMatch(/ovnlab:dhcpLeaseSeconds = 5: not a whole number of seconds in range; valid: an integer from 60 to 31536000/);
        for (const hostile of ["$(id)", "true; rm -rf /", "1e3", [], {}]) expect(() => validateConfig({ dhcp: true, dhcpLeaseSeconds: hostile }, "dev")).toThrow(ConfigError);
    });
    it("each row's uuid is ovnlab's: an RFC 4122 (version 5 style) uuid of the stack and the name, the same every run", () => {
        const a = dhcpRowUuid("dev", "ls-node1-dhcp");
        expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(dhcpRowUuid("dev", "ls-node1-dhcp")).toBe(a);
        expect(new Set([a, dhcpRowUuid("dev", "ls-node2-dhcp"), dhcpRowUuid("lab2", "ls-node1-dhcp")]).size).toBe(3);
    });
    it("each node switch's options come from the plan: server and router its gateway, the router port's MAC, the lab's MTU", () => {
        const plan = planLab(validateConfig({ dhcp: true, dhcpLeaseSeconds: 7200, mtu: 1400 }, "dev"));
        expect(plan.nodes.map((n) => [n.subnet, dhcpOptionsFor(n, plan.config.mtu, plan.config.dhcp!)])).toEqual([
            ["10.244.1.0/24", { lease_time: "7200", mtu: "1400", router: "10.244.1.1", server_id: "10.244.1.1", server_mac: "00:00:00:01:01:01" }],
            ["10.244.2.0/24", { lease_time: "7200", mtu: "1400", router: "10.244.2.1", server_id: "10.244.2.1", server_mac: "00:00:00:02:01:01" }],
        ]);
    });
});

describe("the DHCP builders", () => {
    it("create, set and destroy a DHCP_Options row with every value in double quotes", () => {
        expect(dhcpOptionsCreate(UUID, "10.244.1.0/24", { server_mac: "00:00:00:01:01:01", lease_time: "3600" }, { "ovnlab:name": "ls-node1-dhcp" })).toEqual([
            `--id=${UUID}`, "create", "DHCP_Options", 'cidr="10.244.1.0/24"', 'options:"lease_time"="3600"', 'options:"server_mac"="00:00:00:01:01:01"', 'external_ids:"ovnlab:name"="ls-node1-dhcp"',
        ]);
        expect(dhcpOptionsSet(UUID, "10.244.1.0/24", { router: "10.244.1.1", mtu: "1442" }, { "ovnlab:stack": "dev" })).toEqual([
            "set", "DHCP_Options", UUID, 'cidr="10.244.1.0/24"', 'options={"mtu"="1442","router"="10.244.1.1"}', 'external_ids:"ovnlab:stack"="dev"',
        ]);
        expect(dhcpOptionsSet(UUID, "10.244.1.0/24", {}, {})).toEqual(["set", "DHCP_Options", UUID, 'cidr="10.244.1.0/24"', "options={}"]);
        expect(dhcpOptionsDestroy(UUID)).toEqual(["--if-exists", "destroy", "DHCP_Options", UUID]);
    });
    it("point a port at a row, or clear it", () => {
        expect(lspSetDhcpv4Options("netsho1", UUID)).toEqual(["lsp-set-dhcpv4-options", "netsho1", UUID]);
        expect(lspSetDhcpv4Options("netsho1", "")).toEqual(["lsp-set-dhcpv4-options", "netsho1"]);
    });
    it.each([
        ['a quote in a value', () => dhcpOptionsCreate(UUID, "10.244.1.0/24", { router: '10.244.1.1",x="y' }, {})],
        ["a backslash", () => dhcpOptionsCreate(UUID, "10.244.1.0/24", { router: "10.244.1.1\\" }, {})],
        ["a brace in a set's value", () => dhcpOptionsSet(UUID, "10.244.1.0/24", { router: "}" }, {})],
        ["an option name with '='", () => dhcpOptionsCreate(UUID, "10.244.1.0/24", { "a=b": "1" }, {})],
        ["a uuid that is not one", () => dhcpOptionsDestroy("@dhcp")],
        ["a symbolic id instead of a uuid", () => dhcpOptionsCreate("@dhcp", "10.244.1.0/24", {}, {})],
        ["a cidr that is not one", () => dhcpOptionsCreate(UUID, "10.244.1.0/24 10.0.0.0/8", {}, {})],
        ["a port name with a space", () => lspSetDhcpv4Options("a b", UUID)],
    ])("refuse %s", (_what, build) => expect(build).toThrow(/invalid/));
    it("udhcpc runs once in the workload's namespace, script and runner fixed, interface and tries as parameters", () => {
        expect(udhcpcArgv(4242, "eth0", 30)).toEqual(["nsenter", "-t", "4242", "-n", "sh", "-c", UDHCPC_RUNNER, "ovnlab-udhcpc", UDHCPC_SCRIPT, "eth0", "30"]);
        expect(UDHCPC_RUNNER).toContain('busybox udhcpc -i "$2" -f -q -n -t "$3" -T 1 -O mtu -s "$f"');
        for (const text of [UDHCPC_RUNNER, UDHCPC_SCRIPT]) execFileSync("sh", ["-n", "-c", text]);
        expect(() => udhcpcArgv(4242, "eth0", 0)).toThrow(/number of DHCP discovers/);
    });
});

describe("udhcpc's script against a stand-in ip", () => {
    const dir = mkdtempSync(join(tmpdir(), "ovnlab-unit-udhcpc-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "ip"), `#!/bin/sh\necho "ip $*" >> "${dir}/calls"\n`);
    writeFileSync(join(dir, "script"), UDHCPC_SCRIPT);
    chmodSync(join(dir, "ip"), 0o755);
    const script = (event: string, env: Record<string, string>) => {
        rmSync(join(dir, "calls"), { force: true });
        const out = execFileSync("sh", [join(dir, "script"), event], { encoding: "utf8", env: { PATH: `${dir}:/usr/bin:/bin`, interface: "eth0", ...env } });
        return { out, calls: readFileSync(join(dir, "calls"), "utf8").trim().split("\n") };
    };

    it("bound: MTU, then the address with its prefix, then the default route via the first router", () => {
        const { out, calls } = script("bound", { ip: "10.244.1.3", mask: "24", router: "10.244.1.1 10.244.1.2", mtu: "1442", lease: "3600", serverid: "10.244.1.1" });
        expect(calls).toEqual([
            "ip link set dev eth0 mtu 1442", "ip -4 addr flush dev eth0", "ip addr add 10.244.1.3/24 dev eth0", "ip route replace default via 10.244.1.1 dev eth0",
        ]);
        expect(out.trim()).toBe("ovnlab-dhcp: bound 10.244.1.3/24 router 10.244.1.1 10.244.1.2 mtu 1442 lease 3600s from 10.244.1.1");
    });
    it("no mtu or router offered: neither is touched; deconfig flushes and keeps the link up", () => {
        expect(script("bound", { ip: "10.244.1.3", mask: "24" }).calls).toEqual(["ip -4 addr flush dev eth0", "ip addr add 10.244.1.3/24 dev eth0"]);
        expect(script("deconfig", {}).calls).toEqual(["ip -4 addr flush dev eth0", "ip link set dev eth0 up"]);
    });
    it("a hostile offer stays one word of each ip command (no globbing, no splitting of the address)", () => {
        const { calls } = script("bound", { ip: "$(id)", mask: "*", router: "*" });
        expect(calls).toEqual(["ip -4 addr flush dev eth0", "ip addr add $(id)/* dev eth0", "ip route replace default via * dev eth0"]);
    });
});

const row = (uuid: string, name: string | undefined, options: Record<string, string> = { lease_time: "3600" }) => ({
    uuid, cidr: "10.244.1.0/24", options, external_ids: name ? { "ovnlab:name": name, "ovnlab:stack": "dev" } : {},
});
const dhcpArgs: DhcpOptionsArgs = {
    endpoint, name: "ls-node1-dhcp", uuid: UUID, externalIds: { "ovnlab:stack": "dev" }, cidr: "10.244.1.0/24",
    options: { lease_time: "3600", server_id: "10.244.1.1", server_mac: "00:00:00:01:01:01" },
};

describe("the DHCP_Options kind", () => {
    const snapshot: NbSnapshot = { DHCP_Options: [row(OTHER, "ls-node1-dhcp"), row(UUID, "ls-node1-dhcp", { lease_time: "60", router: "10.244.1.99" })] };

    it("finds its row by its uuid (a copy with the same mark is not it) and reads it live", () => {
        const found = dhcpOptionsKind.find(snapshot, dhcpArgs)!;
        expect(found.uuid).toBe(UUID);
        expect(dhcpOptionsKind.find(snapshot, { ...dhcpArgs, uuid: dhcpRowUuid("dev", "ls-node1-dhcp") })).toBeUndefined();
        expect(dhcpOptionsKind.read(snapshot, found, dhcpArgs)).toEqual({
            name: "ls-node1-dhcp", uuid: UUID, cidr: "10.244.1.0/24", options: { lease_time: "60", router: "10.244.1.99" }, externalIds: { "ovnlab:stack": "dev" },
        });
        expect(dhcpOptionsKind.located).toBe(true);
        expect(dhcpOptionsKind.tables).toEqual(["DHCP_Options"]);
    });
    it("creates a marked row with its uuid, adopts an existing one, updates and removes by uuid", () => {
        const marks = { "ovnlab:name": "ls-node1-dhcp", "ovnlab:stack": "dev" };
        expect(dhcpOptionsKind.create(dhcpArgs)).toEqual([dhcpOptionsCreate(UUID, dhcpArgs.cidr, dhcpArgs.options, marks)]);
        expect(dhcpOptionsKind.create(dhcpArgs, row(UUID, "ls-node1-dhcp"))).toEqual([dhcpOptionsSet(UUID, dhcpArgs.cidr, dhcpArgs.options, marks)]);
        expect(dhcpOptionsKind.update(dhcpArgs, dhcpArgs, row(UUID, "ls-node1-dhcp"))).toEqual([dhcpOptionsSet(UUID, dhcpArgs.cidr, dhcpArgs.options, marks)]);
        expect(dhcpOptionsKind.remove(dhcpArgs, row(UUID, "ls-node1-dhcp"))).toEqual([dhcpOptionsDestroy(UUID)]);
        expect(() => dhcpOptionsKind.remove(dhcpArgs)).toThrow(/no live row/);
    });
    it("check refuses what OVN would not serve and what no command may carry", () => {
        expect(providers.dhcpOptions.check!(dhcpArgs)).toEqual([]);
        const failures = providers.dhcpOptions.check!({ ...dhcpArgs, uuid: "@dhcp", cidr: "10.244.1.0/24; x", options: { lease_time: "3600" } });
        expect(failures.map((f) => f.property)).toEqual(["uuid", "cidr", "options"]);
        expect(failures[2].reason).toMatch(/without server_id, server_mac/);
    });
    it("diff: changed options update in place, another uuid is another row", async () => {
        expect(await providers.dhcpOptions.diff!("x", dhcpArgs, dhcpArgs)).toMatchObject({ changes: false });
        expect(await providers.dhcpOptions.diff!("x", { ...dhcpArgs, options: { ...dhcpArgs.options, router: "10.244.1.99" } }, dhcpArgs))
            .toEqual({ changes: true, replaces: [], deleteBeforeReplace: true });
        expect((await providers.dhcpOptions.diff!("x", { ...dhcpArgs, uuid: OTHER }, dhcpArgs)).replaces).toEqual(["uuid"]);
    });
});

const lsp: LogicalSwitchPortArgs = { endpoint, name: "netsho1", switch: "ls-node1", type: "", addresses: ["02:00:00:00:01:03 10.244.1.3"], options: {}, externalIds: {} };
const lspRow = (dhcp: unknown) => ({ uuid: OTHER, name: "netsho1", type: "", addresses: "02:00:00:00:01:03 10.244.1.3", options: {}, external_ids: {}, dhcpv4_options: dhcp });

describe("a logical switch port's dhcpv4Options", () => {
    const hasDhcpCommand = (commands: string[][]) => commands.some((c) => c[0] === "lsp-set-dhcpv4-options");

    it("absent without DHCP: no command, nothing read, and state from before it existed diffs clean", async () => {
        expect(hasDhcpCommand(logicalSwitchPortKind.create(lsp))).toBe(false);
        expect(logicalSwitchPortKind.read({}, lspRow([]), lsp)).not.toHaveProperty("dhcpv4Options");
        expect(await providers.logicalSwitchPort.diff!("netsho1", { ...lsp }, lsp)).toMatchObject({ changes: false });
    });
    it("given: set at create, read live (the row's uuid, or '' when the row went), and cleared when DHCP is turned off", () => {
        expect(logicalSwitchPortKind.create({ ...lsp, dhcpv4Options: UUID })).toContainEqual(["lsp-set-dhcpv4-options", "netsho1", UUID]);
        expect(logicalSwitchPortKind.read({}, lspRow(UUID), { ...lsp, dhcpv4Options: UUID }).dhcpv4Options).toBe(UUID);
        expect(logicalSwitchPortKind.read({}, lspRow([]), { ...lsp, dhcpv4Options: UUID }).dhcpv4Options).toBe("");
        expect(logicalSwitchPortKind.update({ ...lsp, dhcpv4Options: UUID }, lsp)).toContainEqual(["lsp-set-dhcpv4-options", "netsho1"]);
        expect(providers.logicalSwitchPort.check!({ ...lsp, dhcpv4Options: "$(id)" }).map((f) => f.property)).toEqual(["dhcpv4Options"]);
    });
});

describe("the plug's dhcp input", () => {
    const plugArgs: ContainerPlugArgs = {
        transport: { kind: "netns", namespace: "ovnlab-t1-node1" }, ovsDb: "unix:/tmp/ovnlab-t1/node1/run/db.sock", workload: "netsho1",
        containerId: "0123456789ab0123456789ab", containerPid: 4242, mac: "02:00:00:00:01:03", cidr: "10.244.1.3/24", gateway: "10.244.1.1", ifaceId: "netsho1",
    };
    /** A plug's state as ovnlab wrote it before ovnlab:dhcp: no dhcp field. */
    const before: ContainerPlugOutputs = { bridge: "br-int", mtu: 1442, ...plugArgs, ovsDb: plugArgs.ovsDb!, gateway: "10.244.1.1", ifaceId: "netsho1", portName: "c-netsho1" };

    it("old state without it diffs clean; turning DHCP on is an update in place", async () => {
        expect(await containerPlugProvider.diff!("id", before, plugArgs)).toMatchObject({ changes: false });
        expect(await containerPlugProvider.diff!("id", before, { ...plugArgs, dhcp: true })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: true });
        // A flushed address (what read reports) with DHCP: repaired by an update, i.e. a new lease.
        expect(await containerPlugProvider.diff!("id", { ...before, dhcp: true, cidr: "", gateway: "" }, { ...plugArgs, dhcp: true })).toMatchObject({ changes: true, replaces: [] });
    });
});
