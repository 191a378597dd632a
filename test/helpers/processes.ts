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

/**
 * Live descendants of `pid` (children, their children, ...). The pulumi CLI
 * starts its language host and providers in process groups of their own, so
 * only this tree, not the CLI's group, finds everything a run started.
 */
export function descendants(pid: number): number[] {
    const children = new Map<number, number[]>();
    for (const entry of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        try {
            // Fields after the parenthesised command: state, ppid.
            const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
            const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            if (state !== "Z") children.set(Number(ppid), [...(children.get(Number(ppid)) ?? []), Number(entry)]);
        } catch {
            // exited while we looked
        }
    }
    const found: number[] = [];
    const visit = (parent: number) => (children.get(parent) ?? []).forEach((child) => { found.push(child); visit(child); });
    visit(pid);
    return found;
}
