// Packet capture on a dev-config lab brought up through the real Pulumi CLI,
// with the function behind `npm run capture`: the real tcpdump in the node's
// namespace, on a container's br-int port and on the node's underlay, while a
// container pings. Unique lab id; everything is removed in afterAll even on failure.
import { execFile, execFileSync } from "child_process";
import { mkdtempSync, rmSync, statSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { promisify } from "util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capture, CaptureSummary } from "../../cli/capture";
import { CaptureOptions } from "../../cli/captureCommands";
import { LabOutputs, labOutputs, stackFileConfig } from "../../cli/pulumiWorkspace";
import { useTestLab } from "../helpers/testLab";

const run = promisify(execFile);
const quiet = { onOutput: () => undefined };
const t = useTestLab("dev", stackFileConfig("dev"));
const labId = t.labId;
let outputs: LabOutputs;
const dir = mkdtempSync(join(tmpdir(), "ovnlab-capture-"));

beforeAll(async () => {
    outputs = labOutputs("dev", (await t.lab.stack.up(quiet)).outputs);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const container = (name: string) => outputs.containers.find((c) => c.name === name)!;
const options = (target: string, extra: Partial<CaptureOptions>): CaptureOptions => ({ target, filter: [], tunnel: false, json: true, timeoutSeconds: 60, ...extra });

/** Starts the capture, and once tcpdump listens, a ping from one container to another; both run to their end. */
async function captureWhilePinging(from: string, to: string, captureOptions: CaptureOptions): Promise<{ summary: CaptureSummary; ping: string }> {
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    let stderr = "";
    const capturing = capture("dev", outputs, captureOptions, {
        onStderr: (text) => {
            stderr += text;
            if (/listening on/.test(stderr)) listening();
        },
    });
    // A capture that fails before it listens must fail the test, not leave it waiting for the ping.
    await Promise.race([ready, capturing]);
    const ping = run("docker", ["exec", container(from).containerName!, "ping", "-c", "8", "-W", "2", container(to).ip], { timeout: 60_000 });
    const [summary, pinged] = await Promise.all([capturing, ping]);
    return { summary, ping: pinged.stdout };
}

describe("capture on a dev lab", () => {
    it("netsho1's port: the echo requests to netsho2 and its replies, decoded with MACs; nothing the filter excludes", async () => {
        const [a, b] = [container("netsho1"), container("netsho2")];
        const { summary, ping } = await captureWhilePinging("netsho1", "netsho2", options("netsho1", { count: 6, filter: ["icmp"] }));
        expect(ping).toMatch(/8 packets transmitted, 8 packets received/);
        expect(summary).toMatchObject({ node: "node1", container: "netsho1", interface: "c-netsho1", packets: 6, timedOut: false });
        expect(summary.command).toBe(`ip netns exec ovnlab-${labId}-node1 timeout -s INT 60 tcpdump -i c-netsho1 -l -n -e -c 6 -- icmp`);
        const lines = summary.lines!;
        expect(lines).toHaveLength(6);
        expect(lines.every((line) => / ICMP echo (request|reply)/.test(line))).toBe(true);
        expect(lines.filter((line) => line.includes(`${a.mac} > ${b.mac}`) && line.includes(`${a.ip} > ${b.ip}: ICMP echo request`)).length).toBeGreaterThanOrEqual(2);
        expect(lines.filter((line) => line.includes(`${b.mac} > ${a.mac}`) && line.includes(`${b.ip} > ${a.ip}: ICMP echo reply`)).length).toBeGreaterThanOrEqual(2);
    });

    it("--write: a pcap file that tcpdump -r reads back, with the same echoes", async () => {
        const file = join(dir, "netsho1.pcap");
        const { summary } = await captureWhilePinging("netsho1", "netsho2", options("netsho1", { count: 4, filter: ["icmp"], write: file }));
        expect(summary).toMatchObject({ packets: 4, file, timedOut: false });
        expect(summary.lines).toBeUndefined();
        expect(summary.command).toBe(`ip netns exec ovnlab-${labId}-node1 timeout -s INT 60 tcpdump -i c-netsho1 -U -w - -c 4 -- icmp > ${file}`);
        expect(statSync(file).size).toBeGreaterThan(24 + 4 * 16);
        const read = execFileSync("tcpdump", ["-r", file, "-n"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim().split("\n");
        expect(read).toHaveLength(4);
        const [a, b] = [container("netsho1"), container("netsho2")];
        expect(read.some((line) => line.includes(`${a.ip} > ${b.ip}: ICMP echo request`))).toBe(true);
        expect(read.some((line) => line.includes(`${b.ip} > ${a.ip}: ICMP echo reply`))).toBe(true);
    });

    it("--tunnel on node1: netsho1's echoes to netsho3 on node2, and the replies, inside Geneve between the underlay addresses", async () => {
        const [a, c] = [container("netsho1"), container("netsho3")];
        expect([a.node, c.node]).toEqual(["node1", "node2"]);
        const [node1, node2] = outputs.nodes.map((n) => n.underlayIp);
        const { summary } = await captureWhilePinging("netsho1", "netsho3", options("node1", { tunnel: true, count: 6 }));
        expect(summary).toMatchObject({ node: "node1", interface: "underlay", tunnel: true, packets: 6, timedOut: false });
        expect(summary.container).toBeUndefined();
        const lines = summary.lines!;
        expect(lines.every((line) => /: Geneve, /.test(line))).toBe(true);
        const out = new RegExp(`${node1.replace(/\./g, "\\.")}\\.\\d+ > ${node2.replace(/\./g, "\\.")}\\.6081: Geneve, .* ${a.ip.replace(/\./g, "\\.")} > ${c.ip.replace(/\./g, "\\.")}: ICMP echo request`);
        const back = new RegExp(`${node2.replace(/\./g, "\\.")}\\.\\d+ > ${node1.replace(/\./g, "\\.")}\\.6081: Geneve, .* ${c.ip.replace(/\./g, "\\.")} > ${a.ip.replace(/\./g, "\\.")}: ICMP echo reply`);
        expect(lines.some((line) => out.test(line)), lines.join("\n")).toBe(true);
        expect(lines.some((line) => back.test(line)), lines.join("\n")).toBe(true);
    });

    it("a filter that matches nothing: the timeout ends it, saying what it waited for", async () => {
        const started = Date.now();
        const summary = await capture("dev", outputs, options("netsho2", { count: 1, filter: ["udp", "port", "9"], timeoutSeconds: 3 }));
        expect(Date.now() - started).toBeLessThan(15_000);
        expect(summary).toMatchObject({ packets: 0, timedOut: true, lines: [] });
        expect(summary.message).toBe("waited 3 s for 1 packet matching `udp port 9` (netsho2's port c-netsho2 on node1); 0 came");
        // Without --count the timeout is the end asked for, not a failure.
        expect(await capture("dev", outputs, options("netsho2", { filter: ["udp", "port", "9"], timeoutSeconds: 2 }))).toMatchObject({ packets: 0, timedOut: false, lines: [] });
    });

    it("a port that is not there: tcpdump's own error", async () => {
        const broken: LabOutputs = { ...outputs, nodes: outputs.nodes.map((n) => ({ ...n, namespace: n.name === "node1" ? `ovnlab-${labId}-node2` : n.namespace })) };
        await expect(capture("dev", broken, options("netsho1", { count: 1, timeoutSeconds: 5 }))).rejects.toThrow(/tcpdump failed \(exit 1\)[\s\S]*c-netsho1/);
    });
});
