import { defineConfig } from "vitest/config";

// The seed tests run a real identity core and the seed program as a child process: generous
// timeouts for a loaded 2-core machine.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
