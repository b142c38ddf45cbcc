import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/*
 * vitest globalSetup (vitest.config.ts): after the run, one table of the reliability figures. Each
 * reliability test file writes `.reports/reliability-<name>.json` when it ends; the teardown reads
 * the ones written during this run (older files from earlier runs are left out) and prints them
 * with a total. A run without reliability tests prints nothing.
 */

export interface ReliabilityFigures {
  name: string;
  requests_sent: number;
  faults_injected: number;
  errors_seen: number;
  data_lost: number;
}

const REPORTS = fileURLToPath(new URL("../../.reports/", import.meta.url));
const NUMBERS = ["requests_sent", "faults_injected", "errors_seen", "data_lost"] as const;

/** The reliability summaries in `dir` written at or after `since` (ms since the epoch), by name. */
export function collectFigures(dir: string, since: number): ReliabilityFigures[] {
  if (!existsSync(dir)) return [];
  const out: ReliabilityFigures[] = [];
  for (const file of readdirSync(dir)) {
    if (!/^reliability-.+\.json$/.test(file)) continue;
    const path = join(dir, file);
    if (statSync(path).mtimeMs < since) continue;
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    } catch {
      continue; // a file being written or not ours: not a figure
    }
    if (!NUMBERS.every((k) => typeof data[k] === "number")) continue;
    out.push({
      name: typeof data.name === "string" ? data.name : file.slice("reliability-".length, -".json".length),
      requests_sent: data.requests_sent as number,
      faults_injected: data.faults_injected as number,
      errors_seen: data.errors_seen as number,
      data_lost: data.data_lost as number,
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** A plain-text table, one row per test file and a total. */
export function formatFigures(rows: ReliabilityFigures[]): string {
  const total = {
    name: "total",
    requests_sent: 0,
    faults_injected: 0,
    errors_seen: 0,
    data_lost: 0,
  };
  for (const r of rows) for (const k of NUMBERS) total[k] += r[k];
  const header = ["test", "requests", "faults injected", "errors", "data lost"];
  const cells = [...rows, total].map((r) => [r.name, ...NUMBERS.map((k) => String(r[k]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join("  ");
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [
    "reliability summary",
    line(header),
    rule,
    ...cells.slice(0, -1).map(line),
    rule,
    line(cells[cells.length - 1]!),
  ].join("\n");
}

export default function setup(): () => void {
  // A second of slack: file times can be coarser than the clock.
  const started = Date.now() - 1_000;
  return () => {
    const rows = collectFigures(REPORTS, started);
    if (rows.length) console.log(`\n${formatFigures(rows)}\n`);
  };
}
