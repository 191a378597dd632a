// The ssh driver's preflight: before the program registers a single
// resource, every host is asked over SSH (BatchMode, ConnectTimeout, the
// lab's known-hosts file) whether ovnlab can log in with its key, become root,
// find the underlay address and install packages, and whether Docker runs
// there (workloads are then containers, else process sandboxes). Any problem
// on any host stops the preview or update with one message naming every host
// and what is wrong, so nothing anywhere is changed: no resource exists yet to
// change it. It runs in the program (preview and up; refresh and destroy do
// not run the program), synchronously, one host after another: the Lab's
// constructor is synchronous and a host answers in a fraction of a second
// (an unreachable one within ConnectTimeout).
import { RunError } from "@pulumi/pulumi/errors";
import { preflightArgv } from "../../commands/ssh";
import type { LabPlan } from "../../plan/ipPlan";
import { transportArgv } from "../../transport/transport";
import { hostTransport, knownHostsFile } from "./sshAccess";
import { describeHost, HostFacts, parsePreflight, preflightProblems, PreflightRun } from "./preflightReport";

/** Seconds one host's preflight may take in all (ConnectTimeout is 10 of them). */
const PREFLIGHT_TIMEOUT_MS = 60_000;

function runSync(argv: string[]): PreflightRun {
    const childProcess: typeof import("child_process") = require("child_process");
    const result = childProcess.spawnSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: PREFLIGHT_TIMEOUT_MS, stdio: ["ignore", "pipe", "pipe"] });
    if (result.error) return { code: -1, stdout: result.stdout ?? "", stderr: `${result.error.message}\n${result.stderr ?? ""}` };
    return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function readable(file: string): boolean {
    const fs: typeof import("fs") = require("fs");
    try {
        fs.accessSync(file, fs.constants.R_OK);
        return true;
    } catch {
        return false;
    }
}

/** Each host's facts, or a RunError naming every host that cannot be a node (nothing has been registered yet). */
export function preflightHosts(plan: LabPlan, stateDir: string): Map<string, HostFacts> {
    const fs: typeof import("fs") = require("fs");
    fs.mkdirSync(stateDir, { recursive: true }); // where ssh keeps the lab's known-hosts file
    const knownHosts = knownHostsFile(stateDir);
    const facts = new Map<string, HostFacts>();
    const problems: string[] = [];
    for (const host of plan.config.sshHosts) {
        const node = plan.nodes.find((n) => n.name === host.node)!;
        let found: string[];
        if (!readable(host.keyFile)) {
            found = [`the key file ${host.keyFile} cannot be read here`];
        } else {
            const run = runSync(transportArgv(hostTransport(host, knownHosts), preflightArgv(host.underlayIp)));
            found = preflightProblems(host, { underlayCidr: node.underlayCidr, userspaceDatapath: plan.config.datapathType === "netdev" }, run);
            if (found.length === 0) facts.set(host.node, parsePreflight(run.stdout)!);
        }
        problems.push(...found.map((p) => `  - ${describeHost(host)}: ${p}`));
    }
    if (problems.length > 0) {
        throw new RunError(`ssh driver preflight: ${problems.length} problem${problems.length === 1 ? "" : "s"}, nothing was changed on any host:\n${problems.join("\n")}`);
    }
    return facts;
}
