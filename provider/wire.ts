// Values as the engine sends them to a provider: secrets wrapped in a
// signature object, unknowns (in a preview) as a sentinel string. Handlers
// see plain values; what came in secret goes out secret, or the state would
// hold it in clear text (shared design: pulumi-on-these-machines).

/** The engine's marker of a special value, and the kind that marks a secret. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export { containsUnknown, UNKNOWN } from "../components/kit/checkFields";

type Props = Record<string, unknown>;

function isSecret(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Props)[SIG_KEY] === SECRET_SIG;
}

function unwrap(value: unknown): { value: unknown; secret: boolean } {
    if (isSecret(value)) return { value: unwrap(value.value).value, secret: true };
    if (Array.isArray(value)) {
        const items = value.map(unwrap);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (typeof value === "object" && value !== null) {
        const entries = Object.entries(value).map(([k, v]) => [k, unwrap(v)] as const);
        return { value: Object.fromEntries(entries.map(([k, v]) => [k, v.value])), secret: entries.some(([, v]) => v.secret) };
    }
    return { value, secret: false };
}

/** Plain properties, and the top-level keys that held a secret anywhere inside. */
export function unwrapSecrets(props: Props | undefined): { plain: Props; secretKeys: Set<string> } {
    const plain: Props = {};
    const secretKeys = new Set<string>();
    for (const [key, value] of Object.entries(props ?? {})) {
        const u = unwrap(value);
        plain[key] = u.value;
        if (u.secret) secretKeys.add(key);
    }
    return { plain, secretKeys };
}

/** Wraps the given top-level keys as secrets again. */
export function wrapSecrets(props: Props | undefined, secretKeys: Set<string>): Props | undefined {
    if (!props) return props;
    return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, secretKeys.has(k) && v !== undefined ? { [SIG_KEY]: SECRET_SIG, value: v } : v]));
}
