import { defineConfig } from "vitest/config";

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
        ],
    },
});
