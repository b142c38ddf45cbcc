import { and, eq, sql } from "drizzle-orm";
import type { AppContext } from "../../app/context.ts";
import type { DbOrTx } from "../../db/client.ts";
import { selfserviceFlows } from "../../db/schema.ts";
import { sha256hex } from "../../security/random.ts";
import { type CodeRow, consumeCode, deleteCodes, findCode, storeCode } from "../code/store.ts";

export { countSubmission, MAX_CODE_SUBMISSIONS, CODE_LENGTH, type CodeRow } from "../code/store.ts";

export async function deleteRecoveryCodes(db: DbOrTx, flowId: string): Promise<void> {
  await deleteCodes(db, "recovery", flowId);
}

/** Replaces the flow's recovery codes with a fresh one and returns it (the only time it exists in clear). */
export async function storeRecoveryCode(
  db: DbOrTx,
  ctx: AppContext,
  input: { flowId: string; identityId: string; address: string; lifespanMs: number },
): Promise<string> {
  return storeCode(db, ctx, { kind: "recovery", ...input });
}

/** Finds the flow's unexpired, unused code matching `code` and marks it used; undefined otherwise. */
export async function consumeRecoveryCode(
  db: DbOrTx,
  ctx: AppContext,
  flowId: string,
  code: string,
): Promise<CodeRow | undefined> {
  return consumeCode(db, ctx, "recovery", flowId, code);
}

/** The flow's usable recovery code matching `code`, left unused (for the after hooks). */
export async function findRecoveryCode(
  db: DbOrTx,
  ctx: AppContext,
  flowId: string,
  code: string,
): Promise<CodeRow | undefined> {
  return findCode(db, ctx, "recovery", flowId, code);
}

/** The identity a recovery link token would recover, without consuming it (for the after hooks). */
export async function peekLinkToken(db: DbOrTx, flowId: string, token: string): Promise<string | undefined> {
  if (!token || token.length > 256) return undefined;
  const data = selfserviceFlows.data;
  const [row] = await db
    .select({ identityId: sql<string | null>`${data}->>'link_identity_id'` })
    .from(selfserviceFlows)
    .where(
      and(
        eq(selfserviceFlows.id, flowId),
        eq(selfserviceFlows.kind, "recovery"),
        sql`${data}->>'link_token_hash' = ${sha256hex(token)}`,
      ),
    );
  return row?.identityId ?? undefined;
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
