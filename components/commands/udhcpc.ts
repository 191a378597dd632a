// The DHCP client a workload runs with ovnlab:dhcp: busybox's udhcpc, in the workload's
// network namespace, with the node's own tools (the image may have none). Pure: nothing
// here runs anything.
//
// udhcpc hands every lease to a script (its -s) in environment variables (ip, mask as a
// prefix length, router, mtu, lease, serverid) and does nothing itself. ovnlab's script is
// the fixed text below; a short fixed runner writes it to a temporary file on the node,
// runs udhcpc once (-q: exit with the lease; -n: fail when none came) and removes the file.
// Both texts are constants: the interface and the number of tries reach the shell only as
// positional parameters ("$2", "$3"), never inside its text.
import { Argv } from "./argv";
import { inNetnsOfPid } from "./ip";
import { checked, validInterface } from "../plan/validate";

/** Applies OVN's offer to the interface: address/prefix, default route and MTU; prints what it applied. */
export const UDHCPC_SCRIPT = `#!/bin/sh
# ovnlab's udhcpc script: applies a DHCP lease to $interface.
set -f
case "$1" in
deconfig)
    ip -4 addr flush dev "$interface"
    ip link set dev "$interface" up
    ;;
bound|renew)
    if [ -n "$mtu" ]; then ip link set dev "$interface" mtu "$mtu"; fi
    ip -4 addr flush dev "$interface"
    ip addr add "$ip/$mask" dev "$interface"
    for r in $router; do ip route replace default via "$r" dev "$interface"; break; done
    echo "ovnlab-dhcp: $1 $ip/$mask router \${router:-none} mtu \${mtu:-none} lease \${lease:-?}s from \${serverid:-?}"
    ;;
esac
exit 0
`;

/** Writes the script ("$1") to a temporary file, runs udhcpc on interface "$2" with "$3" discovers a second apart, removes the file. */
export const UDHCPC_RUNNER = [
    "set -e",
    "f=$(mktemp /tmp/ovnlab-udhcpc.XXXXXX)",
    "trap 'rm -f \"$f\"' EXIT",
    "printf '%s' \"$1\" >\"$f\"",
    "chmod 700 \"$f\"",
    "busybox udhcpc -i \"$2\" -f -q -n -t \"$3\" -T 1 -O mtu -s \"$f\"",
].join("\n");

/** At most this many discovers: udhcpc waits a second after each. */
const MAX_TRIES = 120;

/** `nsenter -t PID -n sh -c RUNNER ovnlab-udhcpc SCRIPT eth0 TRIES`: one lease for the workload's interface. */
export function udhcpcArgv(pid: number, device: string, tries: number): Argv {
    checked("number of DHCP discovers", tries, Number.isInteger(tries) && tries >= 1 && tries <= MAX_TRIES, `an integer from 1 to ${MAX_TRIES}`);
    return inNetnsOfPid(pid, ["sh", "-c", UDHCPC_RUNNER, "ovnlab-udhcpc", UDHCPC_SCRIPT, validInterface(device), String(tries)]);
}
