// The workload side of ovnlab:dhcp: after its plug is bound to its logical switch port,
// the workload asks OVN for its address by DHCP (busybox's udhcpc in its network
// namespace, through the node's transport; commands/udhcpc.ts), and the lease is checked
// against the IP plan: OVN offers the port's "MAC IP", so anything else is an error.
import { inNetnsOfPid, ipAddrShow, ipRouteShowDefault, parseDefaultGateway, parseIpv4Cidrs, parseLinkAddress } from "../commands/ip";
import { udhcpcArgv } from "../commands/udhcpc";
import { runCommand, TransportSpec } from "../transport/transport";

export interface DhcpClientArgs {
    transport: TransportSpec;
    workload: string;
    containerPid: number;
    device: string;
    /** What the IP plan says the lease must give. */
    cidr: string;
    gateway: string;
    mtu: number;
}

/**
 * Discovers a second apart before giving up. ovn-controller answers once it has installed the
 * port's flows, a moment after the plug binds the port (longer on a chassis that just started).
 */
export const DHCP_TRIES = 30;

/** Leases eth0's address from OVN; resolves with the script's line ("ovnlab-dhcp: bound 10.244.1.3/24 router 10.244.1.1 ..."). */
export async function leaseByDhcp(a: DhcpClientArgs): Promise<string> {
    const result = await runCommand(a.transport, udhcpcArgv(a.containerPid, a.device, DHCP_TRIES), { allowFailure: true, timeoutMs: (DHCP_TRIES + 30) * 1000 });
    const said = `${result.stdout}${result.stderr}`.trim().split("\n").filter((l) => l.trim()).slice(-6).join("\n    ");
    if (result.code !== 0) {
        throw new Error(
            `workload ${a.workload}: no DHCP lease for ${a.device} after ${DHCP_TRIES} discovers (is its logical switch port bound on this node, ` +
            `and does it name a DHCP_Options row? ovn-nbctl lsp-get-dhcpv4-options <port>); udhcpc said:\n    ${said || "(nothing)"}`,
        );
    }
    const inside = (argv: string[]) => runCommand(a.transport, inNetnsOfPid(a.containerPid, argv));
    const link = (await inside(ipAddrShow(a.device))).stdout;
    const live = {
        cidr: parseIpv4Cidrs(link).join(","),
        gateway: parseDefaultGateway((await inside(ipRouteShowDefault())).stdout) ?? "",
        mtu: parseLinkAddress(link).mtu ?? 0,
    };
    const wrong = (["cidr", "gateway", "mtu"] as const).filter((k) => String(live[k]) !== String(a[k]))
        .map((k) => `${k} ${live[k] === "" ? "(none)" : live[k]} where the IP plan says ${a[k]}`);
    if (wrong.length > 0) {
        throw new Error(
            `workload ${a.workload}: the DHCP lease on ${a.device} is not the planned one: ${wrong.join("; ")} ` +
            `(the port's addresses or its DHCP_Options row were changed outside ovnlab?); udhcpc said:\n    ${said}`,
        );
    }
    return result.stdout.split("\n").find((l) => l.startsWith("ovnlab-dhcp:")) ?? said;
}
