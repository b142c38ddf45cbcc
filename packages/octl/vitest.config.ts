import { defineConfig } from "vitest/config";

// The tests run real processes (octl, its supervisor, fake services, MailDev): generous timeouts for
// a loaded 2-core machine.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
