// The vagrant driver's component graph, with Pulumi's mocks: what the Lab
// registers, in which order, and what stays secret. (The real thing runs in
// test/e2e/vagrant.test.ts.)
import { beforeAll, describe, expect, it } from "vitest";
import { planLab } from "../../components/plan/ipPlan";
import { renderVagrantfile, vagrantfileSpec } from "../../components/drivers/vagrant/vagrantfile";
import { buildLabGraph, Registered, useMocks } from "../helpers/labGraph";

let registered: Registered[] = [];

beforeAll(() => useMocks("vagrant-graph"));

const raw = (provider: string) => ({
    driver: "vagrant", vagrantProvider: provider,
    containers: [{ name: "netsho1", node: "node1" }, { name: "nginx1", node: "node1", image: "nginx" }, { name: "netsho4", node: "node2" }],
});

async function buildLab(config: Record<string, unknown>) {
    const graph = await buildLabGraph(config);
    registered = graph.registered;
    return graph.plan;
}

const DYN = "ovnlab";
const find = (type: string, name: string) => registered.find((r) => r.type === type && r.name === name)!;
const names = (type: string) => registered.filter((r) => r.type === type).map((r) => r.name);

describe("vagrant driver, virtualbox (the walk-through's `vagrant up node1 node2`)", () => {
    let plan: ReturnType<typeof planLab>;
    beforeAll(async () => {
        plan = await buildLab(raw("virtualbox"));
    });

    it("writes the Vagrantfile as a resource input, under the lab's state directory", () => {
        const project = find(`${DYN}:vagrant:Project`, "lab-vagrant-project");
        expect(project.parent).toBe("ovnlab:vagrant:VagrantNodes::lab-vagrant");
        expect(project.props).toMatchObject({ dir: "/tmp/ovnlab-graph/vagrant", vagrantfile: renderVagrantfile(vagrantfileSpec(plan)) });
    });

    it("registers per node a machine, its provisioning and its chassis settings; the central's listeners; no host underlay", () => {
        expect(names(`${DYN}:vagrant:Machine`)).toEqual(["node1", "node2"]);
        expect(names(`${DYN}:vagrant:Provisioning`)).toEqual(["node1", "node2"]);
        expect(names(`${DYN}:ovs:Chassis`)).toEqual(["node1", "node2"]);
        expect(names(`${DYN}:nb:DbConnection`)).toEqual(["central-nb", "central-sb"]);
        expect(names(`${DYN}:netns:Underlay`)).toEqual([]);
        expect(find(`${DYN}:nb:DbConnection`, "central-sb").props).toMatchObject({ tool: "ovn-sbctl", target: "ptcp:6642:172.16.56.2" });
    });

    it("brings VirtualBox machines up one after another", () => {
        expect(find(`${DYN}:vagrant:Machine`, "node1").dependsOn).toEqual([]);
        expect(find(`${DYN}:vagrant:Machine`, "node2").dependsOn).toEqual([`${DYN}:vagrant:Machine::node1`]);
    });

    it("keeps the SSH settings secret wherever they are an output", () => {
        for (const type of ["vagrant:Machine", "vagrant:Provisioning", "ovs:Chassis"]) {
            expect(registered.filter((r) => r.type === `${DYN}:${type}`).every((r) => r.secretOutputs.includes("transport")), type).toBe(true);
        }
    });

    it("makes each node a chassis of node1 with the walk-through's external-ids", () => {
        expect(find(`${DYN}:ovs:Chassis`, "node2").props.ids).toEqual({
            ovnRemote: "tcp:172.16.56.2:6642", encapType: "geneve", encapIp: "172.16.56.3", systemId: "graph-node2",
            hostname: "node2", bridge: "br-int", bridgeDatapathType: "netdev", monitorAll: true,
        });
    });

    it("provisions ovn-central on the central only, and Docker where workloads are containers", () => {
        expect(find(`${DYN}:vagrant:Provisioning`, "node1").props.script).toContain("ovn-central docker.io");
        expect(find(`${DYN}:vagrant:Provisioning`, "node2").props.script).not.toContain("ovn-central");
    });

    it("runs workloads as Docker containers in the VMs, the walk-through's image unless one is named", () => {
        expect(names(`${DYN}:docker:Container`)).toEqual(["netsho1", "nginx1", "netsho4"]);
        expect(find(`${DYN}:docker:Container`, "netsho1").props.image).toBe("nicolaka/netshoot");
        expect(find(`${DYN}:docker:Container`, "nginx1").props.image).toBe("nginx");
        expect(names(`${DYN}:node:ProcessSandbox`)).toEqual([]);
    });

    it("builds the same logical topology as the embedded lab, after the central's listeners", () => {
        expect(find(`${DYN}:nb:LogicalRouter`, "lr0").dependsOn).toEqual([`${DYN}:nb:DbConnection::central-nb`, `${DYN}:nb:DbConnection::central-sb`]);
        expect(names(`${DYN}:nb:LogicalSwitch`)).toEqual(["ls-node1", "ls-node2"]);
        expect(names(`${DYN}:nb:LogicalSwitchPort`)).toEqual(["ls-node1-lr", "ls-node2-lr", "netsho1", "nginx1", "netsho4"]);
        expect(names(`${DYN}:ovs:ContainerPlug`)).toEqual(["netsho1-plug", "nginx1-plug", "netsho4-plug"]);
    });
});

describe("netns driver, after workloads learnt to run elsewhere", () => {
    it("still runs each workload as a local Docker container with its docker exec line", async () => {
        await buildLab({});
        expect(names(`${DYN}:docker:Container`)).toEqual(["netsho1", "netsho2", "netsho3", "netsho4"]);
        expect(find(`${DYN}:docker:Container`, "netsho1").props.transport).toEqual({ kind: "local" });
        expect(names(`${DYN}:vagrant:Machine`)).toEqual([]);
    });
});

describe("vagrant driver, docker provider (CI)", () => {
    beforeAll(async () => {
        await buildLab(raw("docker"));
    });

    it("brings node containers up in parallel", () => {
        expect(find(`${DYN}:vagrant:Machine`, "node2").dependsOn).toEqual([]);
    });

    it("runs workloads as network-namespace processes in the nodes, without Docker inside", () => {
        expect(names(`${DYN}:node:ProcessSandbox`)).toEqual(["netsho1", "nginx1", "netsho4"]);
        expect(names(`${DYN}:docker:Container`)).toEqual([]);
        expect(find(`${DYN}:vagrant:Provisioning`, "node1").props.script).not.toContain("docker.io");
    });
});
