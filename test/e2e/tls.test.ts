// Locked-down OVN databases: the dev lab with dbProtocol ssl. The NB/SB listen
// with pssl: on the central's underlay address only; chassis present
// certificates from the lab's own CA; a client with another CA's certificate,
// or none, cannot connect; the private keys are secrets in the stack state.
import { execFileSync, spawnSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerEngine, ensureDocker } from "../helpers/docker";
import { cleanupLab, labNamespaces } from "../helpers/lab";
import { uniqueLabId } from "../helpers/names";
import { createTestStack, TestStack } from "../helpers/pulumiStack";

const labId = uniqueLabId();
const devConfig = parse(readFileSync(join(__dirname, "../../Pulumi.dev.yaml"), "utf8")).config as Record<string, unknown>;
let docker: DockerEngine;
let lab: TestStack;
let stateDir: string;
let foreignPki: string;
const quiet = { onOutput: () => undefined };

/** ovn-sbctl from node2's namespace to the central's SB over the underlay; bounded by --timeout. */
function sbctlFromNode2(db: string, tls: string[]): { ok: boolean; output: string } {
    const result = spawnSync("ip", ["netns", "exec", `ovnlab-${labId}-node2`, "ovn-sbctl", `--db=${db}`, "--timeout=5", ...tls, "--columns=name", "list", "Chassis"], { encoding: "utf8", timeout: 20_000 });
    return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

beforeAll(async () => {
    docker = await ensureDocker();
    const config = Object.fromEntries(Object.entries(devConfig).map(([k, v]) => [k.replace(/^ovnlab:/, ""), v]));
    lab = await createTestStack("tls", { ...config, labId, dbProtocol: "ssl" });
    stateDir = join(lab.dir, ".lab", labId);
    // Another CA, as an attacker on the host network would have.
    foreignPki = mkdtempSync(join(tmpdir(), "ovnlab-foreign-pki-"));
    execFileSync("ovs-pki", [`--dir=${foreignPki}/ca`, "init"], { stdio: "ignore" });
    execFileSync("ovs-pki", [`--dir=${foreignPki}/ca`, "req+sign", "intruder", "switch"], { cwd: foreignPki, stdio: "ignore" });
});

afterAll(async () => {
    try {
        await lab?.dispose();
    } finally {
        await cleanupLab(labId, stateDir);
        rmSync(foreignPki, { recursive: true, force: true });
        await docker?.stop();
    }
});

describe("the lab with TLS on the OVN databases", () => {
    it("comes up: both chassis connect over ssl and containers ping across nodes", async () => {
        const result = await lab.stack.up(quiet);
        expect(result.outputs.central.value).toMatchObject({ nb: "ssl:172.16.56.2:6641", sb: "ssl:172.16.56.2:6642" });
        const ovnctl = (tool: string, db: string, ...args: string[]) => execFileSync(tool, [`--db=unix:${stateDir}/central/${db}`, ...args], { encoding: "utf8" }).trim();
        expect(ovnctl("ovn-sbctl", "ovnsb_db.sock", "get-connection")).toBe('read-write role="" pssl:6642:172.16.56.2');
        expect(ovnctl("ovn-nbctl", "ovnnb_db.sock", "get-connection")).toBe("pssl:6641:172.16.56.2");
        expect(ovnctl("ovn-sbctl", "ovnsb_db.sock", "--bare", "--columns=name", "list", "Chassis").split(/\s+/).sort()).toEqual([`${labId}-node1`, `${labId}-node2`]);
        const ping = spawnSync("docker", ["exec", `ovnlab-${labId}-netsho1`, "ping", "-c", "3", "-W", "2", "-q", "10.244.2.3"], { encoding: "utf8" });
        expect(ping.stdout).not.toMatch(/ 0 packets received/);
        expect(ping.status).toBe(0);
    });

    it("accepts the lab's own certificate, refuses another CA's and plain tcp", () => {
        const pki = `${stateDir}/pki`;
        const own = sbctlFromNode2("ssl:172.16.56.2:6642", [`--private-key=${pki}/node2-privkey.pem`, `--certificate=${pki}/node2-cert.pem`, `--ca-cert=${pki}/ca/switchca/cacert.pem`]);
        expect(own.ok, own.output).toBe(true);
        expect(own.output).toContain(`${labId}-node1`);
        const foreign = sbctlFromNode2("ssl:172.16.56.2:6642", [`--private-key=${foreignPki}/intruder-privkey.pem`, `--certificate=${foreignPki}/intruder-cert.pem`, `--ca-cert=${pki}/ca/switchca/cacert.pem`]);
        expect(foreign.ok).toBe(false);
        const plain = sbctlFromNode2("tcp:172.16.56.2:6642", []);
        expect(plain.ok).toBe(false);
    });

    it("keeps the private keys out of plain state", () => {
        // The backend's own file: the Automation API's exportStack shows secrets in clear text.
        const state = readFileSync(join(lab.dir, ".pulumi-state/.pulumi/stacks/ovnlab/tls.json"), "utf8");
        expect(state.includes("PRIVATE KEY")).toBe(false);
        const pki = (JSON.parse(state) as { checkpoint: { latest: { resources: { type: string; outputs?: Record<string, unknown> }[] } } })
            .checkpoint.latest.resources.find((r) => r.type === "ovnlab:pki:Pki");
        expect(pki?.outputs?.privateKeys).toHaveProperty("ciphertext");
    });

    it("destroy removes the lab, its certificates included", async () => {
        await lab.stack.destroy(quiet);
        expect(labNamespaces(labId)).toEqual([]);
        expect(spawnSync("ls", [`${stateDir}/pki`]).status).not.toBe(0);
    });
});
