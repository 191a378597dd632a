// What this host's libvirt guests run under (KVM or QEMU's TCG), read from
// the host: /proc/cpuinfo's flags and a try at opening /dev/kvm. The decision
// itself is pure (plan/virtualization.ts).
import { LibvirtDriver, libvirtDriverFor } from "../../plan/virtualization";

function kvmOpens(): boolean {
    const fs: typeof import("fs") = require("fs");
    try {
        fs.closeSync(fs.openSync("/dev/kvm", "r+"));
        return true;
    } catch {
        return false;
    }
}

export function detectLibvirtDriver(): LibvirtDriver {
    const fs: typeof import("fs") = require("fs");
    let cpuinfo = "";
    try {
        cpuinfo = fs.readFileSync("/proc/cpuinfo", "utf8");
    } catch {
        // No /proc/cpuinfo: nothing says the CPU virtualizes, so TCG.
    }
    return libvirtDriverFor({ cpuinfo, kvmOpens: kvmOpens() });
}
