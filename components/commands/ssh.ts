// What the ssh driver runs on its hosts besides the provisioning script: the
// preflight (can ovnlab log in, become root, find the underlay address, run
// Docker, install packages?) and the script that undoes provisioning. Pure:
// nothing here runs anything. Both run through the host's SSH transport.
import { Argv } from "./argv";
import { VsctlCommand } from "./ovs";
import { validInterface, validIpv4 } from "../plan/validate";

const SCRIPT_START = "#!/usr/bin/env bash\n";

/** A fixed or generated script for bash on the host, its values as positional parameters (never spliced into it). */
function scriptArgv(script: string, name: string, args: string[]): Argv {
    return ["bash", "-c", script, name, ...args];
}

/**
 * The preflight, run as root (through `sudo -n` when the host's user is not root): one line per
 * fact, `ovnlab-preflight: <fact> <value>`, read by drivers/ssh/preflightReport.ts. It changes nothing.
 */
export const PREFLIGHT_SCRIPT = [
    `set -u`,
    `ip=$1`,
    `say() { echo "ovnlab-preflight: $*"; }`,
    `say uid "$(id -u)"`,
    `if command -v ip >/dev/null 2>&1; then`,
    `  ip -o -4 addr show | awk -v ip="$ip" '{ split($4, a, "/") } a[1] == ip { print "ovnlab-preflight: underlay " $2 " " $4; found = 1; exit } END { if (!found) print "ovnlab-preflight: underlay none" }'`,
    `  ip -4 route show default | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print "ovnlab-preflight: default-route " $(i + 1); exit } }'`,
    `else`,
    `  say underlay unknown`,
    `fi`,
    `# A br-phy in the switch's database (even with OVS down: conf.db is a text log) means ovnlab moved the address there.`,
    `if ovs-vsctl --timeout=5 br-exists br-phy 2>/dev/null || grep -s -l '"br-phy"' /etc/openvswitch/conf.db /var/lib/openvswitch/conf.db >/dev/null; then say br-phy yes; else say br-phy no; fi`,
    `if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then say docker yes; else say docker no; fi`,
    `if command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then say apt yes; else say apt no; fi`,
    `say done`,
].join("\n");

/** `bash -c PREFLIGHT preflight.sh <underlay ip>` */
export function preflightArgv(underlayIp: string): Argv {
    return scriptArgv(PREFLIGHT_SCRIPT, "preflight.sh", [validIpv4(underlayIp)]);
}

/** Steps an unprovisioning script knows (drivers/remote/unprovisionScript.ts UNDO_ORDER). */
const UNDOABLE = /^(ovn_controller|ovn_central|underlay_bridge|integration_bridge|openvswitch)$/;

/** `bash -c SCRIPT unprovision.sh PORT STEP...`: undo the steps ovnlab made; PORT held the underlay address ("": none). */
export function unprovisionScriptArgv(script: string, underlayPort: string, steps: string[]): Argv {
    if (!script.startsWith(SCRIPT_START) || script.includes("\0")) throw new Error(`an unprovisioning script is generated text starting with ${JSON.stringify(SCRIPT_START)}`);
    for (const step of steps) {
        if (typeof step !== "string" || !UNDOABLE.test(step)) throw new Error(`invalid provisioning step ${JSON.stringify(step)}: ${UNDOABLE.source}`);
    }
    return scriptArgv(script, "unprovision.sh", [underlayPort === "" ? "" : validInterface(underlayPort), ...steps]);
}

/** `ovs-vsctl list-ports <bridge>`: what the unprovisioning needs to know of br-phy. */
export const vsListPorts = (bridge: string): VsctlCommand => ["list-ports", validInterface(bridge)];
