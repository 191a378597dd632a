// What the vagrant driver runs on the host and how it reads the answers;
// the SSH transport it hands to everything above (sudo on a Vagrant box).
import { describe, expect, it } from "vitest";
import { parseStartTime, sandboxFind, sandboxStart } from "../../components/commands/process";
import { transportArgv } from "../../components/transport/transport";
import {
    parseMachineState, parseSshConfig, vagrantDestroy, vagrantEnvironment, vagrantStatus, vagrantUp,
} from "../../components/commands/vagrant";
import { parseOvnChassisIds } from "../../components/ovn/ovnChassis";

describe("vagrant commands", () => {
    it("bring one machine up with the provider named, never with Vagrant's provisioners", () => {
        expect(vagrantUp("node1", "docker")).toEqual(["vagrant", "up", "node1", "--provider", "docker", "--no-provision"]);
        expect(vagrantStatus("node2")).toEqual(["vagrant", "status", "node2", "--machine-readable"]);
        expect(vagrantDestroy("node2")).toEqual(["vagrant", "destroy", "--force", "node2"]);
        expect(() => vagrantUp("node1; id", "docker")).toThrow(/node name/);
        expect(() => vagrantUp("node1", "vmware")).toThrow(/Vagrant provider/);
    });

    it("run in the lab's project directory without calling home", () => {
        expect(vagrantEnvironment("/lab/t1/vagrant")).toEqual({
            VAGRANT_CWD: "/lab/t1/vagrant", VAGRANT_CHECKPOINT_DISABLE: "1", VAGRANT_BOX_UPDATE_CHECK_DISABLE: "1", VAGRANT_NO_COLOR: "1",
        });
        expect(() => vagrantEnvironment("relative/dir")).toThrow(/absolute path/);
    });

    it("read a machine's state from `vagrant status --machine-readable`", () => {
        const status = [
            "1700000000,node1,metadata,provider,docker",
            "1700000000,node1,provider-name,docker",
            "1700000000,node1,state,not_created",
            "1700000000,node1,state-human-short,not created",
            "1700000000,,ui,info,Current machine states:",
        ].join("\n");
        expect(parseMachineState(status, "node1")).toBe("not_created");
        expect(parseMachineState(status, "node2")).toBeUndefined();
    });

    it("read where SSH reaches a machine from `vagrant ssh-config`", () => {
        const config = [
            "Host node1",
            "  HostName 172.17.0.2",
            "  User vagrant",
            "  Port 22",
            "  UserKnownHostsFile /dev/null",
            '  IdentityFile "/tmp/my lab/.vagrant/machines/node1/docker/private_key"',
            "  IdentityFile /second/key",
            "  IdentitiesOnly yes",
        ].join("\n");
        expect(parseSshConfig(config)).toEqual({ host: "172.17.0.2", port: 22, user: "vagrant", identityFile: "/tmp/my lab/.vagrant/machines/node1/docker/private_key" });
        expect(() => parseSshConfig("Host node1\n  User vagrant\n")).toThrow(/HostName, Port, User and IdentityFile/);
    });
});

describe("the SSH transport", () => {
    const ssh = { kind: "ssh" as const, host: "127.0.0.1", port: 2222, user: "vagrant", identityFile: "/k/private_key" };

    it("runs every word quoted once, and through sudo -n on a Vagrant box", () => {
        const argv = transportArgv({ ...ssh, sudo: true }, ["ovn-nbctl", "lsp-set-addresses", "netsho1", "02:00:00:00:01:03 10.244.1.3"], { OVS_RUNDIR: "/run/x y" });
        expect(argv.slice(0, 5)).toEqual(["ssh", "-i", "/k/private_key", "-p", "2222"]);
        expect(argv.at(-1)).toBe("sudo -n env OVS_RUNDIR='/run/x y' ovn-nbctl lsp-set-addresses netsho1 '02:00:00:00:01:03 10.244.1.3'");
        expect(transportArgv(ssh, ["true"]).at(-1)).toBe("true");
    });
});

describe("process sandboxes (workloads on docker-provider nodes)", () => {
    it("start detached, in a network namespace of their own, named by argv[0]", () => {
        expect(sandboxStart("ovnlab-t1-netsho1")).toEqual([
            "setsid", "-f", "unshare", "--net", "--", "bash", "-c",
            "exec </dev/null >/dev/null 2>&1; ip link set lo up; exec -a ovnlab-t1-netsho1 sleep infinity",
        ]);
        expect(sandboxFind("ovnlab-t1-netsho1")).toEqual(["pgrep", "-x", "-f", "ovnlab-t1-netsho1 infinity"]);
        expect(() => sandboxStart("x; reboot")).toThrow(/sandbox name/);
    });

    it("are told apart from a later process with the same PID by their start time", () => {
        const stat = "4242 (sleep) S 1 4242 4242 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 2330624 200 18446744073709551615";
        expect(parseStartTime(stat)).toBe("987654");
        expect(parseStartTime("7 (a b) c) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 55 0 0")).toBe("55");
        expect(() => parseStartTime("garbage")).toThrow(/start time/);
    });
});

describe("chassis settings read back", () => {
    it("are the walk-through's external-ids, or nothing when the node has no ovn-remote", () => {
        expect(parseOvnChassisIds({
            "ovn-remote": "tcp:172.16.56.2:6642", "ovn-encap-type": "geneve", "ovn-encap-ip": "172.16.56.3", "system-id": "lab-node2",
            hostname: "node2", "ovn-bridge": "br-int", "ovn-bridge-datapath-type": "netdev", "ovn-monitor-all": "true",
        })).toEqual({
            ovnRemote: "tcp:172.16.56.2:6642", encapType: "geneve", encapIp: "172.16.56.3", systemId: "lab-node2",
            hostname: "node2", bridge: "br-int", bridgeDatapathType: "netdev", monitorAll: true,
        });
        expect(parseOvnChassisIds({ "system-id": "x" })).toBeUndefined();
    });
});
