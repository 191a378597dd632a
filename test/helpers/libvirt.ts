// libvirt labs in tests: the daemons (started by scripts/libvirt-daemons.sh
// only when nothing answers, stopped by it only then), the box, free networks,
// what of a lab libvirt still holds (domains, volumes, networks, the underlay's
// iptables rule), and a fail-safe teardown of all of it by the lab's names.
import { execFileSync } from "child_process";
import { existsSync } from "fs";
import { join, resolve } from "path";
import { vagrantEnvironment } from "../../components/commands/vagrant";
import { machineName } from "../../components/drivers/vagrant/vagrantfile";
import { libvirtNetworks } from "../../components/drivers/vagrant/libvirtNetworks";

const PROJECT_ROOT = resolve(__dirname, "../..");
const VIRSH = ["virsh", "--quiet", "--connect", "qemu:///system"];

function run(argv: string[], env: Record<string, string> = {}, timeout = 120_000): string {
    try {
        return execFileSync(argv[0], argv.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout, env: { ...process.env, ...env } });
    } catch {
        return "";
    }
}
export const virsh = (...args: string[]): string => run([...VIRSH, ...args]);

export interface LibvirtDaemons {
    /** Whether this test started them (and so stops them). */
    started: boolean;
    stop(): void;
}

export function ensureLibvirt(): LibvirtDaemons {
    if (virsh("version").includes("libvirt")) return { started: false, stop: () => undefined };
    execFileSync("bash", [join(PROJECT_ROOT, "scripts/libvirt-daemons.sh"), "start"], { stdio: "inherit", timeout: 60_000 });
    return { started: true, stop: () => execFileSync("bash", [join(PROJECT_ROOT, "scripts/libvirt-daemons.sh"), "stop"], { stdio: "inherit", timeout: 60_000 }) };
}

/** Builds and adds the libvirt box unless cached (scripts/vagrant-libvirt-box.sh); its name and the seconds it took. */
export function libvirtBox(): { box: string; seconds: number } {
    const started = Date.now();
    const box = execFileSync("bash", [join(PROJECT_ROOT, "scripts/vagrant-libvirt-box.sh")], { encoding: "utf8", timeout: 20 * 60_000, stdio: ["ignore", "pipe", "inherit"] }).trim();
    return { box, seconds: Math.round((Date.now() - started) / 1000) };
}

/** A 192.168.X.0/24 (X from 200 to 249) that no route and no libvirt network uses, for the lab's management network. */
export function freeManagementCidr(): string {
    const taken = run(["ip", "-4", "route", "show"]) + virsh("net-list", "--all", "--name").split("\n").filter(Boolean).map((n) => virsh("net-dumpxml", n)).join("\n");
    for (let tries = 0; tries < 100; tries++) {
        const prefix = `192.168.${200 + Math.floor(Math.random() * 50)}`;
        if (!taken.includes(`${prefix}.`)) return `${prefix}.0/24`;
    }
    throw new Error("no free 192.168.X.0/24 for the test's management network");
}

/** What libvirt and the host still hold of a lab: its domains, disk volumes, networks and the underlay's ACCEPT rules. */
export function libvirtLeftovers(labId: string): { domains: string[]; volumes: string[]; networks: string[]; rules: string[] } {
    const prefix = `ovnlab-${labId}-`;
    const names = (text: string) => text.split("\n").map((l) => l.trim()).filter((l) => l.startsWith(prefix));
    const { underlay } = libvirtNetworks(labId, "192.168.121.0/24", "172.16.56.0/24");
    const rules = ["DOCKER-USER", "FORWARD"].flatMap((chain) => run(["iptables", "-w", "5", "-S", chain]).split("\n"))
        .filter((line) => line.includes(underlay.bridge));
    return {
        domains: names(virsh("list", "--all", "--name")),
        volumes: names(virsh("vol-list", "default").split("\n").map((l) => l.trim().split(/\s+/)[0]).join("\n")),
        networks: names(virsh("net-list", "--all", "--name")),
        rules,
    };
}

/** Removes whatever a lab left, by its names: machines through Vagrant, then domains, volumes, networks and rules directly. */
export function cleanupLibvirtLab(labId: string, projectDir: string, nodes: string[]): void {
    if (existsSync(join(projectDir, "Vagrantfile"))) run(["vagrant", "destroy", "--force"], vagrantEnvironment(projectDir), 10 * 60_000);
    for (const node of nodes) {
        const domain = machineName(labId, node);
        virsh("destroy", domain);
        virsh("undefine", domain, "--remove-all-storage");
    }
    const left = libvirtLeftovers(labId);
    for (const volume of left.volumes) virsh("vol-delete", volume, "--pool", "default");
    for (const network of left.networks) {
        virsh("net-destroy", network);
        virsh("net-undefine", network);
    }
    for (const rule of left.rules) {
        const [, chain, ...spec] = rule.split(/\s+/);
        // iptables -S prints the comment quoted only when it needs quotes; ovnlab's (ovnlab:<labId>) never does.
        run(["iptables", "-w", "5", "-D", chain, ...spec]);
    }
}
