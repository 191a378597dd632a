// OVN kind: a static route (`ovn-nbctl lr-route-add lr0 0.0.0.0/0 100.64.0.2`). A
// Logical_Router_Static_Route row has no name column and lr-route-add sets no
// external_ids, so the row is found by what it is: the router whose
// `static_routes` holds it, with this ip_prefix and nexthop. `name` is only the
// resource's id (e.g. lr0-default). A route changed by hand (another nexthop)
// is no longer found: refresh reports it gone and up adds it again
// (`--may-exist lr-route-add` replaces the nexthop of a route to the same prefix).
import * as pulumi from "../../kit/pulumiCore";
import { rowName, stringSet } from "../../commands/ovnNbctl";
import { lrRouteAdd, lrRouteDel, validPrefix } from "../../commands/ovnNbctlRouting";
import { validIpv4 } from "../../plan/validate";
import { OvnlabResource } from "../../kit/resource";
import { byName, createCommand, InputsOf, NbKind, nbHandler, NbRowArgs, NbSnapshot } from "../kind";
import { Row } from "../../commands/ovnNbctl";

export interface StaticRouteArgs extends NbRowArgs {
    router: string;
    prefix: string;
    nexthop: string;
}

const TABLE = "Logical_Router_Static_Route";

/** The rows a router's `static_routes` column names. */
export function routesOf(snapshot: NbSnapshot, router: string): Row[] {
    const owner = byName(snapshot.Logical_Router, router);
    const uuids = new Set(stringSet(owner?.static_routes));
    return (snapshot[TABLE] ?? []).filter((r) => uuids.has(r.uuid));
}

/** Rows without a name carry no ovnlab marks: an empty externalIds is the only valid one. */
export const NO_MARKS = {
    validate: (ids: Record<string, string>) => { if (Object.keys(ids ?? {}).length > 0) throw new Error("this row's verbs set no external_ids"); },
    valid: "{} (the row is found by its router and columns, not by a mark)", required: false,
};

export const staticRouteKind: NbKind<StaticRouteArgs> = {
    tables: [TABLE, "Logical_Router"],
    identity: ["name", "router", "prefix", "nexthop"],
    create: (a) => [lrRouteAdd(a.router, a.prefix, a.nexthop)],
    update: () => [],
    remove: (a) => [lrRouteDel(a.router, a.prefix, a.nexthop)],
    // Located (see ../kind.ts): looked up before create (an interrupted up's route adopted), update (gone:
    // added again) and delete (gone, or its router gone: nothing to do; lr-route-del fails on a missing router).
    located: true,
    fields: {
        router: { validate: rowName, valid: "the router's name, e.g. lr0" },
        prefix: { validate: validPrefix, valid: "an IPv4 network/prefix, e.g. 0.0.0.0/0" },
        nexthop: { validate: validIpv4, valid: "an IPv4 address, e.g. 100.64.0.2" },
        externalIds: NO_MARKS,
    },
    find: (s, a) => routesOf(s, a.router).find((r) => r.ip_prefix === a.prefix && r.nexthop === a.nexthop),
    read: (_s, row, a) => ({ name: a.name, router: a.router, prefix: String(row.ip_prefix), nexthop: String(row.nexthop), externalIds: {} }),
};

export const staticRouteHandler = nbHandler(staticRouteKind);

export class StaticRoute extends OvnlabResource {
    declare readonly prefix: pulumi.Output<string>;
    declare readonly nexthop: pulumi.Output<string>;
    constructor(name: string, args: InputsOf<StaticRouteArgs>, opts?: pulumi.CustomResourceOptions) {
        super("nb", "StaticRoute", name, { ...args, command: createCommand(staticRouteKind, args) }, opts);
    }
}
