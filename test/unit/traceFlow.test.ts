// trace's pure parts: the microflow, the ovn-trace command line, and the
// parse of real `ovn-trace --summary` output (fixtures captured from a dev lab).
import { readFileSync } from "fs";
import { join } from "path";
import { describe, expect, it } from "vitest";
import type { LabOutputs } from "../../cli/pulumiWorkspace";
import { echoMicroflow, ovnTraceArgv, parseTraceSummary, planEcho, renderRoute, routeVerdict } from "../../cli/traceFlow";

const fixture = (name: string) => readFileSync(join(__dirname, "fixtures", `ovn-trace-${name}.txt`), "utf8");

const SB = "unix:/tmp/ovnlab-t1/central/ovnsb_db.sock";
const node = (n: number) => ({
    name: `node${n}`, underlayIp: `172.16.56.${n + 1}`, subnet: `10.244.${n}.0/24`, gateway: `10.244.${n}.1`, bridge: "br-int",
    chassis: `t1-node${n}`, switchName: `ls-node${n}`, routerPort: `lr-node${n}`, routerMac: `00:00:00:0${n}:01:01`,
});
const container = (name: string, n: number, host: number) => ({ name, node: `node${n}`, ip: `10.244.${n}.${host}`, mac: `02:00:00:00:0${n}:0${host}`, logicalPort: name });
const devOutputs: LabOutputs = {
    nodes: [node(1), node(2)],
    containers: [container("netsho1", 1, 3), container("netsho2", 1, 4), container("netsho3", 2, 3)],
    central: { nb: "tcp:172.16.56.2:6641", sb: "tcp:172.16.56.2:6642", nbSocket: "unix:/tmp/ovnlab-t1/central/ovnnb_db.sock", sbSocket: SB },
};

describe("the echo to trace", () => {
    it("is the walk-through's ping as OVN's expression: the sender's port, MACs, addresses, TTL 64, ICMP echo request", () => {
        expect(echoMicroflow({ inport: "netsho1", ethSrc: "02:00:00:00:01:03", ethDst: "00:00:00:01:01:01", ip4Src: "10.244.1.3", ip4Dst: "10.244.2.3" })).toBe(
            'inport == "netsho1" && eth.src == 02:00:00:00:01:03 && eth.dst == 00:00:00:01:01:01 && ip4.src == 10.244.1.3 && ip4.dst == 10.244.2.3 && ip.ttl == 64 && icmp4.type == 8');
    });
    it("refuses words that would change the expression", () => {
        expect(() => echoMicroflow({ inport: 'a" || 1', ethSrc: "02:00:00:00:01:03", ethDst: "02:00:00:00:01:04", ip4Src: "10.244.1.3", ip4Dst: "10.244.1.4" })).toThrow(/invalid OVN name/);
        expect(() => echoMicroflow({ inport: "netsho1", ethSrc: "02:00:00:00:01:03", ethDst: "ff:ff:ff:ff:ff:ff", ip4Src: "10.244.1.3", ip4Dst: "10.244.1.4" })).toThrow(/MAC/);
    });
    it("addresses the gateway's router port MAC across nodes, the destination's MAC on the same node", () => {
        const across = planEcho("t1", devOutputs, "netsho1", "netsho3");
        expect(across).toMatchObject({ sbDb: SB, datapath: "ls-node1", packet: { inport: "netsho1", ethSrc: "02:00:00:00:01:03", ethDst: "00:00:00:01:01:01", ip4Src: "10.244.1.3", ip4Dst: "10.244.2.3" } });
        expect(planEcho("t1", devOutputs, "netsho1", "netsho2").packet.ethDst).toBe("02:00:00:00:01:04");
    });
    it("explains what cannot be traced", () => {
        expect(() => planEcho("t1", devOutputs, "netsho1", "netsho9")).toThrow("stack t1 has no container netsho9; it has netsho1, netsho2, netsho3");
        expect(() => planEcho("t1", devOutputs, "netsho1", "netsho1")).toThrow(/two different containers/);
        expect(() => planEcho("sl2", { ...devOutputs, central: undefined }, "netsho1", "netsho2")).toThrow(/runs no OVN/);
        const old = { ...devOutputs, nodes: devOutputs.nodes.map(({ switchName: _s, routerMac: _m, ...rest }) => rest) };
        expect(() => planEcho("t1", old, "netsho1", "netsho3")).toThrow(/npm run lab:up/);
    });
    it("runs ovn-trace on the sender's switch, the microflow one argv word", () => {
        expect(ovnTraceArgv(SB, "ls-node1", 'inport == "netsho1"', "summary")).toEqual(["ovn-trace", `--db=${SB}`, "--summary", "ls-node1", 'inport == "netsho1"']);
        expect(ovnTraceArgv(SB, "ls-node1", "x", "detailed")[2]).toBe("--detailed");
        expect(() => ovnTraceArgv("unix:relative.sock", "ls-node1", "x", "summary")).toThrow(/socket path/);
    });
});

describe("reading ovn-trace --summary", () => {
    it("across nodes: switch, router lr0, the other node's switch, delivered to the destination's port", () => {
        const route = parseTraceSummary(fixture("across-nodes"));
        expect(route).toEqual({
            hops: [
                { datapath: "ls-node1", inport: "netsho1", outports: ["ls-node1-lr"] },
                { datapath: "lr0", inport: "lr-node1", outports: ["lr-node2"] },
                { datapath: "ls-node2", inport: "ls-node2-lr", outports: ["netsho3"] },
            ],
            delivered: ["netsho3"], generated: [], drops: [],
        });
        expect(renderRoute(route)).toBe("ls-node1 [netsho1 -> ls-node1-lr] -> lr0 [lr-node1 -> lr-node2] -> ls-node2 [ls-node2-lr -> netsho3]");
        expect(routeVerdict(route)).toBe("delivered to netsho3");
    });
    it("an unknown destination MAC: dropped in the sender's switch", () => {
        const route = parseTraceSummary(fixture("unknown-mac"));
        expect(route).toMatchObject({ hops: [{ datapath: "ls-node1", inport: "netsho1", outports: [] }], delivered: [], drops: ["ls-node1"] });
        expect(renderRoute(route)).toBe("ls-node1 [netsho1 -> ?]");
        expect(routeVerdict(route)).toBe("dropped in ls-node1");
    });
    it("an address the router has not resolved: the echo waits, the router floods an ARP request instead", () => {
        const route = parseTraceSummary(fixture("router-arp"));
        expect(route.delivered).toEqual([]);
        expect(route.generated).toEqual([{ packet: "arp", port: "netsho3" }, { packet: "arp", port: "netsho4" }]);
        expect(route.hops.map((h) => h.datapath)).toEqual(["ls-node1", "lr0", "ls-node2"]);
        expect(route.hops[2].outports).toEqual(["netsho3", "netsho4"]);
        expect(routeVerdict(route)).toBe("not delivered; the pipeline sends arp to netsho3, arp to netsho4 instead");
    });
    it("nothing recognisable reads as an empty route", () => {
        expect(parseTraceSummary("")).toEqual({ hops: [], delivered: [], generated: [], drops: [] });
        expect(routeVerdict(parseTraceSummary(""))).toBe("not delivered");
    });
});

describe("a trace to the gateway's external host (Pulumi.gateway.yaml)", () => {
    const gatewayOutputs: LabOutputs = {
        ...devOutputs,
        gateway: {
            router: "gw0", node: "node1", chassis: "t1-node1", snatAddress: "192.168.100.2", snatSources: "10.244.0.0/16",
            joinNetwork: "100.64.0.0/16", externalNetwork: "192.168.100.0/24", externalHost: { ip: "192.168.100.100" },
        },
    };
    it("sends the echo to the sender's gateway MAC, addressed to the external host, by its name or its address", () => {
        for (const to of ["external", "192.168.100.100"]) {
            const plan = planEcho("t1", gatewayOutputs, "netsho3", to);
            expect(plan.packet).toEqual({ inport: "netsho3", ethSrc: "02:00:00:00:02:03", ethDst: "00:00:00:02:01:01", ip4Src: "10.244.2.3", ip4Dst: "192.168.100.100" });
            expect(plan.datapath).toBe("ls-node2");
        }
        expect(() => planEcho("t1", devOutputs, "netsho3", "external")).toThrow("it has netsho1, netsho2, netsho3");
        expect(() => planEcho("t1", gatewayOutputs, "netsho3", "internet")).toThrow("it has netsho1, netsho2, netsho3, external");
    });
    it("reads ovn-trace's route through lr0, ls-join, gw0 (SNAT) and ls-ext: delivered to the localnet port, not to the l3gateway patches", () => {
        // Real `ovn-trace --summary` of netsho3 -> 192.168.100.100 on a gateway lab (OVN 23.03).
        const route = parseTraceSummary(fixture("to-external"));
        expect(renderRoute(route)).toBe(
            "ls-node2 [netsho3 -> ls-node2-lr] -> lr0 [lr-node2 -> lr0-join] -> ls-join [ls-join-lr0 -> ls-join-gw0] -> gw0 [gw0-join -> gw0-ext] -> ls-ext [ls-ext-gw0 -> ls-ext-localnet]");
        expect(route.delivered).toEqual(["ls-ext-localnet"]);
        expect(fixture("to-external")).toContain("ct_snat(ip4.src=192.168.100.2)");
    });
});
