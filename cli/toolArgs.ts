// The command lines of verify, show and trace: `--stack NAME`, the tool's
// flags, and a fixed number of positional words; anything else is refused
// with the usage (a mistyped `--jsno` must not print text a script then
// misreads). Pure.
import { parseArgs } from "util";

export interface ToolArgs {
    stack?: string;
    json: boolean;
    detailed: boolean;
    positional: string[];
}

export interface ToolArgsSpec {
    usage: string;
    /** The flags the tool takes, without `--`. */
    flags: ("json" | "detailed")[];
    positional: number;
}

export function parseToolArgs(argv: string[], spec: ToolArgsSpec): ToolArgs {
    const options = {
        stack: { type: "string" as const },
        ...Object.fromEntries(spec.flags.map((flag) => [flag, { type: "boolean" as const }])),
    };
    let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
    try {
        parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    } catch (e) {
        throw new Error(`${(e as Error).message}\n${spec.usage}`);
    }
    const { values, positionals } = parsed;
    if (positionals.length !== spec.positional) {
        throw new Error(`expected ${spec.positional === 0 ? "no" : spec.positional} name${spec.positional === 1 ? "" : "s"}, got ${positionals.length}${positionals.length ? ` (${positionals.join(" ")})` : ""}\n${spec.usage}`);
    }
    const stack = values.stack as string | undefined;
    if (stack !== undefined && stack.trim() === "") throw new Error(`--stack needs a stack name\n${spec.usage}`);
    return { ...(stack === undefined ? {} : { stack }), json: values.json === true, detailed: values.detailed === true, positional: positionals };
}

/** The stack named on the command line, by OVNLAB_STACK, or dev. */
export function stackOf(args: ToolArgs, env: Record<string, string | undefined> = process.env): string {
    return args.stack ?? env.OVNLAB_STACK ?? "dev";
}
