// KVM or TCG for libvirt guests: decided from the CPU flags and whether /dev/kvm
// opens, never from /dev/kvm's presence (this machine kind has a PVM /dev/kvm).
import { describe, expect, it } from "vitest";
import { cpuHasVirtualization, libvirtCpuMode, libvirtDriverFor } from "../../components/plan/virtualization";

const cpuinfo = (flags: string) => `processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: ${flags}\nbugs\t\t: spectre_v1\n\nprocessor\t: 1\nflags\t\t: ${flags}\n`;
// This machine kind: PVM (kvm-pvm), /dev/kvm opens, no vmx/svm flag.
const PVM_FLAGS = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss ht syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology cpuid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch";

describe("KVM or TCG", () => {
    it("reads vmx or svm as a whole word of a flags line only", () => {
        expect(cpuHasVirtualization(cpuinfo(`${PVM_FLAGS} vmx`))).toBe(true);
        expect(cpuHasVirtualization(cpuinfo(`svm ${PVM_FLAGS}`))).toBe(true);
        expect(cpuHasVirtualization(cpuinfo(PVM_FLAGS))).toBe(false);
        expect(cpuHasVirtualization(cpuinfo("vmxnet svmx"))).toBe(false);
        expect(cpuHasVirtualization("model name\t: vmx svm\n")).toBe(false);
        expect(cpuHasVirtualization("")).toBe(false);
    });

    it("KVM only with the CPU flag and a /dev/kvm that opens; a PVM host whose /dev/kvm opens gets TCG", () => {
        expect(libvirtDriverFor({ cpuinfo: cpuinfo(`${PVM_FLAGS} vmx`), kvmOpens: true })).toBe("kvm");
        expect(libvirtDriverFor({ cpuinfo: cpuinfo(`${PVM_FLAGS} vmx`), kvmOpens: false })).toBe("qemu");
        expect(libvirtDriverFor({ cpuinfo: cpuinfo(PVM_FLAGS), kvmOpens: true })).toBe("qemu");
        expect(libvirtCpuMode("kvm")).toBe("host-passthrough");
        expect(libvirtCpuMode("qemu")).toBe("maximum");
    });
});
