// The 0.1 -> 0.2 state migration as data: the dynamic resources and their
// provider go, references to them go, everything else stays as it was.
import { describe, expect, it } from "vitest";
import { migrateDeployment } from "../../cli/migrateState";

const stack = "urn:pulumi:dev::ovnlab::pulumi:pulumi:Stack::ovnlab-dev";
const lab = "urn:pulumi:dev::ovnlab::ovnlab:lab:Lab::lab";
const oldProvider = "urn:pulumi:dev::ovnlab::pulumi:providers:pulumi-nodejs::default";
const node = "urn:pulumi:dev::ovnlab::ovnlab:lab:Lab$pulumi-nodejs:dynamic/ovnlab/netns:Node::node1";
const port = "urn:pulumi:dev::ovnlab::ovnlab:lab:Lab$ovnlab:ovn:NodeSwitch$pulumi-nodejs:dynamic/ovnlab/nb:LogicalSwitchPort::ls-node1-lr";
const nodeSwitch = "urn:pulumi:dev::ovnlab::ovnlab:lab:Lab$ovnlab:ovn:NodeSwitch::ls-node1";

const deployment = {
    manifest: { version: "v3.259.0" },
    resources: [
        { urn: stack, type: "pulumi:pulumi:Stack" },
        { urn: lab, type: "ovnlab:lab:Lab", parent: stack },
        { urn: oldProvider, type: "pulumi:providers:pulumi-nodejs", custom: true },
        { urn: node, type: "pulumi-nodejs:dynamic/ovnlab/netns:Node", parent: lab, inputs: { __provider: "exports.handler = ..." } },
        { urn: nodeSwitch, type: "ovnlab:ovn:NodeSwitch", parent: lab, dependencies: [node, lab], propertyDependencies: { x: [node] } },
        { urn: port, type: "pulumi-nodejs:dynamic/ovnlab/nb:LogicalSwitchPort", parent: nodeSwitch, dependencies: [node] },
    ],
    pending_operations: [{ type: "creating", resource: { urn: port, type: "pulumi-nodejs:dynamic/ovnlab/nb:LogicalSwitchPort" } }],
};

describe("migrating a 0.1 state", () => {
    const { deployment: migrated, forgotten } = migrateDeployment(structuredClone(deployment));

    it("forgets every dynamic resource and the dynamic provider, naming each with its new type", () => {
        expect(forgotten).toEqual([
            { name: "node1", from: "pulumi-nodejs:dynamic/ovnlab/netns:Node", to: "ovnlab:netns:Node" },
            { name: "ls-node1-lr", from: "pulumi-nodejs:dynamic/ovnlab/nb:LogicalSwitchPort", to: "ovnlab:nb:LogicalSwitchPort" },
        ]);
        expect(JSON.stringify(migrated)).not.toContain("pulumi-nodejs");
        expect(migrated.pending_operations).toEqual([]);
    });

    it("keeps the stack and the components, dropping only references to what was forgotten", () => {
        expect(migrated.resources!.map((r) => r.urn)).toEqual([stack, lab, nodeSwitch]);
        expect(migrated.resources![2]).toMatchObject({ dependencies: [lab], propertyDependencies: { x: [] } });
        expect(migrated.manifest).toEqual(deployment.manifest);
    });

    it("changes nothing in a state that has no 0.1 resource", () => {
        const again = migrateDeployment(structuredClone(migrated));
        expect(again.forgotten).toEqual([]);
        expect(again.deployment).toEqual(migrated);
    });
});
