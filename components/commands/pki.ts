// ovs-pki: the lab's own CA and one signed certificate per name. Pure.
import { Argv } from "./argv";
import { validName, validPath } from "../plan/validate";

export const pkiInit = (dir: string): Argv => ["ovs-pki", `--dir=${validPath("PKI directory", dir)}/ca`, "init"];
/** Run with the PKI directory as working directory: ovs-pki fails silently on a name with a path. */
export const pkiReqSign = (dir: string, name: string): Argv => ["ovs-pki", `--dir=${validPath("PKI directory", dir)}/ca`, "req+sign", validName("certificate name", name), "switch"];
