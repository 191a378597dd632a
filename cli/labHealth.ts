// The health of a running lab, object by object, as `diagram --live` reports
// it: each node's daemons (ovsdb-server, ovs-vswitchd, ovn-controller) alive or
// dead and its chassis in the southbound database, the central's databases and
// ovn-northd, each workload's port bound or not (an OVS interface with
// external_ids:iface-id on its node, and the SB Port_Binding on that node's
// chassis), and every resource a refresh finds drifted or gone, given to the
// object it belongs to (the OVN services' through cli/servicesHealth.ts).
// Pure: probes and the refresh preview come in as data (cli/liveDiagram.ts
// gathers them); the Topology marking is liveTopology.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { parseInterfaceIds } from "../components/commands/ovnController";
import { parseSbChassis, ProbeResult, ShowReport } from "./inspectCommands";
import type { CentralHealthProbeId, NodeHealthProbeId } from "./healthProbes";
import { serviceObjects, serviceOwner, servicesWithHealth } from "./servicesHealth";
import type { TopologyServices } from "./servicesTopology";
import type { Health, Topology } from "./topologyDiagram";

export interface DaemonState {
    daemon: string;
    alive: boolean;
    /** The command whose answer says so, and what it said when it failed. */
    command: string;
    detail?: string;
}

export interface ObjectHealth {
    healthy: boolean;
    problems: string[];
}

export interface NodeHealth extends ObjectHealth {
    name: string;
    chassis?: string;
    daemons: DaemonState[];
    /** OVN: whether the SB database lists the node's chassis (undefined: the SB did not answer). */
    chassisRegistered?: boolean;
}

export interface WorkloadHealth extends ObjectHealth {
    name: string;
    node: string;
    logicalPort?: string;
    /** Bound: its node has an OVS interface for it and (OVN) the SB binds its port to the node's chassis. */
    port: { bound: boolean; interface?: string; chassis?: string };
}

export interface CentralHealth extends ObjectHealth {
    node?: string;
    daemons: DaemonState[];
}

/** A resource `pulumi refresh` would change: its outputs differ from the state (update) or it is gone (delete). */
export interface DriftedResource {
    type: string;
    name: string;
    change: "update" | "delete";
    /** What its read found wrong (the resource's `problems` output), or which outputs changed. */
    problems: string[];
}

export interface LabHealth {
    stack: string;
    healthy: boolean;
    /** The unhealthy objects, `<kind> <name>`: node node2, workload netsho3, switch ls-node1, router lr0, central, lab. */
    unhealthy: string[];
    /** Every problem, `<object>: <what>`. */
    problems: string[];
    nodes: NodeHealth[];
    central?: CentralHealth;
    workloads: WorkloadHealth[];
    switches: ({ name: string } & ObjectHealth)[];
    router?: { name: string } & ObjectHealth;
    /** The OVN services' objects (cli/servicesHealth.ts): `load balancer web`, `acls pg_nginx1`, `dhcp ls-node1-dhcp`, `gateway gw0`, ... */
    services: ({ object: string } & ObjectHealth)[];
    /** What is the lab's rather than one object's (the underlay, the image, a resource of another kind). */
    lab: ObjectHealth;
    drift: DriftedResource[];
    /** What was run, in order, with its exit status. */
    commands: { command: string; exitCode: number }[];
}

/** Everything one live look gathered. */
export interface LiveFindings {
    show: ShowReport;
    nodeProbes: Record<string, Partial<Record<NodeHealthProbeId, ProbeResult<NodeHealthProbeId>>>>;
    centralProbes?: Record<CentralHealthProbeId, ProbeResult<CentralHealthProbeId>>;
    workloads: { name: string; node: string; logicalPort?: string }[];
    /** The lab's logical switches (per node) and router, to give drifted NB rows to. */
    switches: { name: string; node: string; routerPort?: string }[];
    router?: string;
    /** The plan's load balancers, ACLs, DHCP rows and gateway, to give their drifted resources to. */
    services?: TopologyServices;
    refresh: { command: string; exitCode: number; drift: DriftedResource[] };
}

const firstLine = (text: string) => text.trim().split("\n")[0] ?? "";
const lastWord = (type: string) => type.split(":").pop() ?? type;

/** What a refresh preview's events say changed: each resource's outputs event whose op is update or delete. */
export function driftFromEvents(events: EngineEvent[]): DriftedResource[] {
    const drift: DriftedResource[] = [];
    for (const event of events) {
        const m = event.resOutputsEvent?.metadata;
        if (!m || (m.op !== "update" && m.op !== "delete") || m.type.startsWith("pulumi:")) continue;
        const name = m.urn.split("::").pop() ?? m.urn;
        if (m.op === "delete") {
            drift.push({ type: m.type, name, change: "delete", problems: ["gone (up makes it again)"] });
            continue;
        }
        const before = m.old?.outputs ?? {};
        const after = m.new?.outputs ?? {};
        const found = Array.isArray(after.problems) ? after.problems.filter((p): p is string => typeof p === "string") : [];
        const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])]
            .filter((k) => k !== "problems" && JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
        drift.push({ type: m.type, name, change: "update", problems: found.length ? found : [`changed outside ovnlab: ${changed.join(", ") || "its state"}`] });
    }
    return drift;
}

/** Which object a drifted resource's problem belongs to: by the resource's name, and for Readiness by what the problem names. */
export function driftOwner(resource: DriftedResource, problem: string, findings: Pick<LiveFindings, "show" | "workloads" | "switches" | "router" | "services">): string {
    const kind = lastWord(resource.type);
    if (kind === "Readiness") {
        const port = /^port (\S+) on node \S+:/.exec(problem);
        const byPort = port && findings.workloads.find((w) => w.logicalPort === port[1]);
        if (byPort) return `workload ${byPort.name}`;
        const node = /^node (\S+):/.exec(problem);
        if (node && findings.show.nodes.some((n) => n.name === node[1])) return `node ${node[1]}`;
        return "lab";
    }
    if (kind === "OvnCentral" || kind === "DbConnection") return "central";
    const service = serviceOwner(resource, findings.services, findings.router);
    if (service) return service;
    const n = resource.name;
    if (findings.show.nodes.some((node) => node.name === n)) return `node ${n}`;
    const workload = findings.workloads.find((w) => w.name === n || `${w.name}-plug` === n || w.logicalPort === n);
    if (workload) return `workload ${workload.name}`;
    const sw = findings.switches.find((s) => s.name === n || `${s.name}-lr` === n);
    if (sw) return `switch ${sw.name}`;
    if (findings.router && (n === findings.router || findings.switches.some((s) => s.routerPort === n))) return `router ${findings.router}`;
    return "lab";
}

const failed = (r: ProbeResult<string> | undefined) => r !== undefined && r.exitCode !== 0;
const daemon = (name: string, r: ProbeResult<string>): DaemonState =>
    ({ daemon: name, alive: r.exitCode === 0, command: r.command, ...(r.exitCode === 0 ? {} : { detail: firstLine(r.output) || `exit ${r.exitCode}` }) });

/** The health model of one live look. */
export function labHealth(findings: LiveFindings): LabHealth {
    const { show } = findings;
    const problemsOf = new Map<string, string[]>();
    const add = (object: string, problem: string) => problemsOf.set(object, [...(problemsOf.get(object) ?? []), problem]);
    const south = show.central?.probes.southbound;
    const sb = south && south.exitCode === 0 ? parseSbChassis(south.output) : undefined;

    const nodes: NodeHealth[] = show.nodes.map((node) => {
        const extra = findings.nodeProbes[node.name] ?? {};
        const daemons = [daemon("ovsdb-server", node.probes.bridges), daemon("ovs-vswitchd", node.probes.datapathFlows)];
        if (extra.controller) daemons.push(daemon("ovn-controller", extra.controller));
        const object = `node ${node.name}`;
        for (const d of daemons) if (!d.alive) add(object, `${d.daemon} is not answering: ${d.detail}`);
        const status = extra.controller?.exitCode === 0 ? firstLine(extra.controller.output) : undefined;
        if (status !== undefined && status !== "connected") add(object, `ovn-controller is not connected to the southbound database (connection-status: ${status || "nothing"})`);
        if (daemons[1].alive && failed(node.probes.openflow)) add(object, `${node.probes.openflow.title} could not be read: ${firstLine(node.probes.openflow.output)}`);
        const registered = node.chassis && sb ? sb.has(node.chassis) : undefined;
        if (registered === false) add(object, `chassis ${node.chassis} is not in the southbound database`);
        return { name: node.name, ...(node.chassis ? { chassis: node.chassis } : {}), daemons, ...(registered === undefined ? {} : { chassisRegistered: registered }), healthy: true, problems: [] };
    });

    const workloads: WorkloadHealth[] = findings.workloads.map((w) => {
        const object = `workload ${w.name}`;
        const listing = findings.nodeProbes[w.node]?.interfaces;
        const interfaces = listing?.exitCode === 0 ? parseInterfaceIds(listing.output) : undefined;
        const wanted = w.logicalPort === undefined ? `external_ids:container_id=${w.name}` : `external_ids:iface-id=${w.logicalPort}`;
        const iface = interfaces && [...interfaces].find(([, i]) => (w.logicalPort === undefined ? i.externalIds.container_id === w.name : i.externalIds["iface-id"] === w.logicalPort))?.[0];
        if (!interfaces) add(object, `its port is unknown: ${w.node}'s OVS interfaces could not be listed${listing ? `: ${firstLine(listing.output)}` : ""}`);
        else if (!iface) add(object, `port unbound: no OVS interface on ${w.node} has ${wanted}`);
        let chassis: string | undefined;
        const expected = show.nodes.find((n) => n.name === w.node)?.chassis;
        if (w.logicalPort !== undefined) {
            chassis = sb && [...sb].find(([, ports]) => ports.includes(w.logicalPort!))?.[0];
            if (!sb) add(object, `the binding of logical port ${w.logicalPort} is unknown: the southbound database did not answer`);
            else if (chassis === undefined) add(object, `port unbound: logical port ${w.logicalPort} is bound to no chassis in the southbound database`);
            else if (expected && chassis !== expected) add(object, `logical port ${w.logicalPort} is bound to ${chassis}, not to ${w.node}'s chassis ${expected}`);
        }
        const bound = iface !== undefined && (w.logicalPort === undefined || (chassis !== undefined && (expected === undefined || chassis === expected)));
        return {
            name: w.name, node: w.node, ...(w.logicalPort === undefined ? {} : { logicalPort: w.logicalPort }),
            port: { bound, ...(iface ? { interface: iface } : {}), ...(chassis ? { chassis } : {}) }, healthy: true, problems: [],
        };
    });

    let central: CentralHealth | undefined;
    if (show.central) {
        const { northbound, southbound } = show.central.probes;
        const daemons = [daemon("NB ovsdb-server", northbound), daemon("SB ovsdb-server", southbound)];
        const northd = findings.centralProbes?.northd;
        if (northd) daemons.push(daemon("ovn-northd", northd));
        for (const d of daemons) if (!d.alive) add("central", `${d.daemon} is not answering: ${d.detail}`);
        if (northd?.exitCode === 0 && !/\bactive\b/.test(northd.output)) add("central", `ovn-northd is not active (${firstLine(northd.output)})`);
        central = { ...(show.central.node ? { node: show.central.node } : {}), daemons, healthy: true, problems: [] };
    }

    for (const resource of findings.refresh.drift) {
        for (const p of resource.problems) add(driftOwner(resource, p, findings), `${lastWord(resource.type)} ${resource.name}: ${p}`);
    }
    if (findings.refresh.exitCode !== 0) add("lab", "the refresh preview failed");

    const judged = <T extends ObjectHealth>(object: string, value: T): T => {
        const problems = problemsOf.get(object) ?? [];
        return { ...value, healthy: problems.length === 0, problems };
    };
    const switches = findings.switches.map((s) => judged(`switch ${s.name}`, { name: s.name, healthy: true, problems: [] as string[] }));
    const health: Omit<LabHealth, "healthy" | "unhealthy" | "problems"> = {
        stack: show.stack,
        nodes: nodes.map((n) => judged(`node ${n.name}`, n)),
        ...(central ? { central: judged("central", central) } : {}),
        workloads: workloads.map((w) => judged(`workload ${w.name}`, w)),
        switches,
        ...(findings.router ? { router: judged(`router ${findings.router}`, { name: findings.router, healthy: true, problems: [] as string[] }) } : {}),
        services: serviceObjects(findings.services).map((object) => judged(object, { object, healthy: true, problems: [] as string[] })),
        lab: judged("lab", { healthy: true, problems: [] }),
        drift: findings.refresh.drift,
        commands: [
            findings.refresh,
            ...show.nodes.flatMap((n) => [...Object.values<ProbeResult<string>>(n.probes), ...Object.values(findings.nodeProbes[n.name] ?? {}) as ProbeResult<string>[]]),
            ...(show.central ? Object.values<ProbeResult<string>>(show.central.probes) : []),
            ...Object.values<ProbeResult<string>>(findings.centralProbes ?? {}),
        ].map((r) => ({ command: r.command, exitCode: r.exitCode })),
    };
    const unhealthy = [...problemsOf.keys()];
    return { ...health, healthy: unhealthy.length === 0, unhealthy, problems: [...problemsOf].flatMap(([object, ps]) => ps.map((p) => `${object}: ${p}`)) };
}

const daemonsLine = (daemons: DaemonState[]) => daemons.map((d) => `${d.daemon} ${d.alive ? "up" : "DOWN"}`).join(" · ");
const mark = (o: ObjectHealth, state: string[]): Health => ({ healthy: o.healthy, notes: [...state, ...o.problems.map((p) => `! ${p}`)] });

/** The topology (planned, checked against the outputs) with every object's health from a live look. */
export function liveTopology(topology: Topology, health: LabHealth): Topology {
    const lab = health.lab.problems.length ? { lab: mark(health.lab, []) } : {};
    return {
        ...topology,
        source: "live",
        healthy: health.healthy,
        ...(health.router && topology.router === health.router.name ? { routerHealth: mark(health.router, []) } : {}),
        ...lab,
        ...(topology.services ? { services: servicesWithHealth(topology.services, health) } : {}),
        nodes: topology.nodes.map((node) => {
            const h = health.nodes.find((n) => n.name === node.name);
            const sw = node.logicalSwitch && health.switches.find((s) => s.name === node.logicalSwitch!.name);
            const central = health.central && health.central.node === node.name ? { central: mark(health.central, [daemonsLine(health.central.daemons)]) } : {};
            return {
                ...node,
                ...(h ? { health: mark(h, [daemonsLine(h.daemons)]) } : {}),
                ...(sw ? { logicalSwitch: { ...node.logicalSwitch!, health: mark(sw, []) } } : {}),
                ...central,
                containers: node.containers.map((c) => {
                    const w = health.workloads.find((x) => x.name === c.name && x.node === node.name);
                    if (!w) return c;
                    const port = w.port.bound ? `port ${w.port.interface}${w.port.chassis ? ` bound to ${w.port.chassis}` : ""}` : "port UNBOUND";
                    return { ...c, health: mark(w, [port]) };
                }),
            };
        }),
    };
}

/** The report for people: what was run and with what status, then every problem by object. */
export function renderHealth(health: LabHealth): string {
    const lines = [`diagram --live: stack ${health.stack}, a refresh preview (nothing is changed) and these probes:`];
    for (const c of health.commands) lines.push(`$ ${c.command}    # ${c.exitCode === 0 ? "ok" : `failed (exit ${c.exitCode})`}`);
    if (health.drift.length) lines.push("", "refresh would change:", ...health.drift.map((d) => `  ${d.change} ${d.type} ${d.name}`));
    lines.push("", health.healthy ? "== health: healthy" : `== health: ${health.unhealthy.length} unhealthy: ${health.unhealthy.join(", ")}`);
    lines.push(...health.problems.map((p) => `- ${p}`));
    return lines.join("\n") + "\n";
}
