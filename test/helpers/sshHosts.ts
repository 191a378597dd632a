// SSH hosts for the ssh driver's tests: containers of the locally built node
// image (scripts/vagrant-node-image.sh: Debian with OVS, OVN and sshd) on the
// default bridge (where ssh reaches them) and on an underlay network of the
// test's own, each with a freshly generated key authorised for root, for a
// sudo user and for a user without sudo. Everything is removed by id.
import { execFileSync } from "child_process";
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

export interface SshHost {
    id: string;
    name: string;
    /** Its address on the default bridge: where ssh reaches it. */
    address: string;
    /** Its address on the test's underlay network (eth1). */
    underlayIp: string;
}

export interface SshHostsFixture {
    hosts: SshHost[];
    /** The private key every host accepts (root, debian with passwordless sudo, nosudo without sudo). */
    keyFile: string;
    /** A key no host accepts. */
    strangerKeyFile: string;
    network: string;
    hostCidr: string;
    /** Runs a bash script in a host as root (docker exec), returns its stdout. */
    exec(host: SshHost, script: string): string;
    remove(): void;
}

const run = (argv: string[], input?: string) => execFileSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 120_000, input }).trim();

/** Authorises the key for root, `debian` (passwordless sudo) and `nosudo` (sudo would ask a password), then starts sshd. */
const HOST_SETUP = `set -eu
useradd --create-home --shell /bin/bash debian
useradd --create-home --shell /bin/bash nosudo
echo 'debian ALL=(ALL) NOPASSWD: ALL' >/etc/sudoers.d/debian
for home in /root /home/debian /home/nosudo; do
  install -d -m 700 "$home/.ssh"
  install -m 600 /dev/stdin "$home/.ssh/authorized_keys" <<<"$PUBKEY"
  chown -R "$(stat -c %U "$home")" "$home/.ssh"
done
# The node's init makes host keys, then becomes sshd: wait for that, so snapshots see the host at rest.
for i in $(seq 100); do pgrep -x sshd >/dev/null && ! pgrep -x ssh-keygen >/dev/null && exit 0; sleep 0.1; done
echo "sshd did not start" >&2; exit 1`

export function startSshHosts(prefix: string, image: string, count: number, hostCidr: string): SshHostsFixture {
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-keys-`));
    const keyFile = join(dir, "lab_key");
    const strangerKeyFile = join(dir, "stranger_key");
    const hosts: SshHost[] = [];
    const network = `${prefix}-underlay`;
    const net = hostCidr.split(".").slice(0, 3).join(".");
    const fixture: SshHostsFixture = {
        hosts, keyFile, strangerKeyFile, network, hostCidr,
        exec: (host, script) => run(["docker", "exec", "-i", host.id, "bash", "-s"], script),
        remove() {
            for (const host of hosts) {
                try {
                    run(["docker", "rm", "-f", host.id]);
                } catch {
                    // already gone
                }
            }
            try {
                run(["docker", "network", "rm", network]);
            } catch {
                // never made, or already gone
            }
            rmSync(dir, { recursive: true, force: true });
        },
    };
    try {
        for (const file of [keyFile, strangerKeyFile]) run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", prefix, "-f", file]);
        const publicKey = run(["cat", `${keyFile}.pub`]);
        run(["docker", "network", "create", "--subnet", hostCidr, "--label", `ovnlab.test=${prefix}`, network]);
        for (let i = 0; i < count; i++) {
            const name = `${prefix}-host${i + 1}`;
            // As Vagrant's docker provider runs a node: capabilities instead of --privileged, a TUN device for OVS's userspace datapath.
            const id = run([
                "docker", "run", "-d", "--init", "--name", name, "--hostname", `host${i + 1}`, "--label", `ovnlab.test=${prefix}`,
                "--cap-add", "NET_ADMIN", "--cap-add", "SYS_ADMIN", "--device", "/dev/net/tun", image,
            ]);
            const host: SshHost = { id, name, address: "", underlayIp: `${net}.${10 + i}` };
            hosts.push(host);
            run(["docker", "network", "connect", "--ip", host.underlayIp, network, id]);
            host.address = run(["docker", "inspect", "--format", "{{.NetworkSettings.Networks.bridge.IPAddress}}", id]);
            run(["docker", "exec", "-i", "-e", `PUBKEY=${publicKey}`, id, "bash", "-s"], HOST_SETUP);
        }
    } catch (e) {
        fixture.remove();
        throw e;
    }
    return fixture;
}

/** What a host looks like from inside, to compare before and after a lab: links, IPv4 addresses, routes and processes. */
export function hostSnapshot(fixture: SshHostsFixture, host: SshHost): { links: string; addresses: string; routes: string; processes: string } {
    const out = fixture.exec(host, [
        `ip -o link show | awk '{ print $2 }' | sed 's/@.*//' | sort | tr '\\n' ' '; echo`,
        `ip -o -4 addr show | awk '{ print $2, $4 }' | sort | tr '\\n' ' '; echo`,
        `ip -4 route show | sort | tr '\\n' ';'; echo`,
        // What runs apart from sshd sessions and this very script.
        `ps -eo comm= | grep -v -x -e sshd -e ps -e bash -e sort -e tr -e grep | sort | tr '\\n' ' '; echo`,
    ].join("\n")).split("\n");
    return { links: out[0], addresses: out[1], routes: out[2], processes: out[3] };
}
