import { defineConfig } from "@playwright/test";

const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** The first-login walkthrough (seeds/first-login-walkthrough) against a stack started by `octl deploy`. */
export default defineConfig({
  testDir: ".",
  // The redeploy check stops the stack (down, deploy again, down): it runs after the walkthrough.
  projects: [
    { name: "walkthrough", testMatch: "walkthrough.spec.ts" },
    // CIAM's "Sign in with Olympus Workforce" through the IAM domain (both up, as octl deploys them).
    { name: "workforce", testMatch: "workforce.spec.ts" },
    { name: "redeploy", testMatch: "redeploy.spec.ts", dependencies: ["walkthrough", "workforce"] },
  ],
  globalSetup: "./global-setup.ts",
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: process.env.CI ? 1 : 0,
  // A retry keeps its trace for diagnosis, but a test that needed one fails the run in CI.
  failOnFlakyTests: !!process.env.CI,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  outputDir: "../test-results/walkthrough-artifacts",
  reporter: [["list"], ["../reporters/summary.ts", { outputFile: ".reports/playwright-walkthrough.json" }]],
  use: {
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
