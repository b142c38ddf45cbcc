// The walkthrough runs against the platform exactly as a user gets it: `octl deploy --detach` (the
// README's deploy command underneath), in a throwaway OLYMPUS_HOME, torn down with `octl down`.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

export function octl(args: string[], home: string): { code: number; output: string } {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", join(root, "packages/octl/src/bin.ts"), ...args],
    {
      cwd: root,
      env: { ...process.env, OLYMPUS_HOME: home },
      encoding: "utf8",
      timeout: 20 * 60_000,
    },
  );
  return { code: r.status ?? 1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** `octl deploy --detach` as the walkthrough runs it (on TEST_DATABASE_URL's server when set). */
export function deployArgs(): string[] {
  const databaseUrl = process.env.TEST_DATABASE_URL ? ["--database-url", process.env.TEST_DATABASE_URL] : [];
  return ["deploy", "--detach", ...databaseUrl];
}

export function newHome(): string {
  return process.env.E2E_OLYMPUS_HOME ?? mkdtempSync(join(tmpdir(), "olympus-walkthrough-"));
}
