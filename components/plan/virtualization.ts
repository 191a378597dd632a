// Whether this host's libvirt guests run under KVM or under QEMU's software
// emulation (TCG). Decided from what the CPU says and whether /dev/kvm opens,
// never from /dev/kvm's presence alone: on PVM hosts the device exists and its
// ioctls answer, yet a stock Debian kernel under it aborts or crawls. Pure; the
// host is read by drivers/vagrant/libvirtHost.ts.

/** vagrant-libvirt's `driver`: libvirt's domain type. */
export type LibvirtDriver = "kvm" | "qemu";
export const LIBVIRT_DRIVERS: readonly LibvirtDriver[] = ["kvm", "qemu"];

/** Whether /proc/cpuinfo's flags lines name hardware virtualization: vmx (Intel VT-x) or svm (AMD-V). */
export function cpuHasVirtualization(cpuinfo: string): boolean {
    return cpuinfo.split("\n").some((line) => /^flags\s*:/.test(line) && /(^|\s)(vmx|svm)(\s|$)/.test(line.replace(/^flags\s*:/, " ")));
}

export interface VirtualizationProbe {
    /** The text of /proc/cpuinfo. */
    cpuinfo: string;
    /** Whether /dev/kvm opened read-write. */
    kvmOpens: boolean;
}

/** KVM only where the CPU has VT-x/AMD-V and /dev/kvm opens; anywhere else QEMU's TCG. */
export function libvirtDriverFor(probe: VirtualizationProbe): LibvirtDriver {
    return cpuHasVirtualization(probe.cpuinfo) && probe.kvmOpens ? "kvm" : "qemu";
}

/** The guest CPU: the host's own under KVM; under TCG everything QEMU emulates (`-cpu max`). */
export function libvirtCpuMode(driver: LibvirtDriver): "host-passthrough" | "maximum" {
    return driver === "kvm" ? "host-passthrough" : "maximum";
}
