// The walk-through's multi-l2 lab on two real VMs: the vagrant driver with
// vagrantProvider libvirt, through the real Pulumi CLI and the real Vagrant,
// vagrant-libvirt and libvirt (QEMU's TCG where the host cannot run KVM guests,
// as here), booting ovnlab's own box (scripts/vagrant-libvirt-box.sh) with the
// kernel datapath (datapath_type system) as in the document's VMs. One up,
// verify, `ovs-vsctl show` in a VM, a capture on a VM node, one destroy.
// Minutes, not seconds: its own vitest project (vm), run by .ci/run after the
// README's test command. Unique lab id and networks; everything it starts it
// stops, and afterAll removes what a failed test left, by the lab's names.
import { execFileSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capture } from "../../cli/capture";
import { LabOutputs, labOutputs } from "../../cli/pulumiWorkspace";
import { verifyTool } from "../../cli/verify";
import { vagrantEnvironment } from "../../components/commands/vagrant";
import { detectLibvirtDriver } from "../../components/drivers/vagrant/libvirtHost";
import { machineName } from "../../components/drivers/vagrant/vagrantfile";
import { uniqueLabId } from "../helpers/names";
import { createTestStack, TestStack } from "../helpers/pulumiStack";
import { freeHostCidr, vagrantInstalled } from "../helpers/vagrant";
import { cleanupLibvirtLab, ensureLibvirt, freeManagementCidr, LibvirtDaemons, libvirtBox, libvirtLeftovers, virsh } from "../helpers/libvirt";

const labId = uniqueLabId();
const stackConfig = parse(readFileSync(join(__dirname, "../../Pulumi.multi-l2.yaml"), "utf8")).config as Record<string, unknown>;
const NODES = ["node1", "node2"];
const driver = detectLibvirtDriver();
let daemons: LibvirtDaemons | undefined;
let lab: TestStack | undefined;
let stateDir = "";
let hostCidr = "";
let net = "";
let scratch = "";

const quiet = { onOutput: () => undefined };
const seconds = (since: number) => Math.round((Date.now() - since) / 1000);
const configOf = (stack: Record<string, unknown>) => Object.fromEntries(Object.entries(stack).map(([k, v]) => [k.replace(/^ovnlab:/, ""), v]));
const vagrant = (args: string[]) => execFileSync("vagrant", args, { encoding: "utf8", timeout: 180_000, env: { ...process.env, ...vagrantEnvironment(join(stateDir, "vagrant")) } });
const inVm = (node: string, script: string) => vagrant(["ssh", node, "-c", script]);
const labNow = async (): Promise<LabOutputs> => labOutputs("multi-l2", await lab!.stack.outputs());

beforeAll(async () => {
    if (!vagrantInstalled()) throw new Error("vagrant is not installed: bash scripts/setup.sh installs it");
    scratch = mkdtempSync(join(tmpdir(), "ovnlab-vm-"));
    daemons = ensureLibvirt();
    const built = libvirtBox();
    console.log(`[vm e2e] box ${built.box} ready in ${built.seconds} s; guests run under ${driver === "kvm" ? "KVM" : "QEMU's TCG"}`);
    hostCidr = freeHostCidr();
    net = hostCidr.split(".").slice(0, 3).join(".");
    // The stack as written but for VirtualBox (not here): libvirt, the test's own networks, small guests.
    lab = await createTestStack("multi-l2", {
        ...configOf(stackConfig), labId, vagrantProvider: "libvirt", hostCidr, libvirtManagementCidr: freeManagementCidr(), nodeCpus: 1, nodeMemory: 768,
    });
    stateDir = join(lab.dir, ".lab", labId);
});

afterAll(async () => {
    try {
        await lab?.dispose();
    } finally {
        if (stateDir) cleanupLibvirtLab(labId, join(stateDir, "vagrant"), NODES);
        if (scratch) rmSync(scratch, { recursive: true, force: true });
        daemons?.stop();
    }
});

describe(`stack multi-l2 on two real VMs (Vagrant + libvirt, ${driver === "kvm" ? "KVM" : "TCG"})`, () => {
    it("up: two domains from ovnlab's box on the lab's own networks, provisioned, both chassis, every port bound", async () => {
        const started = Date.now();
        await lab!.stack.up(quiet);
        console.log(`[vm e2e] pulumi up took ${seconds(started)} s`);

        const vagrantfile = readFileSync(join(stateDir, "vagrant/Vagrantfile"), "utf8");
        expect(vagrantfile).toContain(`lv.driver = "${driver}"`);
        expect(vagrantfile).toContain(`libvirt__network_name: "ovnlab-${labId}-underlay"`);
        for (const node of NODES) {
            const xml = virsh("dumpxml", machineName(labId, node));
            // TCG is domain type qemu; the box's own kernel boots directly.
            expect(xml).toContain(`<domain type='${driver}'`);
            expect(xml).toMatch(/<kernel>[^<]*\/vmlinuz<\/kernel>/);
            expect(xml).toContain("<cmdline>root=/dev/vda");
        }
        expect(libvirtLeftovers(labId).networks.sort()).toEqual([`ovnlab-${labId}-mgmt`, `ovnlab-${labId}-underlay`]);
        expect(libvirtLeftovers(labId).rules).toHaveLength(1);
        const sb = inVm("node1", "sudo ovn-sbctl show");
        expect(sb).toMatch(new RegExp(`Chassis "?${labId}-node2"?[\\s\\S]*ip: "${net.replace(/\./g, "\\.")}\\.3"`));
        for (const port of ["netsho1", "netsho2", "netsho3", "nginx1", "netsho4"]) expect(sb).toContain(`Port_Binding ${port}`);
        // Each guest made its own machine-id (the box ships it empty), so the bridges' MACs differ.
        const ids = NODES.map((node) => inVm(node, "cat /etc/machine-id").trim());
        expect(ids[0]).toMatch(/^[0-9a-f]{32}$/);
        expect(ids[0]).not.toBe(ids[1]);
    });

    it("ovs-vsctl show inside node2: br-int on the kernel datapath (datapath_type: system, the openvswitch module loaded)", () => {
        const show = inVm("node2", "sudo ovs-vsctl show");
        console.log(`[vm e2e] node2$ sudo ovs-vsctl show\n${show}`);
        expect(show).toMatch(/Bridge br-int\n\s+fail_mode: secure\n(\s+.*\n)*?\s+datapath_type: system/);
        expect(show).toMatch(/Interface ovn-\S+\n\s+type: geneve\n\s+options: \{[^}]*remote_ip="?\d/);
        expect(inVm("node2", "cat /proc/modules")).toMatch(/^openvswitch\s/m);
        expect(inVm("node2", "sudo ovs-dpctl show")).toContain("system@ovs-system");
    });

    it("verify: all 20 pairs ping (netns sandboxes in the VMs, over each VM's ssh); exit 0", async () => {
        const { exitCode, report } = await verifyTool("multi-l2", await labNow(), { json: false });
        expect(report.results).toHaveLength(20);
        expect(report.failures).toEqual([]);
        expect(report.results.every((r) => r.received > 0)).toBe(true);
        expect(exitCode).toBe(0);
    });

    it("capture on netsho4's port in node2 (a pcap tcpdump -r reads) and at node2's tunnel: a ping from netsho1 in node1", async () => {
        const ping = () => inVm("node1", `sudo nsenter -t "$(pgrep -x -f 'ovnlab-${labId}-netsho1 infinity')" -n ping -c 4 -W 2 -q 10.244.2.3`);
        const captureWhilePinging = async (options: Parameters<typeof capture>[2]) => {
            let listening!: () => void;
            const ready = new Promise<void>((resolve) => (listening = resolve));
            let stderr = "";
            const capturing = capture("multi-l2", await labNow(), options, { onStderr: (text) => { stderr += text; if (/listening on/.test(stderr)) listening(); } });
            await Promise.race([ready, capturing]);
            ping();
            return capturing;
        };
        const pcap = join(scratch, "netsho4.pcap");
        const port = await captureWhilePinging({ target: "netsho4", filter: ["icmp"], tunnel: false, json: true, timeoutSeconds: 90, count: 2, write: pcap });
        expect(port).toMatchObject({ node: "node2", container: "netsho4", interface: "c-netsho4", packets: 2, timedOut: false, file: pcap });
        const read = execFileSync("tcpdump", ["-n", "-r", pcap], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
        expect(read).toMatch(/10\.244\.1\.3 > 10\.244\.2\.3: ICMP echo request/);

        const tunnel = await captureWhilePinging({ target: "node2", filter: [], tunnel: true, json: true, timeoutSeconds: 90, count: 2 });
        expect(tunnel).toMatchObject({ node: "node2", tunnel: true, packets: 2, timedOut: false });
        expect(tunnel.lines!.some((line) => line.includes(`${net}.2.`) && /Geneve/i.test(line))).toBe(true);
    });

    it("destroy: the VMs, their disks and the lab's libvirt networks (and the FORWARD rule) are gone", async () => {
        const started = Date.now();
        await lab!.stack.destroy(quiet);
        console.log(`[vm e2e] pulumi destroy took ${seconds(started)} s`);
        expect(libvirtLeftovers(labId)).toEqual({ domains: [], volumes: [], networks: [], rules: [] });
        const pool = virsh("pool-dumpxml", "default").match(/<path>([^<]+)<\/path>/)?.[1];
        expect(pool).toBeDefined();
        expect(execFileSync("ls", [pool!], { encoding: "utf8" })).not.toContain(`ovnlab-${labId}-`);
        expect(existsSync(stateDir)).toBe(false);
    });
});
