// The vagrant driver's nodes, as the walk-through brings them up
// (`vagrant up node1 node2`): the Vagrantfile, one machine per node, each
// provisioned over SSH, then made an OVN chassis of the central (node1 by
// default) with its databases listening on its underlay address, as the ssh
// driver's hosts are (remote/ovnNodes.ts). Everything above the machines runs over SSH with what
// `vagrant ssh-config` reports, so it is the same code the netns lab runs.
import * as pulumi from "../../kit/pulumiCore";
import { VagrantProvider } from "../../plan/config";
import { LabPlan } from "../../plan/ipPlan";
import { NodeProvisioning } from "../remote/nodeProvisioning";
import { ovnNodes } from "../remote/ovnNodes";
import { DbEndpoint } from "../../commands/ovnNbctl";
import { provisionScript } from "../remote/provisionScript";
import { TransportSpec } from "../../transport/transport";
import { VagrantMachine, VagrantProject } from "./vagrantMachine";
import { renderNodeDefinition, renderVagrantfile, vagrantfileSpec } from "./vagrantfile";
import { LibvirtNetworks } from "./libvirtNetworks";
import { detectLibvirtDriver } from "./libvirtHost";

export interface VagrantNodesArgs {
    plan: LabPlan;
    /** Absolute lab state directory; the Vagrant project is its `vagrant/`. */
    stateDir: string;
}

/**
 * Whether a Vagrant provider's nodes run workloads as Docker containers (VirtualBox VMs from a Vagrant Cloud box,
 * which provisioning gives docker.io) or as network namespaces: docker's node containers, and libvirt's VMs from
 * ovnlab's own box (scripts/vagrant-libvirt-box.sh), which has no Docker and no network to install it from.
 */
export function dockerWorkloads(provider: VagrantProvider): boolean {
    return provider === "virtualbox";
}

export class VagrantNodes extends pulumi.ComponentResource {
    readonly projectDir: string;
    /** Each node's SSH transport, known once the node is provisioned: what runs there waits for that. */
    readonly transports: Map<string, pulumi.Output<TransportSpec>>;
    /** ovn-nbctl/ovn-sbctl inside the central node, on their default sockets. */
    readonly nbEndpoint: pulumi.Output<DbEndpoint>;
    /** What must exist before the northbound rows: the central, provisioned, with its listeners. */
    readonly nbReady: pulumi.Resource[];

    constructor(name: string, args: VagrantNodesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ovnlab:vagrant:VagrantNodes", name, {}, opts);
        const { plan } = args;
        const config = plan.config;
        const ovn = config.experiment === "multi-l2";
        const libvirt = config.vagrantProvider === "libvirt";
        const spec = vagrantfileSpec(plan, libvirt ? detectLibvirtDriver() : undefined);
        this.projectDir = `${args.stateDir}/vagrant`;
        const project = new VagrantProject(`${name}-project`, { dir: this.projectDir, vagrantfile: renderVagrantfile(spec) }, { parent: this });
        // libvirt: the lab's management and underlay networks exist before any machine, and go after the last.
        const networks = libvirt ? [new LibvirtNetworks(`${name}-libvirt-networks`, {
            labId: config.labId, dir: project.dir, managementCidr: config.libvirtManagementCidr, hostCidr: config.hostCidr,
        }, { parent: this })] : [];

        this.transports = new Map();
        let previous: VagrantMachine | undefined;
        for (const [i, n] of plan.nodes.entries()) {
            // VirtualBox cannot bring machines up in parallel (its host-only network and VM registry race): one after another.
            const serialize = config.vagrantProvider === "virtualbox" && previous !== undefined;
            const machine = new VagrantMachine(n.name, {
                projectDir: project.dir, name: n.name, provider: config.vagrantProvider, definition: renderNodeDefinition(spec, spec.nodes[i]),
            }, { parent: this, dependsOn: [...networks, ...(serialize ? [previous!] : [])] });
            previous = machine;
            const provisioning = new NodeProvisioning(n.name, {
                transport: machine.transport,
                node: n.name,
                script: provisionScript({
                    node: n.name, central: n.isCentral, ovn, dockerWorkloads: dockerWorkloads(config.vagrantProvider),
                    bridge: config.bridge, datapathType: config.datapathType, underlayCidr: n.underlayCidr,
                }),
            }, { parent: this });
            this.transports.set(n.name, provisioning.transport);
        }
        const central = ovnNodes(plan, this.transports, this);
        this.nbEndpoint = central.nbEndpoint;
        this.nbReady = central.nbReady;
        this.registerOutputs({ projectDir: this.projectDir });
    }
}
