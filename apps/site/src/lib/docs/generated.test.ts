import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// The docs pages generated from sources (docs/reference/*.md from packages/octl and packages/sdk,
// the code quoted in docs/guides from packages/guides/examples) must match those sources. Each
// generator checks itself; this runs them as the Site's docs test, so a change to the CLI, the SDK
// or a guide's example that leaves its page behind fails here, naming the command that fixes it.
const repoRoot = resolve(__dirname, "../../../../..");

const checks: [string, string[]][] = [
  ["octl reference", ["packages/octl/src/reference.ts", "--check"]],
  ["SDK reference", ["packages/sdk/src/reference.ts", "--check"]],
  ["guides' quoted code", ["packages/guides/src/sync.ts"]],
];

describe("generated docs pages match their sources", () => {
  for (const [what, args] of checks) {
    it(`the ${what}`, { timeout: 120_000 }, () => {
      const res = spawnSync(
        process.execPath,
        ["--import", "tsx", join(repoRoot, args[0]!), ...args.slice(1)],
        {
          cwd: repoRoot,
          encoding: "utf8",
        },
      );
      expect(res.status, `${res.stdout}${res.stderr}`).toBe(0);
    });
  }
});
