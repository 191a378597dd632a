// A create that fails partway is not recorded in Pulumi's state, so the
// provider itself must take back what it made: nothing half-created.
import { afterAll, describe, expect, it } from "vitest";
import { netnsNodeProvider } from "../../components/drivers/netns/netnsNode";
import { cleanupLab, labLinks, labNamespaces } from "../helpers/lab";
import { uniqueLabId } from "../helpers/names";
import { existsSync } from "fs";

const labId = uniqueLabId();
const stateDir = `/tmp/ovnlab-${labId}`;

afterAll(async () => {
    await cleanupLab(labId, stateDir);
});

describe("a node whose create fails partway", () => {
    it("reports the failing command and leaves no namespace, veth, daemon or files", async () => {
        // The underlay bridge does not exist: the namespace, veth and directories are made before that fails.
        const failure = await netnsNodeProvider.create!({
            labId, name: "node1", stateDir, underlayBridge: `${labId}_nobr`, underlayCidr: "172.16.56.2/24", ovn: false,
        }).then(() => undefined, (e: Error) => e);
        expect(failure?.message).toMatch(new RegExp(`${labId}_nobr`));
        expect(labNamespaces(labId)).toEqual([]);
        expect(labLinks(labId)).toEqual([]);
        expect(existsSync(`${stateDir}/node1`)).toBe(false);
    });
});
