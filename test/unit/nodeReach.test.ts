// How the inspection tools reach a node, for every driver: from the stack
// outputs, a transport or a Vagrant project; where its sockets are; which node
// runs the central; the command lines of verify, show and trace.
import { describe, expect, it } from "vitest";
import { centralNode, checkedTransport, describeReach, nodeReach, socketTransport, transportResolver } from "../../cli/nodeReach";
import type { LabOutputs } from "../../cli/pulumiWorkspace";
import { parseToolArgs, stackOf } from "../../cli/toolArgs";
import { transportArgv, type TransportSpec } from "../../components/transport/transport";

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
    it("ssh driver: the host's transport from its ssh line, root through sudo when the line says `sudo -i`", () => {
        const line = "ssh -t -i /srv/keys/lab -p 2200 -o UserKnownHostsFile=/srv/lab/.lab/s1/ssh_known_hosts debian@192.168.56.12 sudo -i";
        const reach = nodeReach("s1", node(2, { ssh: line }));
        expect(reach).toEqual({
            kind: "transport",
            transport: { kind: "ssh", host: "192.168.56.12", port: 2200, user: "debian", identityFile: "/srv/keys/lab", sudo: true, knownHostsFile: "/srv/lab/.lab/s1/ssh_known_hosts" },
        });
        expect(describeReach(reach)).toBe(line);
        const root = nodeReach("s1", node(1, { ssh: "ssh -i /srv/keys/lab -p 22 -o UserKnownHostsFile=/srv/k root@lab-host1" }));
        expect(root).toMatchObject({ transport: { host: "lab-host1", user: "root", sudo: false } });
        // Its machine's sockets are on the machine, as a Vagrant machine's.
        expect(socketTransport(root, (root as { transport: TransportSpec }).transport)).toEqual((root as { transport: TransportSpec }).transport);
        // The transport runs ssh with the lab's known hosts (accept-new), BatchMode and a connect timeout.
        const argv = transportArgv((reach as { transport: TransportSpec }).transport, ["ovs-vsctl", "show"]);
        expect(argv).toEqual([
            "ssh", "-i", "/srv/keys/lab", "-p", "2200", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "StrictHostKeyChecking=accept-new",
            "-o", "UserKnownHostsFile=/srv/lab/.lab/s1/ssh_known_hosts", "-o", "LogLevel=ERROR", "debian@192.168.56.12", "--", "sudo -n ovs-vsctl show",
        ]);
    });
    it("refuses an ssh line that is not the driver's own or carries a hostile value", () => {
        const ok = "ssh -i /k -p 22 -o UserKnownHostsFile=/srv/k root@10.0.0.1";
        for (const bad of [
            ok.replace("/k ", "k "), ok.replace("-p 22", "-p 0"), ok.replace("root@", "-oProxyCommand=id@"), ok.replace("10.0.0.1", "-oProxyCommand=id"),
            ok.replace("/srv/k", "/srv/../etc/k"), `${ok} sudo -i`, ok.replace("ssh ", "ssh -t "), `${ok}; id`, "ssh root@10.0.0.1",
        ]) {
            expect(() => nodeReach("x", node(1, { ssh: bad })), bad).toThrow();
        }
    });
    it("names the tool that cannot reach a node neither driver made, or whose ssh line is not its own", () => {
        expect(() => nodeReach("x", node(1, {}), "verify")).toThrow("stack x: the outputs of node1 say neither a namespace nor a vagrant or ssh line: verify cannot reach the node (external driver?)");
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
