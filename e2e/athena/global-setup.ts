import { chromiumPath } from "@olympus/testkit";
import { startStack } from "./stack.ts";

/**
 * Starts the stack once for every Athena spec; its teardown stops it. What the platform does not
 * serve yet is printed and handed to the specs, which skip exactly the tests that need it.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  chromiumPath();
  const { stop, ...info } = await startStack();
  for (const [d, why] of Object.entries(info.clientsMissing ?? {}))
    console.warn(`[athena e2e] ${d} OAuth2 clients unavailable: ${why}`);
  // Workers inherit the environment the global setup leaves behind.
  process.env.ATHENA_E2E_STACK = JSON.stringify(info);
  return stop;
}
