// diagram: Mermaid and DOT generated from fixed plans (snapshots), the
// committed docs/ pictures kept in step with the stack files, and one real
// rendering through Graphviz's dot.
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { afterAll, describe, expect, it } from "vitest";
import { diagramCommand, planOfStackFile, writeDiagram } from "../../cli/diagram";
import type { LabOutputs } from "../../cli/pulumiWorkspace";
import { dotDiagram, dotRenderArgv, markdownPage, mermaidDiagram, topologyFromPlan, withDeployment } from "../../cli/topologyDiagram";
import { validateConfig } from "../../components/plan/config";
import { planLab } from "../../components/plan/ipPlan";

const topology = (raw: Record<string, unknown>) => topologyFromPlan(planLab(validateConfig({ labId: "t1", ...raw }, "t1")), "t1");
const multiL2 = topology({});
const singleL2 = topology({ experiment: "single-l2" });

describe("the topology drawn from a plan", () => {
    it("holds what the picture shows: underlay addresses, switches and subnets, router port MACs, container addresses", () => {
        expect(multiL2).toMatchObject({
            experiment: "multi-l2", source: "plan", router: "lr0", underlay: { cidr: "172.16.56.0/24", bridge: "t1_br" },
            nodes: [
                {
                    name: "node1", underlayIp: "172.16.56.2", namespace: "ovnlab-t1-node1", isCentral: true, chassis: "t1-node1",
                    logicalSwitch: { name: "ls-node1", subnet: "10.244.1.0/24" }, routerPort: { name: "lr-node1", mac: "00:00:00:01:01:01", cidr: "10.244.1.1/24" },
                    containers: [
                        { name: "netsho1", cidr: "10.244.1.3/24", mac: "02:00:00:00:01:03", dockerName: "ovnlab-t1-netsho1" },
                        { name: "netsho2", cidr: "10.244.1.4/24", mac: "02:00:00:00:01:04", dockerName: "ovnlab-t1-netsho2" },
                    ],
                },
                { name: "node2", underlayIp: "172.16.56.3", isCentral: false, containers: [{ name: "netsho3" }, { name: "netsho4" }] },
            ],
        });
        expect(singleL2.router).toBeUndefined();
        expect(singleL2.nodes[0]).not.toHaveProperty("logicalSwitch");
        expect(singleL2.nodes[0].containers.map((c) => c.cidr)).toEqual(["10.244.1.3/16", "10.244.1.4/16"]);
    });

    it("multi-l2 as Mermaid", () => expect(mermaidDiagram(multiL2)).toMatchSnapshot());
    it("multi-l2 as DOT", () => expect(dotDiagram(multiL2)).toMatchSnapshot());
    it("single-l2 as Mermaid", () => expect(mermaidDiagram(singleL2)).toMatchSnapshot());
    it("single-l2 as DOT", () => expect(dotDiagram(singleL2)).toMatchSnapshot());
    it("the vagrant driver: VMs on the underlay, no namespaces, no Linux bridge", () => {
        const vagrant = topology({ driver: "vagrant" });
        expect(vagrant.underlay).toEqual({ cidr: "172.16.56.0/24" });
        expect(vagrant.nodes.map((n) => n.namespace)).toEqual([undefined, undefined]);
        const mermaid = mermaidDiagram(vagrant);
        expect(mermaid).toContain('underlay[("underlay 172.16.56.0/24<br/>geneve tunnels between the chassis")]');
        expect(mermaid).toContain('uplink_node2["172.16.56.3"]');
    });
    it("the external driver: the logical topology alone, no underlay", () => {
        const external = topology({ driver: "external", nbDb: "unix:/run/ovn/ovnnb_db.sock" });
        expect(external.underlay).toBeUndefined();
        expect(mermaidDiagram(external)).not.toContain("underlay");
        expect(mermaidDiagram(external)).toContain('router ---|"lr-node1<br/>00:00:00:01:01:01<br/>10.244.1.1/24"| switch_node1');
    });
});

describe("against a deployed stack", () => {
    const outputs: LabOutputs = {
        nodes: multiL2.nodes.map((n) => ({ name: n.name, underlayIp: n.underlayIp, subnet: "", gateway: "", bridge: "br-int", namespace: n.namespace })),
        containers: ["netsho1", "netsho2", "netsho3"].map((name) => ({ name, node: name === "netsho3" ? "node2" : "node1", ip: "", mac: "", containerName: `ovnlab-t1-${name}` })),
    };
    const deployed = withDeployment(multiL2, outputs);

    it("marks what the outputs do not list as not deployed, dashed", () => {
        expect(deployed.source).toBe("deployed");
        expect(deployed.nodes.map((n) => n.deployed)).toEqual([true, true]);
        expect(deployed.nodes[1].containers.map((c) => [c.name, c.deployed])).toEqual([["netsho3", true], ["netsho4", false]]);
        const mermaid = mermaidDiagram(deployed);
        expect(mermaid).toContain("from the deployed stack's outputs");
        expect(mermaid).toContain('container_netsho4["netsho4<br/>10.244.2.4/24<br/>02:00:00:00:02:04<br/>(not deployed)"]');
        expect(mermaid).toContain("style container_netsho4 stroke-dasharray: 5 5");
        expect(dotDiagram(deployed)).toContain('container_netsho4 [label="netsho4\\n10.244.2.4/24\\n02:00:00:00:02:04\\n(not deployed)", style="rounded,filled,dashed"];');
    });
});

describe("docs/", () => {
    for (const stack of ["dev", "single-l2", "lb", "acl", "dhcp", "gateway"]) {
        it(`topology-${stack}.md and .dot are what \`${diagramCommand(stack, "docs", true)}\` writes from Pulumi.${stack}.yaml`, () => {
            const planned = topologyFromPlan(planOfStackFile(stack), stack);
            const docs = join(__dirname, "../../docs");
            expect(readFileSync(join(docs, `topology-${stack}.md`), "utf8")).toBe(markdownPage(planned, `topology-${stack}.svg`, diagramCommand(stack, "docs", true)));
            expect(readFileSync(join(docs, `topology-${stack}.dot`), "utf8")).toBe(dotDiagram(planned));
        });
    }
});

describe("rendering with Graphviz", () => {
    const dir = mkdtempSync(join(tmpdir(), "ovnlab-diagram-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("builds the dot command line", () => {
        expect(dotRenderArgv("svg", "/tmp/a.dot", "/tmp/a.svg")).toEqual(["dot", "-Tsvg", "-o", "/tmp/a.svg", "/tmp/a.dot"]);
    });

    it("writes the page, the DOT source and an SVG that names lr0, its ports and every container's address", async () => {
        const files = await writeDiagram(multiL2, dir, "npm run diagram -- --stack t1 --plan --out x");
        expect(files.map((f) => f.slice(dir.length + 1))).toEqual(["topology-t1.md", "topology-t1.dot", "topology-t1.svg"]);
        const svg = readFileSync(join(dir, "topology-t1.svg"), "utf8");
        expect(svg).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\s*$/);
        for (const text of ["router lr0", "00:00:00:01:01:01", "10.244.1.1/24", "10.244.1.3/24", "10.244.1.4/24", "10.244.2.3/24", "10.244.2.4/24", "172.16.56.2"]) {
            expect(svg).toContain(text);
        }
    });
});
