import type { Context } from "hono";
import type { AppContext } from "../../app/context.ts";
import { urlJoin } from "../../app/runtime.ts";
import type { DbOrTx } from "../../db/client.ts";
import type { FlowKind } from "../../db/schema.ts";
import { notFound, OryError, returnToForbidden } from "../../errors/index.ts";
import { isJsonRequest } from "../../http/request.ts";
import { ensureCsrf, maskToken, verifyCsrfCookie, verifyCsrfToken } from "../../security/csrf.ts";
import { uuid } from "../../security/random.ts";
import { type FlowRow, findFlow, insertFlow } from "./repository.ts";
import type { UiText } from "./text.ts";
import { type UiContainer, withCsrf } from "./ui.ts";

/** Where the UI for a flow kind lives (the configured ui_url, else the default return URL's origin + /kind). */
export function uiUrl(ctx: AppContext, kind: FlowKind | "error"): string {
  const flows = ctx.config.selfservice.flows;
  const configured = flows[kind].ui_url;
  if (configured) return configured;
  return new URL(`/${kind}`, ctx.config.selfservice.default_browser_return_url).toString();
}

export function actionUrl(ctx: AppContext, kind: FlowKind, id: string): string {
  return urlJoin(ctx.rt.publicBaseUrl, `self-service/${kind}?flow=${id}`);
}

/** The URL of the current request as seen through the public base URL. */
export function publicRequestUrl(c: Context, ctx: AppContext): string {
  const u = new URL(c.req.url);
  return urlJoin(ctx.rt.publicBaseUrl, `${u.pathname}${u.search}`);
}

function matchesAllowed(target: URL, allowed: string): boolean {
  let a: URL;
  try {
    a = new URL(allowed);
  } catch {
    return false;
  }
  if (a.protocol !== target.protocol) return false;
  const host = a.hostname;
  const hostOk = host.startsWith("*.")
    ? target.hostname.endsWith(host.slice(1)) && target.hostname !== host.slice(2)
    : target.hostname === host;
  if (!hostOk || a.port !== target.port) return false;
  const path = a.pathname.endsWith("/") ? a.pathname : `${a.pathname}/`;
  return a.pathname === "/" || target.pathname === a.pathname || target.pathname.startsWith(path);
}

/*
 * A relative return_to (Ory's reference UI sends `return_to=/sessions`) is resolved against
 * selfservice.default_browser_return_url, as Kratos does, and then checked like any other. Only a
 * plain absolute path is taken as relative: one "/" then no second "/" and no backslash anywhere
 * (`//evil`, `/\evil` are another host to a browser), no whitespace or control characters (browsers
 * drop tabs and newlines, so `/\t/evil` would become `//evil`), and none of them percent-encoded either
 * (a UI that decodes once before redirecting would meet them). Anything else that is not an absolute
 * URL is refused.
 */
const ENCODED_TRICK = /%(?:[01][0-9a-f]|7f|2f|5c)/i;

function isPlainPath(raw: string): boolean {
  if (raw[0] !== "/" || ENCODED_TRICK.test(raw)) return false;
  // No empty path segment either: `/..//evil` resolves to a path a UI could mistake for a host.
  if (/^[^?#]*\/\//.test(raw)) return false;
  for (const ch of raw) {
    const code = ch.codePointAt(0)!;
    if (code <= 0x20 || code === 0x7f || ch === "\\") return false;
  }
  return true;
}

/** A relative return_to resolved against the default return URL; undefined when it is not a plain path. */
function resolveRelative(ctx: AppContext, raw: string): URL | undefined {
  if (!isPlainPath(raw)) return undefined;
  const base = new URL(ctx.config.selfservice.default_browser_return_url);
  let resolved: URL;
  try {
    resolved = new URL(raw, base);
  } catch {
    return undefined;
  }
  // The checks above guarantee it; kept as a second lock on the door.
  return resolved.origin === base.origin ? resolved : undefined;
}

/** Validates a return_to against selfservice.allowed_return_urls (and the default return URL); throws 400 otherwise. */
export function checkReturnTo(ctx: AppContext, raw: string | undefined): string | undefined {
  if (raw === undefined || raw === "") return undefined;
  let target: URL;
  if (raw.startsWith("/")) {
    const resolved = resolveRelative(ctx, raw);
    if (!resolved) throw returnToForbidden(raw);
    target = resolved;
  } else {
    try {
      target = new URL(raw);
    } catch {
      throw returnToForbidden(raw);
    }
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") throw returnToForbidden(raw);
  const allowed = [
    ctx.config.selfservice.default_browser_return_url,
    ...ctx.config.selfservice.allowed_return_urls,
  ];
  if (!allowed.some((a) => matchesAllowed(target, a))) throw returnToForbidden(raw);
  return target.toString();
}

export interface NewFlowInput {
  kind: FlowKind;
  type: "browser" | "api";
  state: string;
  ui: Omit<UiContainer, "action">;
  returnTo?: string;
  identityId?: string | null;
  sessionId?: string | null;
  data?: Record<string, unknown>;
  csrfHash?: string | null;
  lifespanMs?: number;
}

/** Persists a new flow; its UI action points at the flow's submit endpoint. */
export async function createFlow(
  c: Context,
  ctx: AppContext,
  input: NewFlowInput,
  db: DbOrTx = ctx.db,
): Promise<FlowRow> {
  return insertFlow(db, draftFlow(c, ctx, input));
}

/** A new flow as it will be stored, not stored yet (before hooks see it first: hook/before.ts). */
export function draftFlow(c: Context, ctx: AppContext, input: NewFlowInput): FlowRow {
  const id = uuid();
  const now = new Date();
  const lifespan = input.lifespanMs ?? ctx.config.selfservice.flows[input.kind].lifespan;
  return {
    id,
    kind: input.kind,
    type: input.type,
    state: input.state,
    requestUrl: publicRequestUrl(c, ctx),
    returnTo: input.returnTo ?? null,
    csrfHash: input.csrfHash ?? null,
    identityId: input.identityId ?? null,
    sessionId: input.sessionId ?? null,
    ui: { ...input.ui, action: actionUrl(ctx, input.kind, id), method: "POST" } as UiContainer,
    data: input.data ?? {},
    issuedAt: now,
    expiresAt: new Date(now.getTime() + lifespan),
    createdAt: now,
    updatedAt: now,
  };
}

/** The CSRF hash to bind a new browser flow to (setting the cookie when needed); null for API flows. */
export function csrfForNewFlow(c: Context, ctx: AppContext, type: "browser" | "api"): string | null {
  return type === "browser" ? ensureCsrf(c, ctx.config, ctx.rt).hash : null;
}

/** The flow's UI with a freshly masked CSRF token (browser flows) or an empty one (API flows). */
export function renderUi(c: Context, ctx: AppContext, row: FlowRow): UiContainer {
  if (row.type !== "browser") return row.ui;
  const secret = ensureCsrf(c, ctx.config, ctx.rt).secret;
  return withCsrf(row.ui, maskToken(secret));
}

/** Fields every flow kind has on the wire. */
export function baseFlowWire(c: Context, ctx: AppContext, row: FlowRow): Record<string, unknown> {
  return {
    id: row.id,
    type: row.type,
    expires_at: row.expiresAt.toISOString(),
    issued_at: row.issuedAt.toISOString(),
    request_url: row.requestUrl,
    ...(row.returnTo ? { return_to: row.returnTo } : {}),
    ui: renderUi(c, ctx, row),
    state: row.state,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** Answers a flow: JSON clients get the flow with `status`; browsers are sent to the flow's UI. */
export function respondWithFlow(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  wire: Record<string, unknown>,
  status: 200 | 400 = 200,
): Response {
  if (isJsonRequest(c) || row.type === "api") return c.json(wire, status);
  return c.redirect(`${uiUrl(ctx, row.kind)}?flow=${row.id}`, 303);
}

/** GET …/flows?id=: loads the flow and, for browser flows, checks the CSRF cookie it is bound to. */
export async function fetchFlowForRead(c: Context, ctx: AppContext, kind: FlowKind): Promise<FlowRow> {
  const id = c.req.query("id");
  const row = await findFlow(ctx.db, kind, id);
  if (!row) throw notFound(`The ${kind} flow could not be found.`);
  if (row.type === "browser") verifyCsrfCookie(c, ctx.rt, row.csrfHash);
  if (row.expiresAt <= new Date()) {
    throw new OryError(410, "self-service flow expired", {
      id: "self_service_flow_expired",
      reason: `The ${kind} flow has expired. Please start a new one.`,
      details: { redirect_to: urlJoin(ctx.rt.publicBaseUrl, `self-service/${kind}/browser`) },
      extra: { expired_at: row.expiresAt.toISOString(), since: Date.now() - row.expiresAt.getTime() },
    });
  }
  return row;
}

/** POST …?flow=: loads the flow and checks CSRF for browser flows (API flows are token-based). */
export async function fetchFlowForSubmit(
  c: Context,
  ctx: AppContext,
  kind: FlowKind,
  body: Record<string, unknown>,
): Promise<FlowRow> {
  const row = await findFlow(ctx.db, kind, c.req.query("flow"));
  if (!row) throw notFound(`The ${kind} flow could not be found.`);
  if (row.type === "browser") verifyCsrfToken(c, ctx.rt, row.csrfHash, body.csrf_token);
  return row;
}

/**
 * An expired flow is answered by a new flow of the same kind carrying the expiry message:
 * JSON clients get 410 with `use_flow_id`, browsers are redirected to the new flow.
 */
export function expiredFlowResponse(
  c: Context,
  ctx: AppContext,
  old: FlowRow,
  fresh: FlowRow,
  message: UiText,
): Response {
  void message;
  if (isJsonRequest(c) || old.type === "api") {
    const err = new OryError(410, "self-service flow expired", {
      id: "self_service_flow_expired",
      reason: "The self-service flow has expired. Please use the new flow.",
      extra: {
        use_flow_id: fresh.id,
        expired_at: old.expiresAt.toISOString(),
        since: (Date.now() - old.expiresAt.getTime()) * 1_000_000,
      },
    });
    return c.json(err.toBody(), 410);
  }
  return c.redirect(`${uiUrl(ctx, old.kind)}?flow=${fresh.id}`, 303);
}

/** Reads a string field from a decoded body; anything else counts as missing. */
export function str(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  return typeof v === "string" ? v : undefined;
}
