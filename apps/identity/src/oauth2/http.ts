import type { Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { availabilityGate, databaseFailed, limitBody } from "../app/http.ts";
import { decodeJsonBody, rawHeader } from "../http/request.ts";
import { isConnectionError, isInvalidTextError } from "../db/errors.ts";
import { badRequest, OryError, serviceUnavailable } from "../errors/index.ts";
import { uuid } from "../security/random.ts";
import { oauth2Cors } from "./cors.ts";
import { OAuth2Error } from "./errors.ts";
import { RequestGone } from "./flow/challenge.ts";
import type { OAuth2 } from "./runtime.ts";

/**
 * Error mapping of the OAuth2 ports: OAuth2 errors answer in the RFC 6749 shape, Ory errors in the
 * herodot shape (admin API), anything unexpected is logged with a request id and answered without
 * details (unless `oauth2.expose_internal_errors`).
 */
export function applyOAuth2Common(app: Hono, o2: OAuth2, side: "public" | "admin"): void {
  const { ctx } = o2;
  const limit = bodyLimit({
    maxSize: ctx.config.serve.request_body_limit,
    onError: (c) =>
      c.json(
        new OryError(413, "The request body is too large", {
          reason: `The request body exceeds ${ctx.config.serve.request_body_limit} bytes.`,
        }).toBody(),
        413,
        { Connection: "close" },
      ),
  });
  app.use("*", availabilityGate(ctx));
  app.use("*", limitBody(ctx.config.serve.request_body_limit, limit));
  if (side === "public" && o2.cfg.serve.cors.enabled) app.use("*", oauth2Cors(o2));
  app.onError((err, c) => {
    // Hydra's answer for a login/consent/logout request that was handled or expired.
    if (err instanceof RequestGone) return c.json({ redirect_to: err.redirectTo }, 410);
    if (err instanceof OAuth2Error) {
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      return c.json(err.toBody(o2.cfg.expose_internal_errors), err.status as 400);
    }
    if (err instanceof OryError) return c.json(err.toBody(), err.code as 400);
    const status = (err as { status?: number }).status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      return c.json(new OryError(status, err.message || "The request was malformed").toBody(), status as 400);
    }
    // PostgreSQL refuses a NUL byte (or an untranslatable character) in text: a bad request, not a fault.
    if (isInvalidTextError(err)) {
      const reason = "A value contains bytes that cannot be stored (for example a NUL character).";
      if (side === "public") return c.json(new OAuth2Error("invalid_request", reason).toBody(false), 400);
      return c.json(
        new OryError(400, "The request was malformed or contained invalid parameters", { reason }).toBody(),
        400,
      );
    }
    if (isConnectionError(err)) {
      databaseFailed(ctx, err, c.req.path);
      // RFC 6749 §4.1.2.1 names the condition temporarily_unavailable; the admin port keeps Ory's shape.
      if (side === "public") {
        return c.json(new OAuth2Error("temporarily_unavailable").toBody(false), 503, { "Retry-After": "1" });
      }
      return c.json(serviceUnavailable().toBody(), 503, { "Retry-After": "1" });
    }
    const requestId = uuid();
    ctx.log.error("unhandled error", {
      request_id: requestId,
      error: err.stack ?? String(err),
      path: c.req.path,
    });
    if (side === "public") {
      const e = new OAuth2Error("server_error", `Request id ${requestId}.`, { debug: String(err) });
      return c.json(e.toBody(o2.cfg.expose_internal_errors), 500);
    }
    return c.json(
      new OryError(500, "An internal server error occurred, please contact the system administrator", {
        reason: `request id ${requestId}`,
        ...(o2.cfg.expose_internal_errors ? { details: { debug: String(err) } } : {}),
      }).toBody(),
      500,
    );
  });
  app.notFound((c) =>
    c.json(
      new OryError(404, "The requested resource could not be found", {
        reason: `No route for ${c.req.method} ${c.req.path}`,
      }).toBody(),
      404,
    ),
  );
}

/**
 * Reads an `application/x-www-form-urlencoded` body (plus, for GET, the query). A parameter sent
 * twice is refused: RFC 6749 §3.1 forbids repeated request parameters, except those named in
 * `repeatable` (RFC 8693 and RFC 8707 repeat `audience` and `resource`; see refuseRepeated).
 */
export async function readParams(
  c: Context,
  opts: { query?: boolean; repeatable?: string[] } = {},
): Promise<URLSearchParams> {
  const out = new URLSearchParams();
  const add = (params: URLSearchParams) => {
    for (const [k, v] of params) out.append(k, v);
  };
  if (opts.query ?? c.req.method === "GET") add(new URL(c.req.url).searchParams);
  if (c.req.method === "POST") {
    const ct = (rawHeader(c, "content-type") ?? "").toLowerCase();
    if (ct.startsWith("application/x-www-form-urlencoded")) add(new URLSearchParams(await c.req.text()));
    else if (ct.startsWith("multipart/form-data")) {
      const form = await c.req.formData().catch(() => {
        throw new OAuth2Error("invalid_request", "Unable to parse the form body.");
      });
      form.forEach((v, k) => {
        if (typeof v === "string") out.append(k, v);
      });
    } else if ((await c.req.text()).trim() !== "") {
      throw new OAuth2Error(
        "invalid_request",
        "The request body must be sent as application/x-www-form-urlencoded.",
      );
    }
  }
  refuseRepeated(out, opts.repeatable);
  return out;
}

/** Refuses a parameter sent more than once (`invalid_request`), except the `repeatable` ones. */
export function refuseRepeated(params: URLSearchParams, repeatable: string[] = []): void {
  for (const key of new Set(params.keys())) {
    if (params.getAll(key).length > 1 && !repeatable.includes(key)) {
      throw new OAuth2Error(
        "invalid_request",
        `The request parameter "${key}" must not be included more than once.`,
      );
    }
  }
}

/** Reads a JSON object body of an admin request (an empty body is `{}`); 400 in the Ory shape otherwise. */
export async function readJson(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  const parsed = decodeJsonBody(text, "Unable to decode the JSON payload");
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw badRequest("Unable to decode the JSON payload: expected a JSON object.");
  }
  return parsed as Record<string, unknown>;
}

export function noStore(c: Context): void {
  c.header("Cache-Control", "no-store");
  c.header("Pragma", "no-cache");
}

export const htmlEscape = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!,
  );
