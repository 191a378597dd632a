// Pure: turns the state of a lab brought up by ovnlab 0.1 (every resource a
// Pulumi dynamic resource, type pulumi-nodejs:dynamic/ovnlab/<module>:<Type>)
// into one the native provider can take over. The old resources are forgotten,
// not deleted: the next `up` creates them under their new types, and every
// create adopts what already exists on the host (namespaces, daemons,
// containers, plugs, NB rows), so nothing is torn down and nothing is stranded.

const OLD_TYPE = /^pulumi-nodejs:dynamic\/ovnlab\/(\w+):(\w+)$/;
const OLD_PROVIDER = "pulumi:providers:pulumi-nodejs";

interface StateResource {
    urn: string;
    type: string;
    parent?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    [key: string]: unknown;
}

export interface Deployment {
    resources?: StateResource[];
    pending_operations?: { resource: StateResource; type: string }[];
    [key: string]: unknown;
}

export interface Migration {
    deployment: Deployment;
    /** The forgotten resources: old type, new type and name. */
    forgotten: { name: string; from: string; to: string }[];
}

const nameOf = (urn: string) => urn.split("::").pop() ?? urn;

export function isOldLabResource(r: { type: string }): boolean {
    return OLD_TYPE.test(r.type) || r.type === OLD_PROVIDER;
}

export function migrateDeployment(deployment: Deployment): Migration {
    const resources = deployment.resources ?? [];
    const old = resources.filter(isOldLabResource);
    const gone = new Set(old.map((r) => r.urn));
    const kept = resources.filter((r) => !gone.has(r.urn)).map((r) => ({
        ...r,
        ...(r.dependencies ? { dependencies: r.dependencies.filter((u) => !gone.has(u)) } : {}),
        ...(r.propertyDependencies
            ? { propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, v]) => [k, v.filter((u) => !gone.has(u))])) }
            : {}),
    }));
    const pending = (deployment.pending_operations ?? []).filter((p) => !gone.has(p.resource.urn) && !isOldLabResource(p.resource));
    const forgotten = old.filter((r) => r.type !== OLD_PROVIDER).map((r) => {
        const [, module, type] = OLD_TYPE.exec(r.type)!;
        return { name: nameOf(r.urn), from: r.type, to: `ovnlab:${module}:${type}` };
    });
    return { deployment: { ...deployment, resources: kept, ...(deployment.pending_operations ? { pending_operations: pending } : {}) }, forgotten };
}
