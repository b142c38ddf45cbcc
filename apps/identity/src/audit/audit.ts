import type { Context } from "hono";
import { and, desc, eq, gte, like, lt, lte, type SQL } from "drizzle-orm";
import type { AppContext } from "../app/context.ts";
import type { DbOrTx } from "../db/client.ts";
import { securityAuditLog } from "../db/security-schema.ts";
import { countAuditEvent } from "../metrics/metrics.ts";
import { uuid } from "../security/random.ts";
import { requestIp } from "../security/ip.ts";

/*
 * The security audit log: append-only rows (the database refuses UPDATE, see the migration), written
 * for sign-ins, lockouts, registrations, verifications, recoveries, settings changes, session
 * revocations and every admin action. Rows never carry secrets: no passwords, codes or tokens.
 */

export type AuditRow = typeof securityAuditLog.$inferSelect;

export interface AuditEvent {
  /** Dotted name, e.g. `login.failed`, `lockout.created`, `admin.identities.delete`. */
  event: string;
  /** An identity id, "admin", "anonymous", or `client:<client_id>` (an OAuth2 client's own action). */
  actor: string;
  target?: string | null;
  metadata?: Record<string, unknown>;
}

const MAX_META_STRING = 500;
// What PostgreSQL refuses in text and jsonb: NUL, and UTF-16 surrogates without their pair.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what has to be found.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A value as it can be stored: a NUL byte or a lone surrogate (from a hostile id or query) becomes
 * U+FFFD, so the row is still written instead of failing the insert and losing the event.
 */
export function storable(s: string): string {
  return s.replace(UNSTORABLE, "\ufffd");
}

function scrub(v: unknown, depth: number): unknown {
  if (typeof v === "string") {
    // Cut first, then clean: a cut through a surrogate pair leaves a lone half, which jsonb refuses.
    return v.length > MAX_META_STRING ? `${storable(v.slice(0, MAX_META_STRING))}…` : storable(v);
  }
  if (depth > 3 || v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => scrub(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[storable(k)] = scrub(x, depth + 1);
  return out;
}

function clampMetadata(meta: Record<string, unknown> | undefined): Record<string, unknown> {
  return meta ? (scrub(meta, 0) as Record<string, unknown>) : {};
}

/**
 * Appends an event, after the action committed (never inside its transaction: a failed insert would
 * abort it). A failure to write is logged and never turns a completed action into an error.
 */
export async function audit(ctx: AppContext, c: Context | undefined, e: AuditEvent): Promise<void> {
  const insert = auditInsert(ctx, c, e);
  if (!insert) return;
  try {
    await insert;
  } catch (err) {
    ctx.log.error("audit log write failed", { event: e.event, error: String(err) });
  }
}

/**
 * The event's INSERT, not yet run (undefined when the log is off), counted in the metrics: for an
 * action that writes its row in the same statement as its own change (a sign-in's session), so the
 * log holds exactly what was committed. Everything else goes through `audit`.
 */
export function auditInsert(ctx: AppContext, c: Context | undefined, e: AuditEvent) {
  countAuditEvent(ctx, e.event, e.metadata);
  if (!ctx.config.security.audit.enabled) return undefined;
  return ctx.db.insert(securityAuditLog).values({
    id: uuid(),
    event: storable(e.event),
    actor: storable(e.actor),
    target: e.target == null ? null : storable(e.target),
    ip: c ? requestIp(c, ctx) : null,
    userAgent: c?.req.header("user-agent")?.slice(0, 512) ?? null,
    metadata: clampMetadata(e.metadata),
    createdAt: new Date(),
  });
}

export interface AuditFilter {
  event?: string;
  actor?: string;
  target?: string;
  since?: Date;
  until?: Date;
}

/** Newest first; `event` ending in `.*` matches a prefix (`login.*`). */
export async function listAudit(
  db: DbOrTx,
  filter: AuditFilter,
  limit: number,
  offset: number,
): Promise<AuditRow[]> {
  const where: SQL[] = [];
  if (filter.event) {
    where.push(
      filter.event.endsWith(".*")
        ? like(securityAuditLog.event, `${filter.event.slice(0, -1).replace(/[\\%_]/g, "\\$&")}%`)
        : eq(securityAuditLog.event, filter.event),
    );
  }
  if (filter.actor) where.push(eq(securityAuditLog.actor, filter.actor));
  if (filter.target) where.push(eq(securityAuditLog.target, filter.target));
  if (filter.since) where.push(gte(securityAuditLog.createdAt, filter.since));
  if (filter.until) where.push(lte(securityAuditLog.createdAt, filter.until));
  return db
    .select()
    .from(securityAuditLog)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(securityAuditLog.createdAt), desc(securityAuditLog.id))
    .limit(limit)
    .offset(offset);
}

/** Deletes rows older than the retention period; returns how many went. */
export async function purgeAudit(ctx: AppContext, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - ctx.config.security.audit.retention);
  const gone = await ctx.db
    .delete(securityAuditLog)
    .where(lt(securityAuditLog.createdAt, cutoff))
    .returning({ id: securityAuditLog.id });
  return gone.length;
}

export function auditToWire(r: AuditRow): Record<string, unknown> {
  return {
    id: r.id,
    event: r.event,
    actor: r.actor,
    target: r.target,
    ip_address: r.ip,
    user_agent: r.userAgent,
    metadata: r.metadata,
    created_at: r.createdAt.toISOString(),
  };
}
