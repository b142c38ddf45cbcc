import { defineConfig } from "vitest/config";

// Each guide's test starts its own identity core on a fresh database: generous timeouts for a loaded machine.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "examples/**/*.test.{ts,tsx}"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    // @ory/elements-react's ESM build imports without file extensions (it expects a bundler, as Next is):
    // let Vite resolve it.
    server: { deps: { inline: ["@ory/elements-react"] } },
  },
});
