// The node drivers, by the name `ovnlab:driver` gives. A new driver is a
// folder beside these and one line here.
import { Driver } from "../plan/config";
import { NodeDriver } from "./driver";
import { externalDriver } from "./external";
import { netnsDriver } from "./netns";
import { vagrantDriver } from "./vagrant";

export const DRIVERS: Record<Driver, NodeDriver> = {
    netns: netnsDriver,
    vagrant: vagrantDriver,
    external: externalDriver,
};
