// ovnlab: one stack, one lab. Validates the stack's `ovnlab:*` configuration
// and plans every address before a single resource is registered.
import * as fs from "fs";
import * as path from "path";
// @pulumi/pulumi's modules, not its index (which also loads the Automation API and more: ~0.6 s of CPU per run).
import { RunError } from "@pulumi/pulumi/errors";
import { getStack } from "@pulumi/pulumi/metadata";
import { allConfig } from "@pulumi/pulumi/runtime/config";
import { ConfigError, validateConfig } from "./components/plan/config";
import { planLab } from "./components/plan/ipPlan";
import { Lab } from "./components/lab";
import { preflight } from "./components/drivers";

// The Node.js runner installs source-map-support, which makes every stack trace the SDK captures (one per
// resource and per internal promise) cost milliseconds: at 1000 ports, most of a preview. The program runs as
// compiled JavaScript; its stack traces name dist/*.js lines.
(Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;

function rawConfig(): Record<string, unknown> {
    const prefix = "ovnlab:";
    return Object.fromEntries(
        Object.entries(allConfig())
            .filter(([key]) => key.startsWith(prefix))
            .map(([key, value]) => [key.slice(prefix.length), value]),
    );
}

function planFromConfig() {
    try {
        return planLab(validateConfig(rawConfig(), getStack()));
    } catch (e) {
        // A RunError is printed without a stack trace: the message is the whole story.
        if (e instanceof ConfigError) throw new RunError(e.message);
        throw e;
    }
}

/** The directory of Pulumi.yaml: the program runs from dist/, but relative paths in the stack file mean the project's. */
function projectRoot(): string {
    let dir = __dirname;
    while (!fs.existsSync(path.join(dir, "Pulumi.yaml")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    return dir;
}

const plan = planFromConfig();
// The driver's preflight (ssh: every host reachable, its key accepted, root) before the first resource is registered.
const lab = new Lab("lab", preflight({
    plan,
    stack: getStack(),
    stateDir: path.resolve(projectRoot(), plan.config.stateDir),
}));

export const nodes = lab.nodes;
export const containers = lab.containers;
// null, not undefined: single-l2 and the external driver have no central of their own, and Pulumi warns on undefined outputs.
export const central = lab.central ?? null;
// The gateway router, its SNAT address and the external host (Pulumi.gateway.yaml); null without ovnlab:gateway.
export const gateway = lab.gateway ?? null;
// Each VIP with its backends, and the ACLs as rules (Pulumi.lb.yaml, Pulumi.acl.yaml); null without any.
export const loadBalancers = lab.loadBalancers.length > 0 ? lab.loadBalancers : null;
export const acls = lab.acls.length > 0 ? lab.acls : null;
