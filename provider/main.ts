// The ovnlab provider plugin: the process the Pulumi engine starts as
// `pulumi-resource-ovnlab` (provider/plugin). It serves every ovnlab:* type
// token by dispatching to that kind's handler (provider/registry.ts).
import * as path from "path";
import * as fs from "fs";
import * as provider from "@pulumi/pulumi/provider";
import { enableNbSessions } from "../components/ovn/nbSession";
import { handlerFor } from "./registry";
import { buildSchema } from "./packageSchema";
import { unwrapSecrets, wrapSecrets } from "./wire";

export const VERSION: string = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")).version;

type Props = Record<string, unknown>;

export const ovnlabProvider: provider.Provider = {
    version: VERSION,

    async getSchema() {
        return JSON.stringify(buildSchema(VERSION));
    },

    async check(urn, _olds, news) {
        const handler = handlerFor(urn);
        const withDefaults = { ...(handler.defaults ?? {}), ...news };
        // In a preview some inputs are not known yet: checkFields leaves those to create.
        const failures = handler.check?.(unwrapSecrets(withDefaults).plain) ?? [];
        return { inputs: withDefaults, failures };
    },

    async diff(id, urn, olds, news) {
        return handlerFor(urn).diff?.(id, unwrapSecrets(olds).plain, unwrapSecrets(news).plain) ?? { changes: false };
    },

    async create(urn, inputs) {
        const { plain, secretKeys } = unwrapSecrets(inputs);
        const result = await handlerFor(urn).create(plain);
        return { id: result.id, outs: wrapSecrets(result.outs as Props, secretKeys) };
    },

    async read(id, urn, props) {
        const handler = handlerFor(urn);
        if (!handler.read) return { id, props };
        const { plain, secretKeys } = unwrapSecrets(props);
        const result = await handler.read(id, plain);
        return result.id ? { id: result.id, props: wrapSecrets(result.props as Props, secretKeys) } : {};
    },

    async update(id, urn, olds, news) {
        const handler = handlerFor(urn);
        const { plain, secretKeys } = unwrapSecrets(news);
        if (!handler.update) throw new Error(`${urn} cannot be updated in place`);
        const result = await handler.update(id, unwrapSecrets(olds).plain, plain);
        return { outs: wrapSecrets(result.outs as Props, secretKeys) };
    },

    async delete(id, urn, props) {
        await handlerFor(urn).delete?.(id, unwrapSecrets(props).plain);
    },
};

if (require.main === module) {
    // One ovn-nbctl daemon per NB database for this process's life, not one process per row.
    enableNbSessions();
    provider.main(ovnlabProvider, process.argv.slice(2)).catch((error) => {
        console.error(error);
        process.exit(1);
    });
}
