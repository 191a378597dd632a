// The ssh driver's nodes: existing Linux hosts, each provisioned over SSH by
// the same idempotent script as a Vagrant machine (remote/provisionScript.ts:
// packages, daemons, br-int, br-phy with the userspace datapath, the central
// on one of them), then made OVN chassis of the central (remote/ovnNodes.ts).
// Unlike a Vagrant machine a host outlives the lab, so its provisioning
// resource also holds the script that undoes what ovnlab made there, which
// `destroy` runs last on each host (remote/unprovisionScript.ts).
import * as pulumi from "../../kit/pulumiCore";
import { DbEndpoint } from "../../commands/ovnNbctl";
import { LabPlan } from "../../plan/ipPlan";
import { TransportSpec } from "../../transport/transport";
import { HostProvisioning } from "../remote/nodeProvisioning";
import { ovnNodes } from "../remote/ovnNodes";
import { provisionScript, ProvisionSpec } from "../remote/provisionScript";
import { unprovisionScript } from "../remote/unprovisionScript";
import { hostTransport, knownHostsFile, SshTransport } from "./sshAccess";

export interface SshHostsArgs {
    plan: LabPlan;
    /** Absolute lab state directory (the lab's ssh_known_hosts is there). */
    stateDir: string;
}

export class SshHosts extends pulumi.ComponentResource {
    /** Each host's transport as the stack configuration gives it. */
    readonly hostTransports: Map<string, SshTransport>;
    /** Each host's transport, known once it is provisioned: what runs there waits for that. */
    readonly transports: Map<string, pulumi.Output<TransportSpec>>;
    readonly nbEndpoint: pulumi.Output<DbEndpoint>;
    readonly nbReady: pulumi.Resource[];

    constructor(name: string, args: SshHostsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ovnlab:ssh:SshHosts", name, {}, opts);
        const { plan } = args;
        const config = plan.config;
        const knownHosts = knownHostsFile(args.stateDir);
        this.hostTransports = new Map();
        this.transports = new Map();
        for (const n of plan.nodes) {
            const host = config.sshHosts.find((h) => h.node === n.name)!;
            const transport = hostTransport(host, knownHosts);
            // Docker is used where the host has it, never installed: a host's own Docker (docker-ce, say) stays as it is.
            const spec: ProvisionSpec = {
                node: n.name, central: n.isCentral, ovn: config.experiment === "multi-l2", dockerWorkloads: false,
                bridge: config.bridge, datapathType: config.datapathType, underlayCidr: n.underlayCidr,
            };
            const provisioning = new HostProvisioning(n.name, {
                transport, node: n.name, script: provisionScript(spec), undoScript: unprovisionScript(spec),
            }, { parent: this });
            this.hostTransports.set(n.name, transport);
            this.transports.set(n.name, provisioning.transport);
        }
        const central = ovnNodes(plan, this.transports, this);
        this.nbEndpoint = central.nbEndpoint;
        this.nbReady = central.nbReady;
        this.registerOutputs({});
    }
}
