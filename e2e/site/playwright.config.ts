import { fileURLToPath } from "node:url";
import { defineConfig } from "@playwright/test";

/** The Site's playground specs: their own stack (both domains + Site), so their own config. */
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
  outputDir: "../test-results/site-artifacts",
  // Counts land beside the other suites' reports, where the root `npm test` summary reads them.
  reporter: [
    ["list"],
    [
      "../reporters/summary.ts",
      { outputFile: fileURLToPath(new URL("../.reports/playwright-site.json", import.meta.url)) },
    ],
  ],
  use: {
    baseURL: "http://localhost:2000",
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
