import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
}

export interface HammerOptions {
  connections?: number;
  seconds?: number;
  headers?: Record<string, string>;
  method?: "GET" | "POST";
  body?: string;
}

/**
 * The load generator: Debian's wrk when installed (`apt-get install wrk`; written in C, one thread,
 * so it leaves the other core to the server), else autocannon from npm, which runs in this Node
 * process. Baseline and figures of one run always share the same generator.
 */
export const loadGenerator: "wrk" | "autocannon" =
  (process.env.BENCH_LOADGEN as "wrk" | "autocannon" | undefined) ??
  (["/usr/bin/wrk", "/usr/local/bin/wrk"].some((p) => existsSync(p)) ? "wrk" : "autocannon");

/** Drives one URL for a bounded time, loopback only, with the run's load generator. */
export function hammer(url: string, opts: HammerOptions = {}): Promise<LoadResult> {
  return loadGenerator === "wrk" ? wrk(url, opts) : cannon(url, opts);
}

async function cannon(url: string, opts: HammerOptions): Promise<LoadResult> {
  const r = await autocannon({
    url,
    connections: opts.connections ?? 50,
    duration: opts.seconds ?? 10,
    headers: opts.headers,
    method: opts.method ?? "GET",
    body: opts.body,
  });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    requests: r.requests.total,
  };
}

const lua = (v: string) => JSON.stringify(v);

/** wrk with a Lua script for method, headers and body; its `done` hook prints the figures as JSON. */
async function wrk(url: string, opts: HammerOptions): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), "olympus-wrk-"));
  const script = join(dir, "request.lua");
  writeFileSync(
    script,
    [
      `wrk.method = ${lua(opts.method ?? "GET")}`,
      ...(opts.body !== undefined ? [`wrk.body = ${lua(opts.body)}`] : []),
      ...Object.entries(opts.headers ?? {}).map(([k, v]) => `wrk.headers[${lua(k)}] = ${lua(v)}`),
      "done = function(summary, latency, requests)",
      "  local e = summary.errors",
      '  io.write(string.format("\\nRESULT {\\"requests\\":%d,\\"duration_us\\":%d,\\"p50_us\\":%d,\\"p99_us\\":%d,\\"errors\\":%d,\\"non2xx\\":%d}\\n",',
      "    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),",
      "    e.connect + e.read + e.write + e.timeout, e.status))",
      "end",
      "",
    ].join("\n"),
  );
  const seconds = opts.seconds ?? 10;
  try {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        "wrk",
        ["-t1", `-c${opts.connections ?? 50}`, `-d${seconds}s`, "--timeout", "10s", "-s", script, url],
        { timeout: (seconds + 30) * 1000 },
        (err, stdout, stderr) => (err ? reject(new Error(`wrk: ${err.message} ${stderr}`)) : resolve(stdout)),
      ),
    );
    const m = /RESULT (\{.*\})/.exec(out);
    if (!m) throw new Error(`wrk printed no result:\n${out}`);
    const r = JSON.parse(m[1]!) as Record<string, number>;
    return {
      rps: r.requests! / (r.duration_us! / 1e6),
      p50: r.p50_us! / 1000,
      p99: r.p99_us! / 1000,
      errors: r.errors!,
      non2xx: r.non2xx!,
      requests: r.requests!,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `task` with `concurrency` workers for `seconds`; returns completions per second. */
export async function closedLoop(
  concurrency: number,
  seconds: number,
  task: () => Promise<void>,
): Promise<{ perSecond: number; done: number; failed: number }> {
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  let failed = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        try {
          await task();
          done++;
        } catch {
          failed++;
        }
      }
    }),
  );
  return { perSecond: done / ((Date.now() - started) / 1000), done, failed };
}
