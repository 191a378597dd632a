// The drift/repair matrix of the dev lab, through the real Pulumi CLI: for
// each kind of object a user can break by hand (each NB kind deleted and
// changed, a br-int port removed, a veth deleted, a daemon killed), refresh
// reports it, up repairs it, and then traffic is checked at once — the ping
// matrix right after up returns, without retries: `up` waits until the lab
// forwards (components/ovn/labReadiness.ts).
import { execFileSync } from "child_process";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { pidFromPidfile } from "../../components/kit/hostRuntime";
import { plugInterfaceName } from "../../components/commands/names";
import { devLabConfig, devLabPingFailures, labLeftovers, NOTHING_LEFT } from "../helpers/lab";
import { previewChanges } from "../helpers/pulumiStack";
import { useTestLab } from "../helpers/testLab";

const t = useTestLab("dev", devLabConfig());
const quiet = { onOutput: () => undefined };
const run = (argv: string[]) => execFileSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 30_000 });
const nbctl = (...args: string[]) => run(["ovn-nbctl", `--db=unix:${t.stateDir}/central/ovnnb_db.sock`, ...args]);
const namespace = (node: string) => `ovnlab-${t.labId}-${node}`;
const inNode = (node: string, argv: string[]) => run(["ip", "netns", "exec", namespace(node), ...argv]);
const vsctl = (node: string, ...args: string[]) => inNode(node, ["ovs-vsctl", `--db=unix:${t.stateDir}/${node}/run/db.sock`, ...args]);

/** Signals the daemon a pidfile names and waits (bounded) until it is gone. */
async function kill(pidfile: string): Promise<void> {
    const pid = pidFromPidfile(pidfile);
    expect(pid, `${pidfile} names no running daemon`).toBeDefined();
    process.kill(pid!, "SIGKILL");
    const deadline = Date.now() + 10_000;
    while (pidFromPidfile(pidfile) !== undefined) {
        if (Date.now() > deadline) throw new Error(`${pidfile}'s daemon ${pid} survived SIGKILL`);
        await new Promise((r) => setTimeout(r, 50));
    }
}

interface Case {
    what: string;
    /** Breaks the lab by hand. */
    breakIt: () => void | Promise<void>;
}

const CASES: Case[] = [
    { what: "a workload's logical switch port deleted (lsp-del netsho3)", breakIt: () => void nbctl("lsp-del", "netsho3") },
    { what: "a workload's logical switch port changed (its addresses)", breakIt: () => void nbctl("lsp-set-addresses", "netsho3", "02:00:00:00:02:63 10.244.2.99") },
    { what: "a router-type switch port deleted (ls-node2-lr)", breakIt: () => void nbctl("lsp-del", "ls-node2-lr") },
    { what: "a logical router port deleted (lrp-del lr-node2)", breakIt: () => void nbctl("lrp-del", "lr-node2") },
    { what: "a logical router port changed (its networks)", breakIt: () => void nbctl("set", "logical_router_port", "lr-node1", "networks=10.244.1.254/24") },
    { what: "a logical switch changed (its ovnlab mark removed)", breakIt: () => void nbctl("remove", "logical_switch", "ls-node1", "external_ids", "\"ovnlab:stack\"") },
    { what: "the router changed (its ovnlab mark removed)", breakIt: () => void nbctl("remove", "logical_router", "lr0", "external_ids", "\"ovnlab:stack\"") },
    { what: "the SB listener removed (ovn-sbctl del-connection: the chassis lose the SB)", breakIt: () => void run(["ovn-sbctl", `--db=unix:${t.stateDir}/central/ovnsb_db.sock`, "del-connection"]) },
    { what: "a logical switch deleted with its ports (ls-del ls-node2)", breakIt: () => void nbctl("ls-del", "ls-node2") },
    { what: "the router deleted with its ports (lr-del lr0)", breakIt: () => void nbctl("lr-del", "lr0") },
    { what: "a container's br-int port removed (ovs-vsctl del-port)", breakIt: () => void vsctl("node2", "del-port", "br-int", plugInterfaceName("netsho3")) },
    { what: "a container's veth deleted (ip link del)", breakIt: () => void inNode("node1", ["ip", "link", "del", plugInterfaceName("netsho2")]) },
    { what: "a container removed (docker rm -f)", breakIt: () => void run(["docker", "rm", "-f", `ovnlab-${t.labId}-netsho4`]) },
    { what: "node2's ovn-controller killed", breakIt: () => kill(join(t.stateDir, "node2", "run", "ovn-controller.pid")) },
    { what: "node1's ovs-vswitchd killed", breakIt: () => kill(join(t.stateDir, "node1", "run", "ovs-vswitchd.pid")) },
    { what: "ovn-northd killed", breakIt: () => kill(join(t.stateDir, "central", "ovn-northd.pid")) },
    // The lab's own database down: refresh reports its rows (or listener) gone and the central broken;
    // up restarts it and re-creates them, adopting what its file still holds.
    { what: "the SB database killed", breakIt: () => kill(join(t.stateDir, "central", "ovnsb_db.pid")) },
    { what: "the NB database killed", breakIt: () => kill(join(t.stateDir, "central", "ovnnb_db.pid")) },
];

const tried: { what: string; refreshMs: number; upMs: number }[] = [];

describe("drift and repair, each proven by traffic", () => {
    it("up: the lab pings right away", async () => {
        await t.lab.stack.up(quiet);
        expect(devLabPingFailures(t.labId)).toEqual([]);
    });

    for (const c of CASES) {
        it(`${c.what}: refresh reports it, up repairs it, the lab pings right after`, async () => {
            await c.breakIt();
            const refreshStart = Date.now();
            const refresh = await t.lab.stack.refresh(quiet);
            const changes = refresh.summary.resourceChanges ?? {};
            expect((changes.delete ?? 0) + (changes.update ?? 0), `refresh saw nothing of: ${c.what}`).toBeGreaterThan(0);
            const refreshMs = Date.now() - refreshStart;
            const upStart = Date.now();
            await t.lab.stack.up(quiet);
            const upMs = Date.now() - upStart;
            expect(devLabPingFailures(t.labId), `after repairing: ${c.what}`).toEqual([]);
            expect(Object.keys(await previewChanges(t.lab.stack))).toEqual(["same"]);
            tried.push({ what: c.what, refreshMs, upMs });
        });
    }

    it("destroy leaves nothing behind", async () => {
        console.log(`[repairs] ${tried.length} of ${CASES.length} cases repaired with traffic proven:\n${tried.map((r) => `  ${r.what}: refresh ${r.refreshMs} ms, up ${r.upMs} ms`).join("\n")}`);
        await t.lab.stack.destroy(quiet);
        expect(labLeftovers(t.labId, t.stateDir)).toEqual(NOTHING_LEFT);
    });
});
