// Vagrant labs in tests: the node image, a free host-only network, and a
// fail-safe teardown of everything a lab may have left (machines by Vagrant,
// node containers by their lab label, the docker network by its name, the
// state directory), even after a failed test.
import { execFileSync } from "child_process";
import { existsSync, rmSync } from "fs";
import { join, resolve } from "path";
import { vagrantEnvironment } from "../../components/commands/vagrant";
import { labContainers } from "./lab";

const PROJECT_ROOT = resolve(__dirname, "../..");

function run(argv: string[], env: Record<string, string> = {}, timeout = 120_000): string {
    try {
        return execFileSync(argv[0], argv.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout, env: { ...process.env, ...env } });
    } catch {
        return "";
    }
}

export function vagrantInstalled(): boolean {
    return run(["vagrant", "--version"]).startsWith("Vagrant");
}

/** Builds the docker provider's node image unless it exists (scripts/vagrant-node-image.sh); returns its name and the seconds it took. */
export function nodeImage(): { image: string; seconds: number } {
    const started = Date.now();
    const image = execFileSync("bash", [join(PROJECT_ROOT, "scripts/vagrant-node-image.sh")], { encoding: "utf8", timeout: 20 * 60_000 }).trim();
    return { image, seconds: Math.round((Date.now() - started) / 1000) };
}

/** The name Vagrant's docker provider gives the network of a private_network subnet. */
export const vagrantNetworkName = (hostCidr: string): string => `vagrant_network_${hostCidr}`;

/** A 172.16.X.0/24 (X from 100 to 199) that no docker network and no host route uses, so tests run beside real labs. */
export function freeHostCidr(): string {
    const subnets = run(["docker", "network", "inspect", "--format", "{{range .IPAM.Config}}{{.Subnet}} {{end}}", ...run(["docker", "network", "ls", "-q"]).split("\n").filter(Boolean)]);
    const routes = run(["ip", "-4", "route", "show"]);
    for (let tries = 0; tries < 100; tries++) {
        const cidr = `172.16.${100 + Math.floor(Math.random() * 100)}.0/24`;
        const prefix = cidr.slice(0, cidr.lastIndexOf("."));
        if (!subnets.includes(prefix) && !routes.includes(prefix)) return cidr;
    }
    throw new Error("no free 172.16.X.0/24 for the test's host-only network");
}

/** Machines of the lab that Vagrant still knows about, from its global index. */
export function vagrantMachinesUnder(projectDir: string): string[] {
    return run(["vagrant", "global-status", "--machine-readable"], { VAGRANT_CHECKPOINT_DISABLE: "1" })
        .split("\n").filter((line) => line.includes(projectDir));
}

export function dockerNetworkExists(name: string): boolean {
    return run(["docker", "network", "inspect", name]).trim().startsWith("[");
}

export async function cleanupVagrantLab(labId: string, stateDir: string, hostCidr: string): Promise<void> {
    const projectDir = join(stateDir, "vagrant");
    if (existsSync(join(projectDir, "Vagrantfile"))) run(["vagrant", "destroy", "--force"], vagrantEnvironment(projectDir), 10 * 60_000);
    for (const id of labContainers(labId)) run(["docker", "rm", "-f", id]);
    // Only when no container uses it any more: docker refuses to remove a network in use.
    if (dockerNetworkExists(vagrantNetworkName(hostCidr))) run(["docker", "network", "rm", vagrantNetworkName(hostCidr)]);
    rmSync(stateDir, { recursive: true, force: true });
}
