// The set-up every lab e2e file needs, registered in the calling describe
// block: a Docker engine, a temp project with a unique lab id, and a teardown
// that destroys what is left and then removes whatever the lab made on the
// host (by its id and pidfiles), even when a test failed.
import { join } from "path";
import { afterAll, beforeAll } from "vitest";
import { DockerEngine, ensureDocker } from "./docker";
import { cleanupLab } from "./lab";
import { uniqueLabId } from "./names";
import { createTestStack, TestStack } from "./pulumiStack";

export interface TestLab {
    labId: string;
    /** Set in beforeAll. */
    lab: TestStack;
    /** The lab's state directory inside the temp project. */
    stateDir: string;
}

export function useTestLab(stackName: string, config: Record<string, unknown>, options: { fromRef?: string } = {}): TestLab {
    const handle = { labId: uniqueLabId(), stateDir: "" } as TestLab;
    let docker: DockerEngine | undefined;
    let lab: TestStack | undefined;
    beforeAll(async () => {
        docker = await ensureDocker();
        lab = await createTestStack(stackName, { ...config, labId: handle.labId }, options);
        handle.lab = lab;
        handle.stateDir = join(lab.dir, ".lab", handle.labId);
    });
    afterAll(async () => {
        try {
            await lab?.dispose();
        } finally {
            await cleanupLab(handle.labId, handle.stateDir);
            await docker?.stop();
        }
    });
    return handle;
}
