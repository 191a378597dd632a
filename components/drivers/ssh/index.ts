// ssh: the nodes are existing Linux hosts given in the stack configuration
// (ovnlab:sshHosts), checked by a preflight before anything is registered,
// provisioned over SSH like Vagrant machines and unprovisioned on destroy.
// Workloads are Docker containers where the host runs Docker, else process
// sandboxes (a process in a network namespace of its own).
import { NodeDriver } from "../driver";
import { REMOTE_CENTRAL_SOCKETS, REMOTE_WORKLOAD_IMAGE } from "../remote/ovnNodes";
import { preflightHosts } from "./preflight";
import { sshCommandLine, sshShell } from "./sshAccess";
import { SshHosts } from "./sshHosts";

export const sshDriver: NodeDriver = {
    preflight(args) {
        const facts = preflightHosts(args.plan, args.stateDir);
        return { ...args, nodeFacts: new Map([...facts].map(([node, f]) => [node, { docker: f.docker }])) };
    },
    nodes(name, args, parent) {
        const { plan } = args;
        const hosts = new SshHosts(`${name}-ssh`, { plan, stateDir: args.stateDir }, { parent });
        const docker = (node: string) => args.nodeFacts?.get(node)?.docker ?? false;
        const workloadHosts = new Map(plan.nodes.map((n) => {
            const transport = hosts.transports.get(n.name)!;
            return [n.name, {
                transport, ovsDb: "", ovnRunDir: "",
                sandbox: docker(n.name) ? { kind: "docker" as const, transport } : { kind: "process" as const },
                shell: sshShell(hosts.hostTransports.get(n.name)!),
            }];
        }));
        return {
            nbEndpoint: hosts.nbEndpoint,
            nbReady: hosts.nbReady,
            hosts: workloadHosts,
            centralSockets: REMOTE_CENTRAL_SOCKETS,
            defaultImage: plan.config.image || REMOTE_WORKLOAD_IMAGE,
            nodeOutputs: (node) => ({ ssh: sshCommandLine(hosts.hostTransports.get(node)!), workloads: docker(node) ? "docker" : "process" }),
        };
    },
};
