import { defineConfig } from "vitest/config";

// The smoke runs start real cores and load them for a second per figure: one file, generous time.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
