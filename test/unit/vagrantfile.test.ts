// The Vagrantfile ovnlab writes for a vagrant lab, per provider (snapshots),
// and what it refuses to write.
import { describe, expect, it } from "vitest";
import { validateConfig } from "../../components/plan/config";
import { planLab } from "../../components/plan/ipPlan";
import { renderNodeDefinition, renderVagrantfile, vagrantfileSpec } from "../../components/drivers/vagrant/vagrantfile";

const vagrantfileOf = (raw: Record<string, unknown>) => renderVagrantfile(vagrantfileSpec(planLab(validateConfig({ driver: "vagrant", ...raw }, "multi-l2"))));

describe("the Vagrantfile", () => {
    it("virtualbox (the default): the walk-through's box, host-only 172.16.56.0/24, node1 .2 and node2 .3", () => {
        const text = vagrantfileOf({});
        expect(text).toContain(`config.vm.box = "bento/ubuntu-22.04"`);
        expect(text).toContain(`node.vm.network "private_network", ip: "172.16.56.2", netmask: "255.255.255.0"`);
        expect(text).toContain(`node.vm.network "private_network", ip: "172.16.56.3", netmask: "255.255.255.0"`);
        expect(text).toMatchSnapshot();
    });

    it("libvirt: its own default box and domain prefix, CPUs and memory from the configuration", () => {
        const text = vagrantfileOf({ vagrantProvider: "libvirt", nodes: 3, nodeCpus: 4, nodeMemory: 4096, labId: "lv1" });
        expect(text).toContain(`config.vm.box = "generic/ubuntu2204"`);
        expect(text).toContain(`lv.default_prefix = "ovnlab-lv1-"`);
        expect(text).toMatchSnapshot();
    });

    it("docker: the node image, capabilities instead of --privileged, and a docker network for the host-only subnet", () => {
        const text = vagrantfileOf({ vagrantProvider: "docker", labId: "ci1", hostCidr: "172.16.157.0/24", nodeCpus: 1, nodeMemory: 512 });
        expect(text).not.toContain("config.vm.box");
        expect(text).not.toContain("privileged");
        expect(text).toContain(`d.image = "ovnlab/vagrant-node:bookworm-2"`);
        expect(text).toContain(`node.vm.network "private_network", ip: "172.16.157.2", subnet: "172.16.157.0/24"`);
        expect(text).toMatchSnapshot();
    });

    it("names every machine after the lab, so labs never share one", () => {
        expect(vagrantfileOf({ labId: "a1" })).toContain(`vb.name = "ovnlab-a1-node2"`);
        expect(vagrantfileOf({ vagrantProvider: "docker", labId: "a1" })).toContain(`d.name = "ovnlab-a1-node2"`);
    });

    it("a node's definition is its block of the whole file, so a change to one node re-creates that node only", () => {
        const spec = vagrantfileSpec(planLab(validateConfig({ driver: "vagrant" }, "dev")));
        const text = renderVagrantfile(spec);
        for (const node of spec.nodes) expect(text).toContain(renderNodeDefinition(spec, node));
        expect(renderNodeDefinition(spec, spec.nodes[0])).not.toEqual(renderNodeDefinition(spec, spec.nodes[1]));
    });

    it("refuses a value Ruby would interpret", () => {
        const spec = vagrantfileSpec(planLab(validateConfig({ driver: "vagrant" }, "dev")));
        expect(() => renderVagrantfile({ ...spec, box: 'x"; system("id") #' })).toThrow(/refusing/);
        expect(() => renderVagrantfile({ ...spec, box: "#{`id`}" })).toThrow(/refusing/);
    });
});
