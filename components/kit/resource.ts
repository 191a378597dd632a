// What every ovnlab resource is: a pulumi.CustomResource with a type token
// `ovnlab:<module>:<Type>`, served by ovnlab's own provider plugin
// (provider/, launched by the engine from provider/plugin). The provider
// process dispatches on the token to the kind's handler, so the state holds
// only each resource's inputs and outputs: no serialized code.
import * as pulumi from "./pulumiCore";

/** A resource's constructor arguments: every field may be an Output. */
export type ResourceInputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

export interface CheckFailure {
    property: string;
    reason: string;
}

export interface DiffResult {
    changes?: boolean;
    replaces?: string[];
    deleteBeforeReplace?: boolean;
}

/**
 * The create/read/update/delete of one kind, as the provider calls them. `read`
 * returns no id when the object is gone; `delete` succeeds when it already is.
 */
export interface ResourceHandler<I = any, O = any> {
    /** Validates the inputs (after defaults): each failure names the property and the valid form. */
    check?(news: I): CheckFailure[];
    /** Inputs a program may leave out, with the values they then take (recorded in the state). */
    defaults?: Partial<I>;
    create(inputs: I): Promise<{ id: string; outs: O }>;
    diff?(id: string, olds: O, news: I): Promise<DiffResult>;
    read?(id: string, props: O): Promise<{ id?: string; props?: O }>;
    update?(id: string, olds: O, news: I): Promise<{ outs: O }>;
    delete?(id: string, props: O): Promise<void>;
}

/** The package name: type tokens read ovnlab:<module>:<Type>. */
export const PACKAGE = "ovnlab";

export function typeToken(module: string, type: string): string {
    return `${PACKAGE}:${module}:${type}`;
}

/**
 * Base of every ovnlab resource. `props` holds the inputs, and each output the
 * provider adds set to undefined (so the resource exposes it).
 */
export abstract class OvnlabResource extends pulumi.CustomResource {
    constructor(module: string, type: string, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super(typeToken(module, type), name, props, opts);
    }
}
