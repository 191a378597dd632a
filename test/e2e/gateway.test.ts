// Pulumi.gateway.yaml through the real Pulumi CLI: a gateway router gw0 on
// node1's chassis, SNAT of the pod network to 192.168.100.2, and the external
// network the lab provides itself (the namespace ovnlab-<labId>-inet behind
// br-ext on node1). A container on node2 fetches from the external host, and
// the external host says which source it saw (its CGI's REMOTE_ADDR and its
// listener's log), never the config. Then the SNAT row and the default route
// are removed by hand: refresh sees it, up puts it back, traffic flows again.
import { execFileSync } from "child_process";
import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { labLeftovers, NOTHING_LEFT } from "../helpers/lab";
import { previewChanges, TestStack } from "../helpers/pulumiStack";
import { useTestLab } from "../helpers/testLab";

const quiet = { onOutput: () => undefined };
const run = (argv: string[]) => execFileSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 60_000 });

function gatewayConfig(): Record<string, unknown> {
    const config = parse(readFileSync(join(__dirname, "../../Pulumi.gateway.yaml"), "utf8")).config as Record<string, unknown>;
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k.replace(/^ovnlab:/, ""), v]));
}

const t = useTestLab("gateway", gatewayConfig());
const labId = t.labId;
let lab: TestStack;
let stateDir: string;
let nb: string;
beforeAll(() => {
    lab = t.lab;
    stateDir = t.stateDir;
    nb = `--db=unix:${stateDir}/central/ovnnb_db.sock`;
});

const EXTERNAL_URL = "http://192.168.100.100/cgi-bin/source";

/** What the external host answers a container: the source address it saw; "" when the fetch fails. */
function sourceSeenBy(container: string): string {
    try {
        // busybox's own `timeout`: the image's static wget 1.35 dies of SIGSEGV on -T.
        return execFileSync("docker", ["exec", `ovnlab-${labId}-${container}`, "timeout", "5", "wget", "-q", "-O", "-", EXTERNAL_URL], { encoding: "utf8", timeout: 20_000 }).trim();
    } catch {
        return "";
    }
}

/** The first few fetches may meet a tunnel neighbour not resolved yet (userspace datapath): a few tries, 1 s apart. */
async function sourceSeenWithin(container: string, tries = 10): Promise<string> {
    for (let i = 0; i < tries; i++) {
        const seen = sourceSeenBy(container);
        if (seen) return seen;
        await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    return "";
}

const listenerLog = () => (existsSync(join(stateDir, "inet/httpd.log")) ? readFileSync(join(stateDir, "inet/httpd.log"), "utf8") : "");

describe("the gateway lab: SNAT to an external network the lab provides", () => {
    it("up builds gw0 on node1's chassis, the join and external switches, routes and the SNAT rule; outputs name them", async () => {
        const result = await lab.stack.up(quiet);
        const gateway = result.outputs.gateway.value as Record<string, unknown>;
        expect(gateway).toMatchObject({
            router: "gw0", node: "node1", chassis: `${labId}-node1`, snatAddress: "192.168.100.2", snatSources: "10.244.0.0/16",
            externalHost: { ip: "192.168.100.100", namespace: `ovnlab-${labId}-inet`, url: EXTERNAL_URL },
        });
        expect(run(["ovn-nbctl", nb, "get", "Logical_Router", "gw0", "options:chassis"]).trim().replace(/"/g, "")).toBe(`${labId}-node1`);
        expect(run(["ovn-nbctl", nb, "lr-route-list", "lr0"])).toMatch(/0\.0\.0\.0\/0\s+100\.64\.0\.2/);
        expect(run(["ovn-nbctl", nb, "lr-route-list", "gw0"])).toMatch(/10\.244\.0\.0\/16\s+100\.64\.0\.1/);
        expect(run(["ovn-nbctl", nb, "lr-nat-list", "gw0"])).toMatch(/snat\s+192\.168\.100\.2\s+10\.244\.0\.0\/16/);
        // The gateway router is bound where it was pinned.
        const sb = run(["ovn-sbctl", `--db=unix:${stateDir}/central/ovnsb_db.sock`, "--bare", "--columns=chassis", "find", "Port_Binding", "logical_port=gw0-ext"]).trim();
        const chassis = run(["ovn-sbctl", `--db=unix:${stateDir}/central/ovnsb_db.sock`, "--bare", "--columns=name", "list", "Chassis", sb]).trim();
        expect(chassis).toBe(`${labId}-node1`);
    });

    it("a container on node2 reaches the external host, which sees the SNAT address as the source (its answer and its log)", async () => {
        expect(await sourceSeenWithin("netsho3")).toBe("192.168.100.2");
        expect(await sourceSeenWithin("netsho1")).toBe("192.168.100.2");
        // The listener's own log, on the external host's side: every request came from the SNAT address.
        const sources = [...listenerLog().matchAll(/^(\d+\.\d+\.\d+\.\d+):\d+: url:/gm)].map((m) => m[1]);
        expect(sources.length).toBeGreaterThanOrEqual(2);
        expect(new Set(sources)).toEqual(new Set(["192.168.100.2"]));
        // Its conntrack-free view from inside "the internet": the external host has no route to the pod network at all.
        expect(run(["ip", "netns", "exec", `ovnlab-${labId}-inet`, "ip", "-4", "route", "show"])).not.toContain("10.244.");
    });

    it("a second preview shows no changes", async () => {
        expect(Object.keys(await previewChanges(lab.stack))).toEqual(["same"]);
    });

    it("the SNAT rule deleted by hand: traffic stops, refresh sees it, up puts it back and traffic flows again", async () => {
        run(["ovn-nbctl", nb, "lr-nat-del", "gw0", "snat", "10.244.0.0/16"]);
        // Without SNAT the external host would answer 10.244.2.3, which it has no route to: nothing comes back.
        run(["ovn-nbctl", nb, "--wait=hv", "sync"]);
        expect(sourceSeenBy("netsho3")).toBe("");
        const refresh = await lab.stack.refresh(quiet);
        expect(refresh.summary.resourceChanges?.delete ?? 0).toBe(1);
        expect(await previewChanges(lab.stack)).toMatchObject({ create: 1 });
        await lab.stack.up(quiet);
        expect(run(["ovn-nbctl", nb, "lr-nat-list", "gw0"])).toMatch(/snat\s+192\.168\.100\.2\s+10\.244\.0\.0\/16/);
        expect(await sourceSeenWithin("netsho3")).toBe("192.168.100.2");
    });

    it("the default route deleted by hand, and the SNAT address changed by hand: refresh sees both, up repairs both", async () => {
        run(["ovn-nbctl", nb, "lr-route-del", "lr0", "0.0.0.0/0"]);
        run(["ovn-nbctl", nb, "set", "NAT", run(["ovn-nbctl", nb, "--bare", "--columns=_uuid", "find", "NAT", "type=snat"]).trim(), "external_ip=192.168.100.9"]);
        run(["ovn-nbctl", nb, "--wait=hv", "sync"]);
        expect(sourceSeenBy("netsho4")).toBe("");
        await lab.stack.refresh(quiet);
        const changes = await previewChanges(lab.stack);
        // The route: created again; the NAT rule: replaced (its external address is part of what it is).
        expect(changes.create ?? 0).toBe(1);
        expect(changes.replace ?? 0).toBe(1);
        await lab.stack.up(quiet);
        expect(await sourceSeenWithin("netsho4")).toBe("192.168.100.2");
        expect(Object.keys(await previewChanges(lab.stack))).toEqual(["same"]);
    });

    it("the external host's listener killed by hand: refresh reports it, up restarts it", async () => {
        const pid = Number(readFileSync(join(stateDir, "inet/httpd.pid"), "utf8").trim());
        process.kill(pid, "SIGKILL");
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(sourceSeenBy("netsho3")).toBe("");
        await lab.stack.refresh(quiet);
        expect(await previewChanges(lab.stack)).toMatchObject({ update: 1 });
        await lab.stack.up(quiet);
        expect(await sourceSeenWithin("netsho3")).toBe("192.168.100.2");
    });

    it("the external network broken by hand (br-ext's veth deleted, the bridge mapping removed): refresh reports it, up repairs it", async () => {
        const node1 = ["ip", "netns", "exec", `ovnlab-${labId}-node1`];
        run([...node1, "ip", "link", "delete", "dev", "ext-inet"]);
        run([...node1, "ovs-vsctl", `--db=unix:${stateDir}/node1/run/db.sock`, "remove", "open_vswitch", ".", "external_ids", "ovn-bridge-mappings"]);
        expect(sourceSeenBy("netsho3")).toBe("");
        await lab.stack.refresh(quiet);
        expect(await previewChanges(lab.stack)).toMatchObject({ update: 1 });
        await lab.stack.up(quiet);
        expect(run([...node1, "ovs-vsctl", `--db=unix:${stateDir}/node1/run/db.sock`, "get", "open_vswitch", ".", "external_ids:ovn-bridge-mappings"]).trim()).toBe('"physnet:br-ext"');
        expect(await sourceSeenWithin("netsho3")).toBe("192.168.100.2");
    });

    it("gw0 deleted by hand takes its ports, route and NAT with it: refresh sees every one, up rebuilds them, traffic again", async () => {
        run(["ovn-nbctl", nb, "lr-del", "gw0"]);
        const refresh = await lab.stack.refresh(quiet);
        // gw0, gw0-join, gw0-ext, its route to the pods and its SNAT rule.
        expect(refresh.summary.resourceChanges?.delete ?? 0).toBe(5);
        await lab.stack.up(quiet);
        expect(await sourceSeenWithin("netsho3")).toBe("192.168.100.2");
        expect(Object.keys(await previewChanges(lab.stack))).toEqual(["same"]);
    });

    it("destroy leaves nothing behind (gw0 deleted by hand just before: its route and NAT have nothing to delete)", async () => {
        run(["ovn-nbctl", nb, "lr-del", "gw0"]);
        await lab.stack.destroy(quiet);
        expect(labLeftovers(labId, stateDir)).toEqual(NOTHING_LEFT);
    });
});
