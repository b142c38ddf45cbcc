import type { Context, Hono, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { AppContext } from "../app/context.ts";
import { uuid } from "../security/random.ts";

// The registry and its instruments: metrics/core.ts (built once per core by app/create.ts).
export { type CoreMetrics, createMetrics } from "./core.ts";
import type { CoreMetrics } from "./core.ts";

/** The core's metrics (built with the core by app/create.ts: `ctx.metrics`). */
export function metricsFor(ctx: AppContext): CoreMetrics {
  return ctx.metrics;
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

/** Counts an audit event as a flow outcome or a lockout (audit/audit.ts calls this for every event). */
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

/** What @hono/node-server passes as `c.env`: Node's request and response (absent under `app.request`). */
interface NodeBindings {
  incoming?: { socket?: { localPort?: number } };
  outgoing?: { headersSent: boolean; setHeader(name: string, value: string): unknown };
}

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
    const env = c.env as NodeBindings | undefined;
    // Set on Node's response before the handler runs, Node merges it into whatever the handler
    // answers. Setting it on hono's finished Response instead clones that Response and turns its body
    // into a stream, which cost whoami two thirds of its throughput (docs/performance.md).
    const outgoing = env?.outgoing;
    if (outgoing && !outgoing.headersSent) outgoing.setHeader("X-Request-Id", id);
    let status = 500;
    try {
      await next();
      status = c.res.status;
    } finally {
      if (!outgoing) c.header("X-Request-Id", id);
      const seconds = (performance.now() - start) / 1000;
      const route = routeOf(c);
      const port = env?.incoming?.socket?.localPort;
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
