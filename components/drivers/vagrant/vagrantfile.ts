// The walk-through's Vagrantfile, generated from the stack configuration: one
// machine per node (`vagrant up node1 node2`), the box, CPUs and memory, and a
// host-only network holding the planned underlay addresses (node1
// 172.16.56.2, node2 .3, ...). VirtualBox by default, libvirt selectable, and
// Docker containers standing in for VMs where neither can run (CI). Pure: the
// text is a resource input, so a preview shows exactly what will be written.
import { VagrantProvider } from "../../plan/config";
import { LabPlan } from "../../plan/ipPlan";
import { LibvirtDriver, libvirtCpuMode } from "../../plan/virtualization";
import { libvirtNetworks } from "./libvirtNetworks";

export interface VagrantNode {
    name: string;
    /** Underlay (host-only) address, e.g. 172.16.56.2. */
    ip: string;
}

export interface VagrantfileSpec {
    labId: string;
    provider: VagrantProvider;
    /** A Vagrant Cloud box, or the image for the docker provider. */
    box: string;
    cpus: number;
    /** MiB. */
    memory: number;
    /** The host-only network, e.g. 172.16.56.0/24. */
    hostCidr: string;
    nodes: VagrantNode[];
    /** libvirt: KVM or QEMU's TCG (detected on the host: drivers/vagrant/libvirtHost.ts), and the management network. */
    libvirt: { driver: LibvirtDriver; managementCidr: string };
}

/** `libvirtDriver`: what the host's guests run under; only the libvirt provider's Vagrantfile says it. */
export function vagrantfileSpec(plan: LabPlan, libvirtDriver: LibvirtDriver = "qemu"): VagrantfileSpec {
    const c = plan.config;
    return {
        labId: c.labId, provider: c.vagrantProvider, box: c.vagrantBox, cpus: c.nodeCpus, memory: c.nodeMemory, hostCidr: c.hostCidr,
        nodes: plan.nodes.map((n) => ({ name: n.name, ip: n.underlayIp })),
        libvirt: { driver: libvirtDriver, managementCidr: c.libvirtManagementCidr },
    };
}

/** The VM, domain or container name of a node: unique per lab, so labs never touch each other's machines. */
export function machineName(labId: string, node: string): string {
    return `ovnlab-${labId}-${node}`;
}

/** A Ruby string literal. Every value is validated upstream; this refuses anything Ruby would interpret. */
function ruby(value: string | number): string {
    const text = String(value);
    if (/["\\#\n\r]/.test(text)) throw new Error(`refusing to put ${JSON.stringify(text)} in a Vagrantfile string`);
    return `"${text}"`;
}

function netmask(prefix: number): string {
    const bits = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return [24, 16, 8, 0].map((shift) => (bits >>> shift) & 255).join(".");
}

/** Capabilities instead of --privileged (refused here): OVS's userspace datapath needs TAP devices, workloads need network namespaces. */
function dockerCreateArgs(spec: VagrantfileSpec, node: VagrantNode): string[] {
    return [
        "--init", // PID 1 reaps the detached OVS/OVN daemons when they exit
        "--cap-add", "NET_ADMIN", "--cap-add", "SYS_ADMIN", "--device", "/dev/net/tun",
        "--cpus", String(spec.cpus), "--memory", `${spec.memory}m`,
        "--label", `ovnlab.lab=${spec.labId}`, "--label", `ovnlab.node=${node.name}`,
    ];
}

function providerBlock(spec: VagrantfileSpec, node: VagrantNode): string[] {
    const name = machineName(spec.labId, node.name);
    switch (spec.provider) {
        case "virtualbox":
            return [
                `    node.vm.provider "virtualbox" do |vb|`,
                `      vb.name = ${ruby(name)}`,
                `      vb.cpus = ${spec.cpus}`,
                `      vb.memory = ${spec.memory}`,
                `    end`,
            ];
        case "libvirt": {
            const { management } = libvirtNetworks(spec.labId, spec.libvirt.managementCidr, spec.hostCidr);
            return [
                `    node.vm.provider "libvirt" do |lv|`,
                `      lv.driver = ${ruby(spec.libvirt.driver)}`,
                `      lv.cpu_mode = ${ruby(libvirtCpuMode(spec.libvirt.driver))}`,
                // The domain is ovnlab-<labId>-<node>, as machineName says.
                `      lv.default_prefix = ${ruby(`ovnlab-${spec.labId}-`)}`,
                `      lv.cpus = ${spec.cpus}`,
                `      lv.memory = ${spec.memory}`,
                `      lv.graphics_type = "none"`,
                // The lab's own networks (LibvirtNetworks makes and removes them; Vagrant only uses them).
                `      lv.management_network_name = ${ruby(management.name)}`,
                `      lv.management_network_address = ${ruby(management.cidr)}`,
                `      lv.management_network_keep = true`,
                `    end`,
            ];
        }
        case "docker":
            return [
                `    node.vm.provider "docker" do |d|`,
                `      d.image = ${ruby(spec.box)}`,
                `      d.name = ${ruby(name)}`,
                `      d.has_ssh = true`,
                `      d.remains_running = true`,
                `      d.create_args = [${dockerCreateArgs(spec, node).map(ruby).join(", ")}]`,
                `    end`,
            ];
    }
}

/** One `config.vm.define` block: what a node's machine is made of (a change to it re-creates that machine only). */
export function renderNodeDefinition(spec: VagrantfileSpec, node: VagrantNode): string {
    const [, prefix] = spec.hostCidr.split("/");
    // Docker makes a network per subnet (vagrant_network_<cidr>) and gives the host its first address, as VirtualBox does.
    const libvirtUnderlay = () => libvirtNetworks(spec.labId, spec.libvirt.managementCidr, spec.hostCidr).underlay.name;
    const network = spec.provider === "docker"
        ? `    node.vm.network "private_network", ip: ${ruby(node.ip)}, subnet: ${ruby(spec.hostCidr)}`
        : `    node.vm.network "private_network", ip: ${ruby(node.ip)}, netmask: ${ruby(netmask(Number(prefix)))}` +
          (spec.provider === "libvirt"
              ? `,\n      libvirt__network_name: ${ruby(libvirtUnderlay())}, libvirt__dhcp_enabled: false, libvirt__forward_mode: "none", libvirt__always_destroy: false`
              : "");
    return [
        `  config.vm.define ${ruby(node.name)} do |node|`,
        `    node.vm.hostname = ${ruby(node.name)}`,
        network,
        // A container is reached on its own address: no port on the host to collide when nodes start in parallel.
        ...(spec.provider === "docker" ? [`    node.vm.network "forwarded_port", id: "ssh", guest: 22, host: 2222, disabled: true`] : []),
        ...providerBlock(spec, node),
        `  end`,
    ].join("\n");
}

export function renderVagrantfile(spec: VagrantfileSpec): string {
    return [
        `# Generated by ovnlab for lab ${spec.labId} from the stack configuration; \`pulumi up\` rewrites it.`,
        `# Nodes: ${spec.nodes.map((n) => `${n.name} ${n.ip}`).join(", ")} on the host-only network ${spec.hostCidr}.`,
        `Vagrant.configure("2") do |config|`,
        ...(spec.provider === "docker" ? [] : [`  config.vm.box = ${ruby(spec.box)}`]),
        // ovnlab reaches nodes over SSH only; a synced folder would need guest additions, NFS or rsync for nothing.
        `  config.vm.synced_folder ".", "/vagrant", disabled: true`,
        ...spec.nodes.map((node) => renderNodeDefinition(spec, node)),
        `end`,
        ``,
    ].join("\n");
}
