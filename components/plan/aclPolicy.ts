// What a lab's ACLs decide for one packet, from the rules as configured: the
// rules in front of the destination, highest priority first, the first that
// matches (source container or node, protocol, port) decides; none matching
// means OVN's default, allow. `verify` uses it to expect the pings the rules
// drop to fail (and to report a leak when one gets through). Pure.

export interface PolicyRule {
    name: string;
    to: string;
    from: string;
    protocol: string;
    port?: number;
    action: string;
    priority: number;
}

export interface Probe {
    from: { name: string; node: string };
    to: string;
    protocol: "icmp" | "tcp" | "udp";
    port?: number;
}

/** The rule that decides, or undefined when none applies (allowed). */
export function decidingRule(rules: PolicyRule[], probe: Probe): PolicyRule | undefined {
    return rules
        .filter((r) => r.to === probe.to)
        .sort((a, b) => b.priority - a.priority)
        .find((r) =>
            (r.from === "any" || r.from === probe.from.name || r.from === probe.from.node) &&
            (r.protocol === "ip" || r.protocol === probe.protocol) &&
            (r.port === undefined || r.port === probe.port));
}

/** The name of the rule that drops (or rejects) the probe, or undefined when it passes. */
export function blockingRule(rules: PolicyRule[], probe: Probe): string | undefined {
    const rule = decidingRule(rules, probe);
    return rule && rule.action !== "allow" ? rule.name : undefined;
}
