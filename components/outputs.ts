// What a lab gives its user (stack outputs), whichever driver made its nodes.
import * as pulumi from "./kit/pulumiCore";

/** What a user needs to reach one node. */
export interface NodeSummary {
    name: string;
    underlayIp: string;
    subnet: string;
    gateway: string;
    chassis?: string;
    /** OVN: the node's logical switch and its port on the router (`trace` sends to the gateway by this MAC). */
    switchName?: string;
    routerPort?: string;
    routerMac?: string;
    /** The integration bridge. */
    bridge: string;
    namespace?: pulumi.Output<string>;
    /** vagrant driver: a shell on the node (`vagrant ssh`, in the lab's Vagrant project). */
    ssh?: string;
    /** netns driver: where `show` reaches the node's OVS: its database, ovs-vswitchd's control socket, and the run directory holding `<bridge>.mgmt`. */
    ovsDb?: pulumi.Output<string>;
    vswitchdCtl?: pulumi.Output<string>;
    runDir?: pulumi.Output<string>;
    /**
     * How the node's workloads run: `docker` containers (the docker CLI reached where the node's files
     * are: this host for a netns node, the machine for a Vagrant one) or `process` sandboxes in the node
     * (a PID's network namespace, found by its argv[0], the container name). `verify` pings through it.
     */
    workloads?: "docker" | "process";
}

/** What a user needs to reach one container. */
export interface ContainerSummary {
    name: string;
    node: string;
    ip: string;
    mac: string;
    logicalPort?: string;
    containerName?: pulumi.Output<string>;
    exec?: pulumi.Output<string>;
}

/** What the stack outputs say about the gateway. */
export interface GatewaySummary {
    router: string;
    node: string;
    chassis: string;
    snatAddress: string;
    /** Sources that leave SNATed. */
    snatSources: string;
    joinNetwork: string;
    externalNetwork: string;
    externalHost: { ip: string; namespace?: pulumi.Output<string>; url?: pulumi.Output<string>; log?: pulumi.Output<string> };
}
