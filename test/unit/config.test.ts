import { describe, expect, it } from "vitest";
import { ConfigError, defaultLabId, validateConfig } from "../../components/plan/config";

function issuesOf(raw: Record<string, unknown>): ConfigError {
    try {
        validateConfig(raw, "dev");
    } catch (e) {
        if (e instanceof ConfigError) return e;
        throw e;
    }
    throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

describe("config defaults", () => {
    it("are the walk-through's scale model on the netns driver", () => {
        const c = validateConfig({}, "dev");
        expect(c).toMatchObject({
            labId: "dev", driver: "netns", experiment: "multi-l2", nodes: ["node1", "node2"], centralNode: "node1",
            podCidr: "10.244.0.0/16", hostCidr: "172.16.56.0/24", encap: "geneve", datapathType: "netdev",
            routerName: "lr0", bridge: "br-int",
        });
        expect(c.containers).toEqual([
            { name: "netsho1", node: "node1" }, { name: "netsho2", node: "node1" },
            { name: "netsho3", node: "node2" }, { name: "netsho4", node: "node2" },
        ]);
    });
    it("treat Pulumi.yaml's 'derive it' values as unset", () => {
        expect(validateConfig({ nodes: 0, containers: [], labId: "", stateDir: "" }, "dev")).toEqual(validateConfig({}, "dev"));
        expect(validateConfig({ experiment: "single-l2", nodes: "0" }, "dev").nodes).toEqual(["node1"]);
    });
    it("accept Pulumi's string forms of numbers and lists", () => {
        const c = validateConfig({ nodes: "3", containers: JSON.stringify([{ name: "a", node: "node3" }]) }, "dev");
        expect(c.nodes).toEqual(["node1", "node2", "node3"]);
        expect(c.containers).toEqual([{ name: "a", node: "node3" }]);
    });
    it.each([["dev", "dev"], ["Multi-L2", "multil2"], ["2024-lab", "l2024lab"], ["a-very-long-stack-name", "averylon"]])(
        "lab id of stack %s is %s", (stack, id) => expect(defaultLabId(stack)).toBe(id),
    );
});

describe("config validation", () => {
    it("reports every problem at once", () => {
        const e = issuesOf({ driver: "kvm", encap: "gre", nodes: -1, podCidr: 42 });
        expect(e.issues.map((i) => i.key)).toEqual(["driver", "encap", "nodes", "podCidr"]);
        expect(e.message).toMatch(/ovnlab:driver = "kvm": not a known value; valid: netns \| external/);
        expect(e.message).toMatch(/ovnlab:encap = "gre": not a known value; valid: geneve \| vxlan/);
        expect(e.message).toMatch(/ovnlab:nodes = -1: not a whole number in range; valid: an integer from 1 to 1000/);
    });
    it("rejects unknown keys, naming the valid ones", () => {
        expect(issuesOf({ podCIDR: "10.0.0.0/16" }).message).toMatch(/ovnlab:podCIDR = "10\.0\.0\.0\/16": unknown key; valid: one of labId, driver/);
    });
    it.each([
        "x; rm -rf /", "$(id)", "`id`", "a b", "a\nb", "..", "a'b", 'a"b', "Netsho", "netsho_1", "ñandú", "-a", "a-", "x".repeat(33), "",
    ])("rejects the container name %j", (name) => {
        const e = issuesOf({ containers: [{ name, node: "node1" }] });
        expect(e.issues).toEqual([expect.objectContaining({ key: "containers[0].name", value: name, problem: "not a valid name" })]);
    });
    it.each<[Record<string, unknown>, RegExp]>([
        [{ containers: "netsho1" }, /containers = "netsho1": not a list/],
        [{ containers: [{ name: "a", node: "node9" }] }, /containers\[0\]\.node = "node9": not one of the lab's nodes; valid: node1 \| node2/],
        [{ containers: [{ name: "a", node: "node1" }, { name: "a", node: "node2" }] }, /containers\[1\]\.name = "a": duplicate container name/],
        [{ containers: [{ name: "a", node: "node1", color: "red" }] }, /containers\[0\]\.color = "red": unknown field/],
        [{ containers: [{ name: "a", node: "node1", ip: 3 }] }, /containers\[0\]\.ip = 3: not a string/],
        [{ containers: [{ name: "a", node: "node1", image: "bad image" }] }, /containers\[0\]\.image = "bad image": not a valid image reference/],
        [{ containers: [{ name: "lr0", node: "node1" }] }, /containers = "lr0": container name collides with routerName/],
        [{ containers: [{ name: "ls-node1", node: "node1" }] }, /collides with the ls-<node>\/lr-<node> names/],
        [{ experiment: "single-l2", nodes: 2 }, /ovnlab:nodes = 2: single-l2 is one flat L2 domain on one node/],
        [{ centralNode: "node7" }, /ovnlab:centralNode = "node7": not one of the lab's nodes/],
        [{ labId: "Dev Lab" }, /ovnlab:labId = "Dev Lab": not a valid lab id/],
        [{ bridge: "br-int-with-a-long-name" }, /ovnlab:bridge .*an interface name: 1-15/],
        [{ mtu: "jumbo" }, /ovnlab:mtu = "jumbo": not a whole number/],
        [{ datapathType: "kernel" }, /ovnlab:datapathType = "kernel": not a known value; valid: netdev \| system/],
        [{ routerName: "$(id)" }, /ovnlab:routerName = "\$\(id\)": not a valid name/],
    ])("rejects %j", (raw, message) => {
        expect(issuesOf(raw).message).toMatch(message);
    });
});
