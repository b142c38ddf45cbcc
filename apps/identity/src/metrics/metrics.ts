import type { Context, Hono, MiddlewareHandler } from "hono";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { matchedRoutes } from "hono/route";
import { count, inArray } from "drizzle-orm";
import type { AppContext } from "../app/context.ts";
import { cacheStatsOf } from "../db/cache-stats.ts";
import { courierMessages } from "../db/schema.ts";
import { uuid } from "../security/random.ts";

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

const byContext = new WeakMap<AppContext, CoreMetrics>();

/** The core's metrics, created on first use. */
export function metricsFor(ctx: AppContext): CoreMetrics {
  let m = byContext.get(ctx);
  if (!m) {
    m = createMetrics(ctx);
    byContext.set(ctx, m);
  }
  return m;
}

function createMetrics(ctx: AppContext): CoreMetrics {
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

/** Audit events that are flow outcomes: `<flow>.<outcome>` (and `login.second_factor.<outcome>`). */
const FLOWS = new Set(["login", "registration", "recovery", "verification", "settings"]);
/** Methods an event may name in its middle part (`settings.totp.linked`, `login.code.sent`). */
const METHODS = new Set([
  "password",
  "oidc",
  "code",
  "passkey",
  "webauthn",
  "totp",
  "lookup_secret",
  "profile",
  "link",
]);

/** Counts an audit event as a flow outcome or a lockout (security/audit.ts calls this for every event). */
export function countAuditEvent(ctx: AppContext, event: string, metadata?: Record<string, unknown>): void {
  const parts = event.split(".");
  const m = metricsFor(ctx);
  if (event === "lockout.created") {
    m.lockouts.inc();
    return;
  }
  if (!FLOWS.has(parts[0]!) || parts.length < 2) return;
  const flow = parts.length === 3 && parts[1] === "second_factor" ? `${parts[0]}_second_factor` : parts[0]!;
  const outcome = parts[parts.length - 1]!;
  const named = parts.length === 3 && METHODS.has(parts[1]!) ? parts[1]! : "unknown";
  const method = typeof metadata?.method === "string" ? metadata.method : named;
  m.flows.inc({ flow, outcome, method: /^[a-z_]{1,32}$/.test(method) ? method : "other" });
}

/** The request id of this request: the caller's X-Request-Id when it is sane, else a new one. */
export function requestId(c: Context): string {
  return (c.get("requestId" as never) as string | undefined) ?? "";
}

const SANE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * First middleware of every port: takes the request id from X-Request-Id (Hera sends its own, so a
 * request can be followed from the app into the core) or makes one, answers with it, logs the
 * request as one JSON line and records its duration by route (the registered pattern, never the raw
 * path: ids in paths would make every request its own series).
 */
export function observeRequests(ctx: AppContext): MiddlewareHandler {
  const m = metricsFor(ctx);
  return async (c, next) => {
    const start = performance.now();
    const given = c.req.header("x-request-id");
    const id = given && SANE_ID.test(given) ? given : uuid();
    c.set("requestId" as never, id as never);
    let status = 500;
    try {
      await next();
      status = c.res.status;
    } finally {
      c.header("X-Request-Id", id);
      const seconds = (performance.now() - start) / 1000;
      const route = routeOf(c);
      const port = (c.env as { incoming?: { socket?: { localPort?: number } } } | undefined)?.incoming?.socket
        ?.localPort;
      const endpoint = (port !== undefined && m.endpoints.get(port)) || "unknown";
      m.http.observe({ endpoint, method: c.req.method, route, status: String(status) }, seconds);
      if (route !== "/health/alive" && route !== "/health/ready" && route !== "/metrics/prometheus") {
        ctx.log.info("request", {
          request_id: id,
          endpoint,
          method: c.req.method,
          path: c.req.path.slice(0, 200),
          route,
          status,
          duration_ms: Math.round(seconds * 10_000) / 10,
        });
      }
    }
  };
}

function routeOf(c: Context): string {
  // The last route matched that is a handler, not a `*` middleware.
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const r = routes[i]!;
    if (r.method !== "ALL" && !r.path.endsWith("*")) return r.path;
  }
  return "unmatched";
}

/** GET /metrics/prometheus: the core's metrics in Prometheus' text format. */
export function registerMetricsRoute(app: Hono, ctx: AppContext): void {
  const { registry } = metricsFor(ctx);
  app.get("/metrics/prometheus", async (c) => {
    const body = await registry.metrics();
    return c.body(body, 200, { "Content-Type": registry.contentType });
  });
}

/** Names the ports the core listens on, for the `endpoint` label. */
export function nameEndpoints(ctx: AppContext, ports: Record<string, number>): void {
  const m = metricsFor(ctx);
  for (const [name, port] of Object.entries(ports)) m.endpoints.set(port, name);
}
