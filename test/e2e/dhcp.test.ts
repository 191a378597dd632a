// Pulumi.dhcp.yaml through the real Pulumi CLI: the workloads lease address,
// default route and MTU from OVN's own DHCP (a DHCP_Options row per node
// switch, each workload port's dhcpv4_options naming it; busybox's udhcpc in
// the container). Every container is asked itself (docker exec ... ip), and
// the exchange is seen where OVN made it: ovn-controller's DHCPOFFER/DHCPACK
// log lines and the put_dhcp_opts flows. Then the rows are changed and
// deleted by hand and containers' addresses flushed: refresh sees it, up
// puts it back (the containers lease again) and the pings come back. Last, a
// fifth DHCP-served container previews as creates of its own resources only.
import { execFileSync } from "child_process";
import { readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { nodeLayout } from "../../components/commands/names";
import { labLeftovers, NOTHING_LEFT, pings as labPings } from "../helpers/lab";
import { previewChanges, TestStack, writeStackConfig } from "../helpers/pulumiStack";
import { useTestLab } from "../helpers/testLab";

const quiet = { onOutput: () => undefined };
const run = (argv: string[]) => execFileSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 60_000 });

function dhcpConfig(): Record<string, unknown> {
    const config = parse(readFileSync(join(__dirname, "../../Pulumi.dhcp.yaml"), "utf8")).config as Record<string, unknown>;
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k.replace(/^ovnlab:/, ""), v]));
}

const config = dhcpConfig();
const t = useTestLab("dhcp", config);
const labId = t.labId;
let lab: TestStack;
let stateDir: string;
let nb: string;
let sb: string;
beforeAll(() => {
    lab = t.lab;
    stateDir = t.stateDir;
    nb = `--db=unix:${stateDir}/central/ovnnb_db.sock`;
    sb = `--db=unix:${stateDir}/central/ovnsb_db.sock`;
});

const pings = (from: string, ip: string) => labPings(labId, from, ip);
const inContainer = (name: string, ...argv: string[]) => run(["docker", "exec", `ovnlab-${labId}-${name}`, ...argv]);

/** What the container itself says eth0 has: its IPv4 address/prefix, default gateway and MTU. */
function eth0Of(name: string): { cidr: string; gateway: string; mtu: number } {
    const addr = inContainer(name, "ip", "-4", "-o", "addr", "show", "dev", "eth0");
    const route = inContainer(name, "ip", "route", "show", "default");
    const link = inContainer(name, "ip", "link", "show", "dev", "eth0");
    return {
        cidr: [...addr.matchAll(/inet (\S+)/g)].map((m) => m[1]).join(","),
        gateway: /default via (\S+)/.exec(route)?.[1] ?? "",
        mtu: Number(/mtu (\d+)/.exec(link)?.[1] ?? 0),
    };
}

const PLANNED: Record<string, { cidr: string; gateway: string; mtu: number; mac: string; node: string }> = {
    netsho1: { cidr: "10.244.1.3/24", gateway: "10.244.1.1", mtu: 1442, mac: "02:00:00:00:01:03", node: "node1" },
    netsho2: { cidr: "10.244.1.4/24", gateway: "10.244.1.1", mtu: 1442, mac: "02:00:00:00:01:04", node: "node1" },
    netsho3: { cidr: "10.244.2.3/24", gateway: "10.244.2.1", mtu: 1442, mac: "02:00:00:00:02:03", node: "node2" },
    netsho4: { cidr: "10.244.2.4/24", gateway: "10.244.2.1", mtu: 1442, mac: "02:00:00:00:02:04", node: "node2" },
};

/** The DHCP_Options row ovnlab marked with that name, by uuid (undefined when there is none). */
function dhcpRow(name: string): string | undefined {
    return run(["ovn-nbctl", nb, "--bare", "--columns=_uuid", "find", "DHCP_Options", `external_ids:"ovnlab:name"="${name}"`]).trim() || undefined;
}

/** What a preview would do, resource by resource: "update netsho2-plug", "create netsho5", ... (sorted; no "same"). */
async function plannedSteps(): Promise<string[]> {
    const steps: string[] = [];
    await lab.stack.preview({
        onEvent: (event) => {
            const m = event.resourcePreEvent?.metadata;
            if (m && m.op !== "same") steps.push(`${m.op} ${m.urn.split("::").pop()}`);
        },
    });
    return steps.sort();
}

const controllerLog = (node: string) => readFileSync(nodeLayout(stateDir, node).controllerLog, "utf8");

describe("the DHCP lab: OVN's own DHCP configures every workload", () => {
    it("up: each container's eth0 has its planned address, default route and MTU, and OVN's DHCP handed them out", async () => {
        const result = await lab.stack.up(quiet);
        const containers = result.outputs.containers.value as { name: string; ip: string; mac: string }[];
        expect(containers.map((c) => c.name).sort()).toEqual(Object.keys(PLANNED));
        for (const [name, planned] of Object.entries(PLANNED)) {
            expect(eth0Of(name), name).toEqual({ cidr: planned.cidr, gateway: planned.gateway, mtu: planned.mtu });
            // ovn-controller's pinctrl answered this MAC with this address (its own log, on the container's node).
            const log = controllerLog(planned.node);
            expect(log, name).toContain(`DHCPOFFER ${planned.mac} ${planned.cidr.split("/")[0]}`);
            expect(log, name).toContain(`DHCPACK ${planned.mac} ${planned.cidr.split("/")[0]}`);
        }
        // One row per node switch, each port naming its switch's row.
        const row1 = dhcpRow("ls-node1-dhcp")!;
        const row2 = dhcpRow("ls-node2-dhcp")!;
        expect(run(["ovn-nbctl", nb, "dhcp-options-get-options", row1]).trim().split("\n").sort()).toEqual([
            "lease_time=3600", "mtu=1442", "router=10.244.1.1", "server_id=10.244.1.1", "server_mac=00:00:00:01:01:01",
        ]);
        expect(run(["ovn-nbctl", nb, "get", "DHCP_Options", row2, "cidr"]).trim()).toBe('"10.244.2.0/24"');
        expect(run(["ovn-nbctl", nb, "lsp-get-dhcpv4-options", "netsho1"])).toContain(`${row1} (10.244.1.0/24)`);
        expect(run(["ovn-nbctl", nb, "lsp-get-dhcpv4-options", "netsho4"])).toContain(`${row2} (10.244.2.0/24)`);
        // northd turned them into the logical flows that answer: put_dhcp_opts with the offer for each port.
        const lflows = run(["ovn-sbctl", sb, "lflow-list", "ls-node1"]);
        expect(lflows).toMatch(/put_dhcp_opts\(offerip = 10\.244\.1\.3, .*router = 10\.244\.1\.1/);
        expect(lflows).toMatch(/mtu = 1442/);
    });

    it("containers ping on the same node, across nodes and their gateway", () => {
        expect(pings("netsho1", "10.244.1.4")).toBe(true);
        expect(pings("netsho1", "10.244.2.3")).toBe(true);
        expect(pings("netsho4", "10.244.1.3")).toBe(true);
        expect(pings("netsho3", "10.244.2.1")).toBe(true);
    });

    it("a second preview shows no changes", async () => {
        expect(Object.keys(await previewChanges(lab.stack))).toEqual(["same"]);
    });

    it("a wrong router set on ls-node1's row and netsho2's address flushed by hand: refresh sees both, up repairs both by DHCP", async () => {
        const row1 = dhcpRow("ls-node1-dhcp")!;
        run(["ovn-nbctl", nb, "dhcp-options-set-options", row1, "lease_time=3600", "mtu=1442", "router=10.244.1.99", "server_id=10.244.1.1", "server_mac=00:00:00:01:01:01"]);
        inContainer("netsho2", "ip", "-4", "addr", "flush", "dev", "eth0");
        expect(pings("netsho2", "10.244.2.3")).toBe(false);
        const refresh = await lab.stack.refresh(quiet);
        expect(refresh.summary.resourceChanges?.update ?? 0).toBeGreaterThanOrEqual(2);
        // The row and netsho2's plug; and the readiness wait, which sees the lab's northbound rows changed (a
        // DHCP_Options row is part of what the chassis compute their flows from) and waits again.
        expect(await plannedSteps()).toEqual(["update lab-ready", "update ls-node1-dhcp", "update netsho2-plug"]);
        await lab.stack.up(quiet);
        expect(run(["ovn-nbctl", nb, "dhcp-options-get-options", row1])).toContain("router=10.244.1.1\n");
        // netsho2 leased again, from the repaired row: the right gateway, not 10.244.1.99.
        expect(eth0Of("netsho2")).toEqual({ cidr: "10.244.1.4/24", gateway: "10.244.1.1", mtu: 1442 });
        expect(pings("netsho2", "10.244.2.3")).toBe(true);
        expect(Object.keys(await previewChanges(lab.stack))).toEqual(["same"]);
    });

    it("ls-node2's row deleted and netsho4's address flushed by hand: up makes the row again, the ports name it, netsho4 leases again", async () => {
        const old = dhcpRow("ls-node2-dhcp")!;
        run(["ovn-nbctl", nb, "dhcp-options-del", old]);
        // The ports' reference is weak: it went with the row.
        expect(run(["ovn-nbctl", nb, "lsp-get-dhcpv4-options", "netsho3"]).trim()).toBe("");
        inContainer("netsho4", "ip", "-4", "addr", "flush", "dev", "eth0");
        const refresh = await lab.stack.refresh(quiet);
        expect(refresh.summary.resourceChanges?.delete ?? 0).toBe(1);
        // The row; netsho3's and netsho4's ports, netsho4's plug, and the readiness wait (the ports' rows changed).
        expect(await plannedSteps()).toEqual(["create ls-node2-dhcp", "update lab-ready", "update netsho3", "update netsho4", "update netsho4-plug"]);
        await lab.stack.up(quiet);
        // Made again with the uuid ovnlab chose for it, so the ports' inputs never changed: only their live reference did.
        const row2 = dhcpRow("ls-node2-dhcp")!;
        expect(row2).toBe(old);
        for (const port of ["netsho3", "netsho4"]) expect(run(["ovn-nbctl", nb, "lsp-get-dhcpv4-options", port])).toContain(row2);
        expect(eth0Of("netsho4")).toEqual({ cidr: "10.244.2.4/24", gateway: "10.244.2.1", mtu: 1442 });
        expect(pings("netsho4", "10.244.1.3")).toBe(true);
        expect(pings("netsho1", "10.244.2.4")).toBe(true);
        expect(Object.keys(await previewChanges(lab.stack))).toEqual(["same"]);
    });

    it("a fifth DHCP-served container previews as creates of its own resources only, and comes up with its planned address", async () => {
        const containers = [...(config.containers as object[]), { name: "netsho5", node: "node2" }];
        writeStackConfig(lab.dir, "dhcp", { ...config, labId, containers });
        // The workload, its container, its port component, its logical switch port and its plug; the readiness
        // wait, which lists every port it waits for; and the default ovnlab provider, whose inputs are the stack's
        // ovnlab:* configuration (a changed key is a changed provider config; no resource of it is touched).
        // Nothing else of the running lab: no node switch, DHCP row or other workload.
        expect(await plannedSteps()).toEqual([
            "create netsho5", "create netsho5", "create netsho5", "create netsho5", "create netsho5-plug", "update default", "update lab-ready",
        ]);
        await lab.stack.up(quiet);
        expect(eth0Of("netsho5")).toEqual({ cidr: "10.244.2.5/24", gateway: "10.244.2.1", mtu: 1442 });
        expect(controllerLog("node2")).toContain("DHCPACK 02:00:00:00:02:05 10.244.2.5");
        expect(pings("netsho5", "10.244.1.3")).toBe(true);
    });

    it("destroy leaves nothing behind", async () => {
        await lab.stack.destroy(quiet);
        expect(labLeftovers(labId, stateDir)).toEqual(NOTHING_LEFT);
    });
});
