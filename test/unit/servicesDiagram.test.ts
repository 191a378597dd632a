// diagram: the OVN services of the four stack files (lb, acl, dhcp, gateway)
// drawn from their plans (Mermaid and DOT, absent from the dev lab), checked
// against deployed outputs, marked from a live look's drift, and rendered
// through the real dot.
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { afterAll, describe, expect, it } from "vitest";
import { planOfStackFile, writeDiagram } from "../../cli/diagram";
import { DriftedResource, driftOwner, LiveFindings, labHealth, liveTopology } from "../../cli/labHealth";
import type { LabOutputs } from "../../cli/pulumiWorkspace";
import { dotDiagram, mermaidDiagram, Topology, topologyFromPlan, withDeployment } from "../../cli/topologyDiagram";
import { COLORS, DOT_UNHEALTHY, MERMAID_UNHEALTHY } from "../../cli/topologyLabels";

const planned = (stack: string) => topologyFromPlan(planOfStackFile(stack), stack);
const lb = planned("lb");
const acl = planned("acl");
const dhcp = planned("dhcp");
const gateway = planned("gateway");
const dev = planned("dev");
/** The lines of a DOT cluster, from its `subgraph` line to its closing brace. */
const cluster = (dot: string, name: string) => {
    const lines = dot.split("\n");
    const start = lines.indexOf(`    subgraph ${name} {`);
    return lines.slice(start, lines.indexOf("    }", start) + 1).join("\n");
};

describe("the services drawn from the stack files' plans", () => {
    it("lb: the VIP as its own shape on both switches, an arrow to each backend with its port", () => {
        expect(lb.services?.loadBalancers).toEqual([{
            name: "web", vipKey: "10.96.0.10:80", protocol: "tcp", switches: ["ls-node1", "ls-node2"],
            backends: [{ name: "nginx1", address: "10.244.1.6:80" }, { name: "nginx2", address: "10.244.2.5:80" }],
        }]);
        const mermaid = mermaidDiagram(lb);
        expect(mermaid).toContain('    lb_web[["load balancer web<br/>VIP 10.96.0.10:80 tcp<br/>on ls-node1, ls-node2"]]\n');
        for (const n of ["1", "2"]) expect(mermaid).toContain(`    switch_node${n} -.-|"VIP"| lb_web\n`);
        expect(mermaid).toContain('    lb_web -->|"backend 10.244.1.6:80"| container_nginx1\n');
        expect(mermaid).toContain('    lb_web -->|"backend 10.244.2.5:80"| container_nginx2\n');
        const dot = dotDiagram(lb);
        expect(dot).toContain('    lb_web [shape=component, label="load balancer web\\nVIP 10.96.0.10:80 tcp\\non ls-node1, ls-node2"');
        expect(dot).toMatch(/ {4}lb_web -- container_nginx2 \[dir=forward, label="backend 10\.244\.2\.5:80"/);
        expect(dot).toMatch(/ {4}switch_node1 -- lb_web \[label="VIP".*style=dotted/);
        expect(dot).not.toMatch(/acls_|dhcp_|gw_router/);
    });

    it("acl: one rule table for pg_nginx1 in priority order, in front of nginx1; the drop row unlike the allow rows", () => {
        expect(acl.services?.aclTables).toMatchObject([{
            portGroup: "pg_nginx1", target: "nginx1",
            rules: [
                { name: "nginx1-1", priority: 2000, from: "netsho3", protocol: "tcp", port: 80, action: "allow", verdict: "allow-related" },
                { name: "nginx1-2", priority: 1990, from: "node1", protocol: "icmp", action: "allow" },
                { name: "nginx1-3", priority: 1980, from: "any", protocol: "ip", action: "drop", verdict: "drop" },
            ],
        }]);
        const mermaid = mermaidDiagram(acl);
        expect(mermaid).toContain('    subgraph acls_pg_nginx1["ACLs on pg_nginx1 → nginx1<br/>to-lport · highest priority first, first match wins"]\n');
        expect(mermaid).toContain('        aclrule_nginx1_1["2000 · from netsho3 · tcp/80 · allow (allow-related)<br/>rule nginx1-1"]\n');
        expect(mermaid).toContain('        aclrule_nginx1_3["1980 · from any · ip · DROP<br/>rule nginx1-3"]\n');
        expect(mermaid).toContain('    acls_pg_nginx1 -.-|"in front of"| container_nginx1\n');
        const style = (rule: string) => mermaid.split("\n").find((l) => l.startsWith(`    style aclrule_${rule} `));
        expect(style("nginx1_1")).toContain(`fill:${COLORS.aclAllow}`);
        expect(style("nginx1_2")).toBe(style("nginx1_1")!.replace("nginx1_1", "nginx1_2"));
        expect(style("nginx1_3")).toContain(`fill:${COLORS.aclDeny}`);
        // Not the unhealthy look: no red, nothing dashed.
        expect(mermaid).not.toContain(COLORS.bad);
        expect(mermaid).not.toContain("stroke-dasharray");
        const dot = dotDiagram(acl);
        const table = dot.split("\n").find((l) => l.startsWith("    acls_pg_nginx1 [shape=plaintext"))!;
        expect(table).toContain("<TR><TD><I>priority</I></TD><TD><I>from</I></TD><TD><I>protocol/port</I></TD><TD><I>action</I></TD></TR>");
        expect(table).toContain(`<TR><TD BGCOLOR="${COLORS.aclAllow}">2000</TD><TD BGCOLOR="${COLORS.aclAllow}">netsho3</TD><TD BGCOLOR="${COLORS.aclAllow}">tcp/80</TD><TD BGCOLOR="${COLORS.aclAllow}">allow (allow-related)</TD></TR>`);
        expect(table).toContain(`<TD BGCOLOR="${COLORS.aclDeny}"><B>1980</B></TD><TD BGCOLOR="${COLORS.aclDeny}"><B>any</B></TD><TD BGCOLOR="${COLORS.aclDeny}"><B>ip</B></TD><TD BGCOLOR="${COLORS.aclDeny}"><B>DROP</B></TD>`);
        expect(table.indexOf(">2000<")).toBeLessThan(table.indexOf(">1990<"));
        expect(dot).toMatch(/ {4}acls_pg_nginx1 -- container_nginx1 \[label="in front of"/);
    });

    it("dhcp: a note on each node's switch with the row's cidr, router, MTU, server and lease", () => {
        expect(dhcp.services?.dhcp.map((d) => [d.row, d.cidr, d.router, d.mtu, d.leaseSeconds])).toEqual([
            ["ls-node1-dhcp", "10.244.1.0/24", "10.244.1.1", 1442, 3600], ["ls-node2-dhcp", "10.244.2.0/24", "10.244.2.1", 1442, 3600],
        ]);
        const mermaid = mermaidDiagram(dhcp);
        expect(mermaid).toContain('        dhcp_node2>"DHCP (OVN) ls-node2-dhcp<br/>cidr 10.244.2.0/24<br/>offers each port its planned address<br/>router 10.244.2.1 · mtu 1442<br/>server 10.244.2.1 · 00:00:00:02:01:01<br/>lease 3600 s"]\n');
        expect(mermaid).toContain("    switch_node1 -.- dhcp_node1\n");
        // Inside its node's subgraph.
        expect(mermaid.indexOf("dhcp_node1>")).toBeGreaterThan(mermaid.indexOf("subgraph node_node1"));
        expect(mermaid.indexOf("dhcp_node1>")).toBeLessThan(mermaid.indexOf("subgraph node_node2"));
        const node1 = cluster(dotDiagram(dhcp), "cluster_node_node1");
        expect(node1).toContain('        dhcp_node1 [shape=note, label="DHCP (OVN) ls-node1-dhcp\\ncidr 10.244.1.0/24\\n');
        expect(node1).toContain("        switch_node1 -- dhcp_node1 [style=dotted");
        expect(node1).not.toContain("dhcp_node2");
    });

    it("gateway: gw0 pinned to node1's chassis with its SNAT, ls-join to lr0, ls-ext with the localnet, the external host", () => {
        const mermaid = mermaidDiagram(gateway);
        expect(mermaid).toContain('    subgraph gateway["gateway: on node1\'s chassis gw-node1"]\n');
        expect(mermaid).toContain('        gw_router{{"gateway router gw0<br/>options:chassis=gw-node1<br/>SNAT 10.244.0.0/16 → 192.168.100.2<br/>route 10.244.0.0/16 via 100.64.0.1"}}\n');
        expect(mermaid).toContain('    gw_join["switch ls-join<br/>100.64.0.0/16"]\n');
        expect(mermaid).toContain('        gw_ext["switch ls-ext<br/>192.168.100.0/24<br/>localnet ls-ext-localnet → physnet"]\n');
        expect(mermaid).toContain('        gw_host(["external host<br/>192.168.100.100/24<br/>netns ovnlab-gw-inet<br/>sees 192.168.100.2 as the source"])\n');
        expect(mermaid).toContain('    router ---|"lr0-join<br/>0a:58:64:40:00:01<br/>100.64.0.1/16<br/>route 0.0.0.0/0 via 100.64.0.2"| gw_join\n');
        expect(mermaid).toContain('    gw_join ---|"gw0-join<br/>0a:58:64:40:00:02<br/>100.64.0.2/16"| gw_router\n');
        expect(mermaid).toContain('    gw_router ---|"gw0-ext<br/>0a:58:c0:a8:64:02<br/>192.168.100.2/24"| gw_ext\n');
        expect(mermaid).toContain('    gw_ext ---|"physnet: br-ext on node1"| gw_host\n');
        const dot = dotDiagram(gateway);
        const gw = cluster(dot, "cluster_gateway");
        for (const element of ["gw_router [shape=hexagon", "gw_ext [", "gw_host ["]) expect(gw).toContain(`        ${element}`);
        expect(gw).not.toContain("gw_join [");
        expect(dot).toContain('    router -- gw_join [label="lr0-join\\n0a:58:64:40:00:01\\n100.64.0.1/16\\nroute 0.0.0.0/0 via 100.64.0.2"');
        expect(dot).toContain("    gw_ext -- gw_host [");
    });

    it("the dev lab has none of them; each stack only its own", () => {
        expect(dev.services).toBeUndefined();
        expect(mermaidDiagram(dev)).not.toMatch(/lb_|acls_|aclrule_|dhcp_|gw_/);
        expect(dotDiagram(dev)).not.toMatch(/lb_|acls_|dhcp_|gw_/);
        expect(mermaidDiagram(lb)).not.toMatch(/acls_|dhcp_|gw_/);
        expect(mermaidDiagram(acl)).not.toMatch(/lb_|dhcp_|gw_/);
        expect(mermaidDiagram(dhcp)).not.toMatch(/lb_|acls_|gw_/);
        expect(mermaidDiagram(gateway)).not.toMatch(/lb_|acls_|dhcp_/);
    });
});

const node = (name: string) => ({ name, underlayIp: "", subnet: "", gateway: "", bridge: "br-int", namespace: `ovnlab-x-${name}` });
const outputsOf = (t: Topology, extra: Partial<LabOutputs> = {}): LabOutputs => ({
    nodes: t.nodes.map((n) => node(n.name)), containers: t.nodes.flatMap((n) => n.containers.map((c) => ({ name: c.name, node: n.name, ip: "", mac: "", containerName: `x-${c.name}` }))), ...extra,
});

describe("against a deployed stack", () => {
    it("a VIP, a rule, the gateway and a node's DHCP row the outputs do not list: dashed, (not deployed)", () => {
        const lbDeployed = withDeployment(lb, outputsOf(lb));
        expect(lbDeployed.services?.loadBalancers[0].deployed).toBe(false);
        expect(mermaidDiagram(lbDeployed)).toContain("    style lb_web stroke-dasharray: 5 5\n");
        expect(dotDiagram(lbDeployed)).toMatch(/lb_web \[.*on ls-node1, ls-node2\\n\(not deployed\)".*style="filled,dashed"\]/);
        const lbUp = withDeployment(lb, outputsOf(lb, { loadBalancers: [{ name: "web", vip: "10.96.0.10:80", protocol: "tcp", backends: [], switches: [] }] }));
        expect(lbUp.services?.loadBalancers[0].deployed).toBe(true);
        expect(mermaidDiagram(lbUp)).not.toContain("stroke-dasharray");

        const rules = acl.services!.aclTables[0].rules.slice(0, 2).map((r) => ({ ...r, rule: "", to: "nginx1", portGroup: "pg_nginx1", match: "" }));
        const aclDeployed = withDeployment(acl, outputsOf(acl, { acls: rules }));
        expect(aclDeployed.services?.aclTables[0].rules.map((r) => r.deployed)).toEqual([true, true, false]);
        expect(mermaidDiagram(aclDeployed)).toContain("    style aclrule_nginx1_3 stroke-dasharray: 5 5\n");
        expect(mermaidDiagram(aclDeployed)).not.toContain("style acls_pg_nginx1 ");
        expect(dotDiagram(aclDeployed)).toContain('<TD COLSPAN="4" BGCOLOR="#ffd2a6">(not deployed)</TD>');

        const gwDeployed = withDeployment(gateway, outputsOf(gateway));
        expect(gwDeployed.services?.gateway).toMatchObject({ deployed: false, externalHost: { deployed: false } });
        expect(mermaidDiagram(gwDeployed)).toContain("    style gw_router stroke-dasharray: 5 5\n");
        expect(mermaidDiagram(gwDeployed)).toContain("    style gw_host stroke-dasharray: 5 5\n");

        const dhcpDeployed = withDeployment(dhcp, { ...outputsOf(dhcp), nodes: [node("node1")] });
        expect(dhcpDeployed.services?.dhcp.map((d) => d.deployed)).toEqual([true, false]);
        expect(mermaidDiagram(dhcpDeployed)).toContain("    style dhcp_node2 stroke-dasharray: 5 5\n");
    });
});

/** A live look that found only `drift`: no nodes probed, the plan's switches, router and services. */
const findingsOf = (t: Topology, drift: DriftedResource[]): LiveFindings => ({
    show: { stack: t.stack, nodes: [] }, nodeProbes: {}, workloads: [],
    switches: t.nodes.map((n) => ({ name: n.logicalSwitch!.name, node: n.name, routerPort: n.routerPort!.name })),
    router: t.router, ...(t.services ? { services: t.services } : {}),
    refresh: { command: "pulumi refresh --preview-only", exitCode: 0, drift },
});
const gone = (type: string, name: string): DriftedResource => ({ type: `ovnlab:${type}`, name, change: "delete", problems: ["gone (up makes it again)"] });

describe("diagram --live: a drifted service resource", () => {
    it("belongs to its service object", () => {
        const owner = (t: Topology, type: string, name: string) => driftOwner(gone(type, name), "x", findingsOf(t, []));
        expect(owner(lb, "nb:LoadBalancer", "lb-web")).toBe("load balancer web");
        expect(owner(acl, "nb:PortGroup", "pg-nginx1")).toBe("acls pg_nginx1");
        expect(owner(acl, "nb:Acl", "acl-nginx1-3")).toBe("acls pg_nginx1");
        expect(owner(dhcp, "nb:DhcpOptions", "ls-node2-dhcp")).toBe("dhcp ls-node2-dhcp");
        for (const [type, name] of [["nb:LogicalRouter", "gw0"], ["nb:LogicalRouterPort", "gw0-ext"], ["nb:StaticRoute", "gw0-pods"], ["nb:Nat", "gw0-snat"]]) {
            expect(owner(gateway, type, name)).toBe("gateway gw0");
        }
        expect(owner(gateway, "nb:LogicalRouterPort", "lr0-join")).toBe("router lr0");
        expect(owner(gateway, "nb:StaticRoute", "lr0-default")).toBe("router lr0");
        expect(owner(gateway, "nb:LogicalSwitchPort", "ls-join-gw0")).toBe("switch ls-join");
        expect(owner(gateway, "nb:LogicalSwitchPort", "ls-ext-localnet")).toBe("switch ls-ext");
        expect(owner(gateway, "netns:ExternalNetwork", "lab-inet")).toBe("external host 192.168.100.100");
        // Not a service's: a container whose name looks like one, and the dev lab's rows.
        expect(owner(gateway, "docker:Container", "gw0-x")).toBe("lab");
        expect(owner(dev, "nb:LoadBalancer", "lb-web")).toBe("lab");
    });

    it("the load balancer whose VIP was taken off a switch by hand: red and dashed with the note, its links too; the others as before", () => {
        const drift: DriftedResource = { type: "ovnlab:nb:LoadBalancer", name: "lb-web", change: "update", problems: ["changed outside ovnlab: switches"] };
        const health = labHealth(findingsOf(lb, [drift]));
        expect(health.unhealthy).toEqual(["load balancer web"]);
        expect(health.services).toEqual([{ object: "load balancer web", healthy: false, problems: ["LoadBalancer lb-web: changed outside ovnlab: switches"] }]);
        const live = liveTopology(withDeployment(lb, outputsOf(lb, { loadBalancers: [{ name: "web", vip: "", protocol: "tcp", backends: [], switches: [] }] })), health);
        const mermaid = mermaidDiagram(live);
        expect(mermaid).toContain('lb_web[["load balancer web<br/>VIP 10.96.0.10:80 tcp<br/>on ls-node1, ls-node2<br/>! LoadBalancer lb-web: changed outside ovnlab: switches"]]');
        expect(mermaid).toContain(`    style lb_web ${MERMAID_UNHEALTHY}\n`);
        expect(mermaid.match(/linkStyle/g)).toHaveLength(4);
        const dot = dotDiagram(live);
        expect(dot.split("\n").find((l) => l.startsWith("    lb_web ["))).toContain(DOT_UNHEALTHY.replace("rounded,", ""));
        expect(dot).toMatch(/lb_web -- container_nginx1 \[.*color="#cc0000", style=dashed, penwidth=2\]/);
        expect(labHealth(findingsOf(lb, [])).services).toEqual([{ object: "load balancer web", healthy: true, problems: [] }]);
    });

    it("an ACL removed by hand: its table unhealthy and its own row marked; the gateway's NAT: gw0", () => {
        const health = labHealth(findingsOf(acl, [gone("nb:Acl", "acl-nginx1-1")]));
        expect(health.unhealthy).toEqual(["acls pg_nginx1"]);
        const live = liveTopology(acl, health);
        expect(live.services?.aclTables[0].rules.map((r) => r.health?.healthy)).toEqual([false, undefined, undefined]);
        const mermaid = mermaidDiagram(live);
        expect(mermaid).toContain(`    style acls_pg_nginx1 ${MERMAID_UNHEALTHY}\n`);
        expect(mermaid).toContain(`    style aclrule_nginx1_1 ${MERMAID_UNHEALTHY}\n`);
        expect(mermaid).not.toContain("style aclrule_nginx1_2 fill:#ffe5e5");
        const table = dotDiagram(live).split("\n").find((l) => l.startsWith("    acls_pg_nginx1 [shape=plaintext"))!;
        expect(table).toContain(`COLOR="${COLORS.bad}" STYLE="dashed"`);
        expect(table).toContain(`<TD COLSPAN="4" BGCOLOR="${COLORS.badFill}">! gone (up makes it again)</TD>`);

        const gw = labHealth(findingsOf(gateway, [gone("nb:Nat", "gw0-snat"), gone("netns:ExternalNetwork", "lab-inet")]));
        expect(gw.unhealthy).toEqual(["gateway gw0", "external host 192.168.100.100"]);
        const gwMermaid = mermaidDiagram(liveTopology(gateway, gw));
        expect(gwMermaid).toContain(`    style gw_router ${MERMAID_UNHEALTHY}\n`);
        expect(gwMermaid).toContain(`    style gw_host ${MERMAID_UNHEALTHY}\n`);
        expect(gwMermaid).not.toContain("style gw_ext ");
    });
});

describe("rendered by dot", () => {
    const dir = mkdtempSync(join(tmpdir(), "ovnlab-services-diagram-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    for (const [stack, texts] of [
        ["lb", ["load balancer web", "VIP 10.96.0.10:80 tcp", "backend 10.244.2.5:80"]],
        ["acl", ["ACLs on pg_nginx1", "DROP", "allow (allow&#45;related)"]],
        ["dhcp", ["DHCP (OVN) ls&#45;node1&#45;dhcp", "router 10.244.2.1 · mtu 1442"]],
        ["gateway", ["gateway router gw0", "SNAT 10.244.0.0/16 → 192.168.100.2", "192.168.100.100/24", "localnet ls&#45;ext&#45;localnet"]],
    ] as const) {
        it(`${stack}: an SVG with the service's words`, async () => {
            const files = await writeDiagram(planned(stack), dir, `npm run diagram -- --stack ${stack} --plan --out x`);
            const svg = readFileSync(files[2], "utf8");
            expect(svg).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\s*$/);
            for (const text of texts) expect(svg).toContain(text);
        });
    }
});
