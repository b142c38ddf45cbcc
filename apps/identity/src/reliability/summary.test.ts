import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { collectFigures, formatFigures } from "./summary.ts";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const figures = (name: string, n: [number, number, number, number]) =>
  JSON.stringify({
    name,
    requests_sent: n[0],
    faults_injected: n[1],
    errors_seen: n[2],
    data_lost: n[3],
    extra: "kept out of the table",
  });

describe("reliability summary", () => {
  it("reads only this run's reliability figures and totals them in one table", () => {
    dir = mkdtempSync(join(tmpdir(), "olympus-summary-"));
    const since = Date.now() - 1_000;
    writeFileSync(join(dir, "reliability-restart.json"), figures("restart", [294, 2, 0, 0]));
    writeFileSync(join(dir, "reliability-hostile-input.json"), figures("hostile-input", [2087, 2087, 0, 0]));
    // From an earlier run: left out.
    const stale = join(dir, "reliability-db-outage.json");
    writeFileSync(stale, figures("db-outage", [22, 2, 1, 1]));
    const old = new Date(since - 60_000);
    utimesSync(stale, old, old);
    // Not a reliability summary, or not whole: left out.
    writeFileSync(join(dir, "vitest.json"), figures("vitest", [1, 1, 1, 1]));
    writeFileSync(join(dir, "reliability-broken.json"), "{");
    writeFileSync(
      join(dir, "reliability-partial.json"),
      JSON.stringify({ name: "partial", requests_sent: 3 }),
    );

    const rows = collectFigures(dir, since);
    expect(rows.map((r) => r.name)).toEqual(["hostile-input", "restart"]);
    const table = formatFigures(rows);
    const lines = table.split("\n");
    expect(lines[0]).toBe("reliability summary");
    expect(lines[1]).toMatch(/^test\s+requests\s+faults injected\s+errors\s+data lost$/);
    expect(lines[3]).toMatch(/^hostile-input\s+2087\s+2087\s+0\s+0$/);
    expect(lines[4]).toMatch(/^restart\s+294\s+2\s+0\s+0$/);
    expect(lines.at(-1)).toMatch(/^total\s+2381\s+2089\s+0\s+0$/);
    expect(table).not.toContain("db-outage");
    // Columns line up: every row is as wide as the header.
    expect(new Set(lines.slice(1).map((l) => l.length)).size).toBe(1);
  });

  it("finds nothing when the reports folder is missing", () => {
    expect(collectFigures(join(tmpdir(), "olympus-no-such-folder-4711"), 0)).toEqual([]);
  });
});
