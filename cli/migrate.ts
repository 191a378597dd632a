// migrate: hands a lab brought up by ovnlab 0.1 (dynamic providers) to the
// native provider without tearing it down. Forgets the old resources in the
// stack's state (cli/migrateState.ts); the next `bash scripts/lab.sh up`
// adopts everything that is on the host under the new types.
//   npm run migrate [-- --stack NAME]
import type { Stack } from "@pulumi/pulumi/automation";
import { migrateDeployment, Migration } from "./migrateState";
import { openStack, stackName } from "./pulumiWorkspace";

export async function migrateStack(stack: Stack): Promise<Migration> {
    const exported = await stack.exportStack();
    const migration = migrateDeployment(exported.deployment);
    if (migration.forgotten.length > 0) await stack.importStack({ ...exported, deployment: migration.deployment });
    return migration;
}

async function main(): Promise<void> {
    const name = stackName(process.argv.slice(2));
    const migration = await migrateStack(await openStack(name));
    if (migration.forgotten.length === 0) {
        console.log(`stack ${name}: nothing to migrate (no resource of ovnlab 0.1's dynamic providers)`);
        return;
    }
    for (const r of migration.forgotten) console.log(`forgot ${r.name} (${r.from}); up adopts it as ${r.to}`);
    console.log(`\nstack ${name}: ${migration.forgotten.length} resources handed over. Nothing on the host was changed.`);
    console.log(`Now run: OVNLAB_STACK=${name} bash scripts/lab.sh up   (it adopts the running lab; no ping is lost)`);
}

if (require.main === module) {
    main().catch((error) => {
        console.error(error instanceof Error ? error.message : error);
        process.exit(1);
    });
}
