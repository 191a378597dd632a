// OVN kind: an ACL on a port group (`--id=@acl create ACL ... -- add Port_Group pg_nginx1 acls @acl`).
// An ACL has no name to find it by (its `name` column is only a label, not unique), so ovnlab
// marks it (external_ids ovnlab:acl=<resource name>) and finds it by that mark; its group is the
// one whose `acls` holds it. Update and delete name the row by the uuid found.
import * as pulumi from "../../kit/pulumiCore";
import { stringMap, stringSet } from "../../commands/ovnNbctl";
import { aclCreate, aclMatchText, aclRemove, aclSet, AclColumns, portGroupName } from "../../commands/ovnServices";
import { OvnlabResource } from "../../kit/resource";
import { createCommand, InputsOf, NbKind, nbHandler, NbRowArgs, ownedIds } from "../kind";
import { NbSnapshot } from "../kind";

export interface AclArgs extends NbRowArgs {
    portGroup: string;
    direction: string;
    priority: number;
    match: string;
    /** allow-related, allow, drop or reject. */
    verdict: string;
}

const TABLE = "ACL";
/** The mark that finds the row. */
export const ACL_MARK = "ovnlab:acl";

const columns = (a: AclArgs): AclColumns => ({ name: a.name, direction: a.direction, priority: a.priority, match: a.match, verdict: a.verdict });
const marks = (a: AclArgs) => ({ ...a.externalIds, [ACL_MARK]: a.name });
const groupOf = (s: NbSnapshot, uuid: string) => (s.Port_Group ?? []).find((g) => stringSet(g.acls).includes(uuid));

export const aclKind: NbKind<AclArgs> = {
    tables: [TABLE, "Port_Group"],
    identity: ["name", "portGroup"],
    located: true,
    create: (a) => aclCreate(a.portGroup, columns(a), marks(a)),
    update: (_o, a, row) => [aclSet(row!.uuid, columns(a), marks(a))],
    remove: (a, row) => [aclRemove(a.portGroup, row!.uuid)],
    fields: {
        portGroup: { validate: portGroupName, valid: "a port group name, e.g. pg_nginx1" },
        direction: { validate: (d: string) => { if (d !== "to-lport" && d !== "from-lport") throw new Error("not a direction"); }, valid: "to-lport or from-lport", required: false },
        priority: { validate: (p: number) => { if (!Number.isInteger(p) || p < 0 || p > 32767) throw new Error("out of range"); }, valid: "an integer from 0 to 32767" },
        match: { validate: aclMatchText, valid: "an OVN match of a-z 0-9 _ . @ = ! < > & | ( ) / and spaces, e.g. outport == @pg_nginx1 && ip4" },
        verdict: { validate: (v: string) => { if (!["allow-related", "allow", "drop", "reject"].includes(v)) throw new Error("not a verdict"); }, valid: "allow-related, allow, drop or reject" },
    },
    defaults: { direction: "to-lport" },
    // By its mark (and the stack's: another stack's rule of the same name is not this one); a rule whose marks
    // were removed by hand is still found by what it is (its group, direction, priority and match), not made twice.
    find: (s, a) => {
        const rows = s[TABLE] ?? [];
        const stack = a.externalIds["ovnlab:stack"];
        const marked = rows.find((r) => {
            const ids = stringMap(r.external_ids);
            return ids[ACL_MARK] === a.name && (stack === undefined || ids["ovnlab:stack"] === stack);
        });
        if (marked) return marked;
        const group = (s.Port_Group ?? []).find((g) => g.name === a.portGroup);
        return rows.find((r) => stringSet(group?.acls).includes(r.uuid) && r.direction === a.direction &&
            Number(r.priority) === a.priority && r.match === a.match && stringMap(r.external_ids)[ACL_MARK] === undefined);
    },
    read: (s, row, a) => ({
        name: a.name,
        portGroup: String(groupOf(s, row.uuid)?.name ?? ""),
        direction: String(row.direction),
        priority: Number(row.priority),
        match: String(row.match),
        verdict: String(row.action),
        externalIds: ownedIds(row, a.externalIds),
    }),
    outputs: (row) => ({ uuid: row.uuid }),
    outputKeys: ["uuid"],
};

export const aclHandler = nbHandler(aclKind);

export class Acl extends OvnlabResource {
    declare readonly name: pulumi.Output<string>;
    declare readonly uuid: pulumi.Output<string>;
    constructor(name: string, args: InputsOf<AclArgs>, opts?: pulumi.CustomResourceOptions) {
        super("nb", "Acl", name, { ...args, uuid: undefined, command: createCommand(aclKind, args) }, opts);
    }
}
