// How the inspection tools reach a node, for every driver: from the stack
// outputs, a transport or a Vagrant project; where its sockets are; which node
// runs the central; the command lines of verify, show and trace.
import { describe, expect, it } from "vitest";
import { centralNode, checkedTransport, describeReach, nodeReach, socketTransport, transportResolver } from "../../cli/nodeReach";
import type { LabOutputs } from "../../cli/pulumiWorkspace";
import { parseToolArgs, stackOf } from "../../cli/toolArgs";
import type { TransportSpec } from "../../components/transport/transport";

const node = (n: number, extra: Record<string, string>) => ({
    name: `node${n}`, underlayIp: `172.16.56.${n + 1}`, subnet: `10.244.${n}.0/24`, gateway: `10.244.${n}.1`, bridge: "br-int", ...extra,
});
const SSH: TransportSpec = { kind: "ssh", host: "127.0.0.1", port: 2222, user: "vagrant", identityFile: "/srv/lab/.vagrant/machines/node1/docker/private_key", sudo: true };
const CENTRAL = { nb: "tcp:172.16.56.3:6641", sb: "tcp:172.16.56.3:6642", nbSocket: "unix:/var/run/ovn/ovnnb_db.sock", sbSocket: "unix:/var/run/ovn/ovnsb_db.sock" };

describe("reaching a node", () => {
    it("netns: its namespace; Vagrant: its project and machine, from the ssh line", () => {
        expect(nodeReach("t1", node(1, { namespace: "ovnlab-t1-node1" }))).toEqual({ kind: "transport", transport: { kind: "netns", namespace: "ovnlab-t1-node1" } });
        const vagrant = nodeReach("ml2", node(2, { ssh: "VAGRANT_CWD=/srv/lab/.lab/ml2/vagrant vagrant ssh node2" }));
        expect(vagrant).toEqual({ kind: "vagrant", projectDir: "/srv/lab/.lab/ml2/vagrant", node: "node2" });
        expect(describeReach(vagrant)).toBe("VAGRANT_CWD=/srv/lab/.lab/ml2/vagrant vagrant ssh node2");
        expect(describeReach(nodeReach("t1", node(1, { namespace: "ovnlab-t1-node1" })))).toBe("netns ovnlab-t1-node1");
    });
    it("names the tool that cannot reach a node neither driver made, or whose ssh line is not its own", () => {
        expect(() => nodeReach("x", node(1, {}), "verify")).toThrow("stack x: the outputs of node1 say neither a namespace nor a vagrant ssh line: verify cannot reach the node (external driver?)");
        expect(() => nodeReach("x", node(1, { ssh: "VAGRANT_CWD=/srv/x vagrant ssh node2" }), "show")).toThrow(/show cannot reach the node/);
        expect(() => nodeReach("x", node(1, { ssh: "VAGRANT_CWD=relative vagrant ssh node1" }))).toThrow(/Vagrant project directory/);
        expect(() => nodeReach("x", node(1, { namespace: "-x" }))).toThrow(/network namespace/);
    });
    it("a netns node's sockets are this host's files; a machine's are on the machine", () => {
        expect(socketTransport(nodeReach("t1", node(1, { namespace: "ovnlab-t1-node1" })), { kind: "netns", namespace: "ovnlab-t1-node1" })).toEqual({ kind: "local" });
        expect(socketTransport({ kind: "vagrant", projectDir: "/srv/lab", node: "node1" }, SSH)).toBe(SSH);
    });
    it("a transport is checked before it is used: its kind, and every field that reaches ssh or ip", () => {
        expect(checkedTransport(SSH)).toBe(SSH);
        expect(() => checkedTransport({ kind: "telnet" } as unknown as TransportSpec)).toThrow(/transport kind/);
        expect(() => checkedTransport({ ...SSH, host: "-oProxyCommand=id" })).toThrow();
        expect(() => checkedTransport({ kind: "netns", namespace: "a b" })).toThrow(/network namespace/);
    });
    it("resolves a netns reach without running anything", async () => {
        const resolve = transportResolver();
        expect(await resolve({ kind: "transport", transport: { kind: "netns", namespace: "ovnlab-t1-node1" } })).toEqual({ kind: "netns", namespace: "ovnlab-t1-node1" });
    });
});

describe("the central's node", () => {
    const outputs: LabOutputs = { nodes: [node(1, {}), node(2, {})], containers: [], central: CENTRAL };
    it("is the node whose underlay address the NB remote names (tcp or ssl), whichever it is", () => {
        expect(centralNode("t1", outputs)?.name).toBe("node2");
        expect(centralNode("t1", { ...outputs, central: { ...CENTRAL, nb: "ssl:172.16.56.2:6641" } })?.name).toBe("node1");
        expect(centralNode("t1", { ...outputs, central: undefined })).toBeUndefined();
    });
    it("is an error when no node has that address", () => {
        expect(() => centralNode("t1", { ...outputs, central: { ...CENTRAL, nb: "tcp:10.9.9.9:6641" } })).toThrow("stack t1: no node of the outputs has the central's address (tcp:10.9.9.9:6641)");
    });
});

describe("the command lines of verify, show and trace", () => {
    const usage = "usage: npm run trace -- FROM TO";
    const trace = { usage, flags: ["json" as const, "detailed" as const], positional: 2 };
    it("reads --stack, the tool's flags and its names, in any order", () => {
        expect(parseToolArgs(["netsho1", "--stack", "multi-l2", "--json", "netsho4"], trace)).toEqual({ stack: "multi-l2", json: true, detailed: false, positional: ["netsho1", "netsho4"] });
        expect(parseToolArgs(["--stack=dev", "a", "b", "--detailed"], trace)).toMatchObject({ stack: "dev", detailed: true, json: false });
        expect(parseToolArgs([], { usage, flags: ["json"], positional: 0 })).toEqual({ json: false, detailed: false, positional: [] });
    });
    it("refuses a mistyped or foreign option, a missing value, and the wrong number of names, with the usage", () => {
        const verify = { usage: "usage: npm run verify", flags: ["json" as const], positional: 0 };
        expect(() => parseToolArgs(["--jsno"], verify)).toThrow(/Unknown option '--jsno'[\s\S]*usage: npm run verify/);
        expect(() => parseToolArgs(["--detailed"], verify)).toThrow(/Unknown option '--detailed'/);
        expect(() => parseToolArgs(["--stack"], verify)).toThrow(/argument missing/);
        expect(() => parseToolArgs(["--stack", "--json"], verify)).toThrow(/ambiguous/);
        expect(() => parseToolArgs(["--stack", " "], verify)).toThrow(/--stack needs a stack name/);
        expect(() => parseToolArgs(["netsho1"], verify)).toThrow("expected no names, got 1 (netsho1)\nusage: npm run verify");
        expect(() => parseToolArgs(["netsho1"], trace)).toThrow(/expected 2 names, got 1/);
    });
    it("the stack: --stack, else OVNLAB_STACK, else dev", () => {
        expect(stackOf({ stack: "a", json: false, detailed: false, positional: [] }, { OVNLAB_STACK: "b" })).toBe("a");
        expect(stackOf({ json: false, detailed: false, positional: [] }, { OVNLAB_STACK: "b" })).toBe("b");
        expect(stackOf({ json: false, detailed: false, positional: [] }, {})).toBe("dev");
    });
});
