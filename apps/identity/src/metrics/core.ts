import { count, inArray } from "drizzle-orm";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Config } from "../config/index.ts";
import { cacheStatsOf } from "../db/cache-stats.ts";
import type { Database, Db } from "../db/client.ts";
import { courierMessages } from "../db/schema.ts";

/*
 * Prometheus metrics of one identity core, served at /metrics/prometheus on its admin ports (as
 * Kratos and Hydra serve theirs), from prom-client. One registry per core (tests run several cores in
 * one process). What is measured:
 *   olympus_http_request_duration_seconds{endpoint,method,route,status}   every request (histogram)
 *   olympus_selfservice_flow_outcomes_total{flow,outcome,method}           from the audit events
 *   olympus_lockouts_total                                                  identifiers locked
 *   olympus_courier_messages{status}                                        the queue, read when scraped
 *   olympus_courier_deliveries_total{outcome}                               sent / failed / abandoned
 *   olympus_cache_requests_total{cache,result} and olympus_cache_entries{cache}
 *   olympus_db_pool_connections{state} (open, max)
 * plus Node's process metrics (olympus_process_*, olympus_nodejs_*).
 */

export interface CoreMetrics {
  readonly registry: Registry;
  readonly http: Histogram<"endpoint" | "method" | "route" | "status">;
  readonly flows: Counter<"flow" | "outcome" | "method">;
  readonly lockouts: Counter;
  readonly deliveries: Counter<"outcome">;
  /** Endpoint names by local port, known once the core listens (public, admin, oauth2_public, …). */
  readonly endpoints: Map<number, string>;
}

/** One core's metrics registry, over its database (built once by the composition root). */
export function createMetrics(ctx: { config: Config; db: Db; database: Database }): CoreMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ domain: ctx.config.domain });
  collectDefaultMetrics({ register: registry, prefix: "olympus_" });
  const http = new Histogram({
    name: "olympus_http_request_duration_seconds",
    help: "HTTP requests by endpoint (public, admin, oauth2_public, oauth2_admin), route, method and status.",
    labelNames: ["endpoint", "method", "route", "status"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const flows = new Counter({
    name: "olympus_selfservice_flow_outcomes_total",
    help: "Self-service flow outcomes (login, registration, recovery, verification, settings) by outcome and method.",
    labelNames: ["flow", "outcome", "method"] as const,
    registers: [registry],
  });
  const lockouts = new Counter({
    name: "olympus_lockouts_total",
    help: "Identifiers locked after too many failed sign-ins.",
    registers: [registry],
  });
  const deliveries = new Counter({
    name: "olympus_courier_deliveries_total",
    help: "Courier delivery attempts by outcome: sent, failed (queued again) or abandoned.",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  new Gauge({
    name: "olympus_courier_messages",
    help: "Courier messages by status (queued is the queue depth), read from the database when scraped.",
    labelNames: ["status"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await ctx.db
        .select({ status: courierMessages.status, n: count() })
        .from(courierMessages)
        .where(inArray(courierMessages.status, ["queued", "processing"]))
        .groupBy(courierMessages.status);
      this.set({ status: "queued" }, 0);
      this.set({ status: "processing" }, 0);
      for (const r of rows) this.set({ status: r.status }, Number(r.n));
    },
  });
  // Cache counters live in the caches (two increments on the hot path); scraping turns them into
  // Prometheus counters by adding what changed since the last scrape.
  const seen = new Map<string, number>();
  new Counter({
    name: "olympus_cache_requests_total",
    help: "Read-through cache lookups by cache and result (hit or miss).",
    labelNames: ["cache", "result"] as const,
    registers: [registry],
    collect() {
      for (const s of cacheStatsOf(ctx.db)) {
        for (const [result, value] of [
          ["hit", s.hits],
          ["miss", s.misses],
        ] as const) {
          const key = `${s.name}\u0000${result}`;
          const delta = value - (seen.get(key) ?? 0);
          if (delta > 0) this.inc({ cache: s.name, result }, delta);
          seen.set(key, value);
        }
      }
    },
  });
  new Gauge({
    name: "olympus_cache_entries",
    help: "Entries held by each read-through cache.",
    labelNames: ["cache"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of cacheStatsOf(ctx.db)) this.set({ cache: s.name }, s.size());
    },
  });
  new Gauge({
    name: "olympus_db_pool_connections",
    help: "PostgreSQL pool connections: open now, and the pool's maximum.",
    labelNames: ["state"] as const,
    registers: [registry],
    collect() {
      this.reset();
      const pool = ctx.database.pool;
      if (!pool) return;
      this.set({ state: "open" }, pool.open());
      this.set({ state: "max" }, pool.max);
    },
  });
  return { registry, http, flows, lockouts, deliveries, endpoints: new Map() };
}
