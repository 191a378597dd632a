// verify: pings every container from every other one through `docker exec`,
// prints the matrix, and exits non-zero if any pair cannot reach the other.
//   npm run verify [-- --stack NAME] [--json]
import { execFile } from "child_process";
import { promisify } from "util";
import { openStack, stackName } from "./pulumiWorkspace";
import { parsePingSummary, passed, PingResult, pingPairs, renderMatrix } from "./pingMatrix";

interface ContainerOutput {
    name: string;
    ip: string;
    containerName?: string;
}

const run = promisify(execFile);
const PARALLEL_PINGS = 4;

async function ping(from: ContainerOutput, to: ContainerOutput): Promise<PingResult> {
    const argv = ["exec", from.containerName!, "ping", "-c", "3", "-W", "2", "-q", to.ip];
    const output = await run("docker", argv, { timeout: 20_000 }).then((r) => r.stdout, (e: { stdout?: string }) => e.stdout ?? "");
    return { from: from.name, to: to.name, ...parsePingSummary(output) };
}

async function main(argv: string[]) {
    const stack = await openStack(stackName(argv));
    const containers = ((await stack.outputs()).containers?.value ?? []) as ContainerOutput[];
    const runnable = containers.filter((c) => c.containerName);
    if (runnable.length < 2) throw new Error(`stack ${stack.name} has ${runnable.length} running containers; verify needs two`);

    const pairs = pingPairs(runnable);
    const results: PingResult[] = [];
    for (let i = 0; i < pairs.length; i += PARALLEL_PINGS) {
        results.push(...(await Promise.all(pairs.slice(i, i + PARALLEL_PINGS).map(([from, to]) => ping(from, to)))));
    }
    const failures = results.filter((r) => !passed(r));
    if (argv.includes("--json")) {
        console.log(JSON.stringify({ stack: stack.name, results, failures: failures.length }, null, 2));
    } else {
        console.log(renderMatrix(runnable.map((c) => c.name), results));
        console.log(`\n${results.length - failures.length} passed, ${failures.length} failed`);
    }
    process.exitCode = failures.length ? 1 : 0;
}

main(process.argv.slice(2)).catch((e: Error) => {
    console.error(`verify: ${e.message}`);
    process.exitCode = 2;
});
