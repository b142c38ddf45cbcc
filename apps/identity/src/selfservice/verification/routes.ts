import { and, eq, sql } from "drizzle-orm";
import type { Context, Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app/context.ts";
import { audit } from "../../audit/audit.ts";
import { enqueueEmail } from "../../courier/queue.ts";
import { identityVerifiableAddresses } from "../../db/schema.ts";
import { notFoundHandler } from "../../app/http.ts";
import { isJsonRequest, readBody } from "../../http/request.ts";
import { identityToWire, loadIdentity } from "../../identity/repository.ts";
import { normalizeIdentifier } from "../../identity/schemas.ts";
import {
  checkReturnTo,
  expiredFlowResponse,
  fetchFlowForRead,
  fetchFlowForSubmit,
  respondWithFlow,
  str,
} from "../flow/common.ts";
import { followCodeLink } from "../flow/email-link.ts";
import { allMessages, completionHooks, type HookRun } from "../hook/index.ts";
import { queueWebHooks } from "../hook/queue.ts";
import type { FlowRow } from "../flow/repository.ts";
import { text, type UiText } from "../flow/text.ts";
import { addMessage, addNodeMessage, resetMessages, type UiContainer } from "../flow/ui.ts";
import {
  consumeVerificationCode,
  countSubmission,
  deleteVerificationCodes,
  findVerificationCode,
  MAX_CODE_SUBMISSIONS,
  type VerificationCodeRow,
} from "./codes.ts";
import {
  chooseMethodUi,
  createVerificationFlow,
  ensureVerificationEnabled,
  passedUi,
  patchVerificationFlow,
  sendVerificationCode,
  sentEmailUi,
  type VerificationData,
  verificationWire,
} from "./flow.ts";

const emailSchema = z.email().max(320);

async function initVerification(c: Context, ctx: AppContext, type: "browser" | "api"): Promise<Response> {
  ensureVerificationEnabled(ctx);
  const returnTo = checkReturnTo(ctx, c.req.query("return_to"));
  const row = await createVerificationFlow(c, ctx, { type, returnTo, before: true });
  return respondWithFlow(c, ctx, row, verificationWire(c, ctx, row));
}

/** Saves the flow's new UI and answers with it (JSON: `status`; browsers: back to the UI). */
async function answer(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  patch: { state?: string; ui: UiContainer; identityId?: string; data?: Partial<VerificationData> },
  status: 200 | 400,
): Promise<Response> {
  await patchVerificationFlow(ctx.db, row.id, patch);
  const fresh: FlowRow = {
    ...row,
    state: patch.state ?? row.state,
    ui: patch.ui,
    identityId: patch.identityId ?? row.identityId,
    updatedAt: new Date(),
  };
  return respondWithFlow(c, ctx, fresh, verificationWire(c, ctx, fresh), status);
}

/** A fresh flow carrying `message`, for the address and return_to of `old` when there is one. */
function startOver(c: Context, ctx: AppContext, message: UiText | UiText[], old?: FlowRow): Promise<FlowRow> {
  return createVerificationFlow(c, ctx, {
    type: old?.type ?? "browser",
    returnTo: old?.returnTo,
    messages: Array.isArray(message) ? message : [message],
    email: (old?.data as VerificationData | undefined)?.address,
  });
}

/** Starts over with a fresh flow carrying `message`: JSON gets it with 400, browsers are sent to it. */
async function retryWith(
  c: Context,
  ctx: AppContext,
  old: FlowRow,
  message: UiText | UiText[],
): Promise<Response> {
  const fresh = await startOver(c, ctx, message, old);
  return respondWithFlow(c, ctx, fresh, verificationWire(c, ctx, fresh), 400);
}

/** choose_method or resend: mail a code to a known address, and answer the same way for any address. */
async function submitEmail(c: Context, ctx: AppContext, row: FlowRow, rawEmail: string): Promise<Response> {
  if (!emailSchema.safeParse(rawEmail).success) {
    const ui = { ...chooseMethodUi(undefined, rawEmail), action: row.ui.action } as UiContainer;
    addNodeMessage(ui, "email", text.invalidEmail(rawEmail));
    return answer(c, ctx, row, { state: "choose_method", ui }, 400);
  }
  const email = normalizeIdentifier(rawEmail);
  const [known] = await ctx.db
    .select({
      identityId: identityVerifiableAddresses.identityId,
      value: identityVerifiableAddresses.value,
    })
    .from(identityVerifiableAddresses)
    .where(and(eq(identityVerifiableAddresses.via, "email"), eq(identityVerifiableAddresses.value, email)))
    .limit(1);
  const ui = { ...sentEmailUi(rawEmail), action: row.ui.action } as UiContainer;
  await ctx.db.transaction(async (tx) => {
    // A resend invalidates the codes sent before; the flow's submission count stays.
    await deleteVerificationCodes(tx, row.id);
    if (known) {
      await sendVerificationCode(tx, ctx, {
        flowId: row.id,
        identityId: known.identityId,
        address: known.value,
        acceptLanguage: c.req.header("accept-language"),
      });
    } else {
      // Same answer as for a known address (no enumeration); the owner learns someone tried.
      await enqueueEmail(
        tx,
        ctx,
        "verification_code_invalid",
        email,
        { to: email },
        { acceptLanguage: c.req.header("accept-language") },
      );
    }
    await patchVerificationFlow(tx, row.id, { state: "sent_email", ui, data: { address: email } });
  });
  ctx.notifyCourier();
  const fresh: FlowRow = { ...row, state: "sent_email", ui, updatedAt: new Date() };
  return respondWithFlow(c, ctx, fresh, verificationWire(c, ctx, fresh));
}

/**
 * The after-verification web hooks for the identity a right code verifies an address of (Kratos runs
 * them once the address is verified; here before it is written): the receiver sees the identity with
 * that address verified. An identity or address that is gone runs none: the code then fails anyway.
 */
async function verificationWebHooks(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  right: VerificationCodeRow | undefined,
): Promise<HookRun> {
  const none: HookRun = { type: "ok", changes: {}, deferred: [] };
  const identity = right?.identityId ? await loadIdentity(ctx.db, right.identityId) : undefined;
  if (!identity) return none;
  const wire = identityToWire(ctx, identity);
  const now = new Date().toISOString();
  let found = false;
  const addresses = (wire.verifiable_addresses as Record<string, unknown>[]).map((a) => {
    if (a.via !== "email" || a.value !== right!.address) return a;
    found = true;
    return { ...a, verified: true, status: "completed", verified_at: a.verified_at ?? now };
  });
  if (!found) return none;
  return completionHooks(c, ctx, {
    flow: "verification",
    row,
    wire: verificationWire(c, ctx, row),
    identity: { ...wire, verifiable_addresses: addresses },
  });
}

/**
 * A code: every submission is counted (atomically, before the code is even looked at), so no
 * amount of concurrency gets more than MAX_CODE_SUBMISSIONS guesses out of one flow.
 */
async function submitCode(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  code: string,
  via: "form" | "link" = "form",
): Promise<Response> {
  const count = await countSubmission(ctx.db, row.id);
  if (count > MAX_CODE_SUBMISSIONS) {
    await deleteVerificationCodes(ctx.db, row.id);
    return retryWith(c, ctx, row, text.tooManyAttempts());
  }
  const hooked = await verificationWebHooks(
    c,
    ctx,
    row,
    await findVerificationCode(ctx.db, ctx, row.id, code),
  );
  if (hooked.type === "failed") {
    // Refused: nothing is verified, the flow's codes are void, and a new flow says why (as Kratos retries).
    await deleteVerificationCodes(ctx.db, row.id);
    return retryWith(c, ctx, row, allMessages(hooked));
  }
  const passed = passedUi(ctx, row);
  const verified = await ctx.db.transaction(async (tx) => {
    const used = await consumeVerificationCode(tx, ctx, row.id, code);
    if (!used?.identityId) return undefined;
    const now = new Date();
    const [address] = await tx
      .update(identityVerifiableAddresses)
      .set({
        verified: true,
        status: "completed",
        verifiedAt: sql`coalesce(${identityVerifiableAddresses.verifiedAt}, ${now.toISOString()}::timestamptz)`,
        updatedAt: now,
      })
      .where(
        and(
          eq(identityVerifiableAddresses.identityId, used.identityId),
          eq(identityVerifiableAddresses.via, "email"),
          eq(identityVerifiableAddresses.value, used.address),
        ),
      )
      .returning({ id: identityVerifiableAddresses.id });
    // The address left the identity's traits since the code was sent: nothing left to verify.
    if (!address) return undefined;
    await patchVerificationFlow(tx, row.id, {
      state: "passed_challenge",
      ui: passed,
      identityId: used.identityId,
    });
    await queueWebHooks(tx, ctx, hooked.deferred);
    return used.identityId;
  });
  if (verified && hooked.deferred.length) ctx.notifyCourier();
  if (!verified) {
    const ui = resetMessages(row.ui);
    addMessage(ui, text.verificationCodeInvalid());
    return answer(c, ctx, row, { ui }, 200);
  }
  await audit(ctx, c, { event: "verification.succeeded", actor: verified, target: verified });
  // A followed link goes on to the flow's return_to when it has one (else the UI shows success).
  if (via === "link" && row.returnTo && !isJsonRequest(c)) return c.redirect(row.returnTo, 303);
  const fresh: FlowRow = {
    ...row,
    state: "passed_challenge",
    ui: passed,
    identityId: verified,
    updatedAt: new Date(),
  };
  return respondWithFlow(c, ctx, fresh, verificationWire(c, ctx, fresh));
}

async function submitVerification(c: Context, ctx: AppContext): Promise<Response> {
  ensureVerificationEnabled(ctx);
  const body = await readBody(c);
  const row = await fetchFlowForSubmit(c, ctx, "verification", body);
  if (row.expiresAt <= new Date()) {
    const message = text.verificationExpired(row.expiresAt);
    const fresh = await createVerificationFlow(c, ctx, {
      type: row.type,
      returnTo: row.returnTo,
      messages: [message],
    });
    return expiredFlowResponse(c, ctx, row, fresh, message);
  }
  const method = str(body, "method");
  if (method !== undefined && method !== "code") {
    const ui = resetMessages(row.ui);
    addMessage(ui, text.verificationNoStrategy());
    return answer(c, ctx, row, { ui }, 400);
  }
  if (row.state === "passed_challenge") return retryWith(c, ctx, row, text.verificationAlreadyCompleted());
  const code = str(body, "code")?.trim();
  if (code) return submitCode(c, ctx, row, code);
  // A flow whose guesses are used up cannot take a new code either: start over.
  if (((row.data as VerificationData).submit_count ?? 0) >= MAX_CODE_SUBMISSIONS) {
    return retryWith(c, ctx, row, text.tooManyAttempts());
  }
  const email = str(body, "email")?.trim();
  if (email) return submitEmail(c, ctx, row, email);
  const ui = resetMessages(row.ui);
  if (row.state === "sent_email") addNodeMessage(ui, "code", text.validationRequired("code"));
  else addNodeMessage(ui, "email", text.validationRequired("email"));
  return answer(c, ctx, row, { ui }, 400);
}

export function registerVerificationRoutes(app: Hono, ctx: AppContext): void {
  app.get("/self-service/verification/browser", (c) => initVerification(c, ctx, "browser"));
  app.get("/self-service/verification/api", (c) => initVerification(c, ctx, "api"));
  app.get("/self-service/verification/flows", async (c) => {
    ensureVerificationEnabled(ctx);
    const row = await fetchFlowForRead(c, ctx, "verification");
    return c.json(verificationWire(c, ctx, row));
  });
  app.post("/self-service/verification", (c) => submitVerification(c, ctx));
  // The link in verification emails (…?flow=&code=); without a code there is nothing here.
  app.get("/self-service/verification", async (c) => {
    if (!c.req.query("code")?.trim()) return notFoundHandler(c);
    ensureVerificationEnabled(ctx);
    const followed = await followCodeLink(c, ctx, "verification", {
      submitCode: (row, code) => submitCode(c, ctx, row, code, "link"),
      startOver: (message, old) => startOver(c, ctx, message, old),
      wire: (row) => verificationWire(c, ctx, row),
      unknownFlow: text.verificationCodeInvalid,
      expired: text.verificationExpired,
      alreadyCompleted: text.verificationAlreadyCompleted,
      codeInvalid: text.verificationCodeInvalid,
    });
    return followed ?? notFoundHandler(c);
  });
}
