// What the vagrant driver runs on the host for libvirt's networks: `virsh
// net-define|net-start|net-info|net-destroy|net-undefine` on the system
// connection, as argv arrays, and a parser for net-info. Pure, like the other builders.
import { Argv } from "./argv";
import { validName, validPath } from "../plan/validate";

const VIRSH = ["virsh", "--quiet", "--connect", "qemu:///system"];
const network = (name: string) => validName("libvirt network", name);

export const virshNetDefine = (xmlFile: string): Argv => [...VIRSH, "net-define", "--file", validPath("libvirt network XML file", xmlFile)];
export const virshNetStart = (name: string): Argv => [...VIRSH, "net-start", network(name)];
export const virshNetInfo = (name: string): Argv => [...VIRSH, "net-info", network(name)];
export const virshNetDestroy = (name: string): Argv => [...VIRSH, "net-destroy", network(name)];
export const virshNetUndefine = (name: string): Argv => [...VIRSH, "net-undefine", network(name)];

/** `virsh net-info`: `Active: yes|no` and `Bridge: <name>`. */
export function parseNetInfo(stdout: string): { active: boolean; bridge: string } {
    const field = (key: string) => new RegExp(`^${key}:\\s*(\\S+)\\s*$`, "m").exec(stdout)?.[1];
    const active = field("Active");
    const bridge = field("Bridge");
    if (active === undefined || bridge === undefined) throw new Error(`virsh net-info printed no Active and Bridge:\n${stdout.trim()}`);
    return { active: active === "yes", bridge };
}
