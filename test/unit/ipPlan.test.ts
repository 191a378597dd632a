import { describe, expect, it } from "vitest";
import { ConfigError, validateConfig } from "../../components/plan/config";
import { planLab, subnetPrefixFor } from "../../components/plan/ipPlan";

const plan = (raw: Record<string, unknown> = {}) => planLab(validateConfig(raw, "dev"));

function planError(raw: Record<string, unknown>): ConfigError {
    try {
        plan(raw);
    } catch (e) {
        if (e instanceof ConfigError) return e;
        throw e;
    }
    throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

describe("IP plan with the defaults reproduces the walk-through", () => {
    const p = plan();
    it("node subnets, gateways and router ports", () => {
        expect(p.nodes.map((n) => [n.name, n.subnet, n.gateway, n.gatewayCidr, n.routerMac, n.routerPort, n.switchName, n.switchRouterPort])).toEqual([
            ["node1", "10.244.1.0/24", "10.244.1.1", "10.244.1.1/24", "00:00:00:01:01:01", "lr-node1", "ls-node1", "ls-node1-lr"],
            ["node2", "10.244.2.0/24", "10.244.2.1", "10.244.2.1/24", "00:00:00:02:01:01", "lr-node2", "ls-node2", "ls-node2-lr"],
        ]);
    });
    it("underlay addresses and the central", () => {
        expect(p.nodes.map((n) => n.underlayCidr)).toEqual(["172.16.56.2/24", "172.16.56.3/24"]);
        expect(p.central).toEqual({ node: "node1", ip: "172.16.56.2", nbRemote: "tcp:172.16.56.2:6641", sbRemote: "tcp:172.16.56.2:6642" });
    });
    it("containers netsho1..4, two per node, from .3 with MACs that follow the address", () => {
        expect(p.containers.map((c) => [c.name, c.node, c.cidr, c.mac, c.gateway])).toEqual([
            ["netsho1", "node1", "10.244.1.3/24", "02:00:00:00:01:03", "10.244.1.1"],
            ["netsho2", "node1", "10.244.1.4/24", "02:00:00:00:01:04", "10.244.1.1"],
            ["netsho3", "node2", "10.244.2.3/24", "02:00:00:00:02:03", "10.244.2.1"],
            ["netsho4", "node2", "10.244.2.4/24", "02:00:00:00:02:04", "10.244.2.1"],
        ]);
    });
    it("capacity: 255 /24s in a /16 (subnet 0 unused)", () => {
        expect(p.subnetPrefix).toBe(24);
        expect(p.nodeCapacity).toBe(255);
    });
});

describe("subnet sizing from containers per node", () => {
    it.each([
        [1, 29], [4, 29], [5, 28], [12, 28], [13, 27], [60, 26], [124, 25], [252, 24], [253, 23], [508, 23], [509, 22],
    ])("%i containers need a /%i", (containers, prefix) => {
        expect(subnetPrefixFor(containers)).toBe(prefix);
    });

    it("a /23 when a /24 is too small, and node 1 starts at the second /23", () => {
        const p = plan({ containersPerNode: 300 });
        expect(p.subnetPrefix).toBe(23);
        expect(p.nodes.map((n) => [n.subnet, n.gateway])).toEqual([["10.244.2.0/23", "10.244.2.1"], ["10.244.4.0/23", "10.244.4.1"]]);
        expect(p.nodeCapacity).toBe(127);
    });

    it("the last usable address of a /23 node subnet can be planned", () => {
        const p = plan({ containersPerNode: 300, containers: [{ name: "a", node: "node1", ip: "10.244.3.254" }] });
        expect(p.containers[0].cidr).toBe("10.244.3.254/23");
    });
});

describe("single-l2: one flat domain", () => {
    it("addresses in the pod CIDR's prefix, no gateway, as in the first experiment", () => {
        const p = plan({ experiment: "single-l2" });
        expect(p.nodes).toHaveLength(1);
        expect(p.containers.map((c) => [c.name, c.cidr, c.mac, c.gateway])).toEqual([
            ["netsho1", "10.244.1.3/16", "02:00:00:00:01:03", undefined],
            ["netsho2", "10.244.1.4/16", "02:00:00:00:01:04", undefined],
        ]);
    });
});

describe("stable, explicit and checked container addresses", () => {
    const base = [
        { name: "netsho1", node: "node1" },
        { name: "netsho2", node: "node1" },
        { name: "netsho3", node: "node2" },
    ];
    it("appending a container never renumbers the others", () => {
        const before = plan({ containers: base }).containers;
        const after = plan({ containers: [...base, { name: "nginx1", node: "node1" }] }).containers;
        expect(after.slice(0, 3)).toEqual(before);
        expect(after[3]).toMatchObject({ ip: "10.244.1.5", mac: "02:00:00:00:01:05" });
    });
    it("automatic addresses flow around explicit ones", () => {
        const p = plan({ containers: [{ name: "a", node: "node1" }, { name: "b", node: "node1", ip: "10.244.1.4", mac: "02:AA:00:00:00:01" }, { name: "c", node: "node1" }] });
        expect(p.containers.map((c) => [c.name, c.ip, c.mac])).toEqual([
            ["a", "10.244.1.3", "02:00:00:00:01:03"],
            ["b", "10.244.1.4", "02:aa:00:00:00:01"],
            ["c", "10.244.1.5", "02:00:00:00:01:05"],
        ]);
    });
    it("a full node subnet is reported", () => {
        const e = planError({ containersPerNode: 4, containers: Array.from({ length: 5 }, (_, i) => ({ name: `c${i}`, node: "node1" })) });
        expect(e.issues).toHaveLength(1);
        expect(e.message).toMatch(/ovnlab:containers\[4\].*node1's subnet 10\.244\.0\.8\/29 is full/);
    });
});

describe("plan errors name the key, the value and what is valid", () => {
    it.each<[string, Record<string, unknown>, RegExp]>([
        ["bad pod CIDR", { podCidr: "10.244.0.0/33" }, /ovnlab:podCidr = "10\.244\.0\.0\/33": not a valid CIDR; valid: an IPv4 CIDR/],
        ["host bits set", { podCidr: "10.244.1.0/16" }, /ovnlab:podCidr .*host bits are set; valid: the network address: 10\.244\.0\.0\/16/],
        ["IPv6 rejected", { podCidr: "fd00::/64" }, /ovnlab:podCidr .*IPv6 is not supported/],
        ["overlap", { hostCidr: "10.244.200.0/24" }, /ovnlab:hostCidr .*overlaps podCidr 10\.244\.0\.0\/16/],
        ["pod CIDR too small for max nodes", { podCidr: "10.244.0.0/20", maxNodes: 20 }, /ovnlab:maxNodes = 20: podCidr 10\.244\.0\.0\/20 holds 15 node subnets .* fewer than maxNodes 20/],
        ["more nodes than max", { nodes: 5, maxNodes: 4 }, /ovnlab:nodes = 5: more nodes than maxNodes 4/],
        ["containers per node larger than the pod CIDR", { podCidr: "10.244.0.0/24", containersPerNode: 250 }, /ovnlab:containersPerNode = 250: .*cannot hold twice; valid: at most 124/],
        ["host network too small", { hostCidr: "172.16.56.0/30", nodes: 2 }, /ovnlab:hostCidr .*holds 1 node addresses, fewer than the 2 nodes/],
        ["ip outside the node subnet", { containers: [{ name: "a", node: "node1", ip: "10.244.2.3" }] }, /containers\[0\]\.ip = "10\.244\.2\.3": is outside node1's subnet 10\.244\.1\.0\/24/],
        ["ip equal to the gateway", { containers: [{ name: "a", node: "node1", ip: "10.244.1.1" }] }, /containers\[0\]\.ip = "10\.244\.1\.1": is node1's gateway; valid: 10\.244\.1\.3 to 10\.244\.1\.254/],
        ["ip reserved", { containers: [{ name: "a", node: "node1", ip: "10.244.1.255" }] }, /is reserved/],
        ["duplicate ip", { containers: [{ name: "a", node: "node1", ip: "10.244.1.9" }, { name: "b", node: "node1", ip: "10.244.1.9" }] }, /containers\[1\]\.ip .*already given to a/],
        ["not an ip", { containers: [{ name: "a", node: "node1", ip: "10.244.1" }] }, /containers\[0\]\.ip .*not a dotted-quad/],
        ["bad mac", { containers: [{ name: "a", node: "node1", mac: "02:00:00:00:01" }] }, /containers\[0\]\.mac .*not a MAC address/],
        ["multicast mac", { containers: [{ name: "a", node: "node1", mac: "01:00:5e:00:00:01" }] }, /multicast or zero MAC/],
        // Found by test/unit/planProperties.test.ts: "valid: at most -2 for this podCidr".
        ["pod CIDR too small for two node subnets", { podCidr: "10.244.0.0/30", containersPerNode: 1 }, /ovnlab:podCidr = "10\.244\.0\.0\/30": too small: node subnets start at a \/29.*; valid: a \/28 or larger/],
        // Found by test/unit/planProperties.test.ts: a container could take lr-node2's MAC on ls-node2.
        ["mac of a router port", { containers: [{ name: "a", node: "node2", mac: "00:00:00:02:01:01" }] }, /containers\[0\]\.mac = "00:00:00:02:01:01": already used by lr-node2; valid: a distinct MAC per container/],
        ["duplicate mac", { containers: [{ name: "a", node: "node1", mac: "02:00:00:00:01:04" }, { name: "b", node: "node1" }] }, /containers\[1\]\.mac = "02:00:00:00:01:04": already used by a/],
    ])("%s", (_title, raw, message) => {
        expect(planError(raw).message).toMatch(message);
    });
});
