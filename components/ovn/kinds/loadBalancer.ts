// OVN kind: a load balancer (`ovn-nbctl lb-add web 10.96.0.10:80 10.244.1.6:80,10.244.2.4:80 tcp`)
// and the switches it is applied on (`ls-lb-add ls-node1 web`), found by name; its switches are
// those whose `load_balancer` column holds it. One VIP per row: the row is the VIP.
import * as pulumi from "../../kit/pulumiCore";
import { rowName, stringMap, stringSet } from "../../commands/ovnNbctl";
import { ipPort, lbAdd, lbDel, lbSetColumns, lbSetExternalIds, lsLbAdd, lsLbDel } from "../../commands/ovnServices";
import { OvnlabResource } from "../../kit/resource";
import { byName, createCommand, InputsOf, NbKind, nbHandler, NbRowArgs, ownedIds } from "../kind";

export interface LoadBalancerArgs extends NbRowArgs {
    /** `IP:PORT`, e.g. 10.96.0.10:80. */
    vip: string;
    /** `IP:PORT` each, e.g. ["10.244.1.6:80", "10.244.2.4:80"]. */
    backends: string[];
    protocol: string;
    /** The switches whose clients reach the VIP, e.g. ["ls-node1", "ls-node2"]. */
    switches: string[];
}

const TABLE = "Load_Balancer";

export const loadBalancerKind: NbKind<LoadBalancerArgs> = {
    tables: [TABLE, "Logical_Switch"],
    identity: ["name"],
    // Located: an interrupted create's row is adopted (its columns set as wanted) rather than added twice.
    located: true,
    create: (a) => [lbAdd(a.name, a.vip, a.backends, a.protocol), lbSetExternalIds(a.name, a.externalIds), ...a.switches.map((s) => lsLbAdd(s, a.name))],
    update: (o, a) => [
        lbSetColumns(a.name, a.vip, a.backends, a.protocol), lbSetExternalIds(a.name, a.externalIds),
        ...(o.switches ?? []).filter((s) => !a.switches.includes(s)).map((s) => lsLbDel(s, a.name)),
        ...a.switches.map((s) => lsLbAdd(s, a.name)),
    ],
    remove: (a) => [lbDel(a.name)],
    fields: {
        vip: { validate: ipPort, valid: "IP:PORT, e.g. 10.96.0.10:80" },
        backends: {
            validate: (b: string[]) => { if (!Array.isArray(b) || b.length === 0) throw new Error("not a non-empty list"); b.forEach(ipPort); },
            valid: 'IP:PORT each, e.g. ["10.244.1.6:80", "10.244.2.4:80"]',
        },
        protocol: { validate: (p: string) => { if (p !== "tcp" && p !== "udp") throw new Error("not tcp or udp"); }, valid: "tcp or udp", required: false },
        switches: {
            validate: (s: string[]) => { if (!Array.isArray(s)) throw new Error("not a list"); s.forEach(rowName); },
            valid: 'switch names, e.g. ["ls-node1", "ls-node2"]', required: false,
        },
    },
    defaults: { protocol: "tcp", switches: [] },
    find: (s, a) => byName(s[TABLE], a.name),
    read: (s, row, a) => {
        const vips = stringMap(row.vips);
        // The VIP ovnlab manages if it is still there, else whichever the row has now (refresh shows the change).
        const vip = a.vip in vips ? a.vip : Object.keys(vips).sort()[0] ?? "";
        return {
            name: a.name,
            vip,
            backends: (vips[vip] ?? "").split(",").filter(Boolean),
            protocol: String(row.protocol ?? "tcp") || "tcp",
            switches: (s.Logical_Switch ?? []).filter((ls) => stringSet(ls.load_balancer).includes(row.uuid)).map((ls) => String(ls.name)).sort(),
            externalIds: ownedIds(row, a.externalIds),
        };
    },
};

export const loadBalancerHandler = nbHandler(loadBalancerKind);

export class LoadBalancer extends OvnlabResource {
    declare readonly name: pulumi.Output<string>;
    declare readonly vip: pulumi.Output<string>;
    declare readonly backends: pulumi.Output<string[]>;
    constructor(name: string, args: InputsOf<LoadBalancerArgs>, opts?: pulumi.CustomResourceOptions) {
        super("nb", "LoadBalancer", name, { ...args, command: createCommand(loadBalancerKind, args) }, opts);
    }
}
