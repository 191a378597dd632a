// libvirt labs: the lab's own networks (names, bridges, XML, virsh), and the
// management network's configuration.
import { describe, expect, it } from "vitest";
import { libvirtNetworks, renderNetworkXml } from "../../components/drivers/vagrant/libvirtNetworks";
import { parseNetInfo, virshNetDefine, virshNetInfo } from "../../components/commands/virsh";
import { ConfigError, validateConfig } from "../../components/plan/config";

describe("the lab's libvirt networks", () => {
    it("are named after the lab, bridges included (at most 15 characters)", () => {
        const { management, underlay } = libvirtNetworks("abcdefgh", "192.168.121.0/24", "172.16.56.0/24");
        expect(management).toEqual({ name: "ovnlab-abcdefgh-mgmt", bridge: "abcdefgh_lvm", cidr: "192.168.121.0/24", dhcp: true });
        expect(underlay).toEqual({ name: "ovnlab-abcdefgh-underlay", bridge: "abcdefgh_lvu", cidr: "172.16.56.0/24", dhcp: false });
        expect(() => libvirtNetworks("$(id)", "192.168.121.0/24", "172.16.56.0/24")).toThrow(/lab id/);
    });

    it("XML: isolated (no forward), no DNS, the host at .1, DHCP only on the management network", () => {
        const { management, underlay } = libvirtNetworks("t1", "192.168.121.0/24", "172.16.56.0/24");
        expect(renderNetworkXml(management)).toBe([
            "<network>", "  <name>ovnlab-t1-mgmt</name>", "  <bridge name='t1_lvm' stp='off' delay='0'/>", "  <dns enable='no'/>",
            "  <ip address='192.168.121.1' netmask='255.255.255.0'>", "    <dhcp>", "      <range start='192.168.121.2' end='192.168.121.254'/>",
            "    </dhcp>", "  </ip>", "</network>", "",
        ].join("\n"));
        const xml = renderNetworkXml(underlay);
        expect(xml).toContain("<ip address='172.16.56.1' netmask='255.255.255.0'>\n  </ip>");
        expect(xml).not.toContain("forward");
        expect(xml).not.toContain("dhcp");
        expect(renderNetworkXml({ ...management, cidr: "10.1.0.0/20" })).toContain("<ip address='10.1.0.1' netmask='255.255.240.0'>\n    <dhcp>\n      <range start='10.1.0.2' end='10.1.15.254'/>");
        expect(() => renderNetworkXml({ ...management, name: "x'/><forward mode='nat'" })).toThrow();
    });

    it("virsh on the system connection, and what net-info prints", () => {
        expect(virshNetInfo("ovnlab-t1-mgmt")).toEqual(["virsh", "--quiet", "--connect", "qemu:///system", "net-info", "ovnlab-t1-mgmt"]);
        expect(virshNetDefine("/var/lib/x/net.xml").slice(-3)).toEqual(["net-define", "--file", "/var/lib/x/net.xml"]);
        const info = "Name:           ovnlab-t1-mgmt\nUUID:           0b5e...\nActive:         yes\nPersistent:     yes\nAutostart:      no\nBridge:         t1_lvm\n";
        expect(parseNetInfo(info)).toEqual({ active: true, bridge: "t1_lvm" });
        expect(parseNetInfo(info.replace("yes\nPers", "no\nPers"))).toEqual({ active: false, bridge: "t1_lvm" });
        expect(() => parseNetInfo("error: failed to get network")).toThrow(/Active and Bridge/);
    });
});

describe("libvirtManagementCidr", () => {
    const libvirt = { driver: "vagrant", vagrantProvider: "libvirt" };
    it("defaults to vagrant-libvirt's 192.168.121.0/24 and takes another network", () => {
        expect(validateConfig(libvirt, "multi-l2").libvirtManagementCidr).toBe("192.168.121.0/24");
        expect(validateConfig({ ...libvirt, libvirtManagementCidr: "10.99.0.0/16" }, "multi-l2").libvirtManagementCidr).toBe("10.99.0.0/16");
    });

    it("rejects hostile text, host addresses, huge or tiny prefixes and the underlay, all at once with the other problems", () => {
        for (const bad of ["x; rm -rf /", "$(id)", "192.168.121.5/24", "10.0.0.0/8", "192.168.121.0/30", "192.168.121.0", "999.1.1.0/24"]) {
            expect(() => validateConfig({ ...libvirt, libvirtManagementCidr: bad }, "multi-l2"), bad).toThrow(ConfigError);
        }
        try {
            validateConfig({ ...libvirt, libvirtManagementCidr: "172.16.56.128/25", nodeCpus: 0 }, "multi-l2");
            expect.unreachable();
        } catch (e) {
            const issues = (e as ConfigError).issues.map((i) => `${i.key}: ${i.problem}`);
            expect(issues).toEqual(["nodeCpus: not a whole number in range", "libvirtManagementCidr: overlaps hostCidr 172.16.56.0/24"]);
        }
    });
});
