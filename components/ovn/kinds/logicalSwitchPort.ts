// OVN kind: a logical switch port (`ovn-nbctl lsp-add ls-node1 netsho1`, then its type,
// addresses and options), found by name; its switch is the one whose `ports` holds it.
import * as pulumi from "../../kit/pulumiCore";
import { lspAdd, lspDel, lspSetAddresses, lspSetOptions, lspSetType, NbCommand, rowName, setExternalIds, stringMap, stringSet } from "../../commands/ovnNbctl";
import { lspSetDhcpv4Options } from "../../commands/ovnDhcp";
import { validUuid } from "../../plan/validate";
import { OvnlabResource } from "../../kit/resource";
import { byName, createCommand, portOwner, InputsOf, NbKind, nbHandler, NbRowArgs, ownedIds } from "../kind";

export interface LogicalSwitchPortArgs extends NbRowArgs {
    switch: string;
    /** "" for a workload (VIF), "router" for the switch's patch to a router port. */
    type: string;
    addresses: string[];
    options: Record<string, string>;
    /**
     * The DHCP_Options row (its uuid) OVN answers this port's DHCP from; "" clears it. Absent (not "")
     * when the lab has no DHCP, so ports made before it existed show no change (and read reports none).
     */
    dhcpv4Options?: string;
}

const TABLE = "Logical_Switch_Port";

function columns(a: LogicalSwitchPortArgs, olds?: LogicalSwitchPortArgs): NbCommand[] {
    // DHCP turned off: the port forgets the row it had (the row itself goes with its own resource).
    const dhcp = a.dhcpv4Options ?? (olds?.dhcpv4Options ? "" : undefined);
    return [
        lspSetType(a.name, a.type), lspSetAddresses(a.name, a.addresses), lspSetOptions(a.name, a.options),
        ...(dhcp === undefined ? [] : [lspSetDhcpv4Options(a.name, dhcp)]), setExternalIds(TABLE, a.name, a.externalIds),
    ];
}

export const logicalSwitchPortKind: NbKind<LogicalSwitchPortArgs> = {
    tables: [TABLE, "Logical_Switch"],
    identity: ["name", "switch"],
    create: (a) => [lspAdd(a.switch, a.name), ...columns(a)],
    update: (o, a) => columns(a, o),
    remove: (a) => [lspDel(a.name)],
    fields: {
        switch: { validate: rowName, valid: "the switch's name, e.g. ls-node1" },
        type: { validate: (t: string) => lspSetType("x", t), valid: '"" (a workload), "router", "localnet", ... (a-z, at most 20)', required: false },
        addresses: {
            validate: (a: string[]) => { if (!Array.isArray(a)) throw new Error("not a list"); lspSetAddresses("x", a); },
            valid: '"router", "unknown", "dynamic" or "MAC IP", e.g. ["02:00:00:00:01:03 10.244.1.3"]', required: false,
        },
        options: { validate: (o: Record<string, string>) => lspSetOptions("x", o), valid: 'a map, e.g. {"router-port": "lr-node1"}', required: false },
        dhcpv4Options: { validate: (u: string) => u === "" || validUuid(u), valid: 'a DHCP_Options row\'s uuid (DhcpOptions.uuid), or "" for none', required: false },
    },
    defaults: { type: "", addresses: [], options: {} },
    find: (s, a) => byName(s[TABLE], a.name),
    read: (s, row, a) => ({
        name: a.name,
        switch: String(portOwner(s.Logical_Switch, row)?.name ?? ""),
        type: String(row.type ?? ""),
        addresses: stringSet(row.addresses),
        options: stringMap(row.options),
        externalIds: ownedIds(row, a.externalIds),
        ...(a.dhcpv4Options === undefined ? {} : { dhcpv4Options: stringSet(row.dhcpv4_options)[0] ?? "" }),
    }),
};

export const logicalSwitchPortHandler = nbHandler(logicalSwitchPortKind);

export class LogicalSwitchPort extends OvnlabResource {
    declare readonly name: pulumi.Output<string>;
    declare readonly addresses: pulumi.Output<string[]>;
    constructor(name: string, args: InputsOf<LogicalSwitchPortArgs>, opts?: pulumi.CustomResourceOptions) {
        super("nb", "LogicalSwitchPort", name, { ...args, command: createCommand(logicalSwitchPortKind, args) }, opts);
    }
}
