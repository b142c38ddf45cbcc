// Smoke runs of the bench scripts, a second or so per figure, so the harness cannot rot unnoticed:
// each script runs to the end against a real core and PostgreSQL, every figure is produced and is
// a number, and no request of a measured loop failed. No figure is compared with a target here:
// the numbers depend on the machine (docs/performance.md records real runs).
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";

const bench = fileURLToPath(new URL("..", import.meta.url));
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bench-smoke-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function script(file: string, env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      ["--import", "tsx", join(bench, "src", file)],
      { cwd: bench, env: { ...process.env, ...env }, maxBuffer: 16 * 2 ** 20 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    ),
  );
}

const FIGURES = [
  "start to ready, empty database (migrations applied)",
  "start to ready, migrated database",
  "whoami req/s",
  "whoami p99",
  "password logins/s",
  "client_credentials tokens/s",
  "introspection req/s",
  "authorization-code flows/s",
  "RSS idle",
  "RSS under load (peak)",
  "database rows written per authorization-code flow",
];

it("run.ts produces every figure, each a number, with no failed request", async () => {
  const results = join(dir, "latest.json");
  const run = await script("run.ts", {
    BENCH_SECONDS: "1",
    BENCH_WARMUP_SECONDS: "0",
    BENCH_RESULTS_FILE: results,
  });
  expect(run.code, run.out).toBe(0);
  // "warning:" lines report failed logins, flows, non-2xx answers or errors under load.
  expect(run.out).not.toMatch(/warning:|first failure:/);
  const { rows } = JSON.parse(await readFile(results, "utf8")) as {
    rows: { figure: string; value: string; ratio?: number }[];
  };
  expect(rows.map((r) => r.figure)).toEqual(FIGURES);
  for (const r of rows) {
    const n = Number.parseFloat(r.value);
    expect(Number.isFinite(n), `${r.figure}: ${r.value}`).toBe(true);
    expect(n, `${r.figure}: ${r.value}`).toBeGreaterThanOrEqual(0);
    if (r.ratio !== undefined) expect(r.ratio, r.figure).toBeGreaterThan(0);
  }
  // Each rate figure counted work actually done.
  for (const f of [
    "whoami req/s",
    "password logins/s",
    "client_credentials tokens/s",
    "authorization-code flows/s",
  ])
    expect(Number.parseFloat(rows.find((r) => r.figure === f)!.value), f).toBeGreaterThan(0);
});

it("db-gate.ts runs both modes and prints its ratios", async () => {
  const run = await script("db-gate.ts", { BENCH_SECONDS: "1", BENCH_ROUNDS: "1", BENCH_CONNECTIONS: "4" });
  expect(run.code, run.out).toBe(0);
  expect(run.out).not.toMatch(/\d+ errors, \d+ non-2xx/);
  for (const name of [
    "registration flow \\(one insert\\)",
    "admin identity read",
    "\\/health\\/alive \\(no database\\)",
  ])
    expect(run.out).toMatch(new RegExp(`${name}: \\d+ vs \\d+ req/s, ratio \\d+\\.\\d{3}`));
});

it("password-strength.ts prints the strength check next to argon2id", async () => {
  const run = await script("password-strength.ts", { ROUNDS: "2" });
  expect(run.code, run.out).toBe(0);
  expect(run.out).toMatch(/ratio strength\/argon2 \(median\): \d+\.\d\d/);
});
