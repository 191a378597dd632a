// OVN kind: a logical switch (`ovn-nbctl ls-add ls-node1`), found by name.
import * as pulumi from "../../kit/pulumiCore";
import { lsAdd, lsDel } from "../../commands/ovnNbctl";
import { OvnlabResource } from "../../kit/resource";
import { createCommand, InputsOf, namedRowKind, nbHandler, NbRowArgs } from "../kind";

export type LogicalSwitchArgs = NbRowArgs;

export const logicalSwitchKind = namedRowKind("Logical_Switch", lsAdd, lsDel);

export const logicalSwitchHandler = nbHandler(logicalSwitchKind);

export class LogicalSwitch extends OvnlabResource {
    declare readonly name: pulumi.Output<string>;
    constructor(name: string, args: InputsOf<LogicalSwitchArgs>, opts?: pulumi.CustomResourceOptions) {
        super("nb", "LogicalSwitch", name, { ...args, command: createCommand(logicalSwitchKind, args) }, opts);
    }
}
