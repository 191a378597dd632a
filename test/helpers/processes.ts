// Test hygiene: everything a test starts it stops by PID, never by name.
import { existsSync, readdirSync, readFileSync } from "fs";

export function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch {
        return false;
    }
    // A zombie (re-parented, not yet reaped) has exited for our purposes.
    try {
        return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
        return false;
    }
}

export function pidFromFile(pidfile: string): number | undefined {
    if (!existsSync(pidfile)) return undefined;
    const pid = Number(readFileSync(pidfile, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL. */
export async function stopPid(pid: number, graceMs = 3000): Promise<void> {
    if (!isAlive(pid)) return;
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (isAlive(pid)) process.kill(pid, "SIGKILL");
}

/** PIDs of the live processes in process group `pgid` (what a killed or cancelled CLI may leave running). */
export function processGroupMembers(pgid: number): number[] {
    return readdirSync("/proc").filter((p) => /^\d+$/.test(p)).flatMap((pid) => {
        try {
            // Fields after the parenthesised command: state, ppid, pgrp.
            const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
            const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            return Number(pgrp) === pgid && state !== "Z" ? [Number(pid)] : [];
        } catch {
            return [];
        }
    });
}
