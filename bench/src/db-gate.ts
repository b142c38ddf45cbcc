// The throughput cost of the database availability gate (issue 24): the same core, from the same
// sources, with the gate (after) and without it (before), alternated off/on/off/on so that machine
// drift hits both; each figure is the ratio after/before measured in this run.
//   pnpm --filter @olympus/bench exec tsx src/db-gate.ts   (BENCH_SECONDS=5, BENCH_CONNECTIONS=16, BENCH_ROUNDS=3)
// /health/alive is never gated: its ratio shows how much the machine's noise alone moves a figure.
import { fileURLToPath } from "node:url";
import { Availability } from "@olympus/identity";
import { createTestDatabase } from "@olympus/testdb";
import { hammer, loadGenerator } from "./load.ts";
import { startProcess, stop } from "./proc.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
if (!process.env.TEST_DATABASE_URL)
  process.env.TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";

const script = fileURLToPath(new URL("./gate-core.ts", import.meta.url));
const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

async function startGateCore(dsn: string, mode: "on" | "off") {
  const child = startProcess(tsx, [script, dsn, mode]);
  const urls = await new Promise<{ publicUrl: string; adminUrl: string }>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve(JSON.parse(line));
    });
    child.once("exit", (code) => reject(new Error(`gate core exited with ${code}`)));
  });
  return { child, ...urls };
}

// In process, no network: what one guarded request costs (a promise and a timer), against the same
// async work unguarded. Alternated, best of five each: the least disturbed figure of each.
{
  const gate = new Availability(async () => {});
  const work = async () => 1;
  const n = 200_000;
  const time = async (guarded: boolean) => {
    const start = performance.now();
    for (let i = 0; i < n; i++) await (guarded ? gate.guard(work) : work());
    return ((performance.now() - start) * 1e6) / n;
  };
  const bare: number[] = [];
  const guarded: number[] = [];
  for (let round = 0; round < 5; round++) {
    bare.push(await time(false));
    guarded.push(await time(true));
  }
  gate.stop();
  const b = Math.min(...bare);
  const g = Math.min(...guarded);
  console.log(
    `gate overhead per request (in process): ${(g - b).toFixed(0)} ns (${g.toFixed(0)} vs ${b.toFixed(0)} ns)`,
  );
}

const db = await createTestDatabase("olympus_bench_gate");
const figures: Record<string, { off: number[]; on: number[] }> = {};
try {
  // One identity to read, created through the first core (which also applies the migrations).
  let identityId = "";
  console.log(`db-gate bench: ${seconds} s per figure, ${connections} connections, ${loadGenerator}`);
  const modes = Array.from({ length: rounds }, () => ["off", "on"] as const).flat();
  for (const mode of modes) {
    const core = await startGateCore(db.dsn, mode);
    try {
      if (!identityId) {
        const res = await fetch(`${core.adminUrl}/admin/identities`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ schema_id: "default", traits: { email: "gate-bench@example.com" } }),
        });
        identityId = ((await res.json()) as { id: string }).id;
      }
      const runs: [string, string][] = [
        ["registration flow (one insert)", `${core.publicUrl}/self-service/registration/api`],
        ["admin identity read", `${core.adminUrl}/admin/identities/${identityId}`],
        ["/health/alive (no database)", `${core.publicUrl}/health/alive`],
      ];
      for (const [name, url] of runs) {
        await hammer(url, { connections, seconds: 1 }); // warm-up
        const r = await hammer(url, { connections, seconds });
        if (r.errors || r.non2xx) console.log(`  ${mode} ${name}: ${r.errors} errors, ${r.non2xx} non-2xx`);
        figures[name] ??= { off: [], on: [] };
        figures[name][mode].push(r.rps);
        console.log(
          `  gate ${mode.padEnd(3)} ${name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`,
        );
      }
    } finally {
      await stop(core.child);
    }
  }
} finally {
  await db.drop();
}
console.log(
  "\nthroughput with the gate / without it (same run; mean of each, and the median of the per-round ratios):",
);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [name, f] of Object.entries(figures)) {
  const off = mean(f.off);
  const on = mean(f.on);
  const perRound = f.on.map((v, i) => v / f.off[i]!);
  console.log(
    `  ${name}: ${on.toFixed(0)} vs ${off.toFixed(0)} req/s, ratio ${(on / off).toFixed(3)}, median round ratio ${median(perRound).toFixed(3)}`,
  );
}
