// The `ovnlab:libvirtManagementCidr` key: the management network a libvirt lab's
// machines get their first NIC on (DHCP from libvirt; where Vagrant's SSH goes),
// made per lab (drivers/vagrant/libvirtNetworks.ts). Two labs at once need two
// such networks. Pure: validated through validateConfig's flag.
import * as ipaddr from "ipaddr.js";
import { Raw } from "./configKeys";
import type { Flag } from "./containersConfig";

/** vagrant-libvirt's own default. */
export const DEFAULT_LIBVIRT_MANAGEMENT_CIDR = "192.168.121.0/24";
const RULE = "an IPv4 network address with a prefix from /16 to /29, such as 192.168.121.0/24, not overlapping hostCidr";

function parsed(cidr: string): [ipaddr.IPv4, number] | undefined {
    try {
        const [address, prefix] = ipaddr.IPv4.parseCIDR(cidr);
        return address.toString() === cidr.split("/")[0] ? [address, prefix] : undefined;
    } catch {
        return undefined;
    }
}

export function validateLibvirtManagement(raw: Raw, context: { driver: string; vagrantProvider: string; hostCidr: string }, flag: Flag): string {
    const value = raw.libvirtManagementCidr;
    if (value === undefined) return DEFAULT_LIBVIRT_MANAGEMENT_CIDR;
    if (context.driver !== "vagrant" || context.vagrantProvider !== "libvirt") {
        flag("libvirtManagementCidr", value, "only the vagrant driver's libvirt provider has a management network", "leave it unset, or set driver: vagrant and vagrantProvider: libvirt");
        return DEFAULT_LIBVIRT_MANAGEMENT_CIDR;
    }
    const cidr = typeof value === "string" && /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(value) ? parsed(value) : undefined;
    if (!cidr || cidr[1] < 16 || cidr[1] > 29 || ipaddr.IPv4.networkAddressFromCIDR(value as string).toString() !== cidr[0].toString()) {
        flag("libvirtManagementCidr", value, "not valid", RULE);
        return DEFAULT_LIBVIRT_MANAGEMENT_CIDR;
    }
    const host = parsed(context.hostCidr);
    if (host && (cidr[0].match(host) || host[0].match(cidr))) {
        flag("libvirtManagementCidr", value, `overlaps hostCidr ${context.hostCidr}`, RULE);
        return DEFAULT_LIBVIRT_MANAGEMENT_CIDR;
    }
    return value as string;
}
