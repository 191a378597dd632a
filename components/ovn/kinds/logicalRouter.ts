// OVN kind: a logical router (`ovn-nbctl lr-add lr0`), found by name.
import * as pulumi from "../../kit/pulumiCore";
import { lrAdd, lrDel } from "../../commands/ovnNbctl";
import { OvnlabResource } from "../../kit/resource";
import { createCommand, InputsOf, namedRowKind, nbHandler, NbRowArgs } from "../kind";

export type LogicalRouterArgs = NbRowArgs;

export const logicalRouterKind = namedRowKind("Logical_Router", lrAdd, lrDel);

export const logicalRouterHandler = nbHandler(logicalRouterKind);

export class LogicalRouter extends OvnlabResource {
    declare readonly name: pulumi.Output<string>;
    constructor(name: string, args: InputsOf<LogicalRouterArgs>, opts?: pulumi.CustomResourceOptions) {
        super("nb", "LogicalRouter", name, { ...args, command: createCommand(logicalRouterKind, args) }, opts);
    }
}
