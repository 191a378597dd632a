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

/** The engine's marker of a value not known yet (a preview): checked later, at create. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const unknownInside = (v: unknown): boolean =>
    v === UNKNOWN || (Array.isArray(v) ? v.some(unknownInside) : typeof v === "object" && v !== null && Object.values(v).some(unknownInside));

export function checkFields(inputs: Record<string, unknown>, rules: Record<string, FieldRule>): CheckFailure[] {
    const failures: CheckFailure[] = [];
    for (const [property, rule] of Object.entries(rules)) {
        const value = inputs[property];
        if (value === undefined || value === null) {
            if (rule.required !== false) failures.push({ property, reason: `${property} is required; valid: ${rule.valid}` });
            continue;
        }
        if (unknownInside(value)) continue;
        try {
            rule.validate(value);
        } catch (error) {
            failures.push({ property, reason: `${property} = ${JSON.stringify(value)}: ${(error as Error).message}; valid: ${rule.valid}` });
        }
    }
    return failures;
}
