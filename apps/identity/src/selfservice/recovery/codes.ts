import { createHmac } from "node:crypto";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { AppContext } from "../../app/context.ts";
import type { DbOrTx } from "../../db/client.ts";
import { selfserviceCodes, selfserviceFlows } from "../../db/schema.ts";
import { randomDigits, safeEqual, sha256hex, uuid } from "../../security/random.ts";

/** Kratos' limit: a flow accepts this many code submissions, right or wrong, then refuses. */
export const MAX_CODE_SUBMISSIONS = 5;
export const CODE_LENGTH = 6;

export type CodeRow = typeof selfserviceCodes.$inferSelect;

// Without a configured secret the HMAC key is public and the hash is no stronger than SHA-256.
const FALLBACK_KEY = "olympus-selfservice-code";

function keys(ctx: AppContext): string[] {
  return ctx.config.secrets.cookie.length ? ctx.config.secrets.cookie : [FALLBACK_KEY];
}

/** A code's stored form: HMAC over the flow id and the code, so a hash is useless for any other flow. */
export function hashCode(key: string, flowId: string, code: string): string {
  return createHmac("sha256", key).update(`${flowId}:${code}`).digest("hex");
}

export async function deleteRecoveryCodes(db: DbOrTx, flowId: string): Promise<void> {
  await db
    .delete(selfserviceCodes)
    .where(and(eq(selfserviceCodes.flowId, flowId), eq(selfserviceCodes.kind, "recovery")));
}

/** Replaces the flow's recovery codes with a fresh one and returns it (the only time it exists in clear). */
export async function storeRecoveryCode(
  db: DbOrTx,
  ctx: AppContext,
  input: { flowId: string; identityId: string; address: string; lifespanMs: number },
): Promise<string> {
  await deleteRecoveryCodes(db, input.flowId);
  const code = randomDigits(CODE_LENGTH);
  const now = new Date();
  await db.insert(selfserviceCodes).values({
    id: uuid(),
    flowId: input.flowId,
    kind: "recovery",
    identityId: input.identityId,
    address: input.address,
    codeHash: hashCode(keys(ctx)[0]!, input.flowId, code),
    expiresAt: new Date(now.getTime() + input.lifespanMs),
    createdAt: now,
  });
  return code;
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

/** Finds the flow's unexpired, unused code matching `code` and marks it used; undefined otherwise. */
export async function consumeRecoveryCode(
  db: DbOrTx,
  ctx: AppContext,
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
        eq(selfserviceCodes.kind, "recovery"),
        isNull(selfserviceCodes.usedAt),
        gt(selfserviceCodes.expiresAt, now),
      ),
    );
  const candidates = keys(ctx).map((k) => hashCode(k, flowId, submitted));
  const match = rows.find((r) => candidates.some((h) => safeEqual(h, r.codeHash)));
  if (!match) return undefined;
  // The `used_at IS NULL` guard makes two concurrent submissions of the same code succeed once.
  const [used] = await db
    .update(selfserviceCodes)
    .set({ usedAt: now })
    .where(and(eq(selfserviceCodes.id, match.id), isNull(selfserviceCodes.usedAt)))
    .returning();
  return used;
}

/** Consumes a recovery link token stored (hashed) on the flow; returns the identity it recovers. */
export async function consumeLinkToken(
  db: DbOrTx,
  flowId: string,
  token: string,
): Promise<string | undefined> {
  if (!token || token.length > 256) return undefined;
  const data = selfserviceFlows.data;
  const [row] = await db
    .update(selfserviceFlows)
    .set({ data: sql`${data} - 'link_token_hash'`, updatedAt: new Date() })
    .where(
      and(
        eq(selfserviceFlows.id, flowId),
        eq(selfserviceFlows.kind, "recovery"),
        sql`${data}->>'link_token_hash' = ${sha256hex(token)}`,
      ),
    )
    .returning({ identityId: sql<string | null>`${data}->>'link_identity_id'` });
  return row?.identityId ?? undefined;
}

/** Merges keys into a flow's data without overwriting keys written concurrently (e.g. submit_count). */
export function mergeData(patch: Record<string, unknown>) {
  return sql`${selfserviceFlows.data} || ${JSON.stringify(patch)}::jsonb`;
}
