// A provider's check: each input validated by the same functions the command
// builders use, so a resource used directly (from YAML, say) is refused before
// anything runs, with the property, what is wrong and what would be valid.
import { CheckFailure } from "./resource";

export interface FieldRule {
    /** Throws when the value is not valid (the builders' own validation). */
    validate(value: any): void;
    /** The valid form, for people. */
    valid: string;
    /** Default true. */
    required?: boolean;
}

/** The engine's marker of an input not known yet (a preview): such a value is checked later, at create. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Whether a value (or anything inside it) is not known yet. */
export function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (typeof value === "object" && value !== null) return Object.values(value).some(containsUnknown);
    return false;
}

export function checkFields(inputs: Record<string, unknown>, rules: Record<string, FieldRule>): CheckFailure[] {
    const failures: CheckFailure[] = [];
    for (const [property, rule] of Object.entries(rules)) {
        const value = inputs[property];
        if (value === undefined || value === null) {
            if (rule.required !== false) failures.push({ property, reason: `${property} is required; valid: ${rule.valid}` });
            continue;
        }
        if (containsUnknown(value)) continue;
        try {
            rule.validate(value);
        } catch (error) {
            failures.push({ property, reason: `${property} = ${JSON.stringify(value)}: ${(error as Error).message}; valid: ${rule.valid}` });
        }
    }
    return failures;
}
