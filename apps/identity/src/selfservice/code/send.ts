import type { AppContext } from "../../app/context.ts";
import type { DbOrTx } from "../../db/client.ts";
import { enqueueEmail, enqueueSms } from "../../courier/queue.ts";
import { type CodeKind, latestCode, storeCode } from "./store.ts";
import type { CodeAddress } from "./credential.ts";

/** How many codes one flow sends at most (first send and resends); a new flow starts over. */
export const MAX_CODES_PER_FLOW = 5;

/** Seconds until the flow may send another code; 0 when it may now. */
export async function cooldownLeft(db: DbOrTx, ctx: AppContext, kind: CodeKind, flowId: string) {
  const latest = await latestCode(db, kind, flowId);
  if (!latest) return 0;
  const wait = ctx.config.selfservice.methods.code.config.resend_cooldown;
  const left = latest.createdAt.getTime() + wait - Date.now();
  return left > 0 ? Math.ceil(left / 1000) : 0;
}

/**
 * Stores a fresh login or registration code for the flow and queues it to the address, by email or
 * by SMS (courier channel `sms`), in the caller's transaction. `deliver: false` stores a code that
 * is sent nowhere and can never sign anyone in (an unknown identifier): the flow answers exactly as
 * for a known one, so the answer does not tell which accounts exist.
 */
export async function sendCode(
  tx: DbOrTx,
  ctx: AppContext,
  input: {
    kind: "login" | "registration";
    flowId: string;
    identityId?: string | null;
    to: CodeAddress;
    deliver: boolean;
    acceptLanguage?: string | null;
  },
): Promise<void> {
  const code = await storeCode(tx, ctx, {
    kind: input.kind,
    flowId: input.flowId,
    identityId: input.deliver ? (input.identityId ?? null) : null,
    address: input.to.address,
    lifespanMs: ctx.config.selfservice.methods.code.lifespan,
  });
  if (!input.deliver) return;
  const audience = { identityId: input.identityId ?? undefined, acceptLanguage: input.acceptLanguage };
  const to = input.to.address;
  if (input.kind === "login") {
    if (input.to.channel === "sms") {
      await enqueueSms(tx, ctx, "login_code_valid", to, { login_code: code, to }, audience);
    } else {
      await enqueueEmail(tx, ctx, "login_code_valid", to, { login_code: code, to }, audience);
    }
  } else if (input.to.channel === "sms") {
    await enqueueSms(tx, ctx, "registration_code_valid", to, { registration_code: code, to }, audience);
  } else {
    await enqueueEmail(tx, ctx, "registration_code_valid", to, { registration_code: code, to }, audience);
  }
}
