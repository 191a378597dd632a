// external: the nodes and the central exist already; ovnlab only writes the
// logical topology into the northbound database the configuration names.
import { NodeDriver } from "../driver";

export const externalDriver: NodeDriver = {
    nodes: (_name, args) => ({
        nbEndpoint: { transport: { kind: "local" }, db: args.plan.config.nbDb },
        nbReady: [],
        nodeOutputs: () => ({}),
    }),
};
