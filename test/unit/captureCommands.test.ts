// capture's pure parts: the tcpdump command line as data, where it runs (from
// the stack outputs), the option parser's errors, and the readers of tcpdump's
// summary and of a pcap file.
import { describe, expect, it } from "vitest";
import {
    captureTarget, DEFAULT_TIMEOUT_SECONDS, parseCapturedCount, parseCaptureArgs, pcapPacketCount, tcpdumpArgv, TcpdumpSpec,
} from "../../cli/captureCommands";
import type { LabOutputs } from "../../cli/pulumiWorkspace";
import { renderArgv, transportArgv } from "../../components/transport/transport";

const node = (n: number, extra: Record<string, string>) => ({
    name: `node${n}`, underlayIp: `172.16.56.${n + 1}`, subnet: `10.244.${n}.0/24`, gateway: `10.244.${n}.1`, bridge: "br-int", ...extra,
});
const container = (name: string, n: number, host: number, running = true) => ({
    name, node: `node${n}`, ip: `10.244.${n}.${host}`, mac: `02:00:00:00:0${n}:0${host}`, logicalPort: name,
    ...(running ? { containerName: `ovnlab-t1-${name}` } : {}),
});
const netnsOutputs: LabOutputs = {
    nodes: [node(1, { namespace: "ovnlab-t1-node1" }), node(2, { namespace: "ovnlab-t1-node2" })],
    containers: [container("netsho1", 1, 3), container("netsho3", 2, 3), container("averyveryverylongname", 2, 4)],
};
const vagrantOutputs: LabOutputs = {
    nodes: [node(1, { ssh: "VAGRANT_CWD=/srv/lab/.lab/ml2/vagrant vagrant ssh node1" })],
    containers: [container("netsho1", 1, 3)],
};
const live: TcpdumpSpec = { interface: "c-netsho1", filter: [], tunnel: false, pcap: false };

describe("the tcpdump command line", () => {
    it("decoded, line-buffered, numeric, with MACs; the expression after `--`, one argv word per filter word", () => {
        expect(tcpdumpArgv({ ...live, count: 6, filter: ["icmp", "and", "host", "10.244.1.4"] })).toEqual(
            ["tcpdump", "-i", "c-netsho1", "-l", "-n", "-e", "-c", "6", "--", "icmp", "and", "host", "10.244.1.4"]);
        expect(tcpdumpArgv(live)).toEqual(["tcpdump", "-i", "c-netsho1", "-l", "-n", "-e", "--"]);
    });
    it("pcap: packet by packet to stdout (-U -w -), for the runner to write where the user is", () => {
        expect(tcpdumpArgv({ ...live, pcap: true, count: 4, filter: ["icmp"] })).toEqual(["tcpdump", "-i", "c-netsho1", "-U", "-w", "-", "-c", "4", "--", "icmp"]);
    });
    it("tunnel: Geneve and VXLAN only, and of those what the filter selects, grouped so `or` cannot leak", () => {
        expect(tcpdumpArgv({ ...live, interface: "underlay", tunnel: true })).toEqual(
            ["tcpdump", "-i", "underlay", "-l", "-n", "-e", "--", "(", "udp", "port", "6081", "or", "udp", "port", "4789", ")"]);
        expect(tcpdumpArgv({ ...live, interface: "underlay", tunnel: true, filter: ["icmp", "or", "arp"] }).slice(-7)).toEqual(
            [")", "and", "(", "icmp", "or", "arp", ")"]);
    });
    it("a timeout is coreutils' timeout sending SIGINT, so tcpdump ends as on Ctrl-C, on whatever node it runs", () => {
        const argv = tcpdumpArgv({ ...live, count: 1, timeoutSeconds: 30 });
        expect(argv.slice(0, 5)).toEqual(["timeout", "-s", "INT", "30", "tcpdump"]);
        expect(renderArgv(transportArgv({ kind: "netns", namespace: "ovnlab-t1-node1" }, argv))).toBe(
            "ip netns exec ovnlab-t1-node1 timeout -s INT 30 tcpdump -i c-netsho1 -l -n -e -c 1 --");
        const ssh = transportArgv({ kind: "ssh", host: "192.168.121.10", port: 22, user: "vagrant", identityFile: "/k/id", sudo: true }, argv);
        expect(ssh[ssh.length - 1]).toBe("sudo -n timeout -s INT 30 tcpdump -i c-netsho1 -l -n -e -c 1 --");
    });
    it("rejects a filter word that is an option, holds control characters, or an expression too long", () => {
        for (const word of ["-w", "--help", "-", "a\nb", "a\tb", "a\0b", "\u001b[2J", ""]) {
            expect(() => tcpdumpArgv({ ...live, filter: ["icmp", word] }), JSON.stringify(word)).toThrow(/filter word/);
        }
        expect(() => tcpdumpArgv({ ...live, filter: ["x".repeat(1025)] })).toThrow(/filter expression/);
        // Quotes, semicolons and `$` are tcpdump's business: no shell ever sees them.
        expect(tcpdumpArgv({ ...live, filter: ["ether[0]", "&", "1", "!=", "0;", "$(id)"] }).slice(-6)).toEqual(["ether[0]", "&", "1", "!=", "0;", "$(id)"]);
    });
    it("rejects an interface name, count or timeout that is not one", () => {
        expect(() => tcpdumpArgv({ ...live, interface: "-D" })).toThrow(/interface name/);
        expect(() => tcpdumpArgv({ ...live, interface: "c-netsho1 x" })).toThrow(/interface name/);
        for (const count of [0, -1, 1.5, Number.NaN, 2_000_000]) expect(() => tcpdumpArgv({ ...live, count })).toThrow(/packet count/);
        expect(() => tcpdumpArgv({ ...live, timeoutSeconds: 0 })).toThrow(/timeout/);
    });
});

describe("where capture runs", () => {
    it("a container's port: its veth end c-<name> in its node's namespace", () => {
        expect(captureTarget("t1", netnsOutputs, "netsho3", false)).toEqual({
            node: "node2", container: "netsho3", interface: "c-netsho3", tunnel: false,
            reach: { kind: "transport", transport: { kind: "netns", namespace: "ovnlab-t1-node2" } },
        });
        // Names too long for an interface are hashed, as ContainerPlug names them.
        expect(captureTarget("t1", netnsOutputs, "averyveryverylongname", false).interface).toMatch(/^c_[0-9a-f]{6}$/);
    });
    it("--tunnel: the underlay interface of the container's node, or of a node named directly", () => {
        expect(captureTarget("t1", netnsOutputs, "netsho1", true)).toMatchObject({ node: "node1", container: "netsho1", interface: "underlay", tunnel: true });
        const byNode = captureTarget("t1", netnsOutputs, "node2", true);
        expect(byNode).toMatchObject({ node: "node2", interface: "underlay", reach: { transport: { namespace: "ovnlab-t1-node2" } } });
        expect(byNode.container).toBeUndefined();
    });
    it("a Vagrant machine: reached through its project's ssh-config; its tunnels on every interface", () => {
        expect(captureTarget("ml2", vagrantOutputs, "netsho1", false).reach).toEqual({ kind: "vagrant", projectDir: "/srv/lab/.lab/ml2/vagrant", node: "node1" });
        expect(captureTarget("ml2", vagrantOutputs, "node1", true).interface).toBe("any");
    });
    it("says what is wrong: an unknown name, a node without --tunnel, no workload, no way to reach the node", () => {
        expect(() => captureTarget("t1", netnsOutputs, "netsho9", false)).toThrow("stack t1 has no container netsho9; it has netsho1, netsho3, averyveryverylongname");
        expect(() => captureTarget("t1", netnsOutputs, "node1", false)).toThrow(/node1 is a node: .*--tunnel/);
        const external: LabOutputs = { nodes: [node(1, {})], containers: [container("netsho1", 1, 3, false)] };
        expect(() => captureTarget("x", external, "netsho1", false)).toThrow(/runs no workload netsho1/);
        expect(() => captureTarget("x", external, "netsho1", true)).toThrow(/cannot reach the node/);
        const forged: LabOutputs = { nodes: [node(1, { ssh: "VAGRANT_CWD=/srv/x vagrant ssh node2" })], containers: [container("netsho1", 1, 3)] };
        expect(() => captureTarget("x", forged, "netsho1", false)).toThrow(/cannot reach the node/);
        const hostile: LabOutputs = { nodes: [node(1, { namespace: "-x" })], containers: [container("netsho1", 1, 3)] };
        expect(() => captureTarget("x", hostile, "netsho1", false)).toThrow(/network namespace/);
    });
});

describe("npm run capture's options", () => {
    it("reads every option; a relative --write is the caller's directory's; --count brings a default timeout", () => {
        expect(parseCaptureArgs(["netsho1", "--count", "6", "--filter", "icmp and  host 10.244.1.4", "--write", "out/a.pcap", "--stack", "lab2", "--json"], "/home/u")).toEqual({
            target: "netsho1", stack: "lab2", count: 6, write: "/home/u/out/a.pcap", filter: ["icmp", "and", "host", "10.244.1.4"],
            tunnel: false, json: true, timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
        });
        expect(parseCaptureArgs(["node1", "--tunnel"], "/")).toEqual({ target: "node1", filter: [], tunnel: true, json: false });
        expect(parseCaptureArgs(["netsho1", "--timeout-seconds", "5", "--write", "/tmp/x.pcap"], "/")).toMatchObject({ timeoutSeconds: 5, write: "/tmp/x.pcap" });
    });
    it("rejects what it cannot use, with the usage", () => {
        const error = (argv: string[]) => {
            try {
                parseCaptureArgs(argv, "/");
            } catch (e) {
                return (e as Error).message;
            }
            return "no error";
        };
        expect(error([])).toMatch(/^capture takes one container .*not 0\nusage: npm run capture -- CONTAINER/);
        expect(error(["netsho1", "netsho2"])).toMatch(/not 2/);
        expect(error(["netsho1", "--count"])).toMatch(/^--count needs a value/);
        for (const count of ["0", "-1", "1.5", "ten", "1e3", "2000000"]) expect(error(["netsho1", "--count", count])).toMatch(/^--count takes a whole number from 1 to 1000000/);
        expect(error(["netsho1", "--timeout-seconds", "0"])).toMatch(/^--timeout-seconds takes a whole number/);
        expect(error(["netsho1", "-c", "3"])).toMatch(/^unknown option "-c"/);
        expect(error(["netsho1", "--filter", "icmp", "--filter", "arp"])).toMatch(/^--filter given twice/);
        expect(error(["netsho1", "--write", " "])).toMatch(/^--write needs a file name/);
    });
});

describe("what tcpdump leaves", () => {
    it("its closing summary on stderr", () => {
        expect(parseCapturedCount("listening on c-netsho1, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n6 packets captured\n6 packets received by filter\n0 packets dropped by kernel\n")).toBe(6);
        expect(parseCapturedCount("1 packet captured\n")).toBe(1);
        expect(parseCapturedCount("tcpdump: c-netsho9: No such device exists\n")).toBeUndefined();
    });
    it("a pcap file's records, in either byte order; a truncated last one is not counted", () => {
        const header = (little: boolean) => {
            const b = Buffer.alloc(24);
            if (little) b.writeUInt32LE(0xa1b2c3d4, 0);
            else b.writeUInt32BE(0xa1b2c3d4, 0);
            return b;
        };
        const record = (length: number, little: boolean) => {
            const b = Buffer.alloc(16 + length);
            if (little) b.writeUInt32LE(length, 8);
            else b.writeUInt32BE(length, 8);
            return b;
        };
        expect(pcapPacketCount(Buffer.concat([header(true), record(98, true), record(42, true)]))).toBe(2);
        expect(pcapPacketCount(Buffer.concat([header(false), record(60, false)]))).toBe(1);
        expect(pcapPacketCount(Buffer.concat([header(true), record(98, true), record(42, true).subarray(0, 30)]))).toBe(1);
        expect(pcapPacketCount(header(true))).toBe(0);
        expect(() => pcapPacketCount(Buffer.from("not a capture at all, nope"))).toThrow(/not a pcap file: magic/);
        expect(() => pcapPacketCount(Buffer.alloc(3))).toThrow(/shorter than/);
    });
});
