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

    it("libvirt: ovnlab's own box, domain prefix, CPUs and memory from the configuration, the lab's own networks", () => {
        const text = vagrantfileOf({ vagrantProvider: "libvirt", nodes: 3, nodeCpus: 4, nodeMemory: 4096, labId: "lv1" });
        expect(text).toContain(`config.vm.box = "ovnlab/bookworm-libvirt-1"`);
        expect(text).toContain(`lv.default_prefix = "ovnlab-lv1-"`);
        expect(text).toContain(`lv.management_network_name = "ovnlab-lv1-mgmt"`);
        expect(text).toContain(`lv.management_network_address = "192.168.121.0/24"`);
        expect(text).toContain(`lv.management_network_keep = true`);
        expect(text).toContain(`node.vm.network "private_network", ip: "172.16.56.4", netmask: "255.255.255.0",\n` +
            `      libvirt__network_name: "ovnlab-lv1-underlay", libvirt__dhcp_enabled: false, libvirt__forward_mode: "none", libvirt__always_destroy: false`);
        expect(text).toMatchSnapshot();
    });

    it("libvirt: TCG (driver qemu, every CPU feature QEMU emulates) unless the host was found to run KVM", () => {
        const plan = planLab(validateConfig({ driver: "vagrant", vagrantProvider: "libvirt", labId: "lv1", libvirtManagementCidr: "192.168.201.0/24" }, "multi-l2"));
        const tcg = renderVagrantfile(vagrantfileSpec(plan, "qemu"));
        expect(tcg).toContain(`lv.driver = "qemu"`);
        expect(tcg).toContain(`lv.cpu_mode = "maximum"`);
        expect(tcg).toContain(`lv.management_network_address = "192.168.201.0/24"`);
        expect(renderVagrantfile(vagrantfileSpec(plan))).toEqual(tcg);
        const kvm = renderVagrantfile(vagrantfileSpec(plan, "kvm"));
        expect(kvm).toContain(`lv.driver = "kvm"`);
        expect(kvm).toContain(`lv.cpu_mode = "host-passthrough"`);
        // Only libvirt's file says it.
        expect(renderVagrantfile(vagrantfileSpec(planLab(validateConfig({ driver: "vagrant" }, "multi-l2")), "kvm"))).not.toContain("kvm");
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
