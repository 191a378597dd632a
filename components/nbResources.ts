// The northbound kinds ovnlab has, one file each under ovn/kinds/ on the
// generic engine ovn/kind.ts; this is their index (one import for the lab).
export { forgetNbSnapshots, NbRowArgs, readNbSnapshot, runNbTransaction } from "./ovn/kind";
export { LogicalRouter, LogicalRouterArgs, logicalRouterHandler } from "./ovn/kinds/logicalRouter";
export { LogicalRouterPort, LogicalRouterPortArgs, logicalRouterPortHandler } from "./ovn/kinds/logicalRouterPort";
export { LogicalSwitch, LogicalSwitchArgs, logicalSwitchHandler } from "./ovn/kinds/logicalSwitch";
export { LogicalSwitchPort, LogicalSwitchPortArgs, logicalSwitchPortHandler } from "./ovn/kinds/logicalSwitchPort";
import { logicalRouterHandler } from "./ovn/kinds/logicalRouter";
import { logicalRouterPortHandler } from "./ovn/kinds/logicalRouterPort";
import { logicalSwitchHandler } from "./ovn/kinds/logicalSwitch";
import { logicalSwitchPortHandler } from "./ovn/kinds/logicalSwitchPort";

/** The handlers by kind, as the provider and the integration tests call them. */
export const providers = {
    logicalRouter: logicalRouterHandler,
    logicalRouterPort: logicalRouterPortHandler,
    logicalSwitch: logicalSwitchHandler,
    logicalSwitchPort: logicalSwitchPortHandler,
};
