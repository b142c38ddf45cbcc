import type { Context, Hono, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { z } from "zod";
import type { AppContext } from "../../app/context.ts";
import { badRequest, notFound } from "../../errors/index.ts";
import { pageParams, setLinkHeader } from "../../http/pagination.ts";
import { normalizeIdentifier } from "../../identity/schemas.ts";
import { audit, auditToWire, listAudit } from "../../security/audit.ts";
import { listLockouts, lockoutToWire, unlock } from "../../security/lockout.ts";

/*
 * Olympus-only admin endpoints for account security:
 *   GET    /admin/olympus/lockouts                      active locks (page_size, page_token)
 *   DELETE /admin/olympus/lockouts/{identifier}[?type=ip] unlock (204; 404 when nothing was locked)
 *   GET    /admin/olympus/audit                         the audit log (event, actor, target, since, until)
 * and the middleware that writes an audit row for every successful admin write (POST, PUT, PATCH,
 * DELETE) of any capability. The admin port is not public; Athena may name the signed-in administrator
 * in `X-Olympus-Actor`, which is recorded with the row.
 */

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** `/admin/identities/:id/credentials/:type` + DELETE → `admin.identities.credentials.delete`, target = :id. */
export function describeAdminWrite(
  method: string,
  pattern: string,
  path: string,
): { event: string; target?: string; params: Record<string, string> } {
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
  pat.forEach((seg, i) => {
    if (seg.startsWith(":")) {
      const raw = actual[i] ?? "";
      try {
        params[seg.slice(1).replace(/\{.*$/, "")] = decodeURIComponent(raw);
      } catch {
        params[seg.slice(1)] = raw;
      }
    } else if (seg !== "*") names.push(seg.replace(/[^a-z0-9_-]/gi, ""));
  });
  const verb = { POST: "create", PUT: "update", PATCH: "update", DELETE: "delete" }[method] ?? method;
  const first = Object.values(params)[0];
  return { event: `admin.${[...names, verb].join(".")}`, ...(first ? { target: first } : {}), params };
}

/** Audits every successful admin write; Olympus endpoints that audit themselves are skipped. */
export function adminAuditMiddleware(ctx: AppContext): MiddlewareHandler {
  return async (c, next) => {
    // The admin app is mounted at /admin and at /, so this middleware can match a request twice.
    const seen = c as unknown as { get(k: string): unknown; set(k: string, v: unknown): void };
    if (seen.get("olympus.admin-audit")) return next();
    seen.set("olympus.admin-audit", true);
    await next();
    if (!WRITE_METHODS.has(c.req.method) || c.res.status >= 400) return;
    // After next() the route index points at the handler that answered.
    const pattern = routePath(c);
    if (/\/olympus\/(lockouts|settings)/.test(pattern)) return;
    const d = describeAdminWrite(c.req.method, pattern, c.req.path);
    const actorName = c.req.header("x-olympus-actor")?.slice(0, 200);
    await audit(ctx, c, {
      event: d.event,
      actor: "admin",
      target: d.target ?? null,
      metadata: {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ...(actorName ? { admin: actorName } : {}),
      },
    });
  };
}

const auditQuery = z.object({
  event: z.string().max(200).optional(),
  actor: z.string().max(200).optional(),
  target: z.string().max(500).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
});

/** The admin actor recorded for Olympus endpoints. */
export function adminActor(c: Context): { actor: string; metadata: Record<string, unknown> } {
  const name = c.req.header("x-olympus-actor")?.slice(0, 200);
  return { actor: "admin", metadata: name ? { admin: name } : {} };
}

export function registerAdminSecurityRoutes(admin: Hono, ctx: AppContext): void {
  admin.use("*", adminAuditMiddleware(ctx));

  admin.get("/olympus/lockouts", async (c) => {
    const { size, offset } = pageParams(c, { size: 250, max: 1000 });
    const rows = await listLockouts(ctx, size + 1, offset);
    setLinkHeader(c, ctx.rt.adminBaseUrl, "admin/olympus/lockouts", size, offset, rows.length > size);
    return c.json(rows.slice(0, size).map(lockoutToWire));
  });

  admin.delete("/olympus/lockouts/:identifier", async (c) => {
    const type = c.req.query("type") ?? "identifier";
    if (type !== "identifier" && type !== "ip" && type !== "aal2") {
      throw badRequest('type must be "identifier", "ip" or "aal2".');
    }
    const raw = c.req.param("identifier");
    if (!raw || raw.length > 512) throw badRequest("The identifier is missing or too long.");
    const key = type === "identifier" ? normalizeIdentifier(raw) : raw.trim();
    const row = await unlock(ctx, type, key);
    if (!row?.lockedUntil || row.lockedUntil <= new Date()) {
      throw notFound("No active lock for this identifier.");
    }
    const who = adminActor(c);
    await audit(ctx, c, {
      event: "lockout.removed",
      actor: who.actor,
      target: row.identityId ?? key,
      metadata: {
        ...who.metadata,
        kind: type,
        key,
        attempts: row.attempts,
        locked_until: row.lockedUntil.toISOString(),
      },
    });
    return c.body(null, 204);
  });

  admin.get("/olympus/audit", async (c) => {
    const parsed = auditQuery.safeParse(c.req.query());
    if (!parsed.success) {
      throw badRequest(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    }
    const q = parsed.data;
    const { size, offset } = pageParams(c, { size: 100, max: 1000 });
    const rows = await listAudit(
      ctx.db,
      {
        event: q.event,
        actor: q.actor,
        target: q.target,
        since: q.since ? new Date(q.since) : undefined,
        until: q.until ? new Date(q.until) : undefined,
      },
      size + 1,
      offset,
    );
    setLinkHeader(c, ctx.rt.adminBaseUrl, "admin/olympus/audit", size, offset, rows.length > size);
    return c.json(rows.slice(0, size).map(auditToWire));
  });
}
