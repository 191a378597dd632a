// The node provisioning script: what it installs and sets up per role, that it
// is valid bash, and that --check changes nothing. (It runs for real in
// test/e2e/vagrant.test.ts, where a second run reports "0 changed".)
import { execFileSync } from "child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { afterAll, describe, expect, it } from "vitest";
import { parseProvisionOutput, provisionPackages, provisionScript, ProvisionSpec } from "../../components/drivers/remote/provisionScript";

const central: ProvisionSpec = {
    node: "node1", central: true, ovn: true, dockerWorkloads: true, bridge: "br-int", datapathType: "netdev", underlayCidr: "172.16.56.2/24",
};
const chassis: ProvisionSpec = { ...central, node: "node2", central: false, underlayCidr: "172.16.56.3/24" };

describe("provisionScript", () => {
    it("installs the walk-through's packages: ovn-central on the central only, docker.io only where workloads are containers", () => {
        expect(provisionPackages(central)).toEqual(["openvswitch-switch", "openvswitch-common", "ovn-host", "ovn-central", "docker.io", "iproute2", "ethtool", "iputils-arping", "iputils-ping", "tcpdump"]);
        expect(provisionPackages({ ...chassis, dockerWorkloads: false })).toEqual(["openvswitch-switch", "openvswitch-common", "ovn-host", "iproute2", "ethtool", "iputils-arping", "iputils-ping", "tcpdump"]);
        expect(provisionPackages({ ...central, ovn: false })).not.toContain("ovn-central");
    });

    it("is the same script for the same node, and valid bash", () => {
        const script = provisionScript(central);
        expect(script).toMatchSnapshot();
        execFileSync("bash", ["-n"], { input: script });
    });

    it("makes br-int fail-secure with OVN, standalone without, and br-phy only for the userspace datapath", () => {
        expect(provisionScript(central)).toContain("fail_mode=secure other-config:disable-in-band=true");
        expect(provisionScript({ ...central, ovn: false })).toContain("fail_mode=standalone");
        expect(provisionScript(central)).toContain("for step in packages openvswitch ovn_central ovn_controller integration_bridge underlay_bridge; do");
        expect(provisionScript({ ...chassis, datapathType: "system" })).toContain("for step in packages openvswitch ovn_controller integration_bridge; do");
    });

    it("refuses values that are not what they claim", () => {
        expect(() => provisionScript({ ...central, bridge: "br-int; reboot" })).toThrow(/interface name/);
        expect(() => provisionScript({ ...central, underlayCidr: "172.16.56.2" })).toThrow(/address\/prefix/);
        expect(() => provisionScript({ ...central, node: "Node 1" })).toThrow(/node name/);
    });

    it("reads the summary and the steps of a run", () => {
        expect(parseProvisionOutput("ovnlab-provision: changed openvswitch\nStarting ovsdb-server.\novnlab-provision: changed underlay_bridge\novnlab-provision: 2 changed\n"))
            .toEqual({ count: 2, steps: ["openvswitch", "underlay_bridge"] });
        expect(parseProvisionOutput("ovnlab-provision: 0 missing\n")).toEqual({ count: 0, steps: [] });
        expect(() => parseProvisionOutput("bash: ovs-vsctl: command not found\n")).toThrow(/no summary line/);
    });

    describe("on a node where nothing is in place (every tool a stub that fails)", () => {
        const bin = mkdtempSync(join(tmpdir(), "ovnlab-provision-stubs-"));
        const marker = join(bin, "made");
        for (const tool of ["dpkg-query", "ovs-vsctl", "ovs-appctl", "ovn-nbctl", "ovn-sbctl", "ovn-appctl", "ip"]) {
            writeFileSync(join(bin, tool), "#!/bin/sh\nexit 1\n");
            chmodSync(join(bin, tool), 0o755);
        }
        // Anything that would change the node leaves a mark instead.
        for (const tool of ["apt-get", "systemctl"]) {
            writeFileSync(join(bin, tool), `#!/bin/sh\necho "$0 $*" >> ${marker}\nexit 1\n`);
            chmodSync(join(bin, tool), 0o755);
        }
        afterAll(() => rmSync(bin, { recursive: true, force: true }));
        const runScript = (args: string[]) => execFileSync("bash", ["-s", "--", ...args], {
            input: provisionScript(central), encoding: "utf8", env: { PATH: `${bin}:/usr/bin:/bin` },
        });

        it("--check reports every step missing and changes nothing", () => {
            expect(parseProvisionOutput(runScript(["--check"]))).toEqual({
                count: 6, steps: ["packages", "openvswitch", "ovn_central", "ovn_controller", "integration_bridge", "underlay_bridge"],
            });
            expect(existsSync(marker)).toBe(false);
        });

        it("apply installs the packages first, and stops at the first step that fails", () => {
            expect(() => runScript([])).toThrow();
            expect(execFileSync("cat", [marker], { encoding: "utf8" })).toMatch(/apt-get update -qq/);
        });
    });
});
