// The `ovnlab:sshHosts` list (ssh driver): the existing Linux hosts that are
// the lab's nodes, one entry per node, in node order. Checked field by field
// with the validation vocabulary, every problem reported at once. Pure: no
// Pulumi, no I/O (whether a host answers is the preflight's, drivers/ssh/).
import { asArray, asInteger, Driver, DatapathType, Experiment, isValidName, NAME_RULE, Raw } from "./configKeys";
import type { Flag } from "./containersConfig";
import { isIpv4, validPath, validPort, validSshHost, validSshUser } from "./validate";

/** One host as the lab uses it: where SSH reaches it, as whom, and its underlay address. */
export interface SshHostSpec {
    /** The node this host is (node1, ...). */
    node: string;
    /** Host name or IPv4 address ssh connects to. */
    address: string;
    port: number;
    user: string;
    /** Absolute path of the private key on this machine. */
    keyFile: string;
    /** Run every command through `sudo -n` (passwordless sudo); default: true unless the user is root. */
    sudo: boolean;
    /** The node's address on the underlay (Geneve, the central's listeners); default: address, when that is an IPv4 address. */
    underlayIp: string;
}

export const SSH_HOST_FIELDS = ["node", "address", "port", "user", "keyFile", "sudo", "underlayIp"];
export const SSH_HOST_SHAPE = "{node, address, user, keyFile, sudo?, underlayIp?, port?}";

interface Context {
    driver: Driver;
    experiment: Experiment;
    datapathType: DatapathType;
    /** The raw `nodes` value: with the ssh driver the list gives the count. */
    nodes: unknown;
}

const accepts = (check: () => unknown): boolean => {
    try {
        check();
        return true;
    } catch {
        return false;
    }
};

/** The hosts fit to use, and the nodes the list names (also those of entries with other problems, so each is reported once). */
export function validateSshHosts(value: unknown, context: Context, flag: Flag): { hosts: SshHostSpec[]; nodes: string[] } {
    if (context.driver !== "ssh") {
        if (value !== undefined) flag("sshHosts", value, "only the ssh driver uses it", "driver: ssh, or leave sshHosts unset");
        return { hosts: [], nodes: [] };
    }
    const list = value === undefined ? [] : asArray(value);
    if (list === undefined || list.length === 0) {
        flag("sshHosts", value, list === undefined ? "not a list" : "the ssh driver needs at least one host", `a list of ${SSH_HOST_SHAPE}, one per node`);
        return { hosts: [], nodes: [] };
    }
    if (context.nodes !== undefined && asInteger(context.nodes) !== list.length) {
        flag("nodes", context.nodes, `the ssh driver's nodes are its ${list.length} sshHosts`, `${list.length}, or leave nodes unset`);
    }
    if (context.experiment === "single-l2" && list.length !== 1) {
        flag("sshHosts", `${list.length} hosts`, "single-l2 is one flat L2 domain on one node", "one host (or use experiment multi-l2)");
    }
    const seen = { node: new Set<string>(), endpoint: new Set<string>(), underlay: new Set<string>() };
    const hosts: SshHostSpec[] = [];
    list.forEach((entry, i) => {
        const key = `sshHosts[${i}]`;
        if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
            flag(key, entry, "not an object", SSH_HOST_SHAPE);
            return;
        }
        const e = entry as Raw;
        for (const field of Object.keys(e)) {
            if (!SSH_HOST_FIELDS.includes(field)) flag(`${key}.${field}`, e[field], "unknown field", SSH_HOST_FIELDS.join(", "));
        }
        const bad = (field: string, problem: string, valid: string) => {
            flag(`${key}.${field}`, e[field], problem, valid);
            return false;
        };
        let ok = true;
        if (!isValidName(e.node)) ok = bad("node", e.node === undefined ? "missing" : "not a valid name", NAME_RULE);
        else if (seen.node.has(e.node)) ok = bad("node", "duplicate node", "each node once");
        else seen.node.add(e.node);
        const address = e.address;
        if (typeof address !== "string" || !accepts(() => validSshHost(address))) {
            ok = bad("address", address === undefined ? "missing" : "not a host name or IPv4 address", "a host name or IPv4 address such as 192.168.121.10");
        }
        const port = e.port === undefined ? 22 : asInteger(e.port);
        if (port === undefined || !accepts(() => validPort("ssh port", port))) ok = bad("port", "not a port", "an integer from 1 to 65535 (default 22)");
        const user = e.user;
        if (typeof user !== "string" || !accepts(() => validSshUser(user))) {
            ok = bad("user", user === undefined ? "missing" : "not a user name", "a user name such as root or debian (a-z, 0-9, '_', '.', '-')");
        }
        const keyFile = e.keyFile;
        if (typeof keyFile !== "string" || !accepts(() => validPath("ssh key file", keyFile))) {
            ok = bad("keyFile", keyFile === undefined ? "missing" : "not an absolute path", "the private key's absolute path, of letters, digits and . _ + - / (no '..')");
        }
        if (e.sudo !== undefined && typeof e.sudo !== "boolean") ok = bad("sudo", "not true or false", "true (commands through sudo -n) or false (the user is root)");
        const underlayIp = e.underlayIp ?? (isIpv4(address) ? address : undefined);
        if (underlayIp === undefined) ok = bad("underlayIp", "missing (the address is a host name)", "the host's IPv4 address on the underlay, such as 192.168.56.11");
        else if (!isIpv4(underlayIp)) ok = bad("underlayIp", "not an IPv4 address", "a dotted quad such as 192.168.56.11");
        else if (seen.underlay.has(underlayIp as string)) ok = bad("underlayIp", "already another node's", "one underlay address per node");
        else seen.underlay.add(underlayIp as string);
        if (ok && context.datapathType === "netdev" && underlayIp === address) {
            ok = bad("underlayIp", "is the address ovnlab reaches the host on, and the userspace datapath (datapathType netdev) moves the underlay address onto OVS's br-phy",
                "another interface's address (a second NIC), or datapathType: system");
        }
        const endpoint = `${String(address)}:${String(port)}`;
        if (ok && seen.endpoint.has(endpoint)) ok = bad("address", "already another node's host", "one host per node: a host has one OVS");
        if (!ok) return;
        seen.endpoint.add(endpoint);
        hosts.push({
            node: e.node as string, address: address as string, port: port!, user: user as string, keyFile: keyFile as string,
            sudo: typeof e.sudo === "boolean" ? e.sudo : user !== "root", underlayIp: underlayIp as string,
        });
    });
    return { hosts, nodes: [...seen.node] };
}
