// How the ssh driver reaches a host: its transport (from the stack's
// sshHosts entry and the lab's own known-hosts file), and the `ssh` command
// line a person types, which is also the node's `ssh` output that cli/
// (nodeReach) reads back. Pure.
import type { SshHostSpec } from "../../plan/sshHostsConfig";
import { validPath, validPort, validSshHost, validSshUser } from "../../plan/validate";
import { TransportSpec } from "../../transport/transport";

export type SshTransport = Extract<TransportSpec, { kind: "ssh" }>;

/**
 * The lab's known-hosts file: ssh trusts each host's key the first time (accept-new) and refuses a
 * changed one afterwards. Per lab, so a host reinstalled for another lab or a reused test address
 * never trips over the user's ~/.ssh/known_hosts, and a changed key is still refused within a lab.
 */
export function knownHostsFile(stateDir: string): string {
    return `${validPath("lab state directory", stateDir)}/ssh_known_hosts`;
}

export function hostTransport(host: SshHostSpec, knownHosts: string): SshTransport {
    return { kind: "ssh", host: host.address, port: host.port, user: host.user, identityFile: host.keyFile, sudo: host.sudo, knownHostsFile: knownHosts };
}

/** `ssh [-t] -i KEY -p PORT -o UserKnownHostsFile=FILE USER@HOST[ sudo -i]`: a shell on the host, as root with sudo. */
export function sshCommandLine(t: SshTransport): string {
    const base = `-i ${validPath("ssh key file", t.identityFile)} -p ${validPort("ssh port", t.port)} -o UserKnownHostsFile=${validPath("ssh known hosts file", t.knownHostsFile ?? "")}`;
    const destination = `${validSshUser(t.user)}@${validSshHost(t.host)}`;
    return t.sudo ? `ssh -t ${base} ${destination} sudo -i` : `ssh ${base} ${destination}`;
}

/** The shell prefix a workload's exec output goes through (`<shell> 'sudo nsenter ...'`). */
export function sshShell(t: SshTransport): string {
    return sshCommandLine({ ...t, sudo: true }).replace(/ sudo -i$/, "");
}

const COMMAND_LINE = /^ssh( -t)? -i (\S+) -p (\d+) -o UserKnownHostsFile=(\S+) ([^@\s]+)@(\S+?)( sudo -i)?$/;

/** The transport in an `ssh` output line (sshCommandLine's form); undefined for any other line. Every field is validated. */
export function parseSshCommandLine(line: string): SshTransport | undefined {
    const m = COMMAND_LINE.exec(line);
    if (!m || Boolean(m[1]) !== Boolean(m[7])) return undefined;
    const transport: SshTransport = {
        kind: "ssh", host: validSshHost(m[6]), port: validPort("ssh port", Number(m[3])), user: validSshUser(m[5]),
        identityFile: validPath("ssh key file", m[2]), sudo: Boolean(m[7]), knownHostsFile: validPath("ssh known hosts file", m[4]),
    };
    return transport;
}
