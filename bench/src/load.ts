import autocannon from "autocannon";

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
}

/** Runs autocannon against one URL; bounded in time, loopback only. */
export async function hammer(
  url: string,
  opts: {
    connections?: number;
    seconds?: number;
    headers?: Record<string, string>;
    method?: "GET" | "POST";
    body?: string;
  } = {},
): Promise<LoadResult> {
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
