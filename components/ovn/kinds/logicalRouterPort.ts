// OVN kind: a logical router port (`ovn-nbctl lrp-add lr0 lr-node1 <mac> 10.244.1.1/24`),
// found by name; its router is the one whose `ports` holds it.
import * as pulumi from "../../kit/pulumiCore";
import { validIpv4Cidr, validMac } from "../../plan/validate";
import { lrpAdd, lrpDel, lrpSetColumns, rowName, setExternalIds, stringSet } from "../../commands/ovnNbctl";
import { OvnlabResource } from "../../kit/resource";
import { byName, createCommand, portOwner, InputsOf, NbKind, nbHandler, NbRowArgs, ownedIds } from "../kind";

export interface LogicalRouterPortArgs extends NbRowArgs {
    router: string;
    mac: string;
    networks: string[];
}

const TABLE = "Logical_Router_Port";

export const logicalRouterPortKind: NbKind<LogicalRouterPortArgs> = {
    tables: [TABLE, "Logical_Router"],
    identity: ["name", "router"],
    // The leading `--if-exists set` brings a half-created or hand-edited port to
    // the wanted MAC/networks first; `--may-exist lrp-add` alone refuses a port whose MAC differs.
    create: (a) => [lrpSetColumns(a.name, a.mac, a.networks), lrpAdd(a.router, a.name, a.mac, a.networks), setExternalIds(TABLE, a.name, a.externalIds)],
    update: (_o, a) => [lrpSetColumns(a.name, a.mac, a.networks), setExternalIds(TABLE, a.name, a.externalIds)],
    remove: (a) => [lrpDel(a.name)],
    fields: {
        router: { validate: rowName, valid: "the router's name, e.g. lr0" },
        mac: { validate: validMac, valid: "a MAC in lower case, e.g. 00:00:00:01:01:01" },
        networks: {
            validate: (n: string[]) => { if (!Array.isArray(n) || n.length === 0) throw new Error("not a list of networks"); n.forEach(validIpv4Cidr); },
            valid: 'one or more IPv4 address/prefix, e.g. ["10.244.1.1/24"]',
        },
    },
    find: (s, a) => byName(s[TABLE], a.name),
    read: (s, row, a) => ({
        name: a.name,
        router: String(portOwner(s.Logical_Router, row)?.name ?? ""),
        mac: String(row.mac),
        networks: stringSet(row.networks),
        externalIds: ownedIds(row, a.externalIds),
    }),
};

export const logicalRouterPortHandler = nbHandler(logicalRouterPortKind);

export class LogicalRouterPort extends OvnlabResource {
    declare readonly name: pulumi.Output<string>;
    declare readonly mac: pulumi.Output<string>;
    declare readonly networks: pulumi.Output<string[]>;
    constructor(name: string, args: InputsOf<LogicalRouterPortArgs>, opts?: pulumi.CustomResourceOptions) {
        super("nb", "LogicalRouterPort", name, { ...args, command: createCommand(logicalRouterPortKind, args) }, opts);
    }
}
