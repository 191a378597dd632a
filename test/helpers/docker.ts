// A Docker engine for tests: the running one, or one this test starts and later stops by its PID.
import { execFileSync, spawn } from "child_process";
import { closeSync, openSync } from "fs";
import { stopPid } from "./processes";

export interface DockerEngine {
    /** PID of the dockerd this test started; undefined when one was already running. */
    startedPid?: number;
    /** Stops the dockerd only if this test started it. */
    stop(): Promise<void>;
}

function dockerReady(): boolean {
    try {
        execFileSync("docker", ["info", "--format", "{{.ServerVersion}}"], { stdio: "ignore", timeout: 10_000 });
        return true;
    } catch {
        return false;
    }
}

export async function ensureDocker(timeoutMs = 60_000): Promise<DockerEngine> {
    if (dockerReady()) return { stop: async () => {} };
    const log = openSync(`/tmp/ovnlab-test-dockerd-${process.pid}.log`, "a");
    const child = spawn("dockerd", [], { detached: true, stdio: ["ignore", log, log] });
    closeSync(log);
    child.unref();
    const pid = child.pid;
    if (pid === undefined) throw new Error("dockerd did not start");
    const deadline = Date.now() + timeoutMs;
    while (!dockerReady()) {
        if (Date.now() > deadline) {
            await stopPid(pid, 10_000);
            throw new Error(`dockerd (pid ${pid}) did not answer within ${timeoutMs} ms; see /tmp/ovnlab-test-dockerd-${process.pid}.log`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return { startedPid: pid, stop: () => stopPid(pid, 20_000) };
}
