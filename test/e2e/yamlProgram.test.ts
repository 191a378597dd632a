// The ovnlab package from another Pulumi language: a Pulumi YAML program (the
// YAML language host built by scripts/install-pulumi.sh) creates a logical
// switch with two ports in a throwaway NB database through ovnlab's provider
// plugin and schema; refresh sees a port deleted by hand; destroy removes them;
// a hostile name is refused by the provider's check before anything runs.
import { execFileSync, spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOvnDb, ThrowawayDb } from "../helpers/ovsdb";

const ROOT = resolve(__dirname, "../..");
let nb: ThrowawayDb;
let dir: string;
let env: Record<string, string>;

function program(portName: string): string {
    const endpoint = `{ transport: { kind: local }, db: "${nb.remote}" }`;
    return `name: ovnlab-yaml
runtime: yaml
backend:
  url: file://${dir}/state
plugins:
  providers:
    - name: ovnlab
      path: ${ROOT}/provider/plugin
resources:
  ls:
    type: ovnlab:nb:LogicalSwitch
    properties:
      endpoint: ${endpoint}
      name: ls-yaml
      externalIds: { "ovnlab:stack": yaml }
  web1:
    type: ovnlab:nb:LogicalSwitchPort
    properties:
      endpoint: ${endpoint}
      name: "${portName}"
      switch: \${ls.name}
      addresses: ["02:00:00:00:01:03 10.244.1.3"]
  web2:
    type: ovnlab:nb:LogicalSwitchPort
    properties:
      endpoint: ${endpoint}
      name: web2
      switch: \${ls.name}
      addresses: ["02:00:00:00:01:04 10.244.1.4"]
outputs:
  ports: ["\${web1.name}", "\${web2.name}"]
`;
}

function pulumi(args: string[]) {
    const result = spawnSync("pulumi", [...args, "--stack", "yaml", "--non-interactive"], { cwd: dir, env: { ...process.env, ...env }, encoding: "utf8", timeout: 180_000 });
    return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

const nbctl = (args: string[]) => execFileSync("ovn-nbctl", [`--db=${nb.remote}`, ...args], { encoding: "utf8" });
const ports = () => nbctl(["--bare", "--columns=name", "list", "Logical_Switch_Port"]).split("\n").filter(Boolean).sort();

beforeAll(() => {
    nb = startOvnDb("nb");
    dir = mkdtempSync(join(tmpdir(), "ovnlab-e2e-yaml-"));
    mkdirSync(join(dir, "state"));
    const bin = execFileSync("bash", [join(ROOT, "scripts/install-pulumi.sh")], { encoding: "utf8" }).trim();
    env = {
        PATH: `${bin}:${process.env.PATH}`, PULUMI_CONFIG_PASSPHRASE: "ovnlab", PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true", PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true", PULUMI_HOME: join(dir, "home"),
    };
    writeFileSync(join(dir, "Pulumi.yaml"), program("web1"));
    const init = pulumi(["stack", "init"]);
    expect(init.code, init.output).toBe(0);
});

afterAll(async () => {
    try {
        if (dir) pulumi(["destroy", "--yes"]);
    } finally {
        if (dir) rmSync(dir, { recursive: true, force: true });
        await nb?.stop();
    }
});

describe("a Pulumi YAML program using ovnlab's provider", () => {
    it("creates the switch and both ports in the NB database", () => {
        const up = pulumi(["up", "--yes", "--skip-preview"]);
        expect(up.code, up.output).toBe(0);
        expect(nbctl(["--bare", "--columns=name", "list", "Logical_Switch"]).trim()).toBe("ls-yaml");
        expect(ports()).toEqual(["web1", "web2"]);
        expect(nbctl(["lsp-get-addresses", "web2"]).trim()).toBe("02:00:00:00:01:04 10.244.1.4");
        // The defaults the schema leaves optional came from the provider's check: a VIF with no options.
        expect(nbctl(["get", "Logical_Switch_Port", "web1", "type"]).trim()).toBe('""');
    });

    it("refresh sees a port deleted by hand, and up puts it back", () => {
        nbctl(["lsp-del", "web2"]);
        const refresh = pulumi(["refresh", "--yes"]);
        expect(refresh.code, refresh.output).toBe(0);
        expect(refresh.output).toMatch(/ovnlab:nb:LogicalSwitchPort\s+web2\s+deleted/);
        expect(pulumi(["up", "--yes", "--skip-preview"]).code).toBe(0);
        expect(ports()).toEqual(["web1", "web2"]);
    });

    it("a hostile port name is refused by the provider's check, naming the property and the valid form; nothing changes", () => {
        writeFileSync(join(dir, "Pulumi.yaml"), program("x; rm -rf /"));
        const preview = pulumi(["preview"]);
        expect(preview.code).not.toBe(0);
        expect(preview.output).toMatch(/name = "x; rm -rf \/": invalid OVN name[^\n]*valid: a-z first/);
        expect(ports()).toEqual(["web1", "web2"]);
        writeFileSync(join(dir, "Pulumi.yaml"), program("web1"));
    });

    it("destroy removes them", () => {
        const destroy = pulumi(["destroy", "--yes"]);
        expect(destroy.code, destroy.output).toBe(0);
        expect(ports()).toEqual([]);
        expect(nbctl(["--bare", "--columns=name", "list", "Logical_Switch"]).trim()).toBe("");
    });
});
