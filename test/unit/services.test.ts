// OVN services as data: the plan of load balancers and ACLs from a stack's
// configuration (addresses, port groups, composed matches, priorities), and
// how their kinds find and read rows in a snapshot (an ACL by its mark, or by
// what it is when the mark is gone; a load balancer's switches).
import { readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { validateConfig } from "../../components/plan/config";
import { planLab } from "../../components/plan/ipPlan";
import { aclKind } from "../../components/ovn/kinds/acl";
import { loadBalancerKind } from "../../components/ovn/kinds/loadBalancer";
import { portGroupKind } from "../../components/ovn/kinds/portGroup";
import { aclCreate, lbAdd, lbSetColumns } from "../../components/commands/ovnServices";

function stackPlan(name: string) {
    const config = parse(readFileSync(join(__dirname, `../../Pulumi.${name}.yaml`), "utf8")).config as Record<string, unknown>;
    return planLab(validateConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [k.replace(/^ovnlab:/, ""), v])), name));
}

const endpoint = { transport: { kind: "local" as const }, db: "unix:/tmp/nb.sock" };

describe("the services plan of the stack files", () => {
    it("lb: one VIP on every node's switch, its backends at the containers' planned addresses", () => {
        const plan = stackPlan("lb");
        expect(plan.services.loadBalancers).toEqual([expect.objectContaining({
            name: "web", vipKey: "10.96.0.10:80", protocol: "tcp", switches: ["ls-node1", "ls-node2"],
            backendAddresses: [{ name: "nginx1", address: "10.244.1.6:80" }, { name: "nginx2", address: "10.244.2.5:80" }],
        })]);
        expect(plan.containers.filter((c) => c.serve === "http").map((c) => c.name)).toEqual(["nginx1", "nginx2"]);
    });

    it("acl: one port group for nginx1, rules in list order from priority 2000 down, matches built from addresses", () => {
        const { services } = stackPlan("acl");
        expect(services.portGroups).toEqual([{ name: "pg_nginx1", target: "nginx1", ports: ["nginx1"] }]);
        expect(services.acls.map((a) => [a.name, a.priority, a.verdict, a.match])).toEqual([
            ["nginx1-1", 2000, "allow-related", "outport == @pg_nginx1 && ip4 && ip4.src == 10.244.2.3 && tcp && tcp.dst == 80"],
            ["nginx1-2", 1990, "allow-related", "outport == @pg_nginx1 && ip4 && ip4.src == 10.244.1.0/24 && icmp4"],
            ["nginx1-3", 1980, "drop", "outport == @pg_nginx1 && ip4"],
        ]);
    });

    it("a lab without services plans none", () => {
        expect(stackPlan("dev").services).toEqual({ loadBalancers: [], portGroups: [], acls: [] });
    });
});

describe("the services' commands as data", () => {
    it("lb-add and the whole row as wanted", () => {
        expect(lbAdd("web", "10.96.0.10:80", ["10.244.1.6:80", "10.244.2.5:80"], "tcp")).toEqual(["--may-exist", "lb-add", "web", "10.96.0.10:80", "10.244.1.6:80,10.244.2.5:80", "tcp"]);
        expect(lbSetColumns("web", "10.96.0.10:80", ["10.244.1.6:80"], "tcp")).toEqual(["set", "Load_Balancer", "web", 'vips={"10.96.0.10:80"="10.244.1.6:80"}', "protocol=tcp"]);
        expect(() => lbAdd("web", "10.96.0.10", ["10.244.1.6:80"], "tcp")).toThrow(/IP:PORT/);
        expect(() => lbAdd("web", "10.96.0.10:80", [], "tcp")).toThrow(/at least one backend/);
    });

    it("an ACL is created marked, on its group, in one transaction", () => {
        expect(aclCreate("pg_nginx1", { name: "nginx1-3", direction: "to-lport", priority: 1980, match: "outport == @pg_nginx1 && ip4", verdict: "drop" }, { "ovnlab:acl": "nginx1-3" })).toEqual([
            ["--id=@acl", "create", "ACL", "name=nginx1-3", "direction=to-lport", "priority=1980", 'match="outport == @pg_nginx1 && ip4"', "action=drop", 'external_ids:"ovnlab:acl"=nginx1-3'],
            ["add", "Port_Group", "pg_nginx1", "acls", "@acl"],
        ]);
        // A quote would end the OVSDB string; a '$' or ';' has no place in a composed match.
        for (const match of ['ip4" && "1', "ip4; drop", "$(id)", "ip4 \\"]) {
            expect(() => aclCreate("pg_nginx1", { name: "x", direction: "to-lport", priority: 1, match, verdict: "drop" }, {})).toThrow(/ACL match/);
        }
    });
});

describe("the services' kinds in a snapshot", () => {
    const acl = { endpoint, name: "nginx1-3", externalIds: { "ovnlab:stack": "acl" }, portGroup: "pg_nginx1", direction: "to-lport", priority: 1980, match: "outport == @pg_nginx1 && ip4", verdict: "drop" };
    const row = (uuid: string, ids: Record<string, string>, action = "drop") => ({ uuid, direction: "to-lport", priority: 1980, match: acl.match, action, external_ids: ids, name: "nginx1-3" });

    it("an ACL is found by its mark and the stack's, read with its group, and another stack's same-named rule is not it", () => {
        const snapshot = {
            ACL: [row("u-other", { "ovnlab:acl": "nginx1-3", "ovnlab:stack": "dev" }), row("u-mine", { "ovnlab:acl": "nginx1-3", "ovnlab:stack": "acl" }, "allow-related")],
            Port_Group: [{ uuid: "g", name: "pg_nginx1", acls: ["u-mine"] }],
        };
        const found = aclKind.find(snapshot, acl)!;
        expect(found.uuid).toBe("u-mine");
        expect(aclKind.read(snapshot, found, acl)).toMatchObject({ portGroup: "pg_nginx1", priority: 1980, verdict: "allow-related", externalIds: { "ovnlab:stack": "acl" } });
        expect(aclKind.outputs!(found)).toEqual({ uuid: "u-mine" });
    });

    it("an ACL whose marks were removed by hand is still found by what it is (not made twice); gone when its group lost it", () => {
        const snapshot = { ACL: [row("3f0e2a4c-1d2b-4c5e-8f90-123456789abc", {})], Port_Group: [{ uuid: "g", name: "pg_nginx1", acls: ["3f0e2a4c-1d2b-4c5e-8f90-123456789abc"] }] };
        expect(aclKind.find(snapshot, acl)?.uuid).toBe("3f0e2a4c-1d2b-4c5e-8f90-123456789abc");
        expect(aclKind.find({ ACL: [], Port_Group: [{ uuid: "g", name: "pg_nginx1", acls: [] }] }, acl)).toBeUndefined();
        // Update and delete name the row found, by uuid.
        expect(aclKind.update(acl, acl, snapshot.ACL[0])[0].slice(0, 3)).toEqual(["set", "ACL", "3f0e2a4c-1d2b-4c5e-8f90-123456789abc"]);
        expect(aclKind.remove(acl, snapshot.ACL[0])).toEqual([["remove", "Port_Group", "pg_nginx1", "acls", "3f0e2a4c-1d2b-4c5e-8f90-123456789abc"]]);
    });

    it("a load balancer reads its VIP's backends and the switches that hold it; a VIP changed by hand reads as the row's", () => {
        const lb = { endpoint, name: "web", externalIds: {}, vip: "10.96.0.10:80", backends: ["10.244.1.6:80"], protocol: "tcp", switches: ["ls-node1", "ls-node2"] };
        const lbRow = { uuid: "l", name: "web", vips: { "10.96.0.10:80": "10.244.1.6:80,10.244.2.5:80" }, protocol: "tcp", external_ids: {} };
        const switches = [{ uuid: "s1", name: "ls-node1", load_balancer: ["l"] }, { uuid: "s2", name: "ls-node2", load_balancer: [] }];
        expect(loadBalancerKind.read({ Load_Balancer: [lbRow], Logical_Switch: switches }, lbRow, lb)).toMatchObject({
            vip: "10.96.0.10:80", backends: ["10.244.1.6:80", "10.244.2.5:80"], switches: ["ls-node1"],
        });
        const moved = { ...lbRow, vips: { "10.96.0.99:80": "10.244.1.6:80" } };
        expect(loadBalancerKind.read({ Load_Balancer: [moved], Logical_Switch: switches }, moved, lb)).toMatchObject({ vip: "10.96.0.99:80", backends: ["10.244.1.6:80"] });
        // An update takes it off the switches no longer wanted.
        expect(loadBalancerKind.update({ ...lb, switches: ["ls-node1", "ls-node3"] }, lb, lbRow)).toContainEqual(["--if-exists", "ls-lb-del", "ls-node3", "web"]);
    });

    it("a port group reads its ports by name", () => {
        const pg = { endpoint, name: "pg_nginx1", externalIds: {}, ports: ["nginx1"] };
        const pgRow = { uuid: "g", name: "pg_nginx1", ports: ["p1", "p2"], external_ids: {} };
        const ports = [{ uuid: "p1", name: "nginx1" }, { uuid: "p2", name: "netsho1" }];
        expect(portGroupKind.read({ Port_Group: [pgRow], Logical_Switch_Port: ports }, pgRow, pg)).toMatchObject({ ports: ["netsho1", "nginx1"] });
    });
});

describe("what the rules decide, as verify and trace see it", () => {
    const rules = stackPlan("acl").services.acls;
    const from = (name: string, node: string) => ({ name, node });

    it("the acl stack's rules: the first match by priority decides, no match means allowed", async () => {
        const { blockingRule, decidingRule } = await import("../../components/plan/aclPolicy");
        expect(blockingRule(rules, { from: from("netsho3", "node2"), to: "nginx1", protocol: "tcp", port: 80 })).toBeUndefined();
        expect(decidingRule(rules, { from: from("netsho3", "node2"), to: "nginx1", protocol: "tcp", port: 80 })?.name).toBe("nginx1-1");
        expect(blockingRule(rules, { from: from("netsho3", "node2"), to: "nginx1", protocol: "tcp", port: 443 })).toBe("nginx1-3");
        expect(blockingRule(rules, { from: from("netsho1", "node1"), to: "nginx1", protocol: "icmp" })).toBeUndefined();
        expect(blockingRule(rules, { from: from("netsho4", "node2"), to: "nginx1", protocol: "icmp" })).toBe("nginx1-3");
        // Not in front of netsho1: nothing decides.
        expect(decidingRule(rules, { from: from("netsho4", "node2"), to: "netsho1", protocol: "icmp" })).toBeUndefined();
        // An explicit priority above the drop wins though listed after it.
        const later = [...rules, { ...rules[0], name: "nginx1-4", from: "netsho4", priority: 2010 }];
        expect(blockingRule(later, { from: from("netsho4", "node2"), to: "nginx1", protocol: "tcp", port: 80 })).toBeUndefined();
    });

    it("a blocked pair passes when no echo comes back, and shows as blocked (or LEAK) in the matrix", async () => {
        const { passed, renderMatrix } = await import("../../cli/pingMatrix");
        const blocked = { from: "netsho3", to: "nginx1", sent: 3, received: 0, blockedBy: "nginx1-3" };
        const leak = { ...blocked, from: "netsho4", received: 3 };
        expect(passed(blocked)).toBe(true);
        expect(passed(leak)).toBe(false);
        const matrix = renderMatrix(["netsho3", "netsho4", "nginx1"], [blocked, leak]);
        expect(matrix).toMatch(/netsho3\s+-\s+\?\s+blocked/);
        expect(matrix).toMatch(/netsho4\s+\?\s+-\s+LEAK 3\/3/);
    });

    it("trace: the ACL whose match is in the last ACL stage flow decided; a VIP's backends are read from ct_lb_mark", async () => {
        const { decidingAcl, parseLbBackends, vipTarget } = await import("../../cli/traceServices");
        const acls = rules.map((a) => ({ ...a, rule: "", portGroup: a.portGroup }));
        // Trimmed from ovn-trace --detailed --ct=new on the acl lab (netsho3 -> nginx1).
        const detailed = [
            " 8. ls_in_acl (northd.c:6809): ip && !ct.est, priority 1, uuid d0ccfa87",
            " 4. ls_out_acl (northd.c:6571): reg0[7] == 1 && (outport == @pg_nginx1 && ip4 && ip4.src == 10.244.2.3 && tcp && tcp.dst == 80), priority 3000, uuid 1",
            " 4. ls_out_acl (northd.c:6571): reg0[10] == 1 && (outport == @pg_nginx1 && ip4), priority 2980, uuid eb48f884",
            "    ct_commit { ct_mark.blocked = 1; };",
        ].join("\n");
        expect(decidingAcl(detailed, acls)?.name).toBe("nginx1-3");
        expect(decidingAcl(" 8. ls_in_acl (northd.c:6809): ip && !ct.est, priority 1, uuid d0ccfa87", acls)).toBeUndefined();
        expect(parseLbBackends("12. ls_in_lb (northd.c:7558): ct.new && ip4.dst == 10.96.0.10 && tcp.dst == 80, priority 120\n    ct_lb_mark(backends=10.244.1.6:80,10.244.2.5:80);")).toEqual(["10.244.1.6:80", "10.244.2.5:80"]);
        const outputs = { nodes: [], containers: [], loadBalancers: [{ name: "web", vip: "10.96.0.10:80", protocol: "tcp", backends: [], switches: [] }] };
        expect(vipTarget(outputs as never, "web")).toMatchObject({ to: { name: "web", ip: "10.96.0.10", node: "VIP" }, port: 80 });
        expect(vipTarget(outputs as never, "10.96.0.10")?.lb.name).toBe("web");
        expect(vipTarget(outputs as never, "netsho1")).toBeUndefined();
    });
});
