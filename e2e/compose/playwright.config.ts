import { defineConfig } from "@playwright/test";

const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/**
 * The compose stack (deploy/compose, started by `octl deploy --compose`): the seed walkthrough in
 * the browser, the two CIAM replicas, JSON logs with Hera's request id in the core's, and the data
 * surviving `down` and `up`. Needs a running
 * container engine with compose and the stack's images (.ci/run: deploy/container/engine.sh and
 * images.sh). The mail catcher answers MailDev's API on 5434, as with `octl deploy`.
 */
export default defineConfig({
  testDir: "..",
  projects: [
    { name: "walkthrough", testMatch: "walkthrough/walkthrough.spec.ts" },
    { name: "replicas", testMatch: "compose/replicas.spec.ts", dependencies: ["walkthrough"] },
    { name: "logs", testMatch: "compose/logs.spec.ts", dependencies: ["replicas"] },
    // Stops and starts the stack: last.
    { name: "durability", testMatch: "compose/durability.spec.ts", dependencies: ["logs"] },
  ],
  globalSetup: "./global-setup.ts",
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: process.env.CI ? 1 : 0,
  timeout: 180_000,
  expect: { timeout: 20_000 },
  outputDir: "../test-results/compose-artifacts",
  reporter: [["list"], ["../reporters/summary.ts", { outputFile: ".reports/playwright-compose.json" }]],
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
