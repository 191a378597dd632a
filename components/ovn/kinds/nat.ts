// OVN kind: a NAT rule (`ovn-nbctl lr-nat-add gw0 snat 192.168.100.2 10.244.0.0/16`).
// A NAT row has no name column and lr-nat-add sets no external_ids, so the row
// is found by the router whose `nat` column holds it, its type and its
// logical_ip (what lr-nat-del names a snat rule by); `name` is only the
// resource's id. Its external_ip is read back, so a rule changed by hand shows
// as drift; any change replaces the rule (delete, then add: ovn-nbctl refuses
// a second snat for the same logical_ip, even `--may-exist`, in one transaction).
// With the router deleted by hand, the rule is gone too: delete has nothing to do.
import * as pulumi from "../../kit/pulumiCore";
import { Row, rowName, stringSet } from "../../commands/ovnNbctl";
import { lrNatAdd, lrNatDel, natSetExternalIp, validNatLogicalIp, validNatType } from "../../commands/ovnNbctlRouting";
import { validIpv4 } from "../../plan/validate";
import { OvnlabResource } from "../../kit/resource";
import { byName, createCommand, InputsOf, NbKind, nbHandler, NbRowArgs, NbSnapshot } from "../kind";
import { NO_MARKS } from "./staticRoute";

export interface NatArgs extends NbRowArgs {
    router: string;
    /** snat (sources in logicalIp leave as externalIp), dnat or dnat_and_snat. */
    type: string;
    externalIp: string;
    /** An address, or for snat a network/prefix, e.g. 10.244.0.0/16. */
    logicalIp: string;
}

const TABLE = "NAT";

export function natsOf(snapshot: NbSnapshot, router: string): Row[] {
    const uuids = new Set(stringSet(byName(snapshot.Logical_Router, router)?.nat));
    return (snapshot[TABLE] ?? []).filter((r) => uuids.has(r.uuid));
}

/** dnat rules are named by their external address, the others by their logical side (as lr-nat-del takes them). */
const delKey = (a: NatArgs) => (a.type === "dnat" ? a.externalIp : a.logicalIp);

export const natKind: NbKind<NatArgs> = {
    tables: [TABLE, "Logical_Router"],
    identity: ["name", "router", "type", "externalIp", "logicalIp"],
    create: (a) => [lrNatAdd(a.router, a.type, a.externalIp, a.logicalIp)],
    // Only for a rule the engine found already there (an interrupted up's, adopted): any change of inputs replaces.
    update: (_o, a, row) => (row && row.external_ip !== a.externalIp ? [natSetExternalIp(row.uuid, a.externalIp)] : []),
    // Located (see ../kind.ts): the engine looks the rule up before a create (adopts it), an update and a
    // delete (gone, or its router gone: nothing to do; lr-nat-del fails on a router that is not there).
    located: true,
    remove: (a) => [lrNatDel(a.router, a.type, delKey(a))],
    fields: {
        router: { validate: rowName, valid: "the router's name, e.g. gw0" },
        type: { validate: validNatType, valid: "snat | dnat | dnat_and_snat" },
        externalIp: { validate: validIpv4, valid: "an IPv4 address, e.g. 192.168.100.2" },
        logicalIp: { validate: validNatLogicalIp, valid: "an IPv4 address or (snat) network/prefix, e.g. 10.244.0.0/16" },
        externalIds: NO_MARKS,
    },
    find: (s, a) => natsOf(s, a.router).find((r) => r.type === a.type && (a.type === "dnat" ? r.external_ip === a.externalIp : r.logical_ip === a.logicalIp)),
    read: (_s, row, a) => ({
        name: a.name, router: a.router, type: String(row.type), externalIp: String(row.external_ip), logicalIp: String(row.logical_ip), externalIds: {},
    }),
};

export const natHandler = nbHandler(natKind);

export class Nat extends OvnlabResource {
    declare readonly externalIp: pulumi.Output<string>;
    declare readonly logicalIp: pulumi.Output<string>;
    constructor(name: string, args: InputsOf<NatArgs>, opts?: pulumi.CustomResourceOptions) {
        super("nb", "Nat", name, { ...args, command: createCommand(natKind, args) }, opts);
    }
}
