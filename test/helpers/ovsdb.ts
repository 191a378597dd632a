// A throwaway OVN database server (northbound or southbound) in a temp dir.
import { execFileSync } from "child_process";
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { pidFromFile, stopPid } from "./processes";

export interface ThrowawayDb {
    dir: string;
    /** unix:<dir>/db.sock */
    remote: string;
    stop(): Promise<void>;
}

const SCHEMAS = {
    nb: "/usr/share/ovn/ovn-nb.ovsschema",
    sb: "/usr/share/ovn/ovn-sb.ovsschema",
};
const CONNECTIONS = {
    nb: "db:OVN_Northbound,NB_Global,connections",
    sb: "db:OVN_Southbound,SB_Global,connections",
};

export function startOvnDb(which: "nb" | "sb"): ThrowawayDb {
    const dir = mkdtempSync(join(tmpdir(), `ovnlab-test-${which}-`));
    const db = join(dir, `${which}.db`);
    execFileSync("ovsdb-tool", ["create", db, SCHEMAS[which]]);
    execFileSync("ovsdb-server", [
        "--detach", "--no-chdir", `--pidfile=${join(dir, "db.pid")}`, `--log-file=${join(dir, "db.log")}`,
        `--unixctl=${join(dir, "db.ctl")}`, `--remote=punix:${join(dir, "db.sock")}`, `--remote=${CONNECTIONS[which]}`, db,
    ]);
    const pid = pidFromFile(join(dir, "db.pid"));
    if (!pid) throw new Error(`ovsdb-server for ${which} did not write its pidfile in ${dir}`);
    return {
        dir,
        remote: `unix:${join(dir, "db.sock")}`,
        async stop() {
            await stopPid(pid);
            rmSync(dir, { recursive: true, force: true });
        },
    };
}
