// OVN kind: a DHCP_Options row, OVN's own DHCP server for one subnet
// (`ovn-nbctl --id=<uuid> create DHCP_Options cidr=10.244.1.0/24 options:server_id=10.244.1.1 ...`).
// The row has no name column. ovnlab chooses its uuid (an input, plan/dhcpConfig.ts's
// dhcpRowUuid) and creates the row with it, so logical switch ports can name the row
// (dhcpv4_options) by a value known at preview; it is a located kind: found by that uuid
// in a fresh snapshot, and the engine hands create (an interrupted create's row: adopted),
// update (gone: made again, with the same uuid) and delete (gone: nothing to do) the live row.
// The row also carries the mark external_ids "ovnlab:name"=<name>, for people.
import * as pulumi from "../../kit/pulumiCore";
import { dhcpOptionsCreate, dhcpOptionsDestroy, dhcpOptionsSet, DHCP_TABLE } from "../../commands/ovnDhcp";
import { Row, stringMap } from "../../commands/ovnNbctl";
import { validIpv4Cidr, validUuid } from "../../plan/validate";
import { OvnlabResource } from "../../kit/resource";
import { createCommand, InputsOf, NbKind, nbHandler, NbRowArgs, ownedIds } from "../kind";

export interface DhcpOptionsArgs extends NbRowArgs {
    /** The row's uuid, chosen by ovnlab (dhcpRowUuid); ports name the row by it. */
    uuid: string;
    /** The subnet served, e.g. 10.244.1.0/24. */
    cidr: string;
    /** OVN's DHCP options: server_id, server_mac and lease_time at least, e.g. router and mtu. */
    options: Record<string, string>;
}

/** The external_ids key that names ovnlab's row. */
export const DHCP_NAME_MARK = "ovnlab:name";
/** OVN serves no DHCP from a row without these (northd skips it). */
const REQUIRED_OPTIONS = ["server_id", "server_mac", "lease_time"];

const marks = (a: DhcpOptionsArgs) => ({ ...a.externalIds, [DHCP_NAME_MARK]: a.name });

function located(row: Row | undefined, a: DhcpOptionsArgs): Row {
    if (!row) throw new Error(`DHCP_Options row ${a.name} has no live row to change`);
    return row;
}

export const dhcpOptionsKind: NbKind<DhcpOptionsArgs> = {
    tables: [DHCP_TABLE],
    identity: ["name", "uuid"],
    located: true,
    // `existing`: a row an interrupted create made, brought to what is wanted instead of made twice.
    create: (a, existing) => [existing ? dhcpOptionsSet(existing.uuid, a.cidr, a.options, marks(a)) : dhcpOptionsCreate(a.uuid, a.cidr, a.options, marks(a))],
    update: (_o, a, row) => [dhcpOptionsSet(located(row, a).uuid, a.cidr, a.options, marks(a))],
    remove: (a, row) => [dhcpOptionsDestroy(located(row, a).uuid)],
    fields: {
        uuid: { validate: validUuid, valid: "an RFC 4122 uuid, e.g. 3f0e2a4c-1d2b-5c5e-8f90-123456789abc (ovnlab's program derives it from the stack and the name)" },
        cidr: { validate: validIpv4Cidr, valid: "the subnet served, e.g. 10.244.1.0/24" },
        options: {
            validate: (o: Record<string, string>) => {
                dhcpOptionsCreate("00000000-0000-4000-8000-000000000000", "10.0.0.0/24", o, {});
                const missing = REQUIRED_OPTIONS.filter((k) => !(k in o));
                if (missing.length > 0) throw new Error(`OVN answers no DHCP without ${missing.join(", ")}`);
            },
            valid: '{server_id: <gateway>, server_mac: <router port MAC>, lease_time: <seconds>, router?, mtu?, ...}, e.g. {server_id: "10.244.1.1", server_mac: "00:00:00:01:01:01", lease_time: "3600"}',
        },
    },
    find: (s, a) => (s[DHCP_TABLE] ?? []).find((r) => r.uuid === a.uuid),
    read: (_s, row, a) => ({
        name: a.name,
        uuid: row.uuid,
        cidr: String(row.cidr ?? ""),
        options: stringMap(row.options),
        externalIds: ownedIds(row, a.externalIds),
    }),
};

export const dhcpOptionsHandler = nbHandler(dhcpOptionsKind);

export class DhcpOptions extends OvnlabResource {
    /** The row's uuid, for a port's dhcpv4_options. */
    declare readonly uuid: pulumi.Output<string>;
    declare readonly cidr: pulumi.Output<string>;
    constructor(name: string, args: InputsOf<DhcpOptionsArgs>, opts?: pulumi.CustomResourceOptions) {
        super("nb", "DhcpOptions", name, { ...args, command: createCommand(dhcpOptionsKind, args) }, opts);
    }
}
