// The northbound kinds ovnlab has, one file each under ovn/kinds/ on the
// generic engine ovn/kind.ts; this is their index (one import for the lab).
export { forgetNbSnapshots, NbRowArgs, readNbSnapshot, runNbTransaction } from "./kind";
export { DhcpOptions, DhcpOptionsArgs, dhcpOptionsHandler } from "./kinds/dhcpOptions";
export { LogicalRouter, LogicalRouterArgs, logicalRouterHandler } from "./kinds/logicalRouter";
export { LogicalRouterPort, LogicalRouterPortArgs, logicalRouterPortHandler } from "./kinds/logicalRouterPort";
export { LogicalSwitch, LogicalSwitchArgs, logicalSwitchHandler } from "./kinds/logicalSwitch";
export { LogicalSwitchPort, LogicalSwitchPortArgs, logicalSwitchPortHandler } from "./kinds/logicalSwitchPort";
export { StaticRoute, StaticRouteArgs, staticRouteHandler } from "./kinds/staticRoute";
export { Nat, NatArgs, natHandler } from "./kinds/nat";
export { LoadBalancer, LoadBalancerArgs, loadBalancerHandler } from "./kinds/loadBalancer";
export { PortGroup, PortGroupArgs, portGroupHandler } from "./kinds/portGroup";
export { Acl, AclArgs, aclHandler } from "./kinds/acl";
import { dhcpOptionsHandler } from "./kinds/dhcpOptions";
import { logicalRouterHandler } from "./kinds/logicalRouter";
import { logicalRouterPortHandler } from "./kinds/logicalRouterPort";
import { logicalSwitchHandler } from "./kinds/logicalSwitch";
import { logicalSwitchPortHandler } from "./kinds/logicalSwitchPort";
import { staticRouteHandler } from "./kinds/staticRoute";
import { natHandler } from "./kinds/nat";
import { loadBalancerHandler } from "./kinds/loadBalancer";
import { portGroupHandler } from "./kinds/portGroup";
import { aclHandler } from "./kinds/acl";

/** The handlers by kind, as the provider and the integration tests call them. */
export const providers = {
    logicalRouter: logicalRouterHandler,
    logicalRouterPort: logicalRouterPortHandler,
    logicalSwitch: logicalSwitchHandler,
    logicalSwitchPort: logicalSwitchPortHandler,
    staticRoute: staticRouteHandler,
    nat: natHandler,
    loadBalancer: loadBalancerHandler,
    portGroup: portGroupHandler,
    acl: aclHandler,
    dhcpOptions: dhcpOptionsHandler,
};
