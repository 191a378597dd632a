// OVN's services through the real Pulumi CLI, with real traffic: the lb stack
// (nginx1 and nginx2 behind a VIP) and the acl stack (a rule list in front of
// nginx1). Each: what up makes forwards as configured, one object changed by
// hand is seen by refresh and put back by up (traffic proven again), and one
// object added to the running lab previews as only its own changes.
import { execFileSync } from "child_process";
import { readFileSync } from "fs";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { diagramLive } from "../../cli/liveDiagram";
import { labOutputs, stackFileConfig } from "../../cli/pulumiWorkspace";
import { showTool } from "../../cli/show";
import { traceTool } from "../../cli/trace";
import { verifyTool } from "../../cli/verify";
import { labLeftovers, NOTHING_LEFT, pings } from "../helpers/lab";
import { writeStackConfig } from "../helpers/pulumiStack";
import { useTestLab } from "../helpers/testLab";

const quiet = { onOutput: () => undefined };
const run = (argv: string[]) => execFileSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 60_000 });

/** The body of GET `url` from inside a container (busybox wget, bounded by busybox timeout: wget's own -T crashes Debian's busybox 1.35), or undefined when it fails. */
function httpGet(labId: string, from: string, url: string): string | undefined {
    try {
        return execFileSync("docker", ["exec", `ovnlab-${labId}-${from}`, "timeout", "3", "wget", "-q", "-O", "-", url], { encoding: "utf8", timeout: 30_000 }).trim();
    } catch {
        return undefined;
    }
}

type Changes = Record<string, string[]>;
type EngineEvent = { resourcePreEvent?: { metadata: { op: string; urn: string } }; resOutputsEvent?: { metadata: { op: string; urn: string } } };

/** Resource names by operation, from one kind of engine event, e.g. { create: ["nginx3", ...], update: ["lb-web"] }. */
function changesOf(events: EngineEvent[], kind: "resourcePreEvent" | "resOutputsEvent"): Changes {
    const changes: Changes = {};
    for (const e of events) {
        const m = e[kind]?.metadata;
        if (!m || m.op === "same") continue;
        (changes[m.op] ??= []).push(m.urn.split("::").pop()!);
    }
    return changes;
}

/** What a preview plans. */
async function plannedChanges(stack: { preview(o: object): Promise<unknown> }): Promise<Changes> {
    const events: EngineEvent[] = [];
    await stack.preview({ onEvent: (e: EngineEvent) => events.push(e) });
    return changesOf(events, "resourcePreEvent");
}

/** What a refresh changed in the state. */
async function refreshed(stack: { refresh(o: object): Promise<unknown> }): Promise<Changes> {
    const events: EngineEvent[] = [];
    await stack.refresh({ onEvent: (e: EngineEvent) => events.push(e) });
    return changesOf(events, "resOutputsEvent");
}

describe("Pulumi.lb.yaml: nginx1 and nginx2 behind one OVN load balancer VIP", () => {
    const t = useTestLab("lb", stackFileConfig("lb"));
    const vip = "http://10.96.0.10/";
    const answers = (from: string, n = 20) => new Set(Array.from({ length: n }, () => httpGet(t.labId, from, vip)));

    it("up: the stack outputs name the VIP with its backends, and the VIP answers from both backends, from both nodes", async () => {
        const result = await t.lab.stack.up(quiet);
        expect(result.outputs.loadBalancers.value).toEqual([{
            name: "web", vip: "10.96.0.10:80", protocol: "tcp", switches: ["ls-node1", "ls-node2"],
            backends: [{ name: "nginx1", address: "10.244.1.6:80" }, { name: "nginx2", address: "10.244.2.5:80" }],
        }]);
        // Each backend by itself: its own page.
        expect(httpGet(t.labId, "netsho1", "http://10.244.1.6/")).toBe("nginx1");
        expect(httpGet(t.labId, "netsho1", "http://10.244.2.5/")).toBe("nginx2");
        // Through the VIP, repeated requests (a new source port each) are spread over both.
        expect(answers("netsho1")).toEqual(new Set(["nginx1", "nginx2"]));
        expect(answers("netsho3")).toEqual(new Set(["nginx1", "nginx2"]));
    });

    it("trace to the VIP (by the load balancer's name) shows its backends and the one ovn-trace followed; show lists it", async () => {
        const outputs = labOutputs("lb", await t.lab.stack.outputs());
        const { exitCode, report, output } = await traceTool("lb", outputs, "netsho3", "web", { json: false, detailed: false });
        expect(exitCode).toBe(0);
        expect(report.microflow).toContain("tcp.dst == 80");
        expect(report.services?.loadBalancer).toMatchObject({ name: "web", vip: "10.96.0.10:80", backends: [{ name: "nginx1", address: "10.244.1.6:80" }, { name: "nginx2", address: "10.244.2.5:80" }] });
        expect(["nginx1", "nginx2"]).toContain(report.services?.loadBalancer?.chosen);
        expect(report.route.delivered).toEqual([report.services?.loadBalancer?.chosen]);
        expect(output).toMatch(/load balancer web 10\.96\.0\.10:80: backends nginx1 10\.244\.1\.6:80, nginx2 10\.244\.2\.5:80; ovn-trace followed nginx[12]/);
        const show = await showTool("lb", outputs, { json: false });
        expect(show.output).toMatch(/lb-list[\s\S]*web\s+tcp\s+10\.96\.0\.10:80\s+10\.244\.1\.6:80,10\.244\.2\.5:80/);
    });

    it("the VIP taken off node2's switch by hand: node2's clients lose it, diagram --live draws the load balancer unhealthy, refresh sees it, up puts it back", async () => {
        const nb = ["ovn-nbctl", `--db=unix:${t.stateDir}/central/ovnnb_db.sock`];
        run([...nb, "ls-lb-del", "ls-node2", "web"]);
        expect(httpGet(t.labId, "netsho3", vip)).toBeUndefined();
        const outDir = join(t.lab.dir, "diagram-live");
        const live = await diagramLive(t.lab.stack, labOutputs("lb", await t.lab.stack.outputs()), { json: true, outDir });
        expect(live.exitCode, live.output).toBe(1);
        // The readiness check's NB digest changed too: that finding is the lab's.
        expect([...live.health.unhealthy].sort()).toEqual(["lab", "load balancer web"]);
        const web = live.health.services.find((s) => s.object === "load balancer web")!;
        expect(web.problems.join("\n")).toMatch(/^LoadBalancer lb-web: changed outside ovnlab: .*switches/);
        expect(live.health.nodes.every((n) => n.healthy) && live.health.workloads.every((w) => w.healthy)).toBe(true);
        const dot = readFileSync(join(outDir, "topology-lb-live.dot"), "utf8");
        expect(dot.split("\n").find((l) => l.startsWith("    lb_web ["))).toContain('color="#cc0000"');
        expect(dot).toMatch(/lb_web -- container_nginx2 \[.*color="#cc0000", style=dashed/);
        expect(readFileSync(join(outDir, "topology-lb-live.md"), "utf8")).toContain("! LoadBalancer lb-web: changed outside ovnlab");
        // The readiness check reads the NB database's digest: a hand change makes up check again.
        expect(await refreshed(t.lab.stack as never)).toEqual({ update: ["lb-web", "lab-ready"] });
        await t.lab.stack.up(quiet);
        expect(run([...nb, "ls-lb-list", "ls-node2"])).toContain("10.96.0.10:80");
        expect(answers("netsho3")).toEqual(new Set(["nginx1", "nginx2"]));
    });

    it("nginx2's web server killed: refresh sees it gone, up starts it again, and the VIP has both backends again", async () => {
        const server = run(["pgrep", "-x", "-f", `busybox httpd -f -p 80 -h /tmp/ovnlab-www-${t.labId}-nginx2`]).trim();
        run(["kill", server]);
        expect(answers("netsho1", 10)).toEqual(new Set(["nginx1", undefined]));
        expect(await refreshed(t.lab.stack as never)).toEqual({ delete: ["nginx2-http"] });
        await t.lab.stack.up(quiet);
        expect(answers("netsho1")).toEqual(new Set(["nginx1", "nginx2"]));
    });

    it("a third backend added to the running lab previews as its own resources and the VIP's update only", async () => {
        const config = stackFileConfig("lb");
        config.containers = [...(config.containers as object[]), { name: "nginx3", node: "node1", serve: "http" }];
        config.loadBalancers = [{ name: "web", vip: "10.96.0.10", port: 80, backends: ["nginx1", "nginx2", "nginx3"] }];
        writeStackConfig(t.lab.dir, "lb", { ...config, labId: t.labId });
        const changes = await plannedChanges(t.lab.stack as never);
        expect(changes.create?.every((name) => name.startsWith("nginx3"))).toBe(true);
        expect(changes.create).toContain("nginx3-http");
        // The readiness check re-runs because it waits for the new port too.
        // (and the stack's `default` provider, which lists every resource type the program uses)
        expect(changes.update?.sort()).toEqual(["default", "lab-ready", "lb-web"]);
        expect(Object.keys(changes).sort()).toEqual(["create", "update"]);
        await t.lab.stack.up(quiet);
        expect(answers("netsho3", 30)).toEqual(new Set(["nginx1", "nginx2", "nginx3"]));
    });

    it("destroy leaves nothing behind, web servers and their pages included", async () => {
        await t.lab.stack.destroy(quiet);
        expect(labLeftovers(t.labId, t.stateDir)).toEqual(NOTHING_LEFT);
    });
});

describe("Pulumi.acl.yaml: a rule list in front of nginx1", () => {
    const t = useTestLab("acl", stackFileConfig("acl"));
    const nginx1 = "http://10.244.1.6/";
    const nb = () => ["ovn-nbctl", `--db=unix:${t.stateDir}/central/ovnnb_db.sock`];

    it("up: netsho3 reaches nginx1 on TCP 80, everyone else is dropped; ICMP inside node1's switch still works", async () => {
        const result = await t.lab.stack.up(quiet);
        expect((result.outputs.acls.value as { rule: string }[]).map((a) => a.rule)).toEqual([
            "allow tcp/80 from netsho3 to nginx1", "allow icmp from node1 to nginx1", "drop ip from any to nginx1",
        ]);
        expect(httpGet(t.labId, "netsho3", nginx1)).toBe("nginx1");
        expect(httpGet(t.labId, "netsho4", nginx1)).toBeUndefined();
        expect(httpGet(t.labId, "netsho1", nginx1)).toBeUndefined();
        expect(pings(t.labId, "netsho1", "10.244.1.6")).toBe(true);
        expect(pings(t.labId, "netsho3", "10.244.1.6")).toBe(false);
        // Traffic not to nginx1 is not the rules' business.
        expect(pings(t.labId, "netsho3", "10.244.1.3")).toBe(true);
        expect(pings(t.labId, "netsho4", "10.244.2.3")).toBe(true);
    });

    it("verify expects exactly the pings the rules drop to fail; trace names the rule that drops and the one that allows", async () => {
        const outputs = labOutputs("acl", await t.lab.stack.outputs());
        const { exitCode, report } = await verifyTool("acl", outputs, { json: true });
        expect(report.failures).toEqual([]);
        expect(exitCode).toBe(0);
        const blocked = report.results.filter((r) => r.blockedBy).map((r) => `${r.from}>${r.to}:${r.blockedBy}`).sort();
        expect(blocked).toEqual(["netsho3>nginx1:nginx1-3", "netsho4>nginx1:nginx1-3"]);
        expect(report.results.filter((r) => r.blockedBy).every((r) => r.received === 0)).toBe(true);
        const dropped = await traceTool("acl", outputs, "netsho3", "nginx1", { json: false, detailed: false });
        expect(dropped.exitCode).toBe(1);
        expect(dropped.report.services?.acl).toMatchObject({ name: "nginx1-3", verdict: "drop" });
        expect(dropped.output).toContain("ACL nginx1-3 decided: drop ip from any to nginx1 (drop)");
        const allowed = await traceTool("acl", outputs, "netsho1", "nginx1", { json: false, detailed: false });
        expect(allowed.exitCode).toBe(0);
        expect(allowed.report.services?.acl).toMatchObject({ name: "nginx1-2", verdict: "allow-related" });
        const show = await showTool("acl", outputs, { json: false });
        expect(show.output).toContain("acl-list pg_nginx1");
        expect(show.output).toMatch(/to-lport\s+1980 \(outport == @pg_nginx1 && ip4\) drop/);
    });

    it("the allow rule removed by hand: netsho3 is dropped, refresh sees the rule gone, up puts it back and netsho3 gets through", async () => {
        const uuid = run([...nb(), "--bare", "--columns=_uuid", "find", "ACL", 'external_ids:"ovnlab:acl"=nginx1-1']).trim();
        run([...nb(), "remove", "Port_Group", "pg_nginx1", "acls", uuid]);
        expect(httpGet(t.labId, "netsho3", nginx1)).toBeUndefined();
        expect(await refreshed(t.lab.stack as never)).toEqual({ delete: ["acl-nginx1-1"], update: ["lab-ready"] });
        await t.lab.stack.up(quiet);
        expect(httpGet(t.labId, "netsho3", nginx1)).toBe("nginx1");
        expect(httpGet(t.labId, "netsho4", nginx1)).toBeUndefined();
    });

    it("the drop rule's verdict changed by hand to allow: refresh sees the update, up drops again", async () => {
        const uuid = run([...nb(), "--bare", "--columns=_uuid", "find", "ACL", 'external_ids:"ovnlab:acl"=nginx1-3']).trim();
        run([...nb(), "set", "ACL", uuid, "action=allow-related"]);
        expect(httpGet(t.labId, "netsho4", nginx1)).toBe("nginx1");
        expect(await refreshed(t.lab.stack as never)).toEqual({ update: ["acl-nginx1-3", "lab-ready"] });
        await t.lab.stack.up(quiet);
        expect(httpGet(t.labId, "netsho4", nginx1)).toBeUndefined();
        expect(httpGet(t.labId, "netsho3", nginx1)).toBe("nginx1");
    });

    it("one rule added to the running lab previews as that rule's create only, and up lets netsho4 in", async () => {
        const config = stackFileConfig("acl");
        // Appended (so no other rule's name or default priority moves), with a priority above the drop rule's.
        config.acls = [...(config.acls as object[]), { to: "nginx1", from: "netsho4", protocol: "tcp", port: 80, action: "allow", priority: 2010 }];
        writeStackConfig(t.lab.dir, "acl", { ...config, labId: t.labId });
        // (the stack's `default` provider shows as updated whenever ovnlab:* config changes: Pulumi hands a
        // package's config namespace to its provider, which ignores it)
        expect(await plannedChanges(t.lab.stack as never)).toEqual({ create: ["acl-nginx1-4"], update: ["default"] });
        await t.lab.stack.up(quiet);
        expect(httpGet(t.labId, "netsho4", nginx1)).toBe("nginx1");
        expect(httpGet(t.labId, "netsho1", nginx1)).toBeUndefined();
    });

    it("destroy leaves nothing behind", async () => {
        await t.lab.stack.destroy(quiet);
        expect(labLeftovers(t.labId, t.stateDir)).toEqual(NOTHING_LEFT);
    });
});
