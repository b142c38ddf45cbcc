import type { Context } from "hono";
import { and, asc, eq, gt, isNull, lte, or, sql } from "drizzle-orm";
import type { AppContext } from "../app/context.ts";
import { securityLoginThrottles } from "../db/security-schema.ts";
import { isJsonRequest } from "../http/request.ts";
import type { UiText } from "../selfservice/flow/text.ts";
import { audit } from "../audit/audit.ts";
import { queueSecurityNotice } from "../courier/security-notices.ts";
import { isTrustedProxy, requestIp } from "./ip.ts";
import { uuid } from "./random.ts";
import { effectiveBruteForce } from "./overrides.ts";

/*
 * Brute-force protection for password (and second-factor) sign-ins, counted in the database so every
 * replica shares it.
 *
 * An attempt is counted *before* the password is checked, by one atomic upsert per key (identifier and
 * client address): concurrent guesses cannot slip past the limit, because each takes its own slot. A
 * key over its limit is locked for `lockout_duration`; while locked no password check runs at all,
 * whether the password is right or not and whether the identifier exists or not. Success clears the
 * identifier's counter (and gives the address its slot back).
 */

type Kind = "identifier" | "ip" | "aal2";
const T = securityLoginThrottles;

export interface Locked {
  lockedUntil: Date;
  retryAfterSeconds: number;
}

export interface Attempt {
  /** Set when the attempt must be refused without checking the credential. */
  locked?: Locked;
  /** The attempt failed: locks keys that reached their limit. */
  failed(identityId?: string): Promise<void>;
  /** The attempt succeeded: clears the identifier, returns the address' slot. */
  succeeded(identityId?: string): Promise<void>;
}

function limits(ctx: AppContext, kind: Kind) {
  const bf = effectiveBruteForce(ctx);
  return {
    max: kind === "ip" ? bf.ip_max_attempts : bf.max_attempts,
    window: bf.window,
    duration: bf.lockout_duration,
  };
}

/**
 * Counts one attempt for each key, in one statement (an upsert of one row per key); returns the rows
 * after counting, in the order of `keys`. Each key's limit is its kind's (the address has its own).
 */
async function count(ctx: AppContext, keys: { kind: Kind; key: string }[], ip: string, now: Date) {
  const { window, duration } = limits(ctx, "identifier");
  const windowStart = new Date(now.getTime() - window);
  const lockUntil = new Date(now.getTime() + duration);
  const max = sql`(case when ${T.kind} = 'ip' then ${limits(ctx, "ip").max}::int else ${limits(ctx, "identifier").max}::int end)`;
  // A lock that ran out, or a window that closed, starts over.
  const fresh = sql`((${T.lockedUntil} is not null and ${T.lockedUntil} <= ${now.toISOString()}::timestamptz) or (${T.lockedUntil} is null and ${T.windowStartedAt} <= ${windowStart.toISOString()}::timestamptz))`;
  const next = sql`(case when ${fresh} then 1 else ${T.attempts} + 1 end)`;
  const rows = await ctx.db
    .insert(T)
    .values(
      keys.map(({ kind, key }) => ({
        id: uuid(),
        kind,
        key,
        attempts: 1,
        windowStartedAt: now,
        lastIp: ip,
        updatedAt: now,
      })),
    )
    .onConflictDoUpdate({
      target: [T.kind, T.key],
      set: {
        attempts: next,
        windowStartedAt: sql`(case when ${fresh} then ${now.toISOString()}::timestamptz else ${T.windowStartedAt} end)`,
        // Attempts beyond the limit (concurrent ones) lock the key at once.
        lockedUntil: sql`(case when ${fresh} then null when ${T.lockedUntil} is null and ${next} > ${max} then ${lockUntil.toISOString()}::timestamptz else ${T.lockedUntil} end)`,
        lastIp: ip,
        updatedAt: now,
      },
    })
    .returning();
  return keys.map(({ kind, key }) => ({
    row: rows.find((r) => r.kind === kind && r.key === key)!,
    lockUntil,
  }));
}

function lockedState(until: Date, now: Date): Locked {
  return {
    lockedUntil: until,
    retryAfterSeconds: Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)),
  };
}

/** Locks a key that reached its limit with this failure; true when this call created the lock. */
async function lockIfDue(ctx: AppContext, kind: Kind, key: string, identityId: string | undefined) {
  const { max, duration } = limits(ctx, kind);
  const now = new Date();
  const until = new Date(now.getTime() + duration);
  const [row] = await ctx.db
    .update(T)
    .set({
      lockedUntil: sql`(case when ${T.lockedUntil} is null and ${T.attempts} >= ${max} then ${until.toISOString()}::timestamptz else ${T.lockedUntil} end)`,
      ...(identityId ? { identityId } : {}),
      updatedAt: now,
    })
    .where(and(eq(T.kind, kind), eq(T.key, key)))
    .returning();
  return row?.lockedUntil?.getTime() === until.getTime() ? row : undefined;
}

async function recordLock(
  ctx: AppContext,
  c: Context,
  kind: Kind,
  key: string,
  row: { attempts: number; lockedUntil: Date | null; identityId: string | null },
) {
  await audit(ctx, c, {
    event: "lockout.created",
    actor: "anonymous",
    target: kind === "ip" ? key : (row.identityId ?? key),
    metadata: {
      kind,
      key,
      attempts: row.attempts,
      locked_until: row.lockedUntil?.toISOString(),
    },
  });
  ctx.log.warn("sign-in locked after repeated failures", {
    kind,
    locked_until: row.lockedUntil?.toISOString(),
  });
  // The owner hears about it (courier/security-notices.ts); an unknown identifier has nobody to tell.
  if (kind !== "ip" && row.identityId && row.lockedUntil) {
    const minutes = Math.max(1, Math.ceil((row.lockedUntil.getTime() - Date.now()) / 60_000));
    await queueSecurityNotice(
      ctx.db,
      ctx,
      row.identityId,
      "security_account_locked",
      { locked_until: row.lockedUntil.toISOString(), minutes },
      c.req.header("accept-language"),
    );
    ctx.notifyCourier();
  }
}

/**
 * Starts a sign-in attempt for an identifier (kind `identifier`, counted per identifier and per address)
 * or a second factor (kind `aal2`, keyed by identity id, counted per identity and per address).
 */
export async function beginAttempt(
  ctx: AppContext,
  c: Context,
  kind: "identifier" | "aal2",
  key: string,
): Promise<Attempt> {
  const noop: Attempt = { failed: async () => {}, succeeded: async () => {} };
  if (!effectiveBruteForce(ctx).enabled) return noop;
  const ip = requestIp(c, ctx);
  const now = new Date();
  // An address that is our own proxy (no X-Forwarded-For) stands for everyone behind it: not counted.
  const perAddress = !isTrustedProxy(ctx, ip);
  const [own, addr] = await count(
    ctx,
    perAddress
      ? [
          { kind, key },
          { kind: "ip", key: ip },
        ]
      : [{ kind, key }],
    ip,
    now,
  );
  const attempt: Attempt = {
    async failed(identityId) {
      const [a, b] = await Promise.all([
        lockIfDue(ctx, kind, key, identityId),
        perAddress ? lockIfDue(ctx, "ip", ip, undefined) : undefined,
      ]);
      if (a) await recordLock(ctx, c, kind, key, a);
      if (b) await recordLock(ctx, c, "ip", ip, b);
    },
    async succeeded() {
      // One statement: the identifier's counter goes, the address gets its slot back.
      const clear = ctx.db.delete(T).where(and(eq(T.kind, kind), eq(T.key, key)));
      if (!perAddress) {
        await clear;
        return;
      }
      // Rows are locked in the order every statement here uses, the identifier's before the
      // address': the counting upsert takes them in that order, and a data-modifying CTE otherwise
      // runs whenever the planner likes, so concurrent sign-ins of one account deadlocked (a 500, and
      // the uncleared counts then locked the account). Reading the deletion's result in an InitPlan
      // runs it before the address' row is touched.
      await ctx.db.execute(
        sql`with cleared as (${clear.returning({ id: T.id }).getSQL()}) ${ctx.db
          .update(T)
          .set({ attempts: sql`greatest(${T.attempts} - 1, 0)` })
          .where(
            and(
              eq(T.kind, "ip"),
              eq(T.key, ip),
              isNull(T.lockedUntil),
              sql`(select count(*) from cleared) >= 0`,
            ),
          )
          .getSQL()}`,
      );
    },
  };
  const lockedRows = [own, addr].filter(
    (r): r is NonNullable<typeof r> => !!r?.row.lockedUntil && r.row.lockedUntil > now,
  );
  if (lockedRows.length) {
    for (const r of lockedRows) {
      // The attempt that tipped a key over its limit (a concurrent one) created the lock.
      if (r.row.lockedUntil!.getTime() === r.lockUntil.getTime()) {
        await recordLock(ctx, c, r.row.kind, r.row.key, r.row);
      }
    }
    const until = new Date(Math.max(...lockedRows.map((r) => r.row.lockedUntil!.getTime())));
    attempt.locked = lockedState(until, now);
  }
  return attempt;
}

/** Kratos-style message for a locked sign-in (an Olympus id in the 4000xxx range Kratos does not use). */
export function lockedMessage(locked: Locked): UiText {
  const minutes = Math.max(1, Math.ceil(locked.retryAfterSeconds / 60));
  return {
    id: 4000100,
    text: `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
    type: "error",
    context: {
      locked_until: locked.lockedUntil.toISOString(),
      retry_after_seconds: locked.retryAfterSeconds,
    },
  };
}

/** JSON and API clients are told when to come back. */
export function setRetryAfter(c: Context, locked: Locked, apiFlow: boolean): void {
  if (apiFlow || isJsonRequest(c)) c.header("Retry-After", String(locked.retryAfterSeconds));
}

export type ThrottleRow = typeof securityLoginThrottles.$inferSelect;

/** Active locks, soonest to expire last. */
export async function listLockouts(ctx: AppContext, limit: number, offset: number): Promise<ThrottleRow[]> {
  return ctx.db
    .select()
    .from(T)
    .where(gt(T.lockedUntil, new Date()))
    .orderBy(asc(T.lockedUntil), asc(T.kind), asc(T.key))
    .limit(limit)
    .offset(offset);
}

/** Removes a key's counter; the row it had (to tell whether it was locked), if any. */
export async function unlock(ctx: AppContext, kind: Kind, key: string): Promise<ThrottleRow | undefined> {
  const [row] = await ctx.db
    .delete(T)
    .where(and(eq(T.kind, kind), eq(T.key, key)))
    .returning();
  return row;
}

export function lockoutToWire(r: ThrottleRow): Record<string, unknown> {
  return {
    type: r.kind,
    identifier: r.key,
    identity_id: r.identityId,
    attempts: r.attempts,
    last_ip_address: r.lastIp,
    window_started_at: r.windowStartedAt.toISOString(),
    locked_until: r.lockedUntil?.toISOString() ?? null,
    updated_at: r.updatedAt.toISOString(),
  };
}

/** Deletes counters whose window and lock have both run out. */
export async function purgeThrottles(ctx: AppContext, now = new Date()): Promise<number> {
  const windowStart = new Date(now.getTime() - effectiveBruteForce(ctx).window);
  const gone = await ctx.db
    .delete(T)
    .where(or(and(isNull(T.lockedUntil), lte(T.windowStartedAt, windowStart)), lte(T.lockedUntil, now)))
    .returning({ key: T.key });
  return gone.length;
}
