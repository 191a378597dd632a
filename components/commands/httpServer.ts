// Which commands: a container's web server, run on its node in the container's
// network namespace (`nsenter -t <pid> -n busybox httpd`), so it works the same
// for Docker containers and process sandboxes and needs nothing in the image.
// Its page is one file naming the container, so a client sees which backend
// answered. Pure: nothing here runs anything. Shell text is fixed; values
// travel as positional arguments ("$0", "$1", ...), never inside the text.
import { Argv } from "./argv";
import { validLabId, validName, validPath, validPid, validPort } from "../plan/validate";

/** The page directory of one workload on its node. */
export const httpRoot = (labId: string, workload: string) => `/tmp/ovnlab-www-${validLabId(labId)}-${validName("workload name", workload)}`;

/** The two fixed shell texts (reviewed in test/unit/hostileStrings.test.ts); every value is a positional parameter. */
const HTTP_PAGE_SCRIPT = 'mkdir -p -- "$0" && printf "%s\\n" "$1" > "$0/index.html"';
const HTTP_START_SCRIPT = 'exec </dev/null >/dev/null 2>&1; exec nsenter -t "$0" -n -- busybox httpd -f -p "$1" -h "$2"';

/** `mkdir -p DIR && printf '%s\n' NAME > DIR/index.html` */
export function httpPageWrite(dir: string, text: string): Argv {
    const [d, t] = [validPath("page directory", dir), validName("page text", text)];
    return ["sh", "-c", HTTP_PAGE_SCRIPT, d, t];
}

/** The server's command line as /proc shows it: how it is found again (the directory is the workload's own). */
export const httpServerCommandLine = (dir: string, port: number) => `busybox httpd -f -p ${validPort("http port", port)} -h ${validPath("page directory", dir)}`;

/** Detached from the caller (its output closed first, so the command returns), in the workload's network namespace. */
export function httpServerStart(pid: number, dir: string, port: number): Argv {
    const args = [String(validPid(pid)), String(validPort("http port", port)), validPath("page directory", dir)];
    return ["setsid", "-f", "sh", "-c", HTTP_START_SCRIPT, ...args];
}

export const httpServerFind = (dir: string, port: number): Argv => ["pgrep", "-x", "-f", httpServerCommandLine(dir, port)];

/** The network namespace a process is in (`net:[4026532...]`): the server must be in its container's. */
export const netnsOfPid = (pid: number): Argv => ["readlink", `/proc/${validPid(pid)}/ns/net`];

export function removePageDirectory(dir: string): Argv {
    if (!/^\/tmp\/ovnlab-www-[a-z0-9-]+$/.test(validPath("page directory", dir))) throw new Error(`refusing to remove ${JSON.stringify(dir)}: not a page directory of ovnlab's`);
    return ["rm", "-rf", "--", dir];
}
