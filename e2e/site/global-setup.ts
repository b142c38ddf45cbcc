import { chromiumPath } from "@olympus/testkit";
import { startStack } from "./stack.ts";

/**
 * Starts the stack once for the Site's specs. When a piece of the platform the playground round trip
 * needs does not exist yet, that domain's specs are skipped with the reason (OLYMPUS_SITE_E2E_BLOCKED_<DOMAIN>) rather
 * than run against a stand-in; the Site's own pages are still tested.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  chromiumPath();
  const stack = await startStack();
  // Workers inherit the environment the global setup leaves behind.
  process.env.OLYMPUS_SITE_E2E_READY = "1";
  process.env.OLYMPUS_SITE_E2E_USERS = JSON.stringify(stack.users);
  for (const [domain, why] of Object.entries(stack.blocked)) {
    console.warn(`\n[site e2e] ${domain} playground round trip skipped: ${why}\n`);
    process.env[`OLYMPUS_SITE_E2E_BLOCKED_${domain.toUpperCase()}`] = why;
  }
  return () => stack.stop();
}
