// Bring-up and destroy of the multi-l2 lab on two real VMs (the vagrant driver,
// vagrantProvider libvirt; QEMU's TCG where the host cannot run KVM guests), as
// the README's commands run them (`pulumi up --yes`, `pulumi destroy --yes`,
// scripts/env.sh's settings), from Pulumi.multi-l2.yaml as written but for the
// provider, the lab's own networks and small guests (1 CPU, 768 MiB).
//
//   node -r ts-node/register/transpile-only bench/libvirtLab.ts [--rounds 1]
//
// Each round: up, verify (must pass), destroy, nothing of the lab left in
// libvirt (domains, volumes, networks, the FORWARD rule). Every timed command
// records its CPU seconds and the load average before it; the guests' QEMU
// processes are libvirtd's children, not the command's, so their CPU seconds
// and peak RSS are read from /proc separately (by the domain name on their
// command line) just before the destroy. The box build (first run) is timed too.
import { readdirSync, readFileSync } from "fs";
import { cpus, totalmem } from "os";
import { join } from "path";
import { labOutputs, stackFileConfig } from "../cli/pulumiWorkspace";
import { verifyTool } from "../cli/verify";
import { machineName } from "../components/drivers/vagrant/vagrantfile";
import { detectLibvirtDriver } from "../components/drivers/vagrant/libvirtHost";
import { cleanupLibvirtLab, ensureLibvirt, freeManagementCidr, libvirtBox, libvirtLeftovers } from "../test/helpers/libvirt";
import { uniqueLabId } from "../test/helpers/names";
import { createTestStack, TestStack } from "../test/helpers/pulumiStack";
import { freeHostCidr } from "../test/helpers/vagrant";
import { benchName, cleanUpNow, cleanups, isStopping, log, mustSucceed, once, runCleanups, tail, timed, Timed } from "./kit/measure";
import { projectLabel } from "./kit/pulumiOutput";

const NODES = ["node1", "node2"];

/** CPU seconds and RSS (MiB) of each guest's QEMU process, found by `guest=<domain>` on its command line. */
function guestUsage(labId: string): { node: string; cpu: number; rssMiB: number }[] {
    return NODES.flatMap((node) => {
        const domain = machineName(labId, node);
        for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
            try {
                if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(`guest=${domain},`)) continue;
                const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
                const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
                return [{ node, cpu: (Number(fields[11]) + Number(fields[12])) / 100, rssMiB: (Number(fields[21]) * 4) / 1024 }];
            } catch {
                // exited while we looked
            }
        }
        return [];
    });
}

interface Round { round: number; labId: string; up?: Timed; down?: Timed; verify?: string; guests: { node: string; cpu: number; rssMiB: number }[]; leftovers: string[]; error?: string }

async function labRound(round: number, ownLabs: string[]): Promise<Round> {
    const labId = uniqueLabId();
    ownLabs.push(labId);
    const result: Round = { round, labId, guests: [], leftovers: [] };
    let lab: TestStack | undefined;
    let projectDir = "";
    let destroyed = false;
    const pulumi = (...args: string[]) => timed([lab!.pulumiBin, ...args, "--stack", lab!.stack.name, "--non-interactive"], { cwd: lab!.dir, env: lab!.env, ownLabs });
    const cleanup = once(async () => {
        if (lab && !destroyed) {
            await timed([lab.pulumiBin, "destroy", "--yes", "--skip-preview", "--stack", lab.stack.name, "--non-interactive"], { cwd: lab.dir, env: lab.env, ownLabs, cleanup: true }).catch(() => undefined);
        }
        if (projectDir) cleanupLibvirtLab(labId, projectDir, NODES);
        if (lab) await lab.dispose().catch(() => undefined);
    });
    cleanups.push(cleanup);
    try {
        lab = await createTestStack("multi-l2", {
            ...stackFileConfig("multi-l2"), labId, vagrantProvider: "libvirt", hostCidr: freeHostCidr(), libvirtManagementCidr: freeManagementCidr(), nodeCpus: 1, nodeMemory: 768,
        });
        projectDir = join(lab.dir, ".lab", labId, "vagrant");
        result.up = mustSucceed("pulumi up", await pulumi("up", "--yes"));
        const verified = await verifyTool("multi-l2", labOutputs("multi-l2", await lab.stack.outputs()), { json: false });
        result.verify = `${verified.report.passed}/${verified.report.passed + verified.report.failed}`;
        if (verified.exitCode !== 0) throw new Error(`verify failed:\n${tail(verified.output, 15)}`);
        result.guests = guestUsage(labId);
        result.down = mustSucceed("pulumi destroy", await pulumi("destroy", "--yes"));
        destroyed = true;
        result.leftovers = Object.entries(libvirtLeftovers(labId)).filter(([, v]) => v.length > 0).map(([k, v]) => `${k}: ${v.join(", ")}`);
        log(`round ${round}: up ${result.up.seconds.toFixed(1)} s, destroy ${result.down.seconds.toFixed(1)} s, verify ${result.verify}`);
    } catch (e) {
        result.error = (e as Error).message;
        log(`round ${round}: FAILED: ${result.error}`);
    } finally {
        await cleanUpNow(cleanup);
    }
    return result;
}

function report(rounds: Round[]): string {
    const rows = [
        "| round | up s | up CPU s (Pulumi, Vagrant) | load 1/5/15 before up | guests' QEMU CPU s at the end of up + verify | guests' RSS MiB | destroy s | destroy CPU s | verify | leftovers |",
        "| ---: | ---: | ---: | --- | --- | --- | ---: | ---: | --- | --- |",
    ];
    for (const r of rounds) {
        const load = r.up ? `${r.up.load.load1.toFixed(2)} / ${r.up.load.load5.toFixed(2)} / ${r.up.load.load15.toFixed(2)}` : "-";
        rows.push(`| ${r.round} | ${r.up?.seconds.toFixed(1) ?? "-"} | ${r.up?.cpu.toFixed(1) ?? "-"} | ${load} | ${r.guests.map((g) => `${g.node} ${g.cpu.toFixed(0)}`).join(", ") || "-"} | ${r.guests.map((g) => `${g.node} ${g.rssMiB.toFixed(0)}`).join(", ") || "-"} | ${r.down?.seconds.toFixed(1) ?? "-"} | ${r.down?.cpu.toFixed(1) ?? "-"} | ${r.verify ?? "-"} | ${r.error ? `FAILED: ${r.error.split("\n")[0]}` : r.leftovers.join("; ") || "none"} |`);
    }
    return rows.join("\n");
}

async function main(): Promise<void> {
    benchName("libvirtLab");
    const args = process.argv.slice(2);
    const rounds = args.includes("--rounds") ? Number(args[args.indexOf("--rounds") + 1]) : 1;
    if (!Number.isInteger(rounds) || rounds < 1) throw new Error("usage: bench/libvirtLab.ts [--rounds N>=1]");
    if (process.getuid?.() !== 0) throw new Error("run as root: libvirt, iptables and Vagrant's networks need it");
    const daemons = ensureLibvirt();
    cleanups.push(() => daemons.stop());
    const box = libvirtBox();
    log(`project: ${projectLabel()}`);
    log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB; guests under ${detectLibvirtDriver() === "kvm" ? "KVM" : "QEMU's TCG"}; box ${box.box} ready in ${box.seconds} s`);
    const ownLabs: string[] = [];
    const results: Round[] = [];
    for (let round = 1; round <= rounds && !isStopping(); round++) results.push(await labRound(round, ownLabs));
    console.log(`\n${report(results)}`);
    if (results.some((r) => r.error || r.leftovers.length > 0)) process.exitCode = 1;
}

main()
    .catch((e) => {
        console.error(e);
        process.exitCode = 1;
    })
    .finally(async () => {
        await runCleanups();
    });
