import { fileURLToPath } from "node:url";
import { defineConfig } from "@playwright/test";

/** Athena's specs: their own stack (both cores, Hera IAM, Athena IAM and CIAM), so their own config. */
const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export default defineConfig({
  testDir: ".",
  testMatch: "*.spec.ts",
  globalSetup: "./global-setup.ts",
  // One stack on the platform's real ports, shared by every spec.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: process.env.CI ? 1 : 0,
  // A retry keeps its trace for diagnosis, but a test that needed one fails the run in CI.
  failOnFlakyTests: !!process.env.CI,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  outputDir: "../test-results/athena-artifacts",
  reporter: [
    ["list"],
    [
      "../reporters/summary.ts",
      { outputFile: fileURLToPath(new URL("../.reports/playwright-athena.json", import.meta.url)) },
    ],
  ],
  use: {
    baseURL: "http://localhost:4001",
    browserName: "chromium",
    headless: true,
    launchOptions: {
      executablePath,
      args: [
        "--no-sandbox",
        "--disable-background-networking",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
});
