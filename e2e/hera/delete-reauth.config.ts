import { fileURLToPath } from "node:url";
import { defineConfig } from "@playwright/test";
import base from "../playwright.config.ts";

/**
 * Hera with a short privileged window (8 s), so deleting an account asks to sign in again first:
 * the same platform with that one setting changed, under its own stack.
 */
export default defineConfig({
  ...base,
  testDir: ".",
  testMatch: "delete-reauth.spec.ts",
  testIgnore: [],
  globalSetup: "./delete-reauth.global-setup.ts",
  outputDir: "../test-results/hera-delete-reauth-artifacts",
  reporter: [
    ["list"],
    [
      "../reporters/summary.ts",
      {
        outputFile: fileURLToPath(new URL("../.reports/playwright-hera-delete-reauth.json", import.meta.url)),
      },
    ],
  ],
});
