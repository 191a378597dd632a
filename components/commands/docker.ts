// docker, tar and busybox, as argv arrays (images are built locally: no
// registry). Pure: nothing here runs anything.
import { Argv } from "./argv";
import { IMAGE_LABEL, LAB_LABEL } from "./names";
import { CONTAINER_ID, DOCKER_NAME, checked, isString, validHostname, validImage, validLabId, validPath } from "../plan/validate";

// ---- docker -----------------------------------------------------------------

export interface DockerRunSpec {
    name: string;
    labId: string;
    hostname: string;
    image: string;
    command: string[];
    /** never: fail at once when the image is not local (no registry is needed or reachable). */
    pull: "never" | "missing";
}

/** `docker run -d --network none ...`: ovnlab plugs eth0 itself, as ovs-docker does. */
export function dockerRun(spec: DockerRunSpec): Argv {
    for (const word of spec.command) {
        checked("container command word", word, isString(word) && word.length > 0 && !/[\0\n\r]/.test(word), "non-empty, without NUL or newlines");
    }
    checked("pull policy", spec.pull, spec.pull === "never" || spec.pull === "missing", "never | missing");
    return [
        "docker", "run", "-d", "--network", "none", `--pull=${spec.pull}`,
        "--name", checked("container name", spec.name, isString(spec.name) && DOCKER_NAME.test(spec.name), "ovnlab-<labId>-<name>"),
        "--label", `${LAB_LABEL}=${validLabId(spec.labId)}`, "--hostname", validHostname(spec.hostname),
        "--cap-add", "NET_ADMIN", validImage(spec.image), ...spec.command,
    ];
}

const dockerTarget = (nameOrId: string): string =>
    checked("container", nameOrId, isString(nameOrId) && (DOCKER_NAME.test(nameOrId) || CONTAINER_ID.test(nameOrId)), "a container name or id");

export const dockerInspect = (nameOrId: string): Argv => ["docker", "inspect", "--type", "container", dockerTarget(nameOrId)];
export const dockerStart = (nameOrId: string): Argv => ["docker", "start", dockerTarget(nameOrId)];
export const dockerRemove = (nameOrId: string): Argv => ["docker", "rm", "-f", dockerTarget(nameOrId)];
/** `docker exec CONTAINER ARGV...`: a command ovnlab built, inside a running container (no TTY: its output is read). */
export const dockerExec = (nameOrId: string, argv: Argv): Argv => ["docker", "exec", dockerTarget(nameOrId), ...argv];
export const dockerImageInspect = (image: string): Argv => ["docker", "image", "inspect", validImage(image)];
/** Without -f: an image a container still uses stays. */
export const dockerImageRemove = (image: string): Argv => ["docker", "image", "rm", validImage(image)];

/** `docker import` of a root filesystem tarball: no registry involved. */
export function dockerImport(tarball: string, image: string, labelValue: string): Argv {
    checked("image label", labelValue, /^[A-Za-z0-9._-]{1,64}$/.test(labelValue), "1-64 of A-Z, a-z, 0-9, '.', '_', '-'");
    return [
        "docker", "import", "--change", `LABEL ${IMAGE_LABEL}=${labelValue}`, "--change", 'CMD ["sh"]',
        validPath("tarball", tarball), validImage(image),
    ];
}

export const tarDirectory = (dir: string, tarball: string): Argv => ["tar", "-C", validPath("directory", dir), "-cf", validPath("tarball", tarball), "."];
/** Every applet as a path relative to / (bin/sh, usr/bin/nc, ...). */
export const busyboxListApplets = (busybox: string): Argv => [validPath("busybox binary", busybox), "--list-full"];
/** busybox run with no applet prints its banner (with its version). */
export const busyboxBanner = (busybox: string): Argv => [validPath("busybox binary", busybox)];
