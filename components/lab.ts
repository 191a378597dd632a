// The whole lab of one stack: nodes from the configured driver (one folder per
// driver under drivers/, behind drivers/driver.ts), the router lr0, one
// NodeSwitch per node and one Workload per container, created in dependency
// order and destroyed in reverse. Nothing here depends on which driver it is.
import * as pulumi from "./kit/pulumiCore";
import { DriverArgs } from "./drivers/driver";
import { DRIVERS } from "./drivers";
import { containerPortArgs } from "./ovn/containerPort";
import { LogicalRouter, LogicalSwitchPort } from "./ovn/nbResources";
import { NodeSwitch } from "./ovn/nodeSwitch";
import { LabReadiness } from "./ovn/labReadiness";
import { AclSummary, LoadBalancerSummary, Services } from "./ovn/services";
import { PHYSICAL_BRIDGE, plugInterfaceName } from "./commands/names";
import { ContainerSummary, GatewaySummary, NodeSummary } from "./outputs";
import { Workload } from "./workloads/workload";
import { Gateway } from "./ovn/gateway";
import { planGateway } from "./plan/gatewayConfig";

export type LabArgs = DriverArgs;

/** How long `up` waits for the last port to be installed (a VM under emulation is slow to start its flows). */
const READY_TIMEOUT_SECONDS = 120;
export { ContainerSummary, NodeSummary };

export class Lab extends pulumi.ComponentResource {
    readonly nodes: NodeSummary[];
    readonly containers: ContainerSummary[];
    /** NB/SB addresses the chassis use (tcp:<central>:6641/6642); the NB socket ovnlab itself uses; the SB socket `show` and `trace` read. */
    readonly central: { nb: string; sb: string; nbSocket: string; sbSocket: string } | undefined;
    /** The gateway router, its SNAT address and the external host (ovnlab:gateway); undefined without one. */
    readonly gateway: GatewaySummary | undefined;
    /** Each VIP with its backends, and each ACL as a rule and as OVN has it (ovnlab:loadBalancers, ovnlab:acls); empty without. */
    readonly loadBalancers: LoadBalancerSummary[];
    readonly acls: AclSummary[];

    constructor(name: string, args: LabArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ovnlab:lab:Lab", name, {}, opts);
        const { plan } = args;
        const config = plan.config;
        const ovn = config.experiment === "multi-l2";
        const externalIds = { "ovnlab:stack": args.stack };
        const node = (name: string) => plan.nodes.find((n) => n.name === name)!;

        const made = DRIVERS[config.driver].nodes(name, args, this);
        const { nbEndpoint, nbReady, hosts, defaultImage } = made;

        const switches = new Map<string, NodeSwitch>();
        let gateway: Gateway | undefined;
        if (ovn) {
            const router = new LogicalRouter(config.routerName, { endpoint: nbEndpoint, name: config.routerName, externalIds }, { parent: this, dependsOn: nbReady });
            for (const n of plan.nodes) {
                const dhcp = config.dhcp && { config: config.dhcp, mtu: config.mtu, stack: args.stack };
                switches.set(n.name, new NodeSwitch(n.switchName, { endpoint: nbEndpoint, router, routerName: config.routerName, node: n, externalIds, dhcp }, { parent: this }));
            }
            if (config.gateway) {
                const gw = planGateway(config.gateway, { chassis: node(config.gateway.node).chassis, podCidr: config.podCidr, routerName: config.routerName });
                gateway = new Gateway("gateway", { endpoint: nbEndpoint, plan: gw, router, externalIds, externalNetwork: made.externalNetwork && ((p) => made.externalNetwork!(gw, p)) }, { parent: this });
            }
        }

        const workloads = new Map<string, Workload>();
        const logicalPorts: LogicalSwitchPort[] = [];
        for (const container of plan.containers) {
            const logical = ovn
                ? { endpoint: nbEndpoint, logicalSwitch: switches.get(container.node)!.logicalSwitch, switchName: node(container.node).switchName, externalIds, dhcpv4Options: switches.get(container.node)!.dhcpOptions?.uuid }
                : undefined;
            if (hosts) {
                workloads.set(container.name, new Workload(container.name, {
                    labId: config.labId, container, defaultImage: defaultImage ?? "", node: hosts.get(container.node)!,
                    bridge: config.bridge, mtu: config.mtu, ovn: logical,
                }, { parent: this }));
            } else if (logical) {
                // Only the logical side (external driver): the port itself, no component around one resource,
                // so a lab of N ports is N resources for the engine, not 2N.
                logicalPorts.push(new LogicalSwitchPort(container.name, containerPortArgs(logical, container), { parent: this, dependsOn: [logical.logicalSwitch] }));
            }
        }

        const { services } = plan;
        const servicesMade = ovn && (services.loadBalancers.length > 0 || services.acls.length > 0)
            ? new Services("services", { endpoint: nbEndpoint, services, externalIds, dependsOn: [...switches.values(), ...workloads.values(), ...logicalPorts] }, { parent: this })
            : undefined;

        // `up` returns when the lab forwards: every chassis recomputed and caught up, every workload port installed.
        if (ovn && hosts && workloads.size > 0) {
            new LabReadiness(`${name}-ready`, {
                endpoint: nbEndpoint,
                stack: args.stack,
                nodes: pulumi.output(plan.nodes.map((n) => {
                    const host = hosts.get(n.name)!;
                    return {
                        name: n.name, transport: host.transport, ovsDb: host.ovsDb, ovnRunDir: host.ovnRunDir, bridge: config.bridge, encapIp: n.underlayIp,
                        // The userspace datapath resolves the other chassis itself, dropping the first packet meanwhile.
                        ...(config.datapathType === "netdev" ? { userspaceTunnels: { vswitchdCtl: host.vswitchdCtl ?? "", bridge: PHYSICAL_BRIDGE } } : {}),
                    };
                })),
                ports: plan.containers.map((c) => ({ logicalPort: c.logicalPort, node: c.node, interface: plugInterfaceName(c.name) })),
                timeoutSeconds: READY_TIMEOUT_SECONDS,
            }, { parent: this, dependsOn: [...switches.values(), ...workloads.values(), ...(gateway ? [gateway] : []), ...(servicesMade ? [servicesMade] : [])] });
        }

        this.central = ovn && made.centralSockets
            ? { nb: plan.central.nbRemote, sb: plan.central.sbRemote, ...made.centralSockets }
            : undefined;
        this.nodes = plan.nodes.map((n) => ({
            name: n.name, underlayIp: n.underlayIp, subnet: n.subnet, gateway: n.gateway, bridge: config.bridge,
            ...(ovn ? { chassis: n.chassis, switchName: n.switchName, routerPort: n.routerPort, routerMac: n.routerMac } : {}),
            ...made.nodeOutputs(n.name),
        }));
        this.containers = plan.containers.map((c) => {
            const workload = workloads.get(c.name);
            return {
                name: c.name, node: c.node, ip: c.ip, mac: c.mac,
                ...(ovn ? { logicalPort: c.logicalPort } : {}),
                ...(workload ? { containerName: workload.containerName, exec: workload.exec } : {}),
            };
        });
        this.gateway = gateway?.summary;
        this.loadBalancers = servicesMade?.loadBalancers ?? [];
        this.acls = servicesMade?.acls ?? [];
        this.registerOutputs({ nodes: this.nodes, containers: this.containers, central: this.central, gateway: this.gateway, loadBalancers: this.loadBalancers, acls: this.acls });
    }
}
