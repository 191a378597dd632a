// The embedded default lab (stack dev's configuration) through the real
// Pulumi CLI: real namespaces, OVS, OVN and Docker. Unique lab id; everything
// is removed in afterAll even when a test fails.
import { execFileSync } from "child_process";
import { existsSync, readdirSync, readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDocker, DockerEngine } from "../helpers/docker";
import { cleanupLab, labContainers, labIptablesRules, labLinks, labNamespaces } from "../helpers/lab";
import { uniqueLabId } from "../helpers/names";
import { createTestStack, previewChanges, TestStack } from "../helpers/pulumiStack";

const labId = uniqueLabId();
const devConfig = parse(readFileSync(join(__dirname, "../../Pulumi.dev.yaml"), "utf8")).config as Record<string, unknown>;
let docker: DockerEngine;
let lab: TestStack;
let stateDir: string;

const quiet = { onOutput: () => undefined };
const run = (argv: string[]) => execFileSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 60_000 });

/** Ping with three echoes: the first packet to a new tunnel neighbour may be dropped while OVS resolves it. */
function pings(from: string, ip: string): boolean {
    try {
        const out = run(["docker", "exec", `ovnlab-${labId}-${from}`, "ping", "-c", "3", "-W", "2", "-q", ip]);
        return !/ 0 packets received/.test(out);
    } catch {
        return false;
    }
}

/** PIDs of processes whose command line mentions the lab's state directory. */
function labProcesses(): number[] {
    return readdirSync("/proc").filter((p) => /^\d+$/.test(p)).flatMap((pid) => {
        try {
            return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(stateDir) ? [Number(pid)] : [];
        } catch {
            return [];
        }
    });
}

beforeAll(async () => {
    docker = await ensureDocker();
    const config = Object.fromEntries(Object.entries(devConfig).map(([k, v]) => [k.replace(/^ovnlab:/, ""), v]));
    lab = await createTestStack("dev", { ...config, labId });
    stateDir = join(lab.dir, ".lab", labId);
});

afterAll(async () => {
    try {
        await lab?.dispose();
    } finally {
        await cleanupLab(labId, stateDir);
        await docker?.stop();
    }
});

describe("the dev lab through pulumi up", () => {
    it("up brings up two chassis with their ports bound, and the stack outputs say how to reach them", async () => {
        const result = await lab.stack.up(quiet);
        const sb = run(["ovn-sbctl", `--db=unix:${stateDir}/central/ovnsb_db.sock`, "show"]);
        expect(sb).toMatch(new RegExp(`Chassis ${labId}-node1[\\s\\S]*Encap geneve[\\s\\S]*ip: "172\\.16\\.56\\.2"`));
        expect(sb).toMatch(new RegExp(`Chassis ${labId}-node2[\\s\\S]*ip: "172\\.16\\.56\\.3"`));
        for (const port of ["netsho1", "netsho2", "netsho3", "netsho4"]) expect(sb).toContain(`Port_Binding ${port}`);
        const containers = result.outputs.containers.value as { name: string; exec: string }[];
        expect(containers.map((c) => c.exec)).toContain(`docker exec -it ovnlab-${labId}-netsho1 sh`);
        expect(result.outputs.central.value).toMatchObject({ nb: "tcp:172.16.56.2:6641", sb: "tcp:172.16.56.2:6642" });
    });

    it("containers ping on the same node and across nodes (through lr0 and a Geneve tunnel)", () => {
        expect(pings("netsho1", "10.244.1.4")).toBe(true);
        expect(pings("netsho1", "10.244.2.3")).toBe(true);
        expect(pings("netsho4", "10.244.1.3")).toBe(true);
        // The router answers on each node's gateway.
        expect(pings("netsho3", "10.244.2.1")).toBe(true);
    });

    it("a second preview shows no changes", async () => {
        expect(Object.keys(await previewChanges(lab.stack))).toEqual(["same"]);
    });

    it("a container removed by hand: refresh notices, up restores it and its ping", async () => {
        run(["docker", "rm", "-f", `ovnlab-${labId}-netsho3`]);
        const refresh = await lab.stack.refresh(quiet);
        const changes = refresh.summary.resourceChanges ?? {};
        expect((changes.delete ?? 0) + (changes.update ?? 0)).toBeGreaterThan(0);
        await lab.stack.up(quiet);
        expect(pings("netsho1", "10.244.2.3")).toBe(true);
        expect(Object.keys(await previewChanges(lab.stack))).toEqual(["same"]);
    });

    it("destroy leaves nothing behind", async () => {
        await lab.stack.destroy(quiet);
        expect(labNamespaces(labId)).toEqual([]);
        expect(labLinks(labId)).toEqual([]);
        expect(labContainers(labId)).toEqual([]);
        expect(labIptablesRules(labId)).toEqual([]);
        expect(labProcesses()).toEqual([]);
        expect(existsSync(stateDir)).toBe(false);
    });
});
