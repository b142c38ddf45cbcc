import type { Context, Hono, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import type { AppContext } from "./context.ts";
import { isConnectionError, isInvalidTextError } from "../db/errors.ts";
import { OryError, serviceUnavailable } from "../errors/index.ts";
import { rawHeader } from "../http/request.ts";
import { uuid } from "../security/random.ts";

/** Maps any thrown error to an Ory error body; unexpected errors are logged with a request id, never echoed. */
export function onError(ctx: AppContext) {
  return (err: Error, c: Context): Response => {
    if (err instanceof OryError) return c.json(err.toBody(), err.code as 400);
    // Hono's own HTTP exceptions (e.g. a malformed body) carry a status.
    const status = (err as { status?: number }).status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      return c.json(new OryError(status, err.message || "The request was malformed").toBody(), status as 400);
    }
    if (isInvalidTextError(err)) {
      return c.json(
        new OryError(400, "The request was malformed or contained invalid parameters", {
          reason: "A value contains bytes that cannot be stored (for example a NUL character).",
        }).toBody(),
        400,
      );
    }
    if (isConnectionError(err)) {
      databaseFailed(ctx, err, c.req.path);
      return c.json(serviceUnavailable().toBody(), 503, { "Retry-After": "1" });
    }
    const requestId = (c.get("requestId" as never) as string | undefined) || uuid();
    ctx.log.error("unhandled error", {
      request_id: requestId,
      error: err.stack ?? String(err),
      path: c.req.path,
    });
    return c.json(
      new OryError(500, "An internal server error occurred, please contact the system administrator", {
        reason: `request id ${requestId}`,
      }).toBody(),
      500,
    );
  };
}

/**
 * A request failed because the database is unreachable: log it (only the driver's error code —
 * drizzle's message carries the failed query's parameters) and let the availability gate find out
 * whether the database is gone. Refusals by the gate itself (it is down, and said so once) are not
 * logged again.
 */
export function databaseFailed(ctx: AppContext, err: unknown, path: string): void {
  let cause: unknown = err;
  while ((cause as { cause?: unknown }).cause) cause = (cause as { cause?: unknown }).cause;
  const code = (cause as { code?: string }).code ?? (err as { code?: string }).code ?? "unknown";
  if ((err as { code?: string }).code === "DB_UNAVAILABLE") return;
  ctx.log.error("database unavailable", { code, path });
  ctx.database.availability?.failed();
}

/**
 * Paths the availability gate lets through: answered without the database, or (readiness) answered
 * by the gate's own state and probe, in the Ory shape on every port.
 */
const UNGATED = new Set(["/health/alive", "/health/ready", "/version"]);

/**
 * The availability gate (`src/db/availability.ts`) in front of every route: while the database is
 * unreachable a request is refused at once (503, `Retry-After: 1`) instead of queueing behind
 * connect and query time-outs, and a request already waiting is answered 503 as soon as the gate
 * goes down. Without a gate (PGlite) it does nothing.
 */
export function availabilityGate(ctx: AppContext): MiddlewareHandler {
  return async (c, next) => {
    const gate = ctx.database.availability;
    if (!gate || UNGATED.has(c.req.path)) return next();
    await gate.guard(() => next());
  };
}

export function notFoundHandler(c: Context): Response {
  return c.json(
    new OryError(404, "The requested resource could not be found", {
      reason: `No route for ${c.req.method} ${c.req.path}`,
    }).toBody(),
    404,
  );
}

/** Middleware every port shares: a body size limit answered in the Ory shape, and error mapping. */
export function applyCommon(app: Hono, ctx: AppContext, maxSize = ctx.config.serve.request_body_limit): void {
  const limit = bodyLimit({
    maxSize,
    // The rest of the body is never read: close the connection so no client reuses it mid-upload.
    onError: (c) =>
      c.json(
        new OryError(413, "The request body is too large", {
          reason: `The request body exceeds ${maxSize} bytes.`,
        }).toBody(),
        413,
        { Connection: "close" },
      ),
  });
  app.use("*", availabilityGate(ctx));
  app.use("*", limitBody(maxSize, limit));
  app.onError(onError(ctx));
  app.notFound(notFoundHandler);
}

/**
 * The body size limit, without touching the body: a declared Content-Length is checked from Node's
 * raw headers (the HTTP parser holds the body to it), so @hono/node-server can still read the body
 * straight from the socket later instead of building a web Request and stream for it — a third of
 * the throughput of small POSTs (token, introspection, flow submissions). Bodies without a length
 * (chunked) go through Hono's counting limiter. GET and HEAD are not limited.
 */
export function limitBody(maxSize: number, counting: MiddlewareHandler): MiddlewareHandler {
  return (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const length = rawHeader(c, "content-length");
    if (length !== undefined && rawHeader(c, "transfer-encoding") === undefined && /^\d+$/.test(length)) {
      return Number(length) <= maxSize ? next() : counting(c, next);
    }
    return counting(c, next);
  };
}

export function applyCors(app: Hono, ctx: AppContext): void {
  const cfg = ctx.config.serve.cors;
  if (!cfg.enabled) return;
  app.use(
    "*",
    cors({
      origin: (origin) =>
        cfg.allowed_origins.includes(origin) || cfg.allowed_origins.includes("*") ? origin : null,
      credentials: true,
      allowHeaders: ["Content-Type", "X-Session-Token", "X-CSRF-Token", "Authorization", "Accept"],
      exposeHeaders: ["Content-Type", "Set-Cookie", "Link", "X-Total-Count"],
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    }),
  );
}
