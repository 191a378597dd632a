// Reading what the Pulumi CLI (and the manual script) printed: durations,
// per-type create/delete times, the engine's event timeline; and labels for
// the report.
import { execFileSync } from "child_process";
import { existsSync, readFileSync } from "fs";
import { resolve } from "path";
import { Timed } from "./measure";

const PROJECT_ROOT = resolve(__dirname, "../..");
/** `[manual] <phase> <seconds>` lines of the manual script. */
export function manualPhases(output: string): Record<string, number> {
    return Object.fromEntries([...output.matchAll(/^\[manual\] (\S+) ([\d.]+)$/gm)].map((m) => [m[1], Number(m[2])]));
}

export function pulumiDuration(output: string): string | undefined {
    return /Duration: (\S+)/.exec(output)?.[1];
}

/** Mean and max of the "created (Ns)" / "deleted (Ns)" lines per resource type. */
export function perTypeSeconds(output: string, verb: "created" | "deleted"): Record<string, string> {
    const byType: Record<string, number[]> = {};
    const pattern = new RegExp(`^\\s*[-+]\\s+(\\S+) \\S+ ${verb} \\((\\d+(?:\\.\\d+)?)s\\)`, "gm");
    for (const match of output.replace(/\u001b\[[0-9;]*m/g, "").matchAll(pattern)) {
        (byType[match[1].replace(/^ovnlab:/, "")] ??= []).push(Number(match[2]));
    }
    return Object.fromEntries(Object.entries(byType).map(([type, s]) => [
        type, `n=${s.length} mean ${(s.reduce((a, b) => a + b, 0) / s.length).toFixed(1)} s max ${Math.max(...s)} s`,
    ]));
}

/**
 * When the engine reported its first and last resource event, in seconds after
 * the command was started (engine timestamps are whole seconds: +-1 s). Before
 * the first: CLI, language host, Node.js and the program's start; after the
 * last: the final checkpoint and exits.
 */
export function eventTimeline(eventLog: string, run: Timed): string {
    if (!existsSync(eventLog)) return "?";
    const times: number[] = [];
    for (const line of readFileSync(eventLog, "utf8").split("\n")) {
        if (!line.trim()) continue;
        try {
            const event = JSON.parse(line) as { timestamp?: number; resourcePreEvent?: unknown; resOutputsEvent?: unknown };
            if ((event.resourcePreEvent || event.resOutputsEvent) && event.timestamp) times.push(event.timestamp);
        } catch {
            // a partial last line
        }
    }
    if (times.length === 0) return "no resource events";
    const at = (t: number) => Math.max(0, t - run.startedMs / 1000).toFixed(0);
    return `first resource event at ~${at(Math.min(...times))} s, last at ~${at(Math.max(...times))} s, exit at ${run.seconds.toFixed(1)} s`;
}

/** The project the stacks copy: the working tree (test/helpers/pulumiStack.ts), marked when it differs from HEAD. */
export function projectLabel(): string {
    try {
        const git = (...args: string[]) => execFileSync("git", ["-C", PROJECT_ROOT, ...args], { encoding: "utf8" }).trim();
        const dirty = git("status", "--porcelain", "--", "Pulumi.yaml", "index.ts", "components") !== "";
        return `working tree at ${git("rev-parse", "--short", "HEAD")}${dirty ? ", with uncommitted changes to the program" : ""}`;
    } catch {
        return "working tree";
    }
}

/** A timed result without its (long) output, for the JSON lines. */
export function strip(t: Timed | undefined) {
    if (!t) return undefined;
    const { output: _output, ...rest } = t;
    return rest;
}
