import { fileURLToPath } from "node:url";
import { defineConfig } from "@playwright/test";
import base from "../playwright.config.ts";

/**
 * Hera's captcha spec: the same platform as the other Hera specs, started with Cloudflare Turnstile
 * on (core and Hera), so it runs under its own stack, after the main one (they share the ports).
 */
export default defineConfig({
  ...base,
  testDir: ".",
  testMatch: "captcha.spec.ts",
  testIgnore: [],
  globalSetup: "./captcha.global-setup.ts",
  outputDir: "../test-results/hera-captcha-artifacts",
  reporter: [
    ["list"],
    [
      "../reporters/summary.ts",
      { outputFile: fileURLToPath(new URL("../.reports/playwright-hera-captcha.json", import.meta.url)) },
    ],
  ],
});
