// One throwaway northbound database per test file, for the integration tests
// that call the NB kinds' provider methods directly: started in beforeAll,
// stopped in afterAll (by PID, even when a test fails), with `nbctl` for the
// changes a user makes by hand between two Pulumi runs.
import { execFileSync } from "child_process";
import { afterAll, beforeAll } from "vitest";
import { DbEndpoint } from "../../components/commands/ovnNbctl";
import { forgetNbSnapshots } from "../../components/ovn/nbResources";
import { startOvnDb, ThrowawayDb } from "./ovsdb";

export interface NbFixture {
    /** The database as the kinds' `endpoint` input (valid once beforeAll ran). */
    readonly endpoint: DbEndpoint;
    /** The database's directory (its socket, log and pidfile). */
    readonly dir: string;
    /** ovn-nbctl against the database; each call first forgets the provider's snapshot, as a new provider process would. */
    nbctl(...args: string[]): string;
}

export function useThrowawayNb(setup: (nbctl: NbFixture["nbctl"]) => void = () => undefined): NbFixture {
    let db: ThrowawayDb | undefined;
    const fixture: NbFixture = {
        get endpoint(): DbEndpoint {
            if (!db) throw new Error("the throwaway NB is not started yet (use the endpoint inside a test)");
            return { transport: { kind: "local" }, db: db.remote };
        },
        get dir(): string {
            if (!db) throw new Error("the throwaway NB is not started yet");
            return db.dir;
        },
        nbctl(...args: string[]): string {
            if (!db) throw new Error("the throwaway NB is not started yet");
            forgetNbSnapshots();
            return execFileSync("ovn-nbctl", [`--db=${db.remote}`, ...args], { encoding: "utf8" }).trim();
        },
    };
    beforeAll(() => {
        db = startOvnDb("nb");
        setup(fixture.nbctl);
    });
    afterAll(async () => {
        await db?.stop();
    });
    return fixture;
}
