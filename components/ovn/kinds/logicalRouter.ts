// OVN kind: a logical router (`ovn-nbctl lr-add lr0`), found by name. Optional
// `options` (e.g. {chassis: gw-node1}, which makes it a gateway router bound
// to that chassis): when given, they are exactly the router's options and are
// read back (a key changed by hand is drift); when left out (lr0), the router's
// options are not ovnlab's and existing stacks see no change.
import * as pulumi from "../../kit/pulumiCore";
import { lrAdd, lrDel, NbCommand, stringMap } from "../../commands/ovnNbctl";
import { lrSetOptions } from "../../commands/ovnNbctlRouting";
import { OvnlabResource } from "../../kit/resource";
import { createCommand, InputsOf, namedRowKind, NbKind, nbHandler, NbRowArgs } from "../kind";

export interface LogicalRouterArgs extends NbRowArgs {
    options?: Record<string, string>;
}

const named = namedRowKind("Logical_Router", lrAdd, lrDel);
const options = (a: LogicalRouterArgs): NbCommand[] => (a.options === undefined ? [] : lrSetOptions(a.name, a.options));

export const logicalRouterKind: NbKind<LogicalRouterArgs> = {
    ...named,
    create: (a) => [...named.create(a), ...options(a)],
    update: (o, a) => [...named.update(o, a), ...options(a)],
    fields: {
        options: { validate: (o: Record<string, string>) => lrSetOptions("x", o), valid: 'a map, e.g. {"chassis": "gw-node1"}', required: false },
    },
    read: (s, row, a) => ({ ...named.read(s, row, a), ...(a.options === undefined ? {} : { options: stringMap(row.options) }) }),
};

export const logicalRouterHandler = nbHandler(logicalRouterKind);

export class LogicalRouter extends OvnlabResource {
    declare readonly name: pulumi.Output<string>;
    constructor(name: string, args: InputsOf<LogicalRouterArgs>, opts?: pulumi.CustomResourceOptions) {
        super("nb", "LogicalRouter", name, { ...args, command: createCommand(logicalRouterKind, args) }, opts);
    }
}
