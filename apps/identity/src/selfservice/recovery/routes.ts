import type { Context, Hono } from "hono";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { AppContext } from "../../app/context.ts";
import { urlJoin } from "../../app/runtime.ts";
import { enqueueEmail } from "../../courier/queue.ts";
import { identities, identityRecoveryAddresses } from "../../db/schema.ts";
import { badRequest, notFound, OryError } from "../../errors/index.ts";
import { isJsonRequest, readBody } from "../../http/request.ts";
import { normalizeIdentifier } from "../../identity/schemas.ts";
import { verifyCsrfCookie, verifyCsrfToken } from "../../security/csrf.ts";
import { currentSession } from "../../session/session.ts";
import { checkReturnTo, expiredFlowResponse, respondWithFlow, str } from "../flow/common.ts";
import { codeLink, followCodeLink } from "../flow/email-link.ts";
import { type FlowRow, findFlow } from "../flow/repository.ts";
import { text } from "../flow/text.ts";
import { addMessage, addNodeMessage, resetMessages, type UiContainer } from "../flow/ui.ts";
import { audit } from "../../audit/audit.ts";
import { verifyCaptcha } from "../../security/captcha.ts";
import {
  consumeLinkToken,
  consumeRecoveryCode,
  countSubmission,
  deleteRecoveryCodes,
  findRecoveryCode,
  MAX_CODE_SUBMISSIONS,
  peekLinkToken,
  storeRecoveryCode,
} from "./codes.ts";
import {
  chooseMethodUi,
  completeRecovery,
  createRecoveryFlow,
  ensureRecoveryEnabled,
  patchRecoveryFlow,
  recoveryAlreadyLoggedIn,
  recoveryWebHooks,
  recoveryWire,
  refusedRecovery,
  respondRecovered,
  retryWith,
  sentEmailUi,
} from "./flow.ts";

const emailSchema = z.email().max(320);

async function initRecovery(c: Context, ctx: AppContext, type: "browser" | "api"): Promise<Response> {
  ensureRecoveryEnabled(ctx);
  const returnTo = checkReturnTo(ctx, c.req.query("return_to"));
  if (await currentSession(c, ctx)) {
    if (type === "browser" && !isJsonRequest(c)) {
      return c.redirect(returnTo ?? ctx.config.selfservice.default_browser_return_url, 303);
    }
    throw recoveryAlreadyLoggedIn();
  }
  const row = await createRecoveryFlow(c, ctx, { type, returnTo, before: true });
  return respondWithFlow(c, ctx, row, recoveryWire(c, ctx, row));
}

async function getRecovery(c: Context, ctx: AppContext): Promise<Response> {
  ensureRecoveryEnabled(ctx);
  const row = await findFlow(ctx.db, "recovery", c.req.query("id"));
  if (!row) throw notFound("The recovery flow could not be found.");
  // Flows an administrator created are opened in a browser that has no CSRF cookie yet; rendering
  // the flow sets one, and every submission is checked against it.
  if (row.type === "browser" && row.csrfHash) verifyCsrfCookie(c, ctx.rt, row.csrfHash);
  if (row.expiresAt <= new Date()) {
    throw new OryError(410, "self-service flow expired", {
      id: "self_service_flow_expired",
      reason:
        "The recovery flow has expired. Redirect the user to the recovery flow init endpoint to initialize a new recovery flow.",
      details: { redirect_to: urlJoin(ctx.rt.publicBaseUrl, "self-service/recovery/browser") },
      extra: { expired_at: row.expiresAt.toISOString(), since: Date.now() - row.expiresAt.getTime() },
    });
  }
  return c.json(recoveryWire(c, ctx, row));
}

async function fail(c: Context, ctx: AppContext, row: FlowRow, ui: UiContainer, status: 200 | 400) {
  await patchRecoveryFlow(ctx.db, row.id, { ui });
  const fresh = { ...row, ui, updatedAt: new Date() };
  return respondWithFlow(c, ctx, fresh, recoveryWire(c, ctx, fresh), status);
}

/** choose_method (or resend): mail a code to a known address, and answer the same way for any address. */
async function submitEmail(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  rawEmail: string | undefined,
  body: Record<string, unknown>,
): Promise<Response> {
  if (await currentSession(c, ctx)) {
    if (row.type === "browser" && !isJsonRequest(c)) {
      return c.redirect(ctx.config.selfservice.default_browser_return_url, 303);
    }
    throw recoveryAlreadyLoggedIn();
  }
  if (!rawEmail) {
    const failed = { ...chooseMethodUi(), action: row.ui.action } as UiContainer;
    addNodeMessage(failed, "email", text.validationRequired("email"));
    return fail(c, ctx, row, failed, 400);
  }
  if (!emailSchema.safeParse(rawEmail).success) {
    const failed = { ...chooseMethodUi(), action: row.ui.action } as UiContainer;
    failed.nodes.find((n) => n.attributes.name === "email")!.attributes.value = rawEmail;
    addNodeMessage(failed, "email", text.invalidEmail(rawEmail));
    return fail(c, ctx, row, failed, 400);
  }
  const captcha = await verifyCaptcha(ctx, c, "recovery", body);
  if (captcha) {
    const failed = resetMessages(row.ui);
    addMessage(failed, captcha);
    return fail(c, ctx, row, failed, 400);
  }
  const email = normalizeIdentifier(rawEmail);
  const [known] = await ctx.db
    .select({ identityId: identityRecoveryAddresses.identityId, value: identityRecoveryAddresses.value })
    .from(identityRecoveryAddresses)
    .innerJoin(identities, eq(identities.id, identityRecoveryAddresses.identityId))
    .where(
      and(
        eq(identityRecoveryAddresses.via, "email"),
        eq(identityRecoveryAddresses.value, email),
        eq(identities.state, "active"),
      ),
    )
    .limit(1);
  const next = { ...sentEmailUi(rawEmail), action: row.ui.action } as UiContainer;
  await ctx.db.transaction(async (tx) => {
    // A resend invalidates the codes sent before; the submission count of the flow stays.
    await deleteRecoveryCodes(tx, row.id);
    if (known) {
      const code = await storeRecoveryCode(tx, ctx, {
        flowId: row.id,
        identityId: known.identityId,
        address: known.value,
        lifespanMs: ctx.config.selfservice.methods.code.lifespan,
      });
      await enqueueEmail(
        tx,
        ctx,
        "recovery_code_valid",
        known.value,
        {
          recovery_code: code,
          // Only a browser flow gets a link: it works in the browser that asked (email-link.ts).
          ...(row.type === "browser" ? { recovery_url: codeLink(ctx, "recovery", row.id, code) } : {}),
          to: known.value,
        },
        { identityId: known.identityId, acceptLanguage: c.req.header("accept-language") },
      );
    } else if (ctx.config.selfservice.flows.recovery.notify_unknown_recipients) {
      await enqueueEmail(
        tx,
        ctx,
        "recovery_code_invalid",
        email,
        { to: email },
        { acceptLanguage: c.req.header("accept-language") },
      );
    }
    await patchRecoveryFlow(tx, row.id, { state: "sent_email", ui: next, data: { address: email } });
  });
  ctx.notifyCourier();
  const fresh = { ...row, state: "sent_email", ui: next, updatedAt: new Date() };
  return respondWithFlow(c, ctx, fresh, recoveryWire(c, ctx, fresh));
}

/** sent_email: at most MAX_CODE_SUBMISSIONS tries per flow, counted before the code is even looked at. */
async function submitCode(c: Context, ctx: AppContext, row: FlowRow, ui: UiContainer, code: string) {
  const count = await countSubmission(ctx.db, row.id);
  if (count > MAX_CODE_SUBMISSIONS) return retryWith(c, ctx, row, text.tooManyAttempts());
  const right = await findRecoveryCode(ctx.db, ctx, row.id, code);
  const hooked = await recoveryWebHooks(c, ctx, row, right?.identityId);
  if (hooked.type === "failed") return refusedRecovery(c, ctx, row, hooked);
  const done = await completeRecovery(
    c,
    ctx,
    row,
    "code_recovery",
    async (tx) => {
      const used = await consumeRecoveryCode(tx, ctx, row.id, code);
      if (!used?.identityId) return undefined;
      // Codes an administrator created prove nothing about an address.
      return { identityId: used.identityId, verifyAddress: used.address || undefined };
    },
    hooked.deferred,
  );
  if (done.status === "invalid") {
    addMessage(ui, text.recoveryCodeInvalid());
    return fail(c, ctx, row, ui, 200);
  }
  if (done.status === "disabled") return retryWith(c, ctx, row, text.accountDisabled());
  await audit(ctx, c, {
    event: "recovery.succeeded",
    actor: done.session.row.identityId,
    target: done.session.row.identityId,
    metadata: {
      method: "code",
      revoked_sessions: done.revoked.length,
      ...(done.removedCredentials.length ? { removed_credentials: done.removedCredentials } : {}),
    },
  });
  return respondRecovered(c, ctx, done);
}

async function submitRecovery(c: Context, ctx: AppContext): Promise<Response> {
  ensureRecoveryEnabled(ctx);
  const body = await readBody(c);
  const row = await findFlow(ctx.db, "recovery", c.req.query("flow"));
  if (!row) throw notFound("The recovery flow could not be found.");
  if (row.type === "browser") verifyCsrfToken(c, ctx.rt, row.csrfHash, body.csrf_token);
  if (row.expiresAt <= new Date()) {
    const message = text.recoveryExpired(row.expiresAt);
    const fresh = await createRecoveryFlow(c, ctx, {
      type: row.type,
      returnTo: row.returnTo,
      messages: [message],
    });
    return expiredFlowResponse(c, ctx, row, fresh, message);
  }
  const ui = resetMessages(row.ui);
  const method = str(body, "method");
  if (method !== undefined && method !== "code") {
    addMessage(ui, text.recoveryNoStrategy());
    return fail(c, ctx, row, ui, 400);
  }
  if (row.state === "passed_challenge") return retryWith(c, ctx, row, text.recoveryAlreadyCompleted());
  const email = str(body, "email")?.trim();
  if (row.state === "sent_email" && !email) return submitCode(c, ctx, row, ui, str(body, "code") ?? "");
  return submitEmail(c, ctx, row, email, body);
}

/**
 * GET …?flow=&code=: the link in recovery emails, a code submission like the form's (signs in and
 * lands on settings). GET …?flow=&token=: the one-time link an administrator handed out.
 */
async function useLink(c: Context, ctx: AppContext): Promise<Response> {
  ensureRecoveryEnabled(ctx);
  const followed = await followCodeLink(c, ctx, "recovery", {
    submitCode: (row, code) => submitCode(c, ctx, row, resetMessages(row.ui), code),
    startOver: (message, old) =>
      createRecoveryFlow(c, ctx, { type: "browser", returnTo: old?.returnTo, messages: [message] }),
    wire: (row) => recoveryWire(c, ctx, row),
    unknownFlow: text.recoveryCodeInvalid,
    expired: text.recoveryExpired,
    alreadyCompleted: text.recoveryAlreadyCompleted,
    codeInvalid: text.recoveryCodeInvalid,
    sameBrowserOnly: text.recoveryLinkOtherBrowser,
  });
  if (followed) return followed;
  const token = c.req.query("token");
  if (!token) throw badRequest("The recovery link is missing its token.");
  const row = await findFlow(ctx.db, "recovery", c.req.query("flow"));
  const startOver = async (message: Parameters<typeof retryWith>[3]) => {
    const fresh = await createRecoveryFlow(c, ctx, { type: "browser", messages: [message] });
    return respondWithFlow(c, ctx, fresh, recoveryWire(c, ctx, fresh), 400);
  };
  if (!row) return startOver(text.recoveryTokenInvalid());
  if (row.expiresAt <= new Date()) return startOver(text.recoveryExpired(row.expiresAt));
  const hooked = await recoveryWebHooks(c, ctx, row, await peekLinkToken(ctx.db, row.id, token));
  if (hooked.type === "failed") return refusedRecovery(c, ctx, { ...row, type: "browser" }, hooked);
  const done = await completeRecovery(
    c,
    ctx,
    row,
    "link_recovery",
    async (tx) => {
      const identityId = await consumeLinkToken(tx, row.id, token);
      return identityId ? { identityId } : undefined;
    },
    hooked.deferred,
  );
  if (done.status === "invalid") return startOver(text.recoveryTokenInvalid());
  if (done.status === "disabled") return startOver(text.accountDisabled());
  await audit(ctx, c, {
    event: "recovery.succeeded",
    actor: done.session.row.identityId,
    target: done.session.row.identityId,
    metadata: {
      method: "link",
      revoked_sessions: done.revoked.length,
      ...(done.removedCredentials.length ? { removed_credentials: done.removedCredentials } : {}),
    },
  });
  return respondRecovered(c, ctx, done);
}

export function registerRecoveryRoutes(app: Hono, ctx: AppContext): void {
  app.get("/self-service/recovery/browser", (c) => initRecovery(c, ctx, "browser"));
  app.get("/self-service/recovery/api", (c) => initRecovery(c, ctx, "api"));
  app.get("/self-service/recovery/flows", (c) => getRecovery(c, ctx));
  app.post("/self-service/recovery", (c) => submitRecovery(c, ctx));
  app.get("/self-service/recovery", (c) => useLink(c, ctx));
}
