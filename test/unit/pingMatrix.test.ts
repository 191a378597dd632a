import { describe, expect, it } from "vitest";
import { parsePingSummary, pingPairs, renderMatrix } from "../../cli/pingMatrix";

describe("ping matrix", () => {
    const c = (name: string, ip: string) => ({ name, ip });
    it("pairs every container with every other one, never itself", () => {
        const pairs = pingPairs([c("a", "1"), c("b", "2"), c("c", "3")]).map(([f, t]) => `${f.name}>${t.name}`);
        expect(pairs).toEqual(["a>b", "a>c", "b>a", "b>c", "c>a", "c>b"]);
    });
    it.each([
        ["3 packets transmitted, 2 packets received, 33% packet loss", { sent: 3, received: 2 }],
        ["3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2034ms", { sent: 3, received: 0 }],
        ["ping: bad address", { sent: 0, received: 0 }],
    ])("reads %j", (text, expected) => expect(parsePingSummary(text)).toEqual(expected));
    it("renders a table with losses visible", () => {
        const table = renderMatrix(["a", "b"], [
            { from: "a", to: "b", sent: 3, received: 2 },
            { from: "b", to: "a", sent: 3, received: 0 },
        ]);
        expect(table.split("\n")).toEqual(["from \\ to  a         b", "a          -         ok 2/3", "b          FAIL 0/3  -"]);
    });
});
