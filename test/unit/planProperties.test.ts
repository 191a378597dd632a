// Property-based: random configurations (node counts, containersPerNode,
// pod/host CIDRs, container lists with optional explicit ip/mac) either plan
// consistently or are rejected with a ConfigError whose every issue names a
// key, a value and a valid form. Never anything else (a TypeError, a plan with
// overlapping subnets, a duplicate address).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CONFIG_KEYS, ConfigError, validateConfig } from "../../components/plan/config";
import { LabPlan, planLab, subnetPrefixFor } from "../../components/plan/ipPlan";

const toInt = (ip: string) => ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
const fromInt = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");

function range(cidr: string): { start: number; size: number } {
    const [ip, prefix] = cidr.split("/");
    return { start: toInt(ip), size: 2 ** (32 - Number(prefix)) };
}

interface Generated {
    raw: Record<string, unknown>;
    /** The containers as given, to check explicit addresses were kept. */
    specs: { name: string; node: string; ip?: string; mac?: string }[];
}

/** A network with prefix in [min, max]; now and then with host bits set (which must be rejected). */
const network = (min: number, max: number) =>
    fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min, max }), fc.integer({ min: 0, max: 9 })).map(([address, prefix, dice]) => {
        const size = 2 ** (32 - prefix);
        return { start: dice === 0 ? address : address - (address % size), prefix };
    });

// Mostly the defaults, so that most configurations plan and the plan's properties get exercised.
const podCidr = fc.oneof({ weight: 4, arbitrary: fc.constant({ start: toInt("10.244.0.0"), prefix: 16 }) }, { weight: 1, arbitrary: network(8, 30) });
const hostCidr = fc.oneof({ weight: 4, arbitrary: fc.constant({ start: toInt("172.16.56.0"), prefix: 24 }) }, { weight: 1, arbitrary: network(16, 32) });
const hex = fc.integer({ min: 0, max: 255 }).map((b) => b.toString(16).padStart(2, "0"));

/** Random MACs (half of them multicast), ones shaped like planned container MACs (02:00:...) and router port MACs (00:00:00:0N:01:01). */
const mac = fc.oneof(
    fc.array(hex, { minLength: 6, maxLength: 6 }).map((bytes) => bytes.join(":")),
    fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 12 })).map(([n, host]) => `02:00:00:00:0${n}:${host.toString(16).padStart(2, "0")}`),
    fc.integer({ min: 1, max: 7 }).map((n) => `00:00:00:0${n}:01:01`),
);

/** Mostly valid, so that most configurations plan; now and then wrong (a duplicate name, a node the lab lacks, an address outside). */
const container = fc.record({
    /** Undefined: a name of its own; else one of a few shared names. */
    name: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom("a", "web", "netsho1", "netsho2") }),
    /** An index into the lab's nodes, or (rarely) any of node1..node7. */
    node: fc.oneof({ weight: 40, arbitrary: fc.nat().map((pick) => ({ pick })) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 7 }).map((any) => ({ any })) }),
    /** Mostly none; else an address in the node's subnet (now and then a reserved one), or any address. */
    ip: fc.oneof(
        { weight: 12, arbitrary: fc.constant(undefined) },
        { weight: 4, arbitrary: fc.nat().map((pick) => ({ pick })) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((any) => ({ any })) },
    ),
    mac: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: mac }),
});

const config: fc.Arbitrary<Generated> = fc
    .record({
        nodes: fc.integer({ min: 0, max: 6 }),
        containersPerNode: fc.oneof({ weight: 2, arbitrary: fc.constant(250) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 1100 }) }),
        maxNodes: fc.oneof({ weight: 3, arbitrary: fc.constant(100) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 300 }) }),
        /** single-l2 mostly with its one node, and now and then with more (rejected). */
        experiment: fc.constantFrom("multi-l2", "multi-l2", "multi-l2", "single-l2"),
        singleL2Nodes: fc.constantFrom(0, 1, 1, 2),
        pod: podCidr,
        host: hostCidr,
        containers: fc.option(fc.array(container, { maxLength: 10 }), { nil: undefined }),
    })
    .map((g) => {
        const nodes = g.experiment === "single-l2" ? g.singleL2Nodes : g.nodes;
        const nodeCount = nodes || (g.experiment === "single-l2" ? 1 : 2);
        const subnetSize = 2 ** (32 - subnetPrefixFor(g.containersPerNode));
        const specs = (g.containers ?? []).map((c, i) => {
            const node = "any" in c.node ? c.node.any : 1 + (c.node.pick % nodeCount);
            // From the network address to the broadcast one: mostly usable, sometimes reserved.
            const ip = c.ip === undefined ? undefined : "any" in c.ip ? c.ip.any : (g.pod.start + node * subnetSize + (c.ip.pick % subnetSize)) % 2 ** 32;
            return {
                name: c.name ?? `c${i}`,
                node: `node${node}`,
                ...(ip === undefined ? {} : { ip: fromInt(ip) }),
                ...(c.mac === undefined ? {} : { mac: c.mac }),
            };
        });
        const raw: Record<string, unknown> = {
            nodes,
            containersPerNode: g.containersPerNode,
            maxNodes: g.maxNodes,
            experiment: g.experiment,
            podCidr: `${fromInt(g.pod.start)}/${g.pod.prefix}`,
            hostCidr: `${fromInt(g.host.start)}/${g.host.prefix}`,
            ...(g.containers === undefined ? {} : { containers: specs }),
        };
        return { raw, specs };
    });

const ISSUE_KEY = new RegExp(`^(${Object.keys(CONFIG_KEYS).join("|")})$|^containers\\[\\d+\\](\\.(name|node|image|ip|mac))?$`);

function expectGoodIssues(error: ConfigError): void {
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) {
        expect(issue.key).toMatch(ISSUE_KEY);
        expect(issue.value).not.toBeUndefined();
        expect(issue.problem).not.toBe("");
        expect(issue.valid).not.toBe("");
        // A valid form a user can follow: no negative or fractional counts (once "at most -3.5").
        expect(issue.valid).not.toMatch(/(^|\s)(-\d|\d+\.\d+(\s|,|$))/);
        expect(error.message).toContain(`ovnlab:${issue.key} = `);
    }
}

/** Plans, or returns the ConfigError (any other exception fails the property). */
function attempt(raw: Record<string, unknown>): LabPlan | ConfigError {
    try {
        return planLab(validateConfig(raw, "prop"));
    } catch (e) {
        if (e instanceof ConfigError) return e;
        throw e;
    }
}

function expectConsistent(plan: LabPlan, specs: Generated["specs"]): void {
    const pod = range(plan.config.podCidr);
    const host = range(plan.config.hostCidr);
    const subnets = plan.nodes.map((n) => ({ node: n, ...range(n.subnet) }));
    subnets.forEach((s, i) => {
        expect(s.start).toBeGreaterThanOrEqual(pod.start + s.size); // subnet 0 stays unused
        expect(s.start + s.size).toBeLessThanOrEqual(pod.start + pod.size);
        expect(s.start % s.size).toBe(0);
        expect(toInt(s.node.gateway)).toBe(s.start + 1);
        for (const other of subnets.slice(i + 1)) expect(s.start + s.size <= other.start || other.start + other.size <= s.start).toBe(true);
    });
    const underlay = plan.nodes.map((n) => toInt(n.underlayIp));
    expect(new Set(underlay).size).toBe(underlay.length);
    for (const ip of underlay) {
        expect(ip).toBeGreaterThan(host.start + 1); // network and the host's .1
        expect(ip).toBeLessThan(host.start + host.size - 1); // broadcast
    }

    for (const c of plan.containers) {
        const s = subnets.find((x) => x.node.name === c.node)!;
        const ip = toInt(c.ip);
        // Not the network, the gateway, the reserved .2 or the broadcast address.
        expect(ip).toBeGreaterThanOrEqual(s.start + 3);
        expect(ip).toBeLessThanOrEqual(s.start + s.size - 2);
        expect(parseInt(c.mac.slice(0, 2), 16) % 2).toBe(0);
        expect(c.mac).not.toBe("00:00:00:00:00:00");
        const spec = specs.find((x) => x.name === c.name);
        if (spec?.ip !== undefined) expect(c.ip).toBe(spec.ip);
        if (spec?.mac !== undefined) expect(c.mac).toBe(spec.mac.toLowerCase());
    }
    const ips = plan.containers.map((c) => c.ip);
    const macs = plan.containers.map((c) => c.mac);
    expect(new Set(ips).size).toBe(ips.length);
    expect(new Set(macs).size).toBe(macs.length);
    if (plan.config.experiment === "multi-l2") {
        // Router ports share each node's L2 domain with its containers.
        const routerMacs = plan.nodes.map((n) => n.routerMac);
        expect(new Set(routerMacs).size).toBe(routerMacs.length);
        for (const m of routerMacs) expect(macs).not.toContain(m);
    }
}

describe("the IP plan of random configurations", () => {
    it("is consistent, or rejected with issues that each name a key, a value and a valid form", () => {
        fc.assert(
            fc.property(config, ({ raw, specs }) => {
                const result = attempt(raw);
                if (result instanceof ConfigError) return expectGoodIssues(result);
                expectConsistent(result, specs);
            }),
            { numRuns: 2000 },
        );
    });

    it("appending a container never changes the earlier containers' ip or mac", () => {
        fc.assert(
            fc.property(config, fc.option(mac, { nil: undefined }), ({ raw }, appendedMac) => {
                const before = attempt(raw);
                fc.pre(!(before instanceof ConfigError));
                const plan = before as LabPlan;
                const appended = { name: "appended", node: plan.config.nodes[0], ...(appendedMac ? { mac: appendedMac } : {}) };
                const after = attempt({ ...raw, containers: [...plan.config.containers, appended] });
                const index = plan.config.containers.length;
                if (after instanceof ConfigError) {
                    // Only the new container can be at fault (its node is full, its MAC taken).
                    for (const issue of after.issues) expect(issue.key).toMatch(new RegExp(`^containers\\[${index}\\]`));
                    return;
                }
                expect(after.containers.slice(0, index).map((c) => [c.name, c.ip, c.mac])).toEqual(plan.containers.map((c) => [c.name, c.ip, c.mac]));
            }),
            { numRuns: 1000 },
        );
    });
});
