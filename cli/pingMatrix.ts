// The ping matrix `verify` prints: every container to every other one. Pure.

export interface PingTarget {
    name: string;
    ip: string;
}

export interface PingResult {
    from: string;
    to: string;
    sent: number;
    received: number;
    /** The ACL that is meant to drop this pair's echo (a lab with ACLs): then no reply is the pass. */
    blockedBy?: string;
}

/** Every ordered pair of distinct containers. */
export function pingPairs<T extends PingTarget>(targets: T[]): [T, T][] {
    return targets.flatMap((from) => targets.filter((to) => to !== from).map((to): [T, T] => [from, to]));
}

/** Reads "3 packets transmitted, 2 packets received" (busybox) or "3 received" (iputils). */
export function parsePingSummary(output: string): { sent: number; received: number } {
    const match = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(output);
    return match ? { sent: Number(match[1]), received: Number(match[2]) } : { sent: 0, received: 0 };
}

/**
 * A pair passes when any echo comes back (or, when an ACL is meant to drop it, when none does): the first packet to a new tunnel
 * neighbour is dropped while OVS resolves it (an ARP), which is not a fault.
 */
export const passed = (r: PingResult) => (r.blockedBy === undefined ? r.received > 0 : r.received === 0);

export function renderMatrix(names: string[], results: PingResult[]): string {
    const cell = (from: string, to: string) => {
        if (from === to) return "-";
        const r = results.find((x) => x.from === from && x.to === to);
        if (!r) return "?";
        if (r.blockedBy !== undefined) return passed(r) ? "blocked" : `LEAK ${r.received}/${r.sent}`;
        return passed(r) ? `ok ${r.received}/${r.sent}` : `FAIL ${r.received}/${r.sent}`;
    };
    const rows = [["from \\ to", ...names], ...names.map((from) => [from, ...names.map((to) => cell(from, to))])];
    const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
    return rows.map((row) => row.map((text, col) => text.padEnd(widths[col])).join("  ").trimEnd()).join("\n");
}
