import { and, eq, gt, gte, inArray, sql } from "drizzle-orm";
import type { Hono } from "hono";
import type { AppContext } from "../../app/context.ts";
import {
  courierMessages,
  identities,
  identityVerifiableAddresses,
  oauth2Clients,
  securityAuditLog,
  securityLoginThrottles,
  sessions,
} from "../../db/schema.ts";

const DAYS = 30;
const DAY_MS = 86_400_000;

const count = sql<number>`count(*)::int`;
const countWhere = (cond: ReturnType<typeof sql> | undefined) =>
  sql<number>`(count(*) filter (where ${cond}))::int`;

/** Rows of a raw query: node-postgres and PGlite answer `{ rows }`, postgres.js an array. */
async function rowsOf<T>(result: Promise<unknown>): Promise<T[]> {
  const r = await result;
  return (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];
}

/** UTC dates (YYYY-MM-DD) of the last `DAYS` days, oldest first, today last. */
function lastDays(now: Date): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: DAYS }, (_, i) =>
    new Date(today - (DAYS - 1 - i) * DAY_MS).toISOString().slice(0, 10),
  );
}

/**
 * The figures of the admin dashboard, each one aggregate query the database answers from its
 * indexes or a single pass (no rows are brought into the process to be counted).
 */
export async function collectStats(ctx: AppContext, now = new Date()) {
  const days = lastDays(now);
  const since = new Date(`${days[0]}T00:00:00.000Z`);
  const day = sql<string>`to_char(${identities.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
  const auditDay = sql<string>`to_char(${securityAuditLog.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
  const isPublic = sql`${oauth2Clients.data}->>'token_endpoint_auth_method' = 'none'`;
  const [idRows, perDay, sessionRows, addressRows, courierRows, loginRows, lockRows, clientRows, grantRows] =
    await Promise.all([
      ctx.db
        .select({
          total: count,
          active: countWhere(sql`${identities.state} = 'active'`),
          inactive: countWhere(sql`${identities.state} = 'inactive'`),
        })
        .from(identities),
      ctx.db
        .select({ date: day, count })
        .from(identities)
        .where(gte(identities.createdAt, since))
        .groupBy(day),
      ctx.db
        .select({ active: count })
        .from(sessions)
        .where(and(eq(sessions.active, true), gt(sessions.expiresAt, now))),
      ctx.db
        .select({ total: count, verified: countWhere(sql`${identityVerifiableAddresses.verified}`) })
        .from(identityVerifiableAddresses),
      ctx.db
        .select({
          queued: countWhere(sql`${courierMessages.status} = 'queued'`),
          sent: countWhere(sql`${courierMessages.status} = 'sent'`),
          abandoned: countWhere(sql`${courierMessages.status} = 'abandoned'`),
        })
        .from(courierMessages),
      // Sign-ins come from the audit log (index on event, created_at): each completed sign-in writes
      // login.succeeded, each refused first factor (wrong password, unknown or locked identifier)
      // login.failed. With security.audit.enabled off both series stay 0.
      ctx.db
        .select({
          date: auditDay,
          succeeded: countWhere(sql`${securityAuditLog.event} = 'login.succeeded'`),
          failed: countWhere(sql`${securityAuditLog.event} = 'login.failed'`),
        })
        .from(securityAuditLog)
        .where(
          and(
            inArray(securityAuditLog.event, ["login.succeeded", "login.failed"]),
            gte(securityAuditLog.createdAt, since),
          ),
        )
        .groupBy(auditDay),
      // The locks the lockouts endpoint lists (index on locked_until).
      ctx.db
        .select({ kind: securityLoginThrottles.kind, count })
        .from(securityLoginThrottles)
        .where(gt(securityLoginThrottles.lockedUntil, now))
        .groupBy(securityLoginThrottles.kind),
      ctx.db.select({ total: count, public: countWhere(isPublic) }).from(oauth2Clients),
      rowsOf<{ grant_type: string; count: number }>(
        ctx.db.execute(
          sql`select g.grant_type, count(*)::int as count from ${oauth2Clients}, jsonb_array_elements_text(${oauth2Clients.data}->'grant_types') as g(grant_type) group by g.grant_type order by g.grant_type`,
        ),
      ),
    ]);
  const byDay = new Map(perDay.map((r) => [r.date, r.count]));
  const logins = new Map(loginRows.map((r) => [r.date, r]));
  const locks = { identifier: 0, ip: 0, aal2: 0 };
  for (const r of lockRows) locks[r.kind] = r.count;
  const ids = idRows[0]!;
  const clients = clientRows[0]!;
  return {
    identities: {
      total: ids.total,
      by_state: { active: ids.active, inactive: ids.inactive },
      new_per_day: days.map((date) => ({ date, count: byDay.get(date) ?? 0 })),
    },
    sessions: { active: sessionRows[0]!.active },
    verification: { verified: addressRows[0]!.verified, total: addressRows[0]!.total },
    courier: {
      queued: courierRows[0]!.queued,
      sent: courierRows[0]!.sent,
      abandoned: courierRows[0]!.abandoned,
    },
    security: {
      logins_per_day: days.map((date) => ({
        date,
        succeeded: logins.get(date)?.succeeded ?? 0,
        failed: logins.get(date)?.failed ?? 0,
      })),
      lockouts: { active: locks.identifier + locks.ip + locks.aal2, by_type: locks },
    },
    oauth2_clients: {
      total: clients.total,
      public: clients.public,
      confidential: clients.total - clients.public,
      by_grant_type: Object.fromEntries(grantRows.map((r) => [r.grant_type, r.count])),
    },
  };
}

/** Olympus-only: `GET /admin/olympus/stats` for the Athena dashboard. */
export function registerAdminStatsRoutes(admin: Hono, ctx: AppContext): void {
  admin.get("/olympus/stats", async (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(await collectStats(ctx));
  });
}
