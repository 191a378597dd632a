import { defineConfig } from "vitest/config";

// vm: real VMs (Vagrant + libvirt; QEMU's TCG on machines without KVM), minutes per lab. Defined only when asked
// for (`npx vitest run --project vm`, or OVNLAB_VM_TESTS=1), so `npx vitest run` (scripts/test.sh, the README's
// test command) leaves it out and .ci/run runs it once, after that.
const argv = process.argv;
const vmAsked = process.env.OVNLAB_VM_TESTS === "1" || argv.some((arg, i) => arg === "--project=vm" || (arg === "--project" && argv[i + 1] === "vm"));

// unit: pure code and Pulumi mocks, fast, no privileges.
// integration: real ovsdb-server / OVS / Docker / namespaces, as root.
// e2e: the real Pulumi CLI through the Automation API.
export default defineConfig({
    test: {
        projects: [
            { test: { name: "unit", include: ["test/unit/**/*.test.ts"], testTimeout: 20_000 } },
            {
                test: {
                    name: "integration",
                    include: ["test/integration/**/*.test.ts"],
                    testTimeout: 120_000,
                    hookTimeout: 120_000,
                    fileParallelism: false,
                },
            },
            {
                test: {
                    name: "e2e",
                    include: ["test/e2e/**/*.test.ts"],
                    testTimeout: 900_000,
                    hookTimeout: 900_000,
                    fileParallelism: false,
                },
            },
            ...(vmAsked ? [{
                test: {
                    name: "vm",
                    include: ["test/vm/**/*.test.ts"],
                    testTimeout: 1_800_000,
                    hookTimeout: 1_800_000,
                    fileParallelism: false,
                },
            }] : []),
        ],
    },
});
