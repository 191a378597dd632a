// vagrant: one VM per node, provisioned by a script; workloads run in the VM's
// Docker (or as plain processes where the provider has no Docker of its own).
import { NodeDriver } from "../driver";
import { REMOTE_CENTRAL_SOCKETS, REMOTE_WORKLOAD_IMAGE } from "../remote/ovnNodes";
import { dockerWorkloads, VagrantNodes } from "./vagrantNodes";

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
            centralSockets: REMOTE_CENTRAL_SOCKETS,
            defaultImage: config.image || REMOTE_WORKLOAD_IMAGE,
            nodeOutputs: (node) => ({ ssh: `VAGRANT_CWD=${vagrant.projectDir} vagrant ssh ${node}`, workloads: docker ? "docker" : "process" }),
        };
    },
};
