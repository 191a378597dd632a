// The ssh driver's pure parts: the ovnlab:sshHosts validation (hostile and
// missing values, every problem at once), given underlay addresses winning in
// the IP plan, the host's ssh command line, the preflight's reading of what a
// host printed, and the script that undoes provisioning.
import { execFileSync } from "child_process";
import { describe, expect, it } from "vitest";
import { ConfigError, validateConfig } from "../../components/plan/config";
import { planLab } from "../../components/plan/ipPlan";
import { hostTransport, knownHostsFile, parseSshCommandLine, sshCommandLine, sshShell } from "../../components/drivers/ssh/sshAccess";
import { parsePreflight, preflightProblems } from "../../components/drivers/ssh/preflightReport";
import { unprovisionScript } from "../../components/drivers/remote/unprovisionScript";
import { provisionScript, ProvisionSpec } from "../../components/drivers/remote/provisionScript";
import { PREFLIGHT_SCRIPT, preflightArgv, unprovisionScriptArgv } from "../../components/commands/ssh";

const HOST1 = { node: "node1", address: "192.168.50.11", user: "root", keyFile: "/srv/keys/lab", underlayIp: "192.168.56.11" };
const HOST2 = { node: "node2", address: "lab-host2", user: "debian", keyFile: "/srv/keys/lab", underlayIp: "192.168.56.12", port: 2222 };
const ssh = (sshHosts: unknown, extra: Record<string, unknown> = {}) => validateConfig({ driver: "ssh", hostCidr: "192.168.56.0/24", sshHosts, ...extra }, "lab");

function issues(run: () => unknown): string[] {
    try {
        run();
    } catch (e) {
        if (e instanceof ConfigError) return e.issues.map((i) => `${i.key}: ${i.problem}`);
        throw e;
    }
    throw new Error("expected a ConfigError");
}

describe("ovnlab:sshHosts", () => {
    it("the nodes are the hosts, in their order; sudo unless root, port 22 and underlayIp = address by default", () => {
        const config = ssh([HOST1, HOST2]);
        expect(config.nodes).toEqual(["node1", "node2"]);
        expect(config.sshHosts).toEqual([{ ...HOST1, port: 22, sudo: false }, { ...HOST2, sudo: true }]);
        const plan = planLab(config);
        // Given addresses win over the planned .2, .3; the prefix is hostCidr's.
        expect(plan.nodes.map((n) => [n.underlayIp, n.underlayCidr])).toEqual([["192.168.56.11", "192.168.56.11/24"], ["192.168.56.12", "192.168.56.12/24"]]);
        expect(plan.central).toMatchObject({ node: "node1", ip: "192.168.56.11", sbRemote: "tcp:192.168.56.11:6642" });
        expect(ssh([{ ...HOST1, underlayIp: undefined, address: "192.168.56.11" }], { datapathType: "system" }).sshHosts[0].underlayIp).toBe("192.168.56.11");
        // Another driver plans the underlay as before.
        expect(planLab(validateConfig({}, "lab")).nodes[0].underlayIp).toBe("172.16.56.2");
    });

    it("reports every problem at once: missing fields, hostile values, duplicates, unknown fields", () => {
        expect(issues(() => ssh([
            { node: "node1" },
            { node: "node1", address: "x; rm -rf /", user: "$(id)", keyFile: "relative/key", port: 70000, sudo: "yes", underlayIp: "10.0.0.300", shell: "bash" },
            { node: "Node 3", address: "-oProxyCommand=id", user: "-l", keyFile: "/srv/../etc/shadow", underlayIp: "192.168.56.13" },
            { node: "node4", address: "lab-host4", user: "root", keyFile: "/srv/k" },
            { ...HOST2, node: "node5", address: "192.168.50.15", underlayIp: "192.168.56.13" },
            "node6",
        ]))).toEqual([
            "sshHosts[0].address: missing", "sshHosts[0].user: missing", "sshHosts[0].keyFile: missing", "sshHosts[0].underlayIp: missing (the address is a host name)",
            "sshHosts[1].shell: unknown field", "sshHosts[1].node: duplicate node", "sshHosts[1].address: not a host name or IPv4 address", "sshHosts[1].port: not a port",
            "sshHosts[1].user: not a user name", "sshHosts[1].keyFile: not an absolute path", "sshHosts[1].sudo: not true or false", "sshHosts[1].underlayIp: not an IPv4 address",
            "sshHosts[2].node: not a valid name", "sshHosts[2].address: not a host name or IPv4 address", "sshHosts[2].user: not a user name", "sshHosts[2].keyFile: not an absolute path",
            "sshHosts[3].underlayIp: missing (the address is a host name)",
            "sshHosts[4].underlayIp: already another node's",
            "sshHosts[5]: not an object",
        ]);
    });

    it("needs the ssh driver and a non-empty list; the list gives the node count; no ssl yet", () => {
        expect(issues(() => validateConfig({ sshHosts: [HOST1] }, "lab"))).toEqual(["sshHosts: only the ssh driver uses it"]);
        expect(issues(() => ssh(undefined))).toEqual(["sshHosts: the ssh driver needs at least one host", "centralNode: not one of the lab's nodes"]);
        expect(issues(() => ssh("node1"))).toEqual(["sshHosts: not a list", "centralNode: not one of the lab's nodes"]);
        expect(issues(() => ssh([HOST1, HOST2], { nodes: 3, dbProtocol: "ssl" }))).toEqual([
            "nodes: the ssh driver's nodes are its 2 sshHosts", "dbProtocol: the ssh driver does not set up the lab's CA on its hosts yet",
        ]);
        expect(issues(() => ssh([HOST1, HOST2], { experiment: "single-l2" }))).toEqual(["sshHosts: single-l2 is one flat L2 domain on one node"]);
    });

    it("refuses the ssh address as the underlay with the userspace datapath, one host twice, and an underlay outside hostCidr", () => {
        expect(issues(() => ssh([{ ...HOST1, underlayIp: HOST1.address }]))).toEqual([
            "sshHosts[0].underlayIp: is the address ovnlab reaches the host on, and the userspace datapath (datapathType netdev) moves the underlay address onto OVS's br-phy",
        ]);
        expect(issues(() => ssh([HOST1, { ...HOST1, node: "node2", underlayIp: "192.168.56.12" }]))).toEqual(["sshHosts[1].address: already another node's host"]);
        expect(issues(() => planLab(ssh([HOST1, { ...HOST2, underlayIp: "10.9.9.9" }])))).toEqual(["sshHosts[1].underlayIp: not a host address of hostCidr 192.168.56.0/24"]);
        expect(issues(() => planLab(ssh([{ ...HOST1, underlayIp: "192.168.56.255" }])))).toEqual(["sshHosts[0].underlayIp: not a host address of hostCidr 192.168.56.0/24"]);
    });
});

describe("a host's ssh line", () => {
    const config = ssh([HOST1, HOST2]);
    const known = knownHostsFile("/srv/lab/.lab/lab");
    it("is what a person types (root, or a sudo user's `sudo -i`), and reads back as the same transport", () => {
        const [root, sudo] = config.sshHosts.map((h) => hostTransport(h, known));
        expect(sshCommandLine(root)).toBe("ssh -i /srv/keys/lab -p 22 -o UserKnownHostsFile=/srv/lab/.lab/lab/ssh_known_hosts root@192.168.50.11");
        expect(sshCommandLine(sudo)).toBe("ssh -t -i /srv/keys/lab -p 2222 -o UserKnownHostsFile=/srv/lab/.lab/lab/ssh_known_hosts debian@lab-host2 sudo -i");
        expect(parseSshCommandLine(sshCommandLine(root))).toEqual(root);
        expect(parseSshCommandLine(sshCommandLine(sudo))).toEqual(sudo);
        expect(sshShell(root)).toBe("ssh -t -i /srv/keys/lab -p 22 -o UserKnownHostsFile=/srv/lab/.lab/lab/ssh_known_hosts root@192.168.50.11");
        expect(parseSshCommandLine("VAGRANT_CWD=/x vagrant ssh node1")).toBeUndefined();
        expect(() => knownHostsFile("relative")).toThrow(/state directory/);
    });
});

describe("the preflight's reading of a host", () => {
    const host = ssh([HOST2], { centralNode: "node2" }).sshHosts[0];
    const wanted = { underlayCidr: "192.168.56.12/24", userspaceDatapath: true };
    const printed = (facts: Record<string, string>) => Object.entries({ uid: "0", underlay: "eth1 192.168.56.12/24", "default-route": "eth0", "br-phy": "no", docker: "no", apt: "yes", ...facts })
        .filter(([, v]) => v !== "").map(([k, v]) => `ovnlab-preflight: ${k} ${v}`).join("\n") + "\novnlab-preflight: done\n";
    const run = (stdout: string, code = 0, stderr = "") => preflightProblems(host, wanted, { code, stdout, stderr });

    it("a host fit for a lab has no problems; its facts say whether Docker runs there", () => {
        expect(run(printed({}))).toEqual([]);
        expect(parsePreflight(printed({ docker: "yes" }))).toMatchObject({ uid: 0, underlay: { dev: "eth1", cidr: "192.168.56.12/24" }, docker: true, apt: true });
        // Provisioned before: the address is on br-phy, or (OVS down) gone but br-phy recorded.
        expect(run(printed({ underlay: "br-phy 192.168.56.12/24", "default-route": "br-phy" }))).toEqual([]);
        expect(run(printed({ underlay: "none", "br-phy": "yes" }))).toEqual([]);
    });

    it("names what ssh said: a refused key, a changed host key, an unreachable host", () => {
        expect(run("", 255, "debian@lab-host2: Permission denied (publickey).\n")).toEqual(["the host refused the key /srv/keys/lab for user debian (debian@lab-host2: Permission denied (publickey).)"]);
        expect(run("", 255, "Host key verification failed.\n")[0]).toMatch(/^the host's key is not the one this lab trusted before .*remove its line from the lab's ssh_known_hosts$/);
        expect(run("", 255, "ssh: connect to host lab-host2 port 2222: Connection timed out\n")).toEqual(["unreachable (ssh: connect to host lab-host2 port 2222: Connection timed out)"]);
        expect(run("", 255, "ssh: connect to host lab-host2 port 2222: No route to host\n")[0]).toMatch(/^unreachable/);
    });

    it("names a missing sudo, a user that is not root, no apt, a wrong or missing underlay, and an underlay on the default route", () => {
        expect(run("", 1, "sudo: a password is required\n")).toEqual([
            "user debian cannot run commands as root without a password (sudo -n: sudo: a password is required): give it passwordless sudo, or log in as root with sudo: false",
        ]);
        expect(run(printed({ uid: "1000", apt: "no" }))).toEqual([
            "user debian is not root and sudo is false: set sudo: true (passwordless sudo) or log in as root",
            "no apt-get/dpkg-query: ovnlab provisions Debian and Ubuntu hosts",
        ]);
        expect(run(printed({ underlay: "eth1 192.168.56.12/16" }))[0]).toMatch(/^its underlay address is 192.168.56.12\/16 on eth1, but hostCidr gives it 192.168.56.12\/24/);
        expect(run(printed({ underlay: "none" }))[0]).toMatch(/^underlayIp 192.168.56.12 is not an address of the host/);
        expect(run(printed({ "default-route": "eth1" }))[0]).toMatch(/^its underlay address is on eth1, which holds the default route/);
        expect(preflightProblems(host, { ...wanted, userspaceDatapath: false }, { code: 0, stdout: printed({ "default-route": "eth1" }), stderr: "" })).toEqual([]);
        expect(run("garbage", 2, "bash: line 1: oops\n")).toEqual(["the preflight did not run (bash: line 1: oops)"]);
    });

    it("the preflight script is valid bash and reads the underlay address as a positional parameter", () => {
        execFileSync("bash", ["-n"], { input: PREFLIGHT_SCRIPT });
        expect(preflightArgv("192.168.56.12")).toEqual(["bash", "-c", PREFLIGHT_SCRIPT, "preflight.sh", "192.168.56.12"]);
        expect(() => preflightArgv("$(id)")).toThrow(/IPv4/);
    });
});

describe("undoing a host's provisioning", () => {
    const spec: ProvisionSpec = { node: "node1", central: true, ovn: true, dockerWorkloads: false, bridge: "br-int", datapathType: "netdev", underlayCidr: "192.168.56.11/24" };
    it("undoes the steps the script has, ovn-controller first and OVS last; packages are never undone", () => {
        const script = unprovisionScript(spec);
        execFileSync("bash", ["-n"], { input: script });
        expect(script).toContain("for step in ovn_controller ovn_central underlay_bridge integration_bridge openvswitch; do");
        expect(script).toContain("ip addr add 192.168.56.11/24 dev \"$port\"");
        expect(unprovisionScript({ ...spec, central: false, datapathType: "system" })).toContain("for step in ovn_controller integration_bridge openvswitch; do");
        expect(provisionScript(spec)).toContain("for step in packages openvswitch ovn_central ovn_controller integration_bridge underlay_bridge; do");
        expect(script).not.toContain("undo_packages");
    });
    it("runs only the steps it is given, none when ovnlab made none, with the underlay port as a parameter", () => {
        const script = unprovisionScript(spec);
        // Every tool a stub that records its call: the script runs for real.
        const traced = (argv: string[]) => execFileSync(argv[0], argv.slice(1), {
            encoding: "utf8", env: { PATH: "/nonexistent:/usr/bin:/bin" },
        });
        const none = unprovisionScriptArgv(script, "", []);
        expect(traced(none)).toBe("ovnlab-unprovision: 0 undone\n");
        expect(unprovisionScriptArgv(script, "eth1", ["ovn_controller", "openvswitch"]).slice(3)).toEqual(["unprovision.sh", "eth1", "ovn_controller", "openvswitch"]);
        expect(() => unprovisionScriptArgv(script, "eth1", ["packages"])).toThrow(/provisioning step/);
        expect(() => unprovisionScriptArgv(script, "eth1; reboot", [])).toThrow(/interface name/);
        expect(() => unprovisionScriptArgv("rm -rf /", "", [])).toThrow(/generated text/);
    });
});
