// What `trace` adds for OVN's services: a load balancer's VIP as a destination
// (by the load balancer's name or its address; the probe is then a TCP SYN to
// its port, and the trace shows its backends and the one ovn-trace followed),
// and, in a lab with ACLs, which rule decided (the ACL whose match is inside
// the logical flow that allowed or dropped the packet). Pure: cli/trace.ts runs ovn-trace.
import type { Unwrap } from "@pulumi/pulumi";
import type { AclSummary, LoadBalancerSummary } from "../components/ovn/services";
import type { ContainerSummary } from "../components/lab";
import { validIpv4 } from "../components/plan/validate";
import type { LabOutputs } from "./pulumiWorkspace";

/** The source port of the traced SYN (any port works: ovn-trace sends nothing). */
export const TRACE_TCP_SOURCE_PORT = 40000;

/** A VIP as a trace destination: on no node, so the probe goes to the sender's gateway. */
export function vipTarget(outputs: LabOutputs, toName: string): { to: Unwrap<ContainerSummary>; lb: LoadBalancerSummary; port: number } | undefined {
    const lb = (outputs.loadBalancers ?? []).find((l) => l.name === toName || l.vip.split(":")[0] === toName || l.vip === toName);
    if (!lb) return undefined;
    const [ip, port] = lb.vip.split(":");
    return { to: { name: lb.name, node: "VIP", ip: validIpv4(ip), mac: "" }, lb, port: Number(port) };
}

/** The backends of the first `ct_lb_mark(backends=...)` (or ct_lb) the packet met. */
export function parseLbBackends(trace: string): string[] {
    const match = /ct_lb(?:_mark)?\(backends=([0-9.:,]+)\)/.exec(trace);
    return match ? match[1].split(",") : [];
}

/** The rule whose match is in the last ACL stage flow the packet took (ls_in_acl*, ls_out_acl*). */
export function decidingAcl(detailed: string, acls: AclSummary[]): AclSummary | undefined {
    let found: AclSummary | undefined;
    for (const line of detailed.split("\n")) {
        if (!/^\s*\d+\. ls_(in|out)_acl(_eval)?\b/.test(line)) continue;
        const rule = acls.find((a) => line.includes(`(${a.match})`));
        if (rule) found = rule;
    }
    return found;
}

/** What the services did to the traced packet, for the report. */
export interface ServiceFindings {
    loadBalancer?: { name: string; vip: string; backends: { name: string; address: string }[]; chosen?: string };
    acl?: { name: string; rule: string; verdict: string };
}

export function serviceFindings(outputs: LabOutputs, detailed: string, delivered: string[], lb?: LoadBalancerSummary): ServiceFindings {
    const findings: ServiceFindings = {};
    if (lb) {
        const ips = parseLbBackends(detailed);
        const byPort = new Map((outputs.containers ?? []).map((c) => [c.logicalPort ?? c.name, c.name]));
        const chosen = delivered.map((port) => byPort.get(port)).find((name) => name !== undefined && lb.backends.some((b) => b.name === name));
        findings.loadBalancer = {
            name: lb.name, vip: lb.vip,
            backends: ips.map((address) => lb.backends.find((b) => b.address === address) ?? { name: "?", address }),
            ...(chosen ? { chosen } : {}),
        };
    }
    const acl = decidingAcl(detailed, outputs.acls ?? []);
    if (acl) findings.acl = { name: acl.name, rule: acl.rule, verdict: acl.verdict };
    return findings;
}

export function renderFindings(f: ServiceFindings): string[] {
    const lines: string[] = [];
    if (f.loadBalancer) {
        const { name, vip, backends, chosen } = f.loadBalancer;
        lines.push(`load balancer ${name} ${vip}: backends ${backends.map((b) => `${b.name} ${b.address}`).join(", ") || "(none in the trace)"}; ovn-trace followed ${chosen ?? "none of them"}`);
    }
    if (f.acl) lines.push(`ACL ${f.acl.name} decided: ${f.acl.rule} (${f.acl.verdict})`);
    return lines;
}
