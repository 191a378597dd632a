// vagrant: one VM per node, provisioned by a script; workloads run in the VM's
// Docker (or as plain processes where the provider has no Docker of its own).
import { NodeDriver } from "../driver";
import { dockerWorkloads, VagrantNodes } from "./vagrantNodes";

/** Workload image in Vagrant VMs when the configuration names none: the walk-through's, pulled by the VM's Docker. */
const VM_WORKLOAD_IMAGE = "nicolaka/netshoot";
/** The central's sockets inside a Vagrant node: where ovn-central's packages put them. */
const VM_CENTRAL_SOCKETS = { nbSocket: "unix:/var/run/ovn/ovnnb_db.sock", sbSocket: "unix:/var/run/ovn/ovnsb_db.sock" };

export const vagrantDriver: NodeDriver = {
    nodes(name, args, parent) {
        const { plan } = args;
        const config = plan.config;
        const vagrant = new VagrantNodes(`${name}-vagrant`, { plan, stateDir: args.stateDir }, { parent });
        const docker = dockerWorkloads(config.vagrantProvider);
        const hosts = new Map(plan.nodes.map((n) => {
            const transport = vagrant.transports.get(n.name)!;
            return [n.name, {
                transport, ovsDb: "", ovnRunDir: "", sandbox: docker ? { kind: "docker" as const, transport } : { kind: "process" as const },
                shell: `VAGRANT_CWD=${vagrant.projectDir} vagrant ssh ${n.name} -c`,
            }];
        }));
        return {
            nbEndpoint: vagrant.nbEndpoint,
            nbReady: vagrant.nbReady,
            hosts,
            centralSockets: VM_CENTRAL_SOCKETS,
            defaultImage: config.image || VM_WORKLOAD_IMAGE,
            nodeOutputs: (node) => ({ ssh: `VAGRANT_CWD=${vagrant.projectDir} vagrant ssh ${node}`, workloads: docker ? "docker" : "process" }),
        };
    },
};
