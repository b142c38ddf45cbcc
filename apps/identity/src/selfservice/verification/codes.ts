import type { AppContext } from "../../app/context.ts";
import type { DbOrTx } from "../../db/client.ts";
import { type CodeRow, consumeCode, deleteCodes, findCode, storeCode } from "../code/store.ts";

export { countSubmission, MAX_CODE_SUBMISSIONS, CODE_LENGTH } from "../code/store.ts";
export type VerificationCodeRow = CodeRow;

export async function deleteVerificationCodes(db: DbOrTx, flowId: string): Promise<void> {
  await deleteCodes(db, "verification", flowId);
}

/** Replaces the flow's codes with a fresh one and returns it: the only time it exists in clear. */
export async function storeVerificationCode(
  db: DbOrTx,
  ctx: AppContext,
  input: { flowId: string; identityId: string; address: string },
): Promise<string> {
  return storeCode(db, ctx, {
    kind: "verification",
    ...input,
    lifespanMs: ctx.config.selfservice.methods.code.lifespan,
  });
}

/** The flow's usable verification code matching `code`, left unused (for the after hooks). */
export async function findVerificationCode(
  db: DbOrTx,
  ctx: AppContext,
  flowId: string,
  code: string,
): Promise<VerificationCodeRow | undefined> {
  return findCode(db, ctx, "verification", flowId, code);
}

/** Finds the flow's unexpired, unused code matching `code` and marks it used; undefined otherwise. */
export async function consumeVerificationCode(
  db: DbOrTx,
  ctx: AppContext,
  flowId: string,
  code: string,
): Promise<VerificationCodeRow | undefined> {
  return consumeCode(db, ctx, "verification", flowId, code);
}
