// A lab's certificate authority, made with ovs-pki as OVS documents it: one
// CA, and a key and certificate per database server and per chassis. The
// files stay in the lab's state directory (the daemons read them there); the
// private keys are also outputs marked secret, so the stack's state holds
// them encrypted, never in plain text.
import { pkiInit, pkiReqSign } from "../../commands/pki";
import * as pulumi from "../../kit/pulumiCore";
import { ResourceHandler, OvnlabResource } from "../../kit/resource";
import { TlsFiles } from "../../commands/ovs";
import { validPath } from "../../plan/validate";
import { ResourceInputs } from "../../kit/hostRuntime";
import { runCommand } from "../../transport/transport";

export interface PkiArgs {
    /** Absolute directory for the CA and the certificates. */
    dir: string;
    /** One key and certificate per name, e.g. central, node1, node2. */
    names: string[];
}

export interface PkiOutputs extends PkiArgs {
    caCert: string;
    /** Per name: its key, certificate and the CA certificate, as paths. */
    files: Record<string, TlsFiles>;
    /** Per name: the private key's PEM text (a secret output). */
    privateKeys: Record<string, string>;
}

/** Paths of one name's files; ovs-pki writes `<name>-privkey.pem` and `<name>-cert.pem` in its working directory. */
export function pkiFiles(dir: string, name: string): TlsFiles {
    return {
        privateKey: `${dir}/${name}-privkey.pem`,
        certificate: `${dir}/${name}-cert.pem`,
        caCert: `${dir}/ca/switchca/cacert.pem`,
    };
}


async function ensurePki(args: PkiArgs): Promise<PkiOutputs> {
    const fs: typeof import("fs") = require("fs");
    validPath("PKI directory", args.dir);
    const local = { kind: "local" as const };
    fs.mkdirSync(args.dir, { recursive: true, mode: 0o700 });
    if (!fs.existsSync(pkiFiles(args.dir, "x").caCert)) await runCommand(local, pkiInit(args.dir), { timeoutMs: 60_000 });
    const files: Record<string, TlsFiles> = {};
    const privateKeys: Record<string, string> = {};
    for (const name of args.names) {
        const paths = pkiFiles(args.dir, name);
        if (!fs.existsSync(paths.certificate)) {
            // A half-made pair (interrupted run) is made again from scratch.
            for (const stale of [paths.privateKey, `${args.dir}/${name}-req.pem`]) fs.rmSync(stale, { force: true });
            await runCommand(local, pkiReqSign(args.dir, name), { cwd: args.dir, timeoutMs: 60_000 });
        }
        files[name] = paths;
        privateKeys[name] = fs.readFileSync(paths.privateKey, "utf8");
    }
    return { ...args, caCert: pkiFiles(args.dir, "x").caCert, files, privateKeys };
}

export const pkiProvider: ResourceHandler<PkiArgs, PkiOutputs> = {
    async create(inputs) {
        const outs = await ensurePki(inputs);
        return { id: inputs.dir, outs };
    },
    async diff(_id, olds, news) {
        const dirChanged = olds.dir !== news.dir;
        const namesChanged = JSON.stringify(olds.names) !== JSON.stringify(news.names);
        return { changes: dirChanged || namesChanged, replaces: dirChanged ? ["dir"] : [], deleteBeforeReplace: true };
    },
    async update(_id, _olds, news) {
        return { outs: await ensurePki(news) };
    },
    async read(id, props) {
        const fs: typeof import("fs") = require("fs");
        if (!props) return {};
        const complete = fs.existsSync(props.caCert) && props.names.every((n) => fs.existsSync(pkiFiles(props.dir, n).certificate));
        return complete ? { id, props } : {};
    },
    async delete(_id, props) {
        const fs: typeof import("fs") = require("fs");
        fs.rmSync(props.dir, { recursive: true, force: true });
    },
};

export class Pki extends OvnlabResource {
    declare readonly caCert: pulumi.Output<string>;
    declare readonly files: pulumi.Output<Record<string, TlsFiles>>;
    declare readonly privateKeys: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: ResourceInputs<PkiArgs>, opts?: pulumi.CustomResourceOptions) {
        super("pki", "Pki", name, { caCert: undefined, files: undefined, privateKeys: undefined, ...args },
            { ...opts, additionalSecretOutputs: ["privateKeys"] });
    }
}
