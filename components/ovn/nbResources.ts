// The northbound kinds ovnlab has, one file each under ovn/kinds/ on the
// generic engine ovn/kind.ts; this is their index (one import for the lab).
export { forgetNbSnapshots, NbRowArgs, readNbSnapshot, runNbTransaction } from "./kind";
export { LogicalRouter, LogicalRouterArgs, logicalRouterHandler } from "./kinds/logicalRouter";
export { LogicalRouterPort, LogicalRouterPortArgs, logicalRouterPortHandler } from "./kinds/logicalRouterPort";
export { LogicalSwitch, LogicalSwitchArgs, logicalSwitchHandler } from "./kinds/logicalSwitch";
export { LogicalSwitchPort, LogicalSwitchPortArgs, logicalSwitchPortHandler } from "./kinds/logicalSwitchPort";
import { logicalRouterHandler } from "./kinds/logicalRouter";
import { logicalRouterPortHandler } from "./kinds/logicalRouterPort";
import { logicalSwitchHandler } from "./kinds/logicalSwitch";
import { logicalSwitchPortHandler } from "./kinds/logicalSwitchPort";

/** The handlers by kind, as the provider and the integration tests call them. */
export const providers = {
    logicalRouter: logicalRouterHandler,
    logicalRouterPort: logicalRouterPortHandler,
    logicalSwitch: logicalSwitchHandler,
    logicalSwitchPort: logicalSwitchPortHandler,
};
