// The node drivers, by the name `ovnlab:driver` gives. A new driver is a
// folder beside these and one line here. `preflight` runs the driver's own
// checks of its nodes, before the program registers any resource.
import { Driver } from "../plan/config";
import { DriverArgs, NodeDriver } from "./driver";
import { externalDriver } from "./external";
import { netnsDriver } from "./netns";
import { sshDriver } from "./ssh";
import { vagrantDriver } from "./vagrant";

export const DRIVERS: Record<Driver, NodeDriver> = {
    netns: netnsDriver,
    vagrant: vagrantDriver,
    external: externalDriver,
    ssh: sshDriver,
};

export function preflight(args: DriverArgs): DriverArgs {
    return DRIVERS[args.plan.config.driver].preflight?.(args) ?? args;
}
