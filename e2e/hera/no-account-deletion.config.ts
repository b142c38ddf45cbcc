import { fileURLToPath } from "node:url";
import { defineConfig } from "@playwright/test";
import base from "../playwright.config.ts";

/**
 * Hera where the core does not let people delete their own accounts (as on the workforce domain,
 * seeds/iam/identity.yml): the same platform with that one setting off, under its own stack.
 */
export default defineConfig({
  ...base,
  testDir: ".",
  testMatch: "no-account-deletion.spec.ts",
  testIgnore: [],
  globalSetup: "./no-account-deletion.global-setup.ts",
  outputDir: "../test-results/hera-no-account-deletion-artifacts",
  reporter: [
    ["list"],
    [
      "../reporters/summary.ts",
      {
        outputFile: fileURLToPath(
          new URL("../.reports/playwright-hera-no-account-deletion.json", import.meta.url),
        ),
      },
    ],
  ],
});
