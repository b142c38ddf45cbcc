import { and, eq, gt, gte, sql } from "drizzle-orm";
import type { Hono } from "hono";
import type { AppContext } from "../../app/context.ts";
import { courierMessages, identities, identityVerifiableAddresses, sessions } from "../../db/schema.ts";

const DAYS = 30;
const DAY_MS = 86_400_000;

const count = sql<number>`count(*)::int`;
const countWhere = (cond: ReturnType<typeof sql> | undefined) =>
  sql<number>`(count(*) filter (where ${cond}))::int`;

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
  const [idRows, perDay, sessionRows, addressRows, courierRows] = await Promise.all([
    ctx.db
      .select({
        total: count,
        active: countWhere(sql`${identities.state} = 'active'`),
        inactive: countWhere(sql`${identities.state} = 'inactive'`),
      })
      .from(identities),
    ctx.db.select({ date: day, count }).from(identities).where(gte(identities.createdAt, since)).groupBy(day),
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
  ]);
  const byDay = new Map(perDay.map((r) => [r.date, r.count]));
  const ids = idRows[0]!;
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
  };
}

/** Olympus-only: `GET /admin/olympus/stats` for the Athena dashboard. */
export function registerAdminStatsRoutes(admin: Hono, ctx: AppContext): void {
  admin.get("/olympus/stats", async (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(await collectStats(ctx));
  });
}
