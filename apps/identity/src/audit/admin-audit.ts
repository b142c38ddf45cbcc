import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { AppContext } from "../app/context.ts";
import { audit } from "./audit.ts";

/*
 * The admin audit middleware: one audit row for every successful admin write (POST, PUT, PATCH,
 * DELETE) of an admin app — the Kratos admin API and the Hydra admin API alike. The admin ports are
 * not public; Athena may name the signed-in administrator in `X-Olympus-Actor`, which is recorded
 * with the row (`metadata.admin`). The event is named after the route that answered
 * (`admin.<literal segments>.<verb>`), the target is the route's first path parameter, else the id
 * of the resource a create returned, else the subject or client named in the query.
 */

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const VERBS: Record<string, string> = { POST: "create", PUT: "update", PATCH: "update", DELETE: "delete" };
/** Query parameters that name what a write without a path parameter acts on (Hydra's revocations). */
const QUERY_TARGETS = ["subject", "sid", "client_id", "client"] as const;
/** Query parameters worth keeping with the row: they say how far a revocation reached. */
const QUERY_METADATA = ["subject", "sid", "client_id", "client", "all"] as const;

export interface AdminWrite {
  event: string;
  target?: string;
  params: Record<string, string>;
}

/**
 * `/admin/identities/:id/credentials/:type` + DELETE → `admin.identities.credentials.delete`,
 * target = :id. A POST to an action path (a literal after a parameter, e.g.
 * `/clients/:id/secret/rotate`) is named after the action, without `.create`.
 */
export function describeAdminWrite(method: string, pattern: string, path: string): AdminWrite {
  const pat = pattern
    .replace(/^\/admin(?=\/|$)/, "")
    .split("/")
    .filter(Boolean);
  const actual = path
    .replace(/^\/admin(?=\/|$)/, "")
    .split("/")
    .filter(Boolean);
  const names: string[] = [];
  const params: Record<string, string> = {};
  let afterParam = false;
  pat.forEach((seg, i) => {
    if (seg.startsWith(":")) {
      const raw = actual[i] ?? "";
      const name = seg.slice(1).replace(/\{.*$/, "");
      try {
        params[name] = decodeURIComponent(raw);
      } catch {
        params[name] = raw;
      }
      afterParam = true;
    } else if (seg !== "*") names.push(seg.replace(/[^a-z0-9_-]/gi, ""));
  });
  const action = method === "POST" && afterParam && !pat[pat.length - 1]!.startsWith(":");
  const verb = action ? [] : [VERBS[method] ?? method];
  const first = Object.values(params)[0];
  return { event: `admin.${[...names, ...verb].join(".")}`, ...(first ? { target: first } : {}), params };
}

/** The id of the resource a create answered with: Hydra's `client_id`, a key's `kid`, else `id`. */
export async function createdId(res: Response): Promise<string | undefined> {
  if (!(res.headers.get("content-type") ?? "").includes("json")) return undefined;
  let body: unknown;
  try {
    body = await res.clone().json();
  } catch {
    return undefined;
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) return undefined;
  const b = body as { client_id?: unknown; id?: unknown; keys?: { kid?: unknown }[] };
  const id =
    b.client_id ?? b.id ?? (Array.isArray(b.keys) && b.keys.length === 1 ? b.keys[0]?.kid : undefined);
  return typeof id === "string" && id ? id : undefined;
}

/** The admin actor recorded for Olympus endpoints that audit themselves. */
export function adminActor(c: Context): { actor: string; metadata: Record<string, unknown> } {
  const name = c.req.header("x-olympus-actor")?.slice(0, 200);
  return { actor: "admin", metadata: name ? { admin: name } : {} };
}

export interface AdminAuditOptions {
  /** Writes that are not audited here: routes that audit themselves, or flow steps (Hydra's accept/reject). */
  skip?: (method: string, pattern: string) => boolean;
}

/** Audits every successful write of an admin app (register it on the admin router before its routes). */
export function adminAuditMiddleware(ctx: AppContext, opts: AdminAuditOptions = {}): MiddlewareHandler {
  return async (c, next) => {
    // An admin router is mounted at /admin and at /, so this middleware can match a request twice.
    const seen = c as unknown as { get(k: string): unknown; set(k: string, v: unknown): void };
    if (seen.get("olympus.admin-audit")) return next();
    seen.set("olympus.admin-audit", true);
    await next();
    if (!WRITE_METHODS.has(c.req.method) || c.res.status >= 400) return;
    // After next() the route index points at the handler that answered.
    const pattern = routePath(c);
    if (opts.skip?.(c.req.method, pattern)) return;
    const d = describeAdminWrite(c.req.method, pattern, c.req.path);
    const isCreate = d.event.endsWith(".create");
    const created = isCreate ? await createdId(c.res) : undefined;
    const query: Record<string, string> = {};
    for (const k of QUERY_METADATA) {
      const v = c.req.query(k);
      if (v !== undefined) query[k] = v.slice(0, 500);
    }
    const fromQuery = QUERY_TARGETS.map((k) => query[k]).find((v) => v);
    const who = adminActor(c);
    await audit(ctx, c, {
      event: d.event,
      actor: who.actor,
      target: (isCreate ? (created ?? d.target) : d.target) ?? fromQuery ?? null,
      metadata: {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ...(Object.keys(query).length ? { query } : {}),
        ...(created && d.target && created !== d.target ? { parent: d.target } : {}),
        ...who.metadata,
        ...((seen.get(AUDIT_DETAIL) as Record<string, unknown> | undefined) ?? {}),
      },
    });
  };
}

const AUDIT_DETAIL = "olympus.admin-audit.detail";

/** Adds what a write did (never a secret) to the audit row the middleware records for it. */
export function setAuditDetail(c: Context, detail: Record<string, unknown>): void {
  (c as unknown as { set(k: string, v: unknown): void }).set(AUDIT_DETAIL, detail);
}
