// OVN kind: a port group (`ovn-nbctl pg-add pg_nginx1 nginx1`), the set of ports that ACL
// matches name as `@pg_nginx1`; found by name, its ports read back by name.
import * as pulumi from "../../kit/pulumiCore";
import { rowName, stringSet } from "../../commands/ovnNbctl";
import { pgAdd, pgDel, pgSetExternalIds, pgSetPorts, portGroupName } from "../../commands/ovnServices";
import { OvnlabResource } from "../../kit/resource";
import { byName, createCommand, InputsOf, NbKind, nbHandler, NbRowArgs, ownedIds } from "../kind";

export interface PortGroupArgs extends NbRowArgs {
    /** Logical switch port names, e.g. ["nginx1"]. */
    ports: string[];
}

const TABLE = "Port_Group";

export const portGroupKind: NbKind<PortGroupArgs> = {
    tables: [TABLE, "Logical_Switch_Port"],
    identity: ["name"],
    // pg-add has no --may-exist: a group already there (an interrupted create) is adopted by update.
    located: true,
    create: (a) => [pgAdd(a.name, a.ports), pgSetExternalIds(a.name, a.externalIds)],
    update: (_o, a) => [pgSetPorts(a.name, a.ports), pgSetExternalIds(a.name, a.externalIds)],
    remove: (a) => [pgDel(a.name)],
    fields: {
        // Not a row name: matches refer to it as an identifier, so '_' instead of '-'.
        name: { validate: portGroupName, valid: "a-z first, then a-z 0-9 and _, at most 63 characters (e.g. pg_nginx1)" },
        ports: {
            validate: (p: string[]) => { if (!Array.isArray(p)) throw new Error("not a list"); p.forEach(rowName); },
            valid: 'logical switch port names, e.g. ["nginx1"]', required: false,
        },
    },
    defaults: { ports: [] },
    find: (s, a) => byName(s[TABLE], a.name),
    read: (s, row, a) => {
        const ports = new Map((s.Logical_Switch_Port ?? []).map((p) => [p.uuid, String(p.name)]));
        return {
            name: a.name,
            ports: stringSet(row.ports).map((uuid) => ports.get(uuid) ?? uuid).sort(),
            externalIds: ownedIds(row, a.externalIds),
        };
    },
};

export const portGroupHandler = nbHandler(portGroupKind);

export class PortGroup extends OvnlabResource {
    declare readonly name: pulumi.Output<string>;
    declare readonly ports: pulumi.Output<string[]>;
    constructor(name: string, args: InputsOf<PortGroupArgs>, opts?: pulumi.CustomResourceOptions) {
        super("nb", "PortGroup", name, { ...args, command: createCommand(portGroupKind, args) }, opts);
    }
}
