// Every resource kind the ovnlab provider serves, by type token. A kind is
// registered here once; the resource class in components/ names the same
// token (a unit test checks that both lists agree).
import { containerProvider } from "../components/workloads/container";
import { containerImageProvider } from "../components/workloads/containerImage";
import { containerPlugProvider } from "../components/workloads/containerPlug";
import { httpServerProvider } from "../components/workloads/httpServer";
import { dbConnectionProvider } from "../components/ovn/dbConnection";
import { providers as nb } from "../components/ovn/nbResources";
import { netnsNodeProvider } from "../components/drivers/netns/netnsNode";
import { nodeProvisioningProvider } from "../components/drivers/remote/nodeProvisioning";
import { ovnCentralProvider } from "../components/drivers/netns/ovnCentral";
import { ovnChassisProvider } from "../components/ovn/ovnChassis";
import { labReadinessProvider } from "../components/ovn/labReadiness";
import { pkiProvider } from "../components/drivers/netns/pki";
import { processSandboxProvider } from "../components/workloads/processSandbox";
import { ResourceHandler } from "../components/kit/resource";
import { underlayProvider } from "../components/drivers/netns/underlay";
import { externalNetworkProvider } from "../components/drivers/netns/externalNetwork";
import { vagrantMachineProvider, vagrantProjectProvider } from "../components/drivers/vagrant/vagrantMachine";
import { libvirtNetworksProvider } from "../components/drivers/vagrant/libvirtNetworks";

export const HANDLERS: Record<string, ResourceHandler> = {
    "ovnlab:nb:LogicalRouter": nb.logicalRouter,
    "ovnlab:nb:LogicalRouterPort": nb.logicalRouterPort,
    "ovnlab:nb:LogicalSwitch": nb.logicalSwitch,
    "ovnlab:nb:LogicalSwitchPort": nb.logicalSwitchPort,
    "ovnlab:nb:DhcpOptions": nb.dhcpOptions,
    "ovnlab:nb:LoadBalancer": nb.loadBalancer,
    "ovnlab:nb:PortGroup": nb.portGroup,
    "ovnlab:nb:Acl": nb.acl,
    "ovnlab:nb:StaticRoute": nb.staticRoute,
    "ovnlab:nb:Nat": nb.nat,
    "ovnlab:nb:DbConnection": dbConnectionProvider,
    "ovnlab:netns:Node": netnsNodeProvider,
    "ovnlab:netns:OvnCentral": ovnCentralProvider,
    "ovnlab:netns:Underlay": underlayProvider,
    "ovnlab:netns:ExternalNetwork": externalNetworkProvider,
    "ovnlab:ovs:Chassis": ovnChassisProvider,
    "ovnlab:ovn:Readiness": labReadinessProvider,
    "ovnlab:ovs:ContainerPlug": containerPlugProvider,
    "ovnlab:workload:HttpServer": httpServerProvider,
    "ovnlab:docker:Container": containerProvider,
    "ovnlab:docker:Image": containerImageProvider,
    "ovnlab:node:ProcessSandbox": processSandboxProvider,
    "ovnlab:pki:Pki": pkiProvider,
    "ovnlab:vagrant:Project": vagrantProjectProvider,
    "ovnlab:vagrant:Machine": vagrantMachineProvider,
    "ovnlab:vagrant:LibvirtNetworks": libvirtNetworksProvider,
    "ovnlab:vagrant:Provisioning": nodeProvisioningProvider,
    "ovnlab:ssh:Provisioning": nodeProvisioningProvider,
};

/** The type token of a URN (urn:pulumi:stack::project::parent$type::name). */
export function urnType(urn: string): string {
    const qualified = urn.split("::")[2] ?? "";
    return qualified.split("$").pop()!;
}

export function handlerFor(urn: string): ResourceHandler {
    const type = urnType(urn);
    const handler = HANDLERS[type];
    if (!handler) throw new Error(`the ovnlab provider has no resource type ${type} (known: ${Object.keys(HANDLERS).join(", ")})`);
    return handler;
}
