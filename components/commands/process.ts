// The process sandbox's commands (a workload as a plain process in its own
// network namespace, where a node has no Docker): start, find, inspect, stop.
// Pure: nothing here runs anything.
import { Argv } from "./argv";
import { validName, validPid } from "../plan/validate";

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
