// The `ovnlab:containers` list: each workload's name, node, image, ip and mac, checked
// field by field (the walk-through's netsho1.. when unset). Pure: no Pulumi, no I/O.
import { SERVES } from "./servicesConfig";
import { ContainerSpec, DEFAULTS, IMAGE_PATTERN, isValidName, NAME_RULE, Raw, asArray } from "./configKeys";

export type Flag = (key: string, value: unknown, problem: string, valid: string) => void;

const CONTAINER_FIELDS = ["name", "node", "image", "ip", "mac", "serve"];

export function validateContainers(
    value: unknown,
    nodes: string[],
    flag: Flag,
): ContainerSpec[] {
    if (value === undefined) {
        // The walk-through's workloads: netsho1, netsho2 on node1, netsho3, netsho4 on node2, ...
        const perNode = DEFAULTS.containersPerNodeByDefault;
        return nodes.flatMap((node, n) =>
            Array.from({ length: perNode }, (_, i) => ({ name: `netsho${n * perNode + i + 1}`, node })),
        );
    }
    const list = asArray(value);
    if (list === undefined) {
        flag("containers", value, "not a list", "a list of {name, node, image?, ip?, mac?, serve?}");
        return [];
    }
    const seen = new Set<string>();
    const result: ContainerSpec[] = [];
    list.forEach((entry, i) => {
        const key = `containers[${i}]`;
        if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
            flag(key, entry, "not an object", "{name, node, image?, ip?, mac?, serve?}");
            return;
        }
        const e = entry as Raw;
        for (const field of Object.keys(e)) {
            if (!CONTAINER_FIELDS.includes(field)) flag(`${key}.${field}`, e[field], "unknown field", CONTAINER_FIELDS.join(", "));
        }
        let ok = true;
        if (!isValidName(e.name)) {
            flag(`${key}.name`, e.name, "not a valid name", NAME_RULE);
            ok = false;
        } else if (seen.has(e.name)) {
            flag(`${key}.name`, e.name, "duplicate container name", "names unique across the lab");
            ok = false;
        } else {
            seen.add(e.name);
        }
        if (typeof e.node !== "string" || !nodes.includes(e.node)) {
            flag(`${key}.node`, e.node, "not one of the lab's nodes", nodes.join(" | "));
            ok = false;
        }
        for (const field of ["image", "ip", "mac"] as const) {
            if (e[field] !== undefined && typeof e[field] !== "string") {
                flag(`${key}.${field}`, e[field], "not a string", field === "image" ? "an image reference" : field === "ip" ? "an IPv4 address such as 10.244.1.3" : "a MAC such as 02:00:00:00:01:03");
                ok = false;
            }
        }
        if (typeof e.image === "string" && !IMAGE_PATTERN.test(e.image)) {
            flag(`${key}.image`, e.image, "not a valid image reference", "e.g. busybox:stable or nicolaka/netshoot");
            ok = false;
        }
        if (e.serve !== undefined && !(SERVES as readonly unknown[]).includes(e.serve)) {
            flag(`${key}.serve`, e.serve, "not a known service", SERVES.join(" | "));
            ok = false;
        }
        if (ok) {
            result.push({
                name: e.name as string,
                node: e.node as string,
                ...(e.image !== undefined ? { image: e.image as string } : {}),
                ...(e.ip !== undefined ? { ip: e.ip as string } : {}),
                ...(e.mac !== undefined ? { mac: e.mac as string } : {}),
                ...(e.serve !== undefined ? { serve: e.serve as "http" } : {}),
            });
        }
    });
    return result;
}
