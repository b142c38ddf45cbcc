import type { Layout } from "../paths.ts";
import { join } from "node:path";
import { describeSeed, SeedError, seedDomain } from "@olympus/platform/seed";
import { seedTargets } from "../seed/targets.ts";
import { effectiveState, type StackState } from "../state.ts";
import { deploymentSecret } from "../secrets.ts";

/** Seeds every running domain; prints one line per domain. Returns false when something failed. */
export async function seedRunning(l: Layout, state: StackState | undefined): Promise<boolean> {
  const targets = seedTargets(state);
  let ok = true;
  for (const target of targets) {
    try {
      // Client secrets written {secret.NAME} in seeds/ are this deployment's, as the manifest's are.
      const secret = (name: string) => deploymentSecret(l.home, name);
      console.log(`Seeded ${describeSeed(await seedDomain(join(l.root, "seeds"), { ...target, secret }))}`);
    } catch (err) {
      ok = false;
      console.error(
        `Seeding ${target.domain.toUpperCase()} failed: ${err instanceof SeedError ? err.message : String(err)}`,
      );
    }
  }
  return ok;
}

/** `octl seed`: applies seeds/ to the running platform again (idempotent). */
export async function seedCommand(l: Layout): Promise<number> {
  const { state, supervisor } = effectiveState(l);
  if (supervisor === undefined || !seedTargets(state).length) {
    console.error("octl seed: no running identity core; start the platform with `octl deploy` first.");
    return 1;
  }
  return (await seedRunning(l, state)) ? 0 : 1;
}
