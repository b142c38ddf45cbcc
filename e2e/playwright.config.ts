import { defineConfig } from "@playwright/test";

/** Debian's Chromium: Playwright's own browser builds cannot be downloaded here. */
const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export default defineConfig({
  // Hera's specs; the Site's run under their own config and stack (site/playwright.config.ts).
  testDir: "./hera",
  testMatch: "*.spec.ts",
  // Need another core configuration: each runs under its own config (hera/*.config.ts) and stack.
  testIgnore: ["captcha.spec.ts", "no-account-deletion.spec.ts", "delete-reauth.spec.ts"],
  globalSetup: "./hera/global-setup.ts",
  // One stack on the domain's real ports: specs share it and run one at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: process.env.CI ? 1 : 0,
  // A retry keeps its trace for diagnosis, but a test that needed one fails the run in CI.
  failOnFlakyTests: !!process.env.CI,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  outputDir: "test-results/hera-artifacts",
  reporter: [["list"], ["./reporters/summary.ts", { outputFile: ".reports/playwright-hera.json" }]],
  use: {
    baseURL: "http://localhost:3000",
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
