import { createHmac } from "node:crypto";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { AppContext } from "../../app/context.ts";
import type { DbOrTx } from "../../db/client.ts";
import { selfserviceCodes, selfserviceFlows } from "../../db/schema.ts";
import { randomDigits, safeEqual, uuid } from "../../security/random.ts";

/** Kratos' limit: a flow accepts this many code submissions, right or wrong, then refuses. */
export const MAX_CODE_SUBMISSIONS = 5;
export const CODE_LENGTH = 6;

export type VerificationCodeRow = typeof selfserviceCodes.$inferSelect;

// Without a configured secret the HMAC key is public and the hash is no stronger than SHA-256.
const FALLBACK_KEY = "olympus-verification-code";

function keys(ctx: AppContext): string[] {
  return ctx.config.secrets.cookie.length ? ctx.config.secrets.cookie : [FALLBACK_KEY];
}

/** A code's stored form: an HMAC over the flow id and the code, useless for any other flow. */
function hashCode(key: string, flowId: string, code: string): string {
  return createHmac("sha256", key).update(`verification:${flowId}:${code}`).digest("hex");
}

export async function deleteVerificationCodes(db: DbOrTx, flowId: string): Promise<void> {
  await db
    .delete(selfserviceCodes)
    .where(and(eq(selfserviceCodes.flowId, flowId), eq(selfserviceCodes.kind, "verification")));
}

/** Replaces the flow's codes with a fresh one and returns it: the only time it exists in clear. */
export async function storeVerificationCode(
  db: DbOrTx,
  ctx: AppContext,
  input: { flowId: string; identityId: string; address: string },
): Promise<string> {
  await deleteVerificationCodes(db, input.flowId);
  const code = randomDigits(CODE_LENGTH);
  const now = new Date();
  await db.insert(selfserviceCodes).values({
    id: uuid(),
    flowId: input.flowId,
    kind: "verification",
    identityId: input.identityId,
    address: input.address,
    codeHash: hashCode(keys(ctx)[0]!, input.flowId, code),
    expiresAt: new Date(now.getTime() + ctx.config.selfservice.methods.code.lifespan),
    createdAt: now,
  });
  return code;
}

/**
 * Counts one code submission against the flow and returns the new count. One UPDATE is atomic
 * under concurrency (it takes the row lock) and commits on its own, so failed tries always count.
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
export async function consumeVerificationCode(
  db: DbOrTx,
  ctx: AppContext,
  flowId: string,
  code: string,
): Promise<VerificationCodeRow | undefined> {
  const submitted = code.trim();
  if (!/^[0-9]{1,32}$/.test(submitted)) return undefined;
  const now = new Date();
  const rows = await db
    .select()
    .from(selfserviceCodes)
    .where(
      and(
        eq(selfserviceCodes.flowId, flowId),
        eq(selfserviceCodes.kind, "verification"),
        isNull(selfserviceCodes.usedAt),
        gt(selfserviceCodes.expiresAt, now),
      ),
    );
  const candidates = keys(ctx).map((k) => hashCode(k, flowId, submitted));
  const match = rows.find((r) => candidates.some((h) => safeEqual(h, r.codeHash)));
  if (!match) return undefined;
  // The `used_at IS NULL` guard lets only one of two concurrent submissions of the same code win.
  const [used] = await db
    .update(selfserviceCodes)
    .set({ usedAt: now })
    .where(and(eq(selfserviceCodes.id, match.id), isNull(selfserviceCodes.usedAt)))
    .returning();
  return used;
}
