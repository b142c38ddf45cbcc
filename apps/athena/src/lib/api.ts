import "server-only";
import { type NextRequest, NextResponse } from "next/server";
import type { z } from "zod";
import { applyLiveRole, authorize, checkAssurance, checkOrigin, type Denial, type Need } from "./auth/guard";
import { liveRole } from "./auth/live-role";
import { actorName, withActor } from "./core/actor";
import { coreFailure } from "./core/errors";
import { athenaEnv } from "./env";
import type { AthenaSession } from "./session/seal";
import { readSession, SESSION_COOKIE } from "./session/server";

/** Athena's JSON error body (the Ory shape the rest of the platform uses). */
export function jsonError(status: number, code: string, message: string, extra?: Record<string, unknown>) {
  return NextResponse.json(
    { error: { id: code, code: status, status: statusText(status), message, ...extra } },
    { status, headers: { "cache-control": "no-store" } },
  );
}

function statusText(status: number): string {
  return (
    {
      400: "Bad Request",
      401: "Unauthorized",
      403: "Forbidden",
      404: "Not Found",
      409: "Conflict",
      415: "Unsupported Media Type",
      422: "Unprocessable Entity",
      502: "Bad Gateway",
      503: "Service Unavailable",
    }[status] ?? "Error"
  );
}

const deny = (d: Denial) => jsonError(d.status, d.code, d.message);

/** A thrown HTTP answer from inside a handler (validation, demo protection…). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** More of the error body: `fields` (messages per form field) for a form to show. */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/**
 * The shared guard of every API route: origin check for state changes, session, then the
 * administrator's role as IAM has it now (`metadata_admin.role`; asked afresh for every write, at
 * most a few seconds old for reads). The cookie's role is never trusted on its own. Returns the
 * session (carrying the live role) or the denial response.
 */
export async function guard(req: NextRequest, need: Need): Promise<AthenaSession | NextResponse> {
  const env = athenaEnv();
  const cross = checkOrigin(req.method, req.headers, env.publicUrl);
  if (cross) return deny(cross);
  const session = await readSession(req.cookies.get(SESSION_COOKIE)?.value);
  const decision = authorize(session, "read");
  if (!decision.ok) return deny(decision);
  const weak = checkAssurance(decision.session, env.requireSecondFactor);
  if (weak) return deny(weak);
  let live: Awaited<ReturnType<typeof liveRole>>;
  try {
    live = await liveRole(decision.session.sub, { fresh: need === "write" });
  } catch {
    return jsonError(
      503,
      "role_unconfirmed",
      "Your role could not be confirmed with IAM; try again shortly.",
    );
  }
  const current = applyLiveRole(decision.session, live, need);
  return current.ok ? current.session : deny(current);
}

type Handler<P> = (ctx: { req: NextRequest; session: AthenaSession; params: P }) => Promise<Response>;

/** Wraps a route handler in the guard and maps core and validation failures to JSON errors. */
export function route<P = Record<string, string>>(need: Need, handler: Handler<P>) {
  return async (req: NextRequest, ctx: { params: Promise<P> }): Promise<Response> => {
    const g = await guard(req, need);
    if (g instanceof NextResponse) return g;
    try {
      const params = await ctx.params;
      // Admin writes made by the handler carry the administrator to the core's audit log.
      return await withActor(actorName(g), () => handler({ req, session: g, params }));
    } catch (e) {
      if (e instanceof HttpError) return jsonError(e.status, e.code, e.message, e.extra);
      try {
        const f = await coreFailure(e);
        return jsonError(
          f.status >= 500 ? 502 : f.status,
          f.missing ? "core_api_missing" : "core_error",
          f.message,
        );
      } catch (unknownError) {
        console.error("[athena] unhandled error in", req.method, req.nextUrl.pathname, unknownError);
        return jsonError(500, "internal", "Something went wrong in Athena.");
      }
    }
  };
}

/** Reads and validates a JSON body; only application/json is accepted (no form posts from other sites). */
export async function jsonBody<T>(req: NextRequest, schema: z.ZodType<T>): Promise<T> {
  if (!(req.headers.get("content-type") ?? "").toLowerCase().startsWith("application/json")) {
    throw new HttpError(415, "unsupported_media_type", "Send the body as application/json.");
  }
  let raw: unknown;
  try {
    raw = await req.json();
  } catch {
    throw new HttpError(400, "bad_json", "The body is not valid JSON.");
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const fields: Record<string, string> = {};
    for (const issue of r.error.issues) {
      const field = String(issue.path[0] ?? "");
      if (field) fields[field] ??= issue.message;
    }
    throw new HttpError(400, "invalid_body", `${i.path.join(".") || "body"}: ${i.message}`, { fields });
  }
  return r.data;
}

/** `{ok:true,...}` JSON with no caching. */
export const ok = (body: unknown = { ok: true }, status = 200) =>
  NextResponse.json(body, { status, headers: { "cache-control": "no-store" } });
