// What the vagrant driver runs on the host: `vagrant up|status|ssh-config|destroy`
// as argv arrays, the environment they run with, and parsers for what they
// print. Pure, like the other builders: nothing here runs anything.
import { Argv } from "./argv";
import { VAGRANT_PROVIDERS, VagrantProvider } from "../plan/config";
import { validName, validPath } from "../plan/validate";

function validProvider(value: string): VagrantProvider {
    if (!(VAGRANT_PROVIDERS as readonly string[]).includes(value)) throw new Error(`invalid Vagrant provider ${JSON.stringify(value)}: ${VAGRANT_PROVIDERS.join(" | ")}`);
    return value as VagrantProvider;
}

/** `vagrant up <node> --provider <p>`: ovnlab provisions over SSH itself, so Vagrant's provisioners stay off. */
export const vagrantUp = (node: string, provider: string): Argv =>
    ["vagrant", "up", validName("node name", node), "--provider", validProvider(provider), "--no-provision"];
export const vagrantStatus = (node: string): Argv => ["vagrant", "status", validName("node name", node), "--machine-readable"];
export const vagrantSshConfig = (node: string): Argv => ["vagrant", "ssh-config", validName("node name", node)];
export const vagrantDestroy = (node: string): Argv => ["vagrant", "destroy", "--force", validName("node name", node)];

/**
 * Vagrant's environment for one lab's project directory: no calls home (version
 * and box-update checks), and no colour codes in what ovnlab parses.
 */
export function vagrantEnvironment(projectDir: string): Record<string, string> {
    return {
        VAGRANT_CWD: validPath("Vagrant project directory", projectDir),
        VAGRANT_CHECKPOINT_DISABLE: "1",
        VAGRANT_BOX_UPDATE_CHECK_DISABLE: "1",
        VAGRANT_NO_COLOR: "1",
    };
}

/** A machine's state from `vagrant status --machine-readable` (`<time>,<node>,state,<state>`): running, not_created, stopped, poweroff, ... */
export function parseMachineState(stdout: string, node: string): string | undefined {
    for (const line of stdout.split("\n")) {
        const [, target, type, data] = line.trim().split(",");
        if (target === node && type === "state") return data;
    }
    return undefined;
}

export interface SshConfig {
    host: string;
    port: number;
    user: string;
    identityFile: string;
}

/** HostName, Port, User and IdentityFile from `vagrant ssh-config <node>` (OpenSSH client configuration syntax). */
export function parseSshConfig(stdout: string): SshConfig {
    const fields = new Map<string, string>();
    for (const line of stdout.split("\n")) {
        const match = /^\s*(\w+)\s+(.+?)\s*$/.exec(line);
        // The first value wins, as in ssh_config; a path with spaces is quoted.
        if (match && !fields.has(match[1])) fields.set(match[1], match[2].replace(/^"(.*)"$/, "$1"));
    }
    const host = fields.get("HostName");
    const port = Number(fields.get("Port"));
    const user = fields.get("User");
    const identityFile = fields.get("IdentityFile");
    if (!host || !Number.isInteger(port) || port <= 0 || !user || !identityFile) {
        throw new Error(`vagrant ssh-config printed no HostName, Port, User and IdentityFile:\n${stdout.trim()}`);
    }
    return { host, port, user, identityFile };
}

/** The generated provisioning script, run by bash on the node (`--check`: report what is missing, change nothing). */
export function provisionScriptArgv(script: string, check: boolean): Argv {
    if (!script.startsWith(SCRIPT_START) || script.includes("\0")) throw new Error(`a provisioning script is generated text starting with ${JSON.stringify(SCRIPT_START)}`);
    return ["bash", "-c", script, "provision.sh", ...(check ? ["--check"] : [])];
}
const SCRIPT_START = "#!/usr/bin/env bash\n";
