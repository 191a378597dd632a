// The process sandbox's commands (a workload as a plain process in its own
// network namespace, where a node has no Docker): start, find, inspect, stop.
// Pure: nothing here runs anything.
import { Argv } from "./argv";
import { validIpv4, validName, validPath, validPid, validPort } from "../plan/validate";

/** The command line the sandbox process shows in /proc: its name, then sleep's argument. */
const commandLine = (marker: string): string => `${marker} infinity`;

/**
 * `setsid -f unshare --net -- bash -c '...'`: detached from the SSH session (its output closed first, so
 * the session ends), loopback up, then `sleep infinity` under the workload's name.
 */
export function sandboxStart(marker: string): Argv {
    const name = validName("sandbox name", marker);
    return ["setsid", "-f", "unshare", "--net", "--", "bash", "-c", `exec </dev/null >/dev/null 2>&1; ip link set lo up; exec -a ${name} sleep infinity`];
}

/** PIDs whose whole command line is the sandbox's (the name has no regex metacharacters). */
export const sandboxFind = (marker: string): Argv => ["pgrep", "-x", "-f", commandLine(validName("sandbox name", marker))];
export const procStat = (pid: number): Argv => ["cat", `/proc/${validPid(pid)}/stat`];

/** SIGTERM to one process, by the PID ovnlab recorded. */
export const killPid = (pid: number): Argv => ["kill", String(validPid(pid))];

/** Field 22 of /proc/<pid>/stat, the start time in clock ticks since boot (after the parenthesised comm, which may hold spaces). */
export function parseStartTime(stat: string): string {
    const fields = stat.slice(stat.lastIndexOf(")") + 2).trim().split(" ");
    const start = fields[19];
    if (!start || !/^\d+$/.test(start)) throw new Error(`cannot read a start time from ${JSON.stringify(stat.slice(0, 120))}`);
    return start;
}

export interface ListenerSpec {
    /** Written by start-stop-daemon with the daemon's PID. */
    pidfile: string;
    /** The daemon's stdout and stderr: busybox httpd -vv logs `<source ip>:<port>: url:<path>` per request. */
    logFile: string;
    address: string;
    port: number;
    /** Its document root; CGI scripts under cgi-bin/. The path also tells its process from any other. */
    wwwDir: string;
}

/**
 * `start-stop-daemon --start --background --make-pidfile ... --exec /usr/bin/busybox -- httpd -f -vv -p IP:PORT -h DIR`:
 * busybox httpd in the foreground of a detached process, its PID in `pidfile` before the command returns.
 */
export function listenerStart(spec: ListenerSpec): Argv {
    return [
        "start-stop-daemon", "--start", "--background", "--make-pidfile", "--pidfile", validPath("pidfile", spec.pidfile),
        "--output", validPath("log file", spec.logFile), "--exec", "/usr/bin/busybox", "--",
        "httpd", "-f", "-vv", "-p", `${validIpv4(spec.address)}:${validPort("listen port", spec.port)}`, "-h", validPath("document root", spec.wwwDir),
    ];
}
