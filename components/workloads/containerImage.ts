// The lab's default workload image, built locally: Debian's static busybox
// plus a symlink per applet (sh, ping, ip, nc, sleep, ifconfig, route, ...),
// `docker import`ed as ovnlab/busybox:<busybox version>. No registry involved.
//
// On destroy the image is removed only when this resource built it (it did not
// find it already there) and no container still uses it: labs share the tag,
// and rebuilding costs about a second, so keeping a shared image is the safe side.
import { busyboxBanner } from "../commands/docker";
import * as pulumi from "../kit/pulumiCore";
import { ResourceHandler, OvnlabResource } from "../kit/resource";
import { busyboxListApplets, dockerImageInspect, dockerImageRemove, dockerImport, tarDirectory } from "../commands/docker";
import { validImage, validPath } from "../plan/validate";
import { alreadyGone, diffSettings, ResourceInputs } from "../kit/hostRuntime";
import { runCommand, TransportSpec } from "../transport/transport";

export interface ContainerImageArgs {
    /** Default ovnlab/busybox; the tag is the busybox version. */
    repository?: string;
    /** Default /bin/busybox (Debian package busybox-static). */
    busybox?: string;
}

export interface ContainerImageOutputs extends Required<ContainerImageArgs> {
    /** The reference to run, e.g. ovnlab/busybox:1.35.0. */
    image: string;
    imageId: string;
    busyboxVersion: string;
    /** Whether this resource built the image (and so may remove it). */
    built: boolean;
}

const HOST: TransportSpec = { kind: "local" };

function imageSettings(args: ContainerImageArgs): Required<ContainerImageArgs> {
    return { repository: args.repository ?? "ovnlab/busybox", busybox: args.busybox ?? "/bin/busybox" };
}

/** "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary." -> "1.35.0" */
export function parseBusyboxVersion(banner: string): string {
    const match = /BusyBox v(\d+(\.\d+)*)/.exec(banner);
    if (!match) throw new Error(`cannot tell the busybox version from ${JSON.stringify(banner.split("\n")[0])}`);
    return match[1];
}

async function imageId(image: string): Promise<string | undefined> {
    const result = await runCommand(HOST, dockerImageInspect(image), { allowFailure: true });
    // Only "No such image" means gone: Docker being unreachable must not make a refresh forget the image.
    if (result.code !== 0 && alreadyGone(result.stderr)) return undefined;
    if (result.code !== 0) throw new Error(`docker image inspect ${image} failed: ${result.stderr.trim()}`);
    return (JSON.parse(result.stdout) as { Id: string }[])[0]?.Id;
}

/** A root filesystem with busybox and its applets, tarred and imported. */
async function buildImage(busybox: string, image: string, version: string): Promise<void> {
    const fs: typeof import("fs") = require("fs");
    const os: typeof import("os") = require("os");
    const path: typeof import("path") = require("path");
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "ovnlab-image-"));
    try {
        const root = path.join(work, "rootfs");
        fs.mkdirSync(path.join(root, "bin"), { recursive: true });
        fs.mkdirSync(path.join(root, "tmp"), { mode: 0o1777 });
        fs.copyFileSync(busybox, path.join(root, "bin/busybox"));
        fs.chmodSync(path.join(root, "bin/busybox"), 0o755);
        const applets = (await runCommand(HOST, busyboxListApplets(busybox))).stdout.split("\n").map((l) => l.trim());
        for (const applet of applets) {
            if (!/^[a-z0-9_\/.\[-]+$/.test(applet) || applet.includes("..") || applet === "bin/busybox") continue;
            fs.mkdirSync(path.join(root, path.dirname(applet)), { recursive: true });
            if (!fs.existsSync(path.join(root, applet))) fs.symlinkSync("/bin/busybox", path.join(root, applet));
        }
        const tarball = path.join(work, "rootfs.tar");
        await runCommand(HOST, tarDirectory(root, tarball));
        await runCommand(HOST, dockerImport(tarball, image, `busybox-${version}`), { timeoutMs: 120_000 });
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

export const containerImageProvider: ResourceHandler<ContainerImageArgs, ContainerImageOutputs> = {
    async create(inputs) {
        const s = imageSettings(inputs);
        validPath("busybox binary", s.busybox);
        const version = parseBusyboxVersion((await runCommand(HOST, busyboxBanner(s.busybox), { allowFailure: true })).stdout);
        const image = validImage(`${s.repository}:${version}`);
        let id = await imageId(image);
        const built = id === undefined;
        if (built) {
            await buildImage(s.busybox, image, version);
            id = await imageId(image);
            if (id === undefined) throw new Error(`docker import reported success but ${image} is not there`);
        }
        return { id: image, outs: { ...s, image, imageId: id!, busyboxVersion: version, built } };
    },

    async diff(_id, olds, news) {
        return diffSettings(imageSettings(olds), imageSettings(news), ["repository", "busybox"], []);
    },

    async read(id, props) {
        if (!props) return {};
        const current = await imageId(props.image ?? id);
        if (current === undefined) return {};
        return { id, props: { ...props, imageId: current } };
    },

    async delete(id, props) {
        if (!props.built) return;
        const result = await runCommand(HOST, dockerImageRemove(props.image ?? id), { allowFailure: true });
        // "No such image": already gone; "conflict ... is being used": another lab's containers still run it.
        if (result.code !== 0 && !/No such image|conflict|being used/i.test(result.stderr)) {
            throw new Error(`removing image ${props.image} failed: ${result.stderr.trim()}`);
        }
    },
};

export class ContainerImage extends OvnlabResource {
    declare readonly image: pulumi.Output<string>;
    declare readonly imageId: pulumi.Output<string>;
    declare readonly busyboxVersion: pulumi.Output<string>;
    declare readonly built: pulumi.Output<boolean>;

    constructor(name: string, args: ResourceInputs<ContainerImageArgs> = {}, opts?: pulumi.CustomResourceOptions) {
        const outputs = { image: undefined, imageId: undefined, busyboxVersion: undefined, built: undefined };
        super("docker", "Image", name, { ...outputs, ...args }, opts);
    }
}
