// verify's pure parts: which workloads it pings from and how it enters each
// one's network, for every driver's outputs; the ping; pgrep's answer; the report.
import { describe, expect, it } from "vitest";
import type { LabOutputs } from "../../cli/pulumiWorkspace";
import { inWorkload, parseSandboxPid, pingArgv, PingRun, renderVerify, verifyReport, workloadAccesses } from "../../cli/verifyCommands";
import { transportArgv } from "../../components/transport/transport";

const node = (n: number, extra: Record<string, string>) => ({
    name: `node${n}`, underlayIp: `172.16.56.${n + 1}`, subnet: `10.244.${n}.0/24`, gateway: `10.244.${n}.1`, bridge: "br-int", ...extra,
});
const container = (name: string, n: number, host: number, running = true) => ({
    name, node: `node${n}`, ip: `10.244.${n}.${host}`, mac: `02:00:00:00:0${n}:0${host}`, logicalPort: name,
    ...(running ? { containerName: `ovnlab-t1-${name}` } : {}),
});
const ssh = (n: number) => `VAGRANT_CWD=/srv/lab/.lab/t1/vagrant vagrant ssh node${n}`;

describe("the workloads verify pings from", () => {
    it("netns: Docker containers on this host (also from outputs that predate the workloads field)", () => {
        const outputs: LabOutputs = {
            nodes: [node(1, { namespace: "ovnlab-t1-node1", workloads: "docker" }), node(2, { namespace: "ovnlab-t1-node2" })],
            containers: [container("netsho1", 1, 3), container("netsho3", 2, 3)],
        };
        expect(workloadAccesses("t1", outputs)).toEqual([
            { name: "netsho1", node: "node1", ip: "10.244.1.3", containerName: "ovnlab-t1-netsho1", kind: "docker", reach: { kind: "transport", transport: { kind: "netns", namespace: "ovnlab-t1-node1" } } },
            { name: "netsho3", node: "node2", ip: "10.244.2.3", containerName: "ovnlab-t1-netsho3", kind: "docker", reach: { kind: "transport", transport: { kind: "netns", namespace: "ovnlab-t1-node2" } } },
        ]);
    });
    it("Vagrant: containers in VMs, or process sandboxes in docker-provider nodes, each through its machine", () => {
        const outputs: LabOutputs = {
            nodes: [node(1, { ssh: ssh(1), workloads: "process" }), node(2, { ssh: ssh(2), workloads: "docker" })],
            containers: [container("netsho1", 1, 3), container("netsho4", 2, 3)],
        };
        expect(workloadAccesses("t1", outputs).map((w) => [w.name, w.kind, w.reach])).toEqual([
            ["netsho1", "process", { kind: "vagrant", projectDir: "/srv/lab/.lab/t1/vagrant", node: "node1" }],
            ["netsho4", "docker", { kind: "vagrant", projectDir: "/srv/lab/.lab/t1/vagrant", node: "node2" }],
        ]);
    });
    it("skips logical-only ports; asks for an up when a machine's outputs do not say how its workloads run", () => {
        const outputs: LabOutputs = { nodes: [node(1, { ssh: ssh(1) })], containers: [container("netsho1", 1, 3, false), container("netsho2", 1, 4)] };
        expect(() => workloadAccesses("t1", outputs)).toThrow(/outputs of node1 do not say how its workloads run.*npm run lab:up/);
        expect(workloadAccesses("t1", { ...outputs, containers: [container("netsho1", 1, 3, false)] })).toEqual([]);
        expect(() => workloadAccesses("t1", { nodes: [], containers: [container("netsho1", 1, 3)] })).toThrow(/on node node1, which the outputs do not list/);
    });
});

describe("what verify runs", () => {
    it("three quiet echoes, from inside the sender: docker exec, or nsenter into the sandbox's namespace", () => {
        expect(pingArgv("10.244.2.3")).toEqual(["ping", "-c", "3", "-W", "2", "-q", "10.244.2.3"]);
        expect(inWorkload({ kind: "docker", containerName: "ovnlab-t1-netsho1" }, pingArgv("10.244.2.3"))).toEqual(
            ["docker", "exec", "ovnlab-t1-netsho1", "ping", "-c", "3", "-W", "2", "-q", "10.244.2.3"]);
        const nsenter = inWorkload({ kind: "process", pid: 4242 }, pingArgv("10.244.1.3"));
        expect(nsenter).toEqual(["nsenter", "-t", "4242", "-n", "ping", "-c", "3", "-W", "2", "-q", "10.244.1.3"]);
        const overSsh = transportArgv({ kind: "ssh", host: "127.0.0.1", port: 2222, user: "vagrant", identityFile: "/k/id", sudo: true }, nsenter);
        expect(overSsh[overSsh.length - 1]).toBe("sudo -n nsenter -t 4242 -n ping -c 3 -W 2 -q 10.244.1.3");
    });
    it("refuses what is not an address, a container or a PID", () => {
        expect(() => pingArgv("10.244.2.3; reboot")).toThrow(/IPv4/);
        expect(() => inWorkload({ kind: "docker", containerName: "-it" }, ["true"])).toThrow(/container/);
        expect(() => inWorkload({ kind: "process", pid: 0 }, ["true"])).toThrow(/process id/);
        expect(() => inWorkload({ kind: "vm" } as never, ["true"])).toThrow(/workload kind/);
    });
    it("reads pgrep: one PID, none, or an error when several processes claim the sandbox's name", () => {
        expect(parseSandboxPid("4242\n", "ovnlab-t1-netsho1")).toBe(4242);
        expect(parseSandboxPid("", "ovnlab-t1-netsho1")).toBeUndefined();
        expect(() => parseSandboxPid("4242\n4343\n", "ovnlab-t1-netsho1")).toThrow("2 processes are named ovnlab-t1-netsho1 (PIDs 4242, 4343): expected one");
        expect(() => parseSandboxPid("pgrep: bad\n", "x")).toThrow(/not PIDs/);
    });
});

describe("the report", () => {
    const workloads = [
        { name: "a", node: "node1", ip: "10.244.1.3", containerName: "ovnlab-t1-a", kind: "process" as const, reach: { kind: "vagrant" as const, projectDir: "/p", node: "node1" } },
        { name: "b", node: "node2", ip: "10.244.2.3", containerName: "ovnlab-t1-b", kind: "process" as const, reach: { kind: "vagrant" as const, projectDir: "/p", node: "node2" } },
    ];
    const results: PingRun[] = [
        { from: "a", to: "b", ip: "10.244.2.3", sent: 3, received: 2, command: "ssh ... nsenter -t 11 -n ping -c 3 -W 2 -q 10.244.2.3" },
        { from: "b", to: "a", ip: "10.244.1.3", sent: 0, received: 0, error: "b's sandbox process is not running on node2" },
    ];
    const lookups = [
        { workload: "a", node: "node1", command: "ssh ... pgrep -x -f 'ovnlab-t1-a infinity'", pid: 11 },
        { workload: "b", node: "node2", command: "ssh ... pgrep -x -f 'ovnlab-t1-b infinity'", error: "no process named ovnlab-t1-b" },
    ];
    const report = verifyReport("t1", workloads, lookups, results);
    it("counts, and lists the failed pairs", () => {
        expect(report).toMatchObject({ passed: 1, failed: 1, failures: [results[1]], workloads: [{ name: "a", kind: "process" }, { name: "b", kind: "process" }] });
        expect(report.workloads[0]).not.toHaveProperty("reach");
    });
    it("prints every command with what it found, the matrix, and why each failed pair failed", () => {
        expect(renderVerify(report)).toBe([
            "$ ssh ... pgrep -x -f 'ovnlab-t1-a infinity'    # a on node1: PID 11",
            "$ ssh ... pgrep -x -f 'ovnlab-t1-b infinity'    # b on node2: not found (no process named ovnlab-t1-b)",
            "$ ssh ... nsenter -t 11 -n ping -c 3 -W 2 -q 10.244.2.3    # a -> b: ok 2/3",
            "# b -> a: not run",
            "",
            "from \\ to  a         b",
            "a          -         ok 2/3",
            "b          FAIL 0/0  -",
            "",
            "1 passed, 1 failed",
            "FAIL b -> a (10.244.1.3): 0/0 echoes came back: b's sandbox process is not running on node2",
            "",
        ].join("\n"));
    });
});
