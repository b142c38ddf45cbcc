import type { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app/context.ts";
import { badRequest, notFound } from "../../errors/index.ts";
import { pageParams, setLinkHeader } from "../../http/pagination.ts";
import { normalizeIdentifier } from "../../identity/schemas.ts";
import { adminActor, adminAuditMiddleware } from "../../audit/admin-audit.ts";
import { audit, auditToWire, listAudit } from "../../audit/audit.ts";
import { listLockouts, lockoutToWire, unlock } from "../../security/lockout.ts";

/*
 * Olympus-only admin endpoints for account security:
 *   GET    /admin/olympus/lockouts                      active locks (page_size, page_token)
 *   DELETE /admin/olympus/lockouts/{identifier}[?type=ip] unlock (204; 404 when nothing was locked)
 *   GET    /admin/olympus/audit                         the audit log (event, actor, target, since, until)
 * and, first, the admin audit middleware (src/audit/admin-audit.ts) for every admin write of the
 * Kratos admin API; the Olympus endpoints that audit themselves (lockouts, settings) are skipped.
 */

const auditQuery = z.object({
  event: z.string().max(200).optional(),
  actor: z.string().max(200).optional(),
  target: z.string().max(500).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
});

export function registerAdminSecurityRoutes(admin: Hono, ctx: AppContext): void {
  admin.use(
    "*",
    adminAuditMiddleware(ctx, { skip: (_method, pattern) => /\/olympus\/(lockouts|settings)/.test(pattern) }),
  );

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
