import { queueWebHooks, registrationHooks, showRefusal } from "../../hook/index.ts";
import type { Context } from "hono";
import type { AppContext } from "../../../app/context.ts";
import { OryError } from "../../../errors/index.ts";
import { isJsonRequest } from "../../../http/request.ts";
import { createIdentity, identityToWire, loadIdentity } from "../../../identity/repository.ts";
import { audit } from "../../../audit/audit.ts";
import { verifyCaptcha } from "../../../security/captcha.ts";
import { issueSession, sessionToWire, setSessionCookie } from "../../../session/session.ts";
import { respondWithFlow, str } from "../../flow/common.ts";
import { type FlowRow, updateFlow } from "../../flow/repository.ts";
import { text } from "../../flow/text.ts";
import {
  coerceTraits,
  enforceReadOnly,
  readOnlyErrorsToUi,
  schemaErrorsToUi,
  traitNodes,
} from "../../flow/traits.ts";
import {
  addMessage,
  addNodeMessage,
  csrfNode,
  inputNode,
  type UiContainer,
  type UiNode,
} from "../../flow/ui.ts";
import { passwordlessEnabled } from "../../code/credential.ts";
import { cooldownLeft, MAX_CODES_PER_FLOW, sendCode } from "../../code/send.ts";
import { consumeCode, countSubmission, MAX_CODE_SUBMISSIONS } from "../../code/store.ts";
import { codeText } from "../../code/text.ts";

/*
 * Sign-up with a one-time code, no password (Kratos' `code` registration): `method=code` with the
 * traits sends a code to the trait marked `credentials.code.identifier` (email or, with `via: sms`,
 * a phone number) and moves the flow to `sent_email`, the traits kept on the flow and shown hidden;
 * `method=code` with the right `code` creates the identity — that address verified, since the code
 * proved it — with its `code` credential, and signs it in. The traits are those of the first step:
 * what is posted with the code cannot change them. `resend=code` sends a new code after the cool-down.
 */

interface CodeRegistrationData {
  completed?: boolean;
  code_traits?: Record<string, unknown>;
  code_address?: string;
  codes_sent?: number;
}

/** The registration form's node for this method: "Send sign up code" (beside the traits). */
export function codeRegistrationNodes(ctx: AppContext): UiNode[] {
  if (!passwordlessEnabled(ctx)) return [];
  return [inputNode("code", "method", "submit", { value: "code", label: codeText.registrationSendCode() })];
}

export function isCodeRegistration(ctx: AppContext, body: Record<string, unknown>): boolean {
  return str(body, "method") === "code" && passwordlessEnabled(ctx);
}

type Wire = (row: FlowRow) => Record<string, unknown>;

async function render(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  ui: UiContainer,
  wire: Wire,
  patch: { state?: string; data?: Record<string, unknown> } = {},
): Promise<Response> {
  await updateFlow(ctx.db, row.id, { ui, ...patch });
  const fresh = { ...row, ui, ...patch, updatedAt: new Date() } as FlowRow;
  return respondWithFlow(c, ctx, fresh, wire(fresh), 400);
}

function sentUi(ctx: AppContext, row: FlowRow, traits: Record<string, unknown>): UiContainer {
  return {
    action: row.ui.action,
    method: "POST",
    nodes: [
      csrfNode(),
      ...traitNodes(ctx.schemas.default, "default", traits, { hidden: true, readOnly: "omit" }),
      inputNode("code", "method", "hidden", { value: "code" }),
      inputNode("code", "code", "text", {
        required: true,
        autocomplete: "one-time-code",
        pattern: "[0-9]*",
        maxlength: 32,
        label: codeText.labelRegistrationCode(),
      }),
      inputNode("code", "method", "submit", { value: "code", label: codeText.labelContinue() }),
      inputNode("code", "resend", "submit", { value: "code", label: codeText.labelResendCode() }),
    ],
    messages: [codeText.registrationCodeSent()],
  };
}

/** POST of a registration flow with `method=code`. `ui` is the re-rendered form of the first step. */
export async function submitCodeRegistration(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  body: Record<string, unknown>,
  ui: UiContainer,
  wire: Wire,
): Promise<Response> {
  const data = row.data as CodeRegistrationData;
  const resend = str(body, "resend") === "code";
  if (row.state === "sent_email" && !resend && data.code_traits) {
    return verify(c, ctx, row, body, wire);
  }
  const schema = ctx.schemas.default;
  let traits: Record<string, unknown>;
  if (resend && data.code_traits) {
    traits = data.code_traits;
    ui = { ...row.ui, messages: [], nodes: row.ui.nodes.map((n) => ({ ...n, messages: [] })) };
  } else {
    // The first step's form keeps this method's button.
    ui = { ...ui, nodes: [...ui.nodes, ...codeRegistrationNodes(ctx)] };
    const coerced = enforceReadOnly(schema, coerceTraits(schema, body.traits), undefined);
    traits = coerced.traits;
    if (coerced.violations.length) {
      readOnlyErrorsToUi(ui, coerced.violations);
      return render(c, ctx, row, ui, wire);
    }
    const errors = ctx.schemas.validate(schema, traits);
    if (errors.length) {
      schemaErrorsToUi(ui, errors);
      return render(c, ctx, row, ui, wire);
    }
    const captcha = await verifyCaptcha(ctx, c, "registration", body);
    if (captcha) {
      addMessage(ui, captcha);
      return render(c, ctx, row, ui, wire);
    }
  }
  const to = ctx.schemas.extract(schema, traits).codeAddresses[0];
  if (!to) {
    addMessage(ui, codeText.noCodeIdentifier());
    return render(c, ctx, row, ui, wire);
  }
  if ((data.codes_sent ?? 0) >= MAX_CODES_PER_FLOW) {
    addMessage(ui, codeText.tooManyCodes());
    return render(c, ctx, row, ui, wire);
  }
  const wait = await cooldownLeft(ctx.db, ctx, "registration", row.id);
  if (wait > 0) {
    addMessage(ui, codeText.resendCooldown(wait));
    return render(c, ctx, row, ui, wire);
  }
  const sent = sentUi(ctx, row, traits);
  const nextData = {
    ...row.data,
    code_traits: traits,
    code_address: to.address,
    codes_sent: (data.codes_sent ?? 0) + 1,
  };
  await ctx.db.transaction(async (tx) => {
    await sendCode(tx, ctx, {
      kind: "registration",
      flowId: row.id,
      to,
      deliver: true,
      acceptLanguage: c.req.header("accept-language"),
    });
    await updateFlow(tx, row.id, { state: "sent_email", data: nextData });
  });
  ctx.notifyCourier();
  await audit(ctx, c, {
    event: "registration.code.sent",
    actor: "anonymous",
    target: to.address,
    metadata: { channel: to.channel, resend },
  });
  return render(c, ctx, row, sent, wire, { state: "sent_email", data: nextData });
}

async function verify(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  body: Record<string, unknown>,
  wire: Wire,
): Promise<Response> {
  const data = row.data as CodeRegistrationData;
  const ui: UiContainer = {
    ...row.ui,
    messages: [],
    nodes: row.ui.nodes.map((n) => ({ ...n, messages: [] })),
  };
  const code = str(body, "code") ?? "";
  if (!code.trim()) {
    addNodeMessage(ui, "code", text.validationRequired("code"));
    return render(c, ctx, row, ui, wire);
  }
  if ((await countSubmission(ctx.db, row.id)) > MAX_CODE_SUBMISSIONS) {
    addMessage(ui, text.tooManyAttempts());
    return render(c, ctx, row, ui, wire);
  }
  const used = await consumeCode(ctx.db, ctx, "registration", row.id, code);
  if (!used) {
    await audit(ctx, c, {
      event: "registration.failed",
      actor: "anonymous",
      target: data.code_address ?? "",
      metadata: { method: "code", reason: "invalid_code" },
    });
    addMessage(ui, codeText.registrationCodeInvalid());
    return render(c, ctx, row, ui, wire);
  }
  // registration.after.code web hooks, once the code is right and before anything is saved: a refusal
  // is shown on the form (the code is spent: a new one is needed), `parse` may change traits and metadata.
  const hooked = await registrationHooks(c, ctx, row, {
    method: "code",
    schema: ctx.schemas.default,
    traits: data.code_traits!,
  });
  if (hooked.type === "failed") {
    showRefusal(ui, hooked);
    return render(c, ctx, row, ui, wire);
  }
  const traits = hooked.traits;
  let result: { identityId: string; session: Awaited<ReturnType<typeof issueSession>> };
  try {
    result = await ctx.db.transaction(async (tx) => {
      const identityId = await createIdentity(tx, ctx, {
        id: hooked.id,
        schema: ctx.schemas.default,
        traits,
        metadataPublic: hooked.metadataPublic,
        metadataAdmin: hooked.metadataAdmin,
        verifiedAddresses: new Set([used.address]),
      });
      await queueWebHooks(tx, ctx, hooked.deferred);
      const session = await issueSession(tx, ctx, { identityId, methods: [{ method: "code" }], c });
      await updateFlow(tx, row.id, {
        state: "passed_challenge",
        data: { ...row.data, completed: true },
        identityId,
      });
      return { identityId, session };
    });
  } catch (e) {
    if (e instanceof OryError && e.code === 409) {
      addMessage(ui, text.duplicateCredentials());
      return render(c, ctx, row, ui, wire);
    }
    throw e;
  }
  await audit(ctx, c, {
    event: "registration.succeeded",
    actor: result.identityId,
    target: result.identityId,
    metadata: { method: "code" },
  });
  const identity = (await loadIdentity(ctx.db, result.identityId))!;
  const identityWire = identityToWire(ctx, identity);
  const { session } = result;
  const next = row.returnTo ?? ctx.config.selfservice.default_browser_return_url;
  if (row.type === "api") {
    return c.json({
      identity: identityWire,
      session: sessionToWire(ctx, session.row, identity),
      session_token: session.token,
      continue_with: [{ action: "set_ory_session_token", ory_session_token: session.token }],
    });
  }
  setSessionCookie(c, ctx, session.token, session.row.expiresAt);
  if (isJsonRequest(c)) {
    return c.json({
      identity: identityWire,
      session: sessionToWire(ctx, session.row, identity),
      continue_with: [{ action: "redirect_browser_to", redirect_browser_to: next }],
    });
  }
  return c.redirect(next, 303);
}
