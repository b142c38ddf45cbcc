// The summary reporter under a real Playwright run: a spec that passes only on its retry is counted
// as flaky (not passed) and named; with failOnFlakyTests (the configs' CI setting) the run fails.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";

const e2e = fileURLToPath(new URL("..", import.meta.url));
const reporter = fileURLToPath(new URL("./summary.ts", import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "summary-reporter-"));
  // No page fixture: these tests never start a browser.
  await writeFile(
    join(dir, "outcomes.spec.ts"),
    `import { expect, test } from "@playwright/test";
test("steady", () => expect(1).toBe(1));
test("wobbly", ({}, info) => expect(info.retry).toBe(1));
test.skip("skipped", () => {});
`,
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(failOnFlakyTests: boolean) {
  const out = join(dir, `summary-${failOnFlakyTests}.json`);
  await writeFile(
    join(dir, "playwright.config.ts"),
    `export default { testDir: ".", retries: 1, failOnFlakyTests: ${failOnFlakyTests},
  outputDir: ${JSON.stringify(join(dir, "results"))},
  reporter: [[${JSON.stringify(reporter)}, { outputFile: ${JSON.stringify(out)} }]] };
`,
  );
  const code = await new Promise<number>((resolve) =>
    execFile(
      process.execPath,
      [join(e2e, "node_modules/@playwright/test/cli.js"), "test", "-c", join(dir, "playwright.config.ts")],
      { cwd: e2e, env: { ...process.env, CI: "" } },
      (err) => resolve(err ? ((err as { code?: number }).code ?? 1) : 0),
    ),
  );
  return { code, summary: JSON.parse(await readFile(out, "utf8")) };
}

it("counts a test that passed on its retry as flaky, names it, and fails the run when asked to", async () => {
  const tolerant = await run(false);
  expect(tolerant.code).toBe(0);
  expect(tolerant.summary).toMatchObject({
    numTotalTests: 3,
    numPassedTests: 1,
    numFailedTests: 0,
    numFlakyTests: 1,
    numPendingTests: 1,
    flakyTests: ["outcomes.spec.ts: wobbly"],
    success: true,
  });

  const strict = await run(true);
  expect(strict.code).not.toBe(0);
  expect(strict.summary).toMatchObject({ numFlakyTests: 1, success: false, status: "failed" });
}, 120_000);
