import { createHmac } from "node:crypto";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { AppContext } from "../../app/context.ts";
import type { DbOrTx } from "../../db/client.ts";
import { selfserviceCodes, selfserviceFlows } from "../../db/schema.ts";
import { randomDigits, safeEqual, uuid } from "../../security/random.ts";

/**
 * One-time codes of self-service flows, one store for every kind: recovery and verification codes,
 * and the `code` method's login and registration codes. A code belongs to one flow: only its HMAC
 * over the flow id (and the kind) is stored, so a stored hash, or a code, is useless for any other flow.
 */
export type CodeKind = (typeof selfserviceCodes.$inferInsert)["kind"];
export type CodeRow = typeof selfserviceCodes.$inferSelect;

/** Kratos' limit: a flow accepts this many code submissions, right or wrong, then refuses. */
export const MAX_CODE_SUBMISSIONS = 5;
export const CODE_LENGTH = 6;

// Without a configured secret the HMAC key is public and the hash is no stronger than SHA-256.
const FALLBACK_KEYS: Record<CodeKind, string> = {
  recovery: "olympus-selfservice-code",
  verification: "olympus-verification-code",
  login: "olympus-login-code",
  registration: "olympus-registration-code",
};

function keys(ctx: AppContext, kind: CodeKind): string[] {
  return ctx.config.secrets.cookie.length ? ctx.config.secrets.cookie : [FALLBACK_KEYS[kind]];
}

/**
 * A code's stored form. Recovery codes keep their original message (`flow:code`) so codes issued
 * before this store existed stay valid; every other kind names itself in the message.
 */
export function hashCode(kind: CodeKind, key: string, flowId: string, code: string): string {
  const message = kind === "recovery" ? `${flowId}:${code}` : `${kind}:${flowId}:${code}`;
  return createHmac("sha256", key).update(message).digest("hex");
}

export async function deleteCodes(db: DbOrTx, kind: CodeKind, flowId: string): Promise<void> {
  await db
    .delete(selfserviceCodes)
    .where(and(eq(selfserviceCodes.flowId, flowId), eq(selfserviceCodes.kind, kind)));
}

/** Replaces the flow's codes of this kind with a fresh one and returns it (the only time it is in clear). */
export async function storeCode(
  db: DbOrTx,
  ctx: AppContext,
  input: {
    kind: CodeKind;
    flowId: string;
    /** Absent for a registration code: the identity does not exist yet. */
    identityId?: string | null;
    address: string;
    lifespanMs: number;
  },
): Promise<string> {
  await deleteCodes(db, input.kind, input.flowId);
  const code = randomDigits(CODE_LENGTH);
  const now = new Date();
  await db.insert(selfserviceCodes).values({
    id: uuid(),
    flowId: input.flowId,
    kind: input.kind,
    identityId: input.identityId ?? null,
    address: input.address,
    codeHash: hashCode(input.kind, keys(ctx, input.kind)[0]!, input.flowId, code),
    expiresAt: new Date(now.getTime() + input.lifespanMs),
    createdAt: now,
  });
  return code;
}

/** The newest unexpired, unused code of the flow (what a resend cool-down is measured from). */
export async function latestCode(db: DbOrTx, kind: CodeKind, flowId: string): Promise<CodeRow | undefined> {
  const rows = await db
    .select()
    .from(selfserviceCodes)
    .where(and(eq(selfserviceCodes.flowId, flowId), eq(selfserviceCodes.kind, kind)));
  return rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
}

/**
 * Counts one code submission against the flow and returns the new count. A single UPDATE is atomic
 * under concurrency (row lock), and it commits on its own so that failed attempts always count.
 */
export async function countSubmission(db: DbOrTx, flowId: string): Promise<number> {
  const data = selfserviceFlows.data;
  const [row] = await db
    .update(selfserviceFlows)
    .set({
      data: sql`jsonb_set(${data}, '{submit_count}', to_jsonb(coalesce((${data}->>'submit_count')::int, 0) + 1))`,
    })
    .where(eq(selfserviceFlows.id, flowId))
    .returning({ n: sql<number>`(${data}->>'submit_count')::int` });
  return row ? Number(row.n) : Number.POSITIVE_INFINITY;
}

/**
 * The flow's unexpired, unused code of this kind matching `code`, without using it (after hooks are
 * shown whom a right code would complete the flow for); undefined otherwise.
 */
export async function findCode(
  db: DbOrTx,
  ctx: AppContext,
  kind: CodeKind,
  flowId: string,
  code: string,
): Promise<CodeRow | undefined> {
  const submitted = code.trim();
  if (!/^[0-9]{1,32}$/.test(submitted)) return undefined;
  const now = new Date();
  const rows = await db
    .select()
    .from(selfserviceCodes)
    .where(
      and(
        eq(selfserviceCodes.flowId, flowId),
        eq(selfserviceCodes.kind, kind),
        isNull(selfserviceCodes.usedAt),
        gt(selfserviceCodes.expiresAt, now),
      ),
    );
  const candidates = keys(ctx, kind).map((k) => hashCode(kind, k, flowId, submitted));
  return rows.find((r) => candidates.some((h) => safeEqual(h, r.codeHash)));
}

/**
 * Finds the flow's unexpired, unused code of this kind matching `code` and marks it used; undefined
 * otherwise (wrong, expired, used, or issued for another flow or kind).
 */
export async function consumeCode(
  db: DbOrTx,
  ctx: AppContext,
  kind: CodeKind,
  flowId: string,
  code: string,
): Promise<CodeRow | undefined> {
  const match = await findCode(db, ctx, kind, flowId, code);
  if (!match) return undefined;
  const now = new Date();
  // The `used_at IS NULL` guard makes two concurrent submissions of the same code succeed once.
  const [used] = await db
    .update(selfserviceCodes)
    .set({ usedAt: now })
    .where(and(eq(selfserviceCodes.id, match.id), isNull(selfserviceCodes.usedAt)))
    .returning();
  return used;
}
