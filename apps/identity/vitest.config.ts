import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file starts its own core and database; two at a time suits a 2-core machine.
    maxWorkers: 2,
    fileParallelism: true,
    // Prints one table of the reliability figures (src/reliability) after the run.
    globalSetup: ["src/reliability/summary.ts"],
  },
});
