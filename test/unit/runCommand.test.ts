// runCommand's errors say why a command failed in words a user can act on.
import { describe, expect, it } from "vitest";
import { runCommand } from "../../components/transport/transport";

const local = { kind: "local" as const };

describe("runCommand failures", () => {
    it("a tool that ends itself with SIGALRM (OVS's --timeout) is reported as that, not as exit -1", async () => {
        await expect(runCommand(local, ["sh", "-c", "kill -ALRM $$"])).rejects.toThrow(/^command was killed by SIGALRM \(its own --timeout expired\): sh -c/);
    });
    it("a command past ovnlab's own timeout is killed and reported with the limit", async () => {
        await expect(runCommand(local, ["sleep", "5"], { timeoutMs: 200 })).rejects.toThrow(/^command timed out after 200 ms: sleep 5/);
    });
    it("a non-zero exit carries the code and stderr", async () => {
        await expect(runCommand(local, ["sh", "-c", "echo boom >&2; exit 3"])).rejects.toThrow(/^command exited with 3: sh -c .*\nboom$/);
    });
});
