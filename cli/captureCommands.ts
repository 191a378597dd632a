// What `capture` runs, as data: the tcpdump command line (every word
// validated), where it runs (the node's transport, from the stack outputs),
// and how the command line of `npm run capture` is read. Also the readers of
// what tcpdump leaves (its summary line, a pcap file). Pure: cli/capture.ts
// runs the command.
import { isAbsolute, resolve } from "path";
import type { Unwrap } from "@pulumi/pulumi";
import type { ContainerSummary } from "../components/lab";
import { Argv } from "../components/commands/argv";
import { NODE_UNDERLAY_INTERFACE, plugInterfaceName } from "../components/commands/names";
import { checked, validInterface } from "../components/plan/validate";
import { NodeReach, nodeReach } from "./nodeReach";
import type { LabOutputs } from "./pulumiWorkspace";

export const CAPTURE_USAGE =
    "usage: npm run capture -- CONTAINER [--stack NAME] [--count N] [--write FILE.pcap] [--filter EXPR] [--tunnel] [--timeout-seconds S] [--json]\n" +
    "       (with --tunnel, CONTAINER may also be a node: the Geneve/VXLAN packets on that node's underlay interface)";

/** With --count and no --timeout-seconds: long enough for a slow ping, short enough that a filter matching nothing is noticed. */
export const DEFAULT_TIMEOUT_SECONDS = 60;
const MAX_COUNT = 1_000_000;
const MAX_TIMEOUT_SECONDS = 86_400;
const MAX_FILTER_LENGTH = 1024;
/** Geneve (OVN's default) and VXLAN: the encapsulations `ovnlab:encap` allows. */
const TUNNEL_FILTER = ["(", "udp", "port", "6081", "or", "udp", "port", "4789", ")"];

export interface CaptureOptions {
    /** A container, or with `tunnel` also a node. */
    target: string;
    stack?: string;
    count?: number;
    /** Absolute path of the local pcap file to write; absent: print decoded packets. */
    write?: string;
    /** The filter expression's words, as tcpdump joins them. */
    filter: string[];
    tunnel: boolean;
    json: boolean;
    /** Absent: capture until interrupted (only without --count). */
    timeoutSeconds?: number;
}

const VALUE_OPTIONS = ["--stack", "--count", "--write", "--filter", "--timeout-seconds"] as const;
const FLAG_OPTIONS = ["--tunnel", "--json"] as const;

function positiveInteger(option: string, text: string, max: number): number {
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1 || value > max) {
        throw new Error(`${option} takes a whole number from 1 to ${max}, not ${JSON.stringify(text)}\n${CAPTURE_USAGE}`);
    }
    return value;
}

/** Reads `npm run capture`'s arguments; `cwd` resolves a relative --write path. Throws with the usage on any mistake. */
export function parseCaptureArgs(argv: string[], cwd: string): CaptureOptions {
    const values = new Map<string, string>();
    const flags = new Set<string>();
    const positional: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const word = argv[i];
        if ((VALUE_OPTIONS as readonly string[]).includes(word)) {
            const value = argv[i + 1];
            if (value === undefined) throw new Error(`${word} needs a value\n${CAPTURE_USAGE}`);
            if (values.has(word)) throw new Error(`${word} given twice\n${CAPTURE_USAGE}`);
            values.set(word, value);
            i++;
        } else if ((FLAG_OPTIONS as readonly string[]).includes(word)) {
            flags.add(word);
        } else if (word.startsWith("-")) {
            throw new Error(`unknown option ${JSON.stringify(word)}\n${CAPTURE_USAGE}`);
        } else {
            positional.push(word);
        }
    }
    if (positional.length !== 1) throw new Error(`capture takes one container (or with --tunnel a node), not ${positional.length}\n${CAPTURE_USAGE}`);
    const count = values.has("--count") ? positiveInteger("--count", values.get("--count")!, MAX_COUNT) : undefined;
    const timeout = values.get("--timeout-seconds");
    const write = values.get("--write");
    if (write !== undefined && write.trim() === "") throw new Error(`--write needs a file name\n${CAPTURE_USAGE}`);
    const filter = values.get("--filter");
    const stack = values.get("--stack");
    return {
        target: positional[0],
        ...(stack === undefined ? {} : { stack }),
        ...(count === undefined ? {} : { count }),
        ...(write === undefined ? {} : { write: isAbsolute(write) ? write : resolve(cwd, write) }),
        // tcpdump joins its expression's words with spaces: splitting at spaces changes nothing for it, and no shell sees them.
        filter: filter === undefined ? [] : filter.split(" ").filter((word) => word !== ""),
        tunnel: flags.has("--tunnel"),
        json: flags.has("--json"),
        ...(timeout !== undefined
            ? { timeoutSeconds: positiveInteger("--timeout-seconds", timeout, MAX_TIMEOUT_SECONDS) }
            : count !== undefined ? { timeoutSeconds: DEFAULT_TIMEOUT_SECONDS } : {}),
    };
}

/** One word of a filter expression: an argv word of its own, never an option, no control characters (a terminal or log would hide them). */
function filterWord(word: string): string {
    checked("filter word", word, typeof word === "string" && word !== "", "a non-empty word");
    checked("filter word", word, !/[\u0000-\u001f\u007f]/.test(word), "no control characters (tabs, newlines, NUL, escapes)");
    return checked("filter word", word, !word.startsWith("-"), "no leading '-' (tcpdump would read an option)");
}

export interface TcpdumpSpec {
    interface: string;
    /** Stop after this many packets. */
    count?: number;
    /** The user's filter expression, word by word. */
    filter: string[];
    /** Only the tunnels' UDP (Geneve 6081, VXLAN 4789), and of those what `filter` selects. */
    tunnel: boolean;
    /** Write raw packets (pcap) to stdout instead of decoded lines. */
    pcap: boolean;
    /** Stop (as Ctrl-C would) after this many seconds, through coreutils' timeout, wherever tcpdump runs. */
    timeoutSeconds?: number;
}

/**
 * `[timeout -s INT S] tcpdump -i IFACE (-l -n -e | -U -w -) [-c N] -- FILTER...`. The expression
 * follows `--`, so no word of it can become an option even where getopt permutes. Decoded lines
 * are line-buffered (-l) and name MACs (-e) and numeric addresses (-n); pcap goes to stdout packet
 * by packet (-U), for the runner to write locally, the same for every transport: a -w FILE of
 * tcpdump's own would be on the node (over SSH) and belong to tcpdump's user, and its path would
 * have to pass as an argv word.
 */
export function tcpdumpArgv(spec: TcpdumpSpec): Argv {
    const count = spec.count === undefined ? [] : ["-c", String(checkedInteger("packet count", spec.count, MAX_COUNT))];
    const words = spec.filter.map(filterWord);
    checked("filter expression", words.join(" "), words.join(" ").length <= MAX_FILTER_LENGTH, `at most ${MAX_FILTER_LENGTH} characters`);
    const user = words.length ? ["(", ...words, ")"] : [];
    const expression = spec.tunnel ? [...TUNNEL_FILTER, ...(user.length ? ["and", ...user] : [])] : words;
    const timeout = spec.timeoutSeconds === undefined ? [] : ["timeout", "-s", "INT", String(checkedInteger("timeout", spec.timeoutSeconds, MAX_TIMEOUT_SECONDS))];
    return [
        ...timeout, "tcpdump", "-i", validInterface(spec.interface),
        ...(spec.pcap ? ["-U", "-w", "-"] : ["-l", "-n", "-e"]), ...count, "--", ...expression,
    ];
}

function checkedInteger(kind: string, value: number, max: number): number {
    checked(kind, value, Number.isSafeInteger(value) && value >= 1 && value <= max, `a whole number from 1 to ${max}`);
    return value;
}

export interface CaptureTarget {
    node: string;
    /** Absent when capturing at a node's tunnel by the node's name. */
    container?: string;
    reach: NodeReach;
    interface: string;
    tunnel: boolean;
}

/**
 * Where to capture, from the stack outputs. A container's port is its veth end on its node
 * (`c-<name>`, a port of br-int, as ContainerPlug names it); the tunnels are on the node's
 * underlay interface: `underlay` in a netns node; in a Vagrant machine the host-only NIC's name
 * depends on the box, so every interface (`any`), where each Geneve packet shows once.
 */
export function captureTarget(stack: string, outputs: LabOutputs, name: string, tunnel: boolean): CaptureTarget {
    const container: Unwrap<ContainerSummary> | undefined = outputs.containers.find((c) => c.name === name);
    const nodeByName = outputs.nodes.find((n) => n.name === name);
    if (!container && !(tunnel && nodeByName)) {
        if (nodeByName) throw new Error(`${name} is a node: capture on a container's port (${outputs.containers.map((c) => c.name).join(", ")}), or at ${name}'s tunnel with --tunnel`);
        throw new Error(`stack ${stack} has no container ${name}; it has ${outputs.containers.map((c) => c.name).join(", ") || "none"}${tunnel ? ` and nodes ${outputs.nodes.map((n) => n.name).join(", ")}` : ""}`);
    }
    if (container && !container.containerName && !tunnel) {
        throw new Error(`stack ${stack} runs no workload ${name} (only its logical port, external driver): there is no port to capture on`);
    }
    const nodeName = container ? container.node : name;
    const node = outputs.nodes.find((n) => n.name === nodeName);
    if (!node) throw new Error(`stack ${stack}: ${name} is on node ${nodeName}, which the outputs do not list`);
    const reach = nodeReach(stack, node, "capture");
    // A netns node's underlay has one name; a machine's or an SSH host's may be any interface (br-phy with netdev).
    const iface = !tunnel ? plugInterfaceName(container!.name) : reach.kind === "transport" && reach.transport.kind === "netns" ? NODE_UNDERLAY_INTERFACE : "any";
    return { node: node.name, ...(container ? { container: container.name } : {}), reach, interface: validInterface(iface), tunnel };
}

/** The count of tcpdump's closing summary (`12 packets captured`, on stderr), if it printed one. */
export function parseCapturedCount(stderr: string): number | undefined {
    const match = /^(\d+) packets? captured$/m.exec(stderr);
    return match ? Number(match[1]) : undefined;
}

const PCAP_MAGIC = new Set([0xa1b2c3d4, 0xa1b23c4d]);
const PCAP_HEADER = 24;
const RECORD_HEADER = 16;

/** The packets in a pcap file (classic format, either byte order, micro- or nanosecond); a truncated last record is not counted. */
export function pcapPacketCount(data: Uint8Array): number {
    if (data.length < PCAP_HEADER) throw new Error(`not a pcap file: ${data.length} bytes, shorter than its ${PCAP_HEADER}-byte header`);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const little = !PCAP_MAGIC.has(view.getUint32(0, false));
    if (!PCAP_MAGIC.has(view.getUint32(0, little))) throw new Error(`not a pcap file: magic 0x${view.getUint32(0, false).toString(16)}`);
    let packets = 0;
    for (let offset = PCAP_HEADER; offset + RECORD_HEADER <= data.length; packets++) {
        const next = offset + RECORD_HEADER + view.getUint32(offset + 8, little);
        if (next > data.length) break;
        offset = next;
    }
    return packets;
}
