import { and, eq } from "drizzle-orm";
import { identityVerifiableAddresses } from "../../../db/schema.ts";
import { type FullIdentity, findByIdentifier, loadIdentity } from "../../../identity/repository.ts";
import { lockedMessage } from "../../../security/lockout.ts";
import {
  type CodeAddress,
  codeAddresses,
  codeMfaEnabled,
  normalizeCodeIdentifier,
  passwordlessEnabled,
  secondFactorAddresses,
} from "../../code/credential.ts";
import { cooldownLeft, MAX_CODES_PER_FLOW, sendCode } from "../../code/send.ts";
import { consumeCode, countSubmission, MAX_CODE_SUBMISSIONS } from "../../code/store.ts";
import { codeText } from "../../code/text.ts";
import { str } from "../../flow/common.ts";
import { text, type UiText } from "../../flow/text.ts";
import { csrfNode, inputNode, type UiContainer, type UiNode } from "../../flow/ui.ts";
import { auditEvent, bruteForceGuard, captchaGuard } from "../../guards/index.ts";
import type { Body, LoginFlow, LoginOutcome, LoginStrategy, StrategyEnv } from "../types.ts";

/*
 * The `code` method at login, as Kratos has it: two steps on one flow.
 *
 * 1. `method=code` with `identifier` (first factor, `passwordless_enabled`) or `address` (second
 *    factor on `?aal=aal2` flows, `mfa_enabled`: one of the session's verified addresses): a code goes
 *    to that address by email or SMS, and the flow moves to state `sent_email` with a `code` field,
 *    the address in a hidden field and a `resend` button (400 and the flow for JSON clients, as Kratos).
 * 2. `method=code` with `code`: a right code signs in (aal1; the address counts as verified, as
 *    after a verification) or upgrades the session to aal2. `resend=code` sends a new code.
 *
 * An unknown identifier gets the same answer as a known one — a code is "sent" that nobody receives
 * and that never works — so the flow does not tell which accounts exist (Kratos answers 4000035
 * there; see docs/ory-compatibility.md). Codes are single-use, bound to the flow and expire after
 * `selfservice.methods.code.lifespan`; a flow takes MAX_CODE_SUBMISSIONS tries and sends at most
 * MAX_CODES_PER_FLOW codes, `config.resend_cooldown` apart; every try counts toward the sign-in
 * lockout (per identifier, or per identity for the second factor) like a password.
 */

/** What the method keeps on the flow, under `data.code`. */
interface CodeState {
  address: string;
  channel: "email" | "sms";
  sent: number;
}

const stateOf = (flow: LoginFlow) => flow.data.code as CodeState | undefined;

/** The form after a code was sent: the code, the address (hidden) it went to, continue and resend. */
function sentUi(flow: LoginFlow, address: string, aal2: boolean): UiContainer {
  return {
    action: flow.ui.action,
    method: "POST",
    nodes: [
      csrfNode(),
      inputNode("default", aal2 ? "address" : "identifier", "hidden", { value: address }),
      inputNode("code", "method", "hidden", { value: "code" }),
      inputNode("code", "code", "text", {
        required: true,
        autocomplete: "one-time-code",
        pattern: "[0-9]*",
        maxlength: 32,
        label: codeText.labelLoginCode(),
      }),
      inputNode("code", "method", "submit", { value: "code", label: codeText.labelContinue() }),
      inputNode("code", "resend", "submit", { value: "code", label: codeText.labelResendCode() }),
    ],
    messages: [codeText.loginCodeSent()],
  };
}

const failed = (message: UiText, field?: string): LoginOutcome =>
  field ? { type: "failed", fields: [[field, message]] } : { type: "failed", messages: [message] };

async function send(flow: LoginFlow, body: Body, env: StrategyEnv, aal2: boolean): Promise<LoginOutcome> {
  const { ctx } = env;
  const state = stateOf(flow);
  const resend = str(body, "resend") === "code";
  const field = aal2 ? "address" : "identifier";
  // A resend goes to the address of the first send: the body cannot redirect it.
  const raw = resend && state ? state.address : str(body, field);
  if (!raw?.trim()) return failed(text.validationRequired(field), field);
  const identifier = normalizeCodeIdentifier(raw);
  if (identifier.length > 320) return failed(text.validationMaxLength(320, identifier.length), field);
  if ((state?.sent ?? 0) >= MAX_CODES_PER_FLOW) return failed(codeText.tooManyCodes());
  const wait = await cooldownLeft(ctx.db, ctx, "login", flow.id);
  if (wait > 0) return failed(codeText.resendCooldown(wait));

  let to: CodeAddress | undefined;
  let identityId: string | undefined;
  if (aal2) {
    // A second factor goes to one of the session's own verified addresses, nowhere else.
    const identity = env.session!.identity;
    to = secondFactorAddresses(identity).find((a) => a.address === identifier);
    if (!to) return failed(codeText.addressUnknown());
    identityId = identity.identity.id;
  } else {
    if (!resend) {
      const captcha = await captchaGuard(env, "login", body);
      if (captcha) return failed(captcha);
    }
    const owner = await findByIdentifier(ctx.db, "code", identifier);
    const identity = owner ? await loadIdentity(ctx.db, owner.identityId) : undefined;
    // A disabled account gets a code that never works, as an unknown identifier does.
    if (identity?.identity.state === "active") {
      to = codeAddresses(identity).find((a) => a.address === identifier);
      identityId = to ? identity.identity.id : undefined;
    }
  }
  const deliver = Boolean(to && identityId);
  const address: CodeAddress = to ?? {
    channel: identifier.includes("@") ? "email" : "sms",
    address: identifier,
  };
  await ctx.db.transaction((tx) =>
    sendCode(tx, ctx, {
      kind: "login",
      flowId: flow.id,
      identityId,
      to: address,
      deliver,
      acceptLanguage: env.req.header("accept-language"),
    }),
  );
  if (deliver) ctx.notifyCourier();
  await auditEvent(env, {
    event: "login.code.sent",
    actor: env.session?.identity.identity.id ?? "anonymous",
    target: identityId ?? identifier,
    metadata: { aal: aal2 ? "aal2" : "aal1", channel: address.channel, delivered: deliver, resend },
  });
  flow.ui = sentUi(flow, identifier, aal2);
  flow.state = "sent_email";
  flow.data.code = { address: identifier, channel: address.channel, sent: (state?.sent ?? 0) + 1 };
  return { type: "rerender", status: 400 };
}

async function verify(flow: LoginFlow, body: Body, env: StrategyEnv, aal2: boolean): Promise<LoginOutcome> {
  const { ctx } = env;
  const state = stateOf(flow)!;
  const code = str(body, "code") ?? "";
  if (!code.trim()) return failed(text.validationRequired("code"), "code");
  const sessionIdentity = env.session?.identity.identity.id;
  const attempt = aal2
    ? await bruteForceGuard(env, "aal2", sessionIdentity!)
    : await bruteForceGuard(env, "identifier", state.address);
  if (attempt.locked) {
    return { type: "failed", messages: [lockedMessage(attempt.locked)], locked: attempt.locked };
  }
  const refuse = async (message: UiText, identityId?: string): Promise<LoginOutcome> => {
    await attempt.failed(identityId);
    await auditEvent(env, {
      event: aal2 ? "login.second_factor.failed" : "login.failed",
      actor: sessionIdentity ?? "anonymous",
      target: identityId ?? state.address,
      metadata: { method: "code", reason: message.id },
    });
    return failed(message);
  };
  if ((await countSubmission(ctx.db, flow.id)) > MAX_CODE_SUBMISSIONS) {
    return refuse(text.tooManyAttempts(), sessionIdentity);
  }
  const used = await consumeCode(ctx.db, ctx, "login", flow.id, code);
  const identityId = used?.identityId ?? undefined;
  // A decoy code (unknown identifier) has no identity; an aal2 code must be the session's own.
  if (!used || !identityId || (aal2 && identityId !== sessionIdentity)) {
    return refuse(codeText.loginCodeInvalid(), sessionIdentity);
  }
  await attempt.succeeded(identityId);
  if (!aal2) {
    const now = new Date();
    // The code reached the address: it is proven, as after a verification (Kratos does the same).
    await ctx.db
      .update(identityVerifiableAddresses)
      .set({ verified: true, status: "completed", verifiedAt: now, updatedAt: now })
      .where(
        and(
          eq(identityVerifiableAddresses.identityId, identityId),
          eq(identityVerifiableAddresses.value, used.address),
          eq(identityVerifiableAddresses.verified, false),
        ),
      );
  }
  const identity = await loadIdentity(ctx.db, identityId);
  if (identity?.identity.state !== "active") return failed(text.accountDisabled());
  flow.state = "passed_challenge";
  return {
    type: "authenticated",
    identity,
    method: { method: "code", aal: aal2 ? "aal2" : "aal1" },
  };
}

function submitter(aal2: boolean) {
  return async (flow: LoginFlow, body: Body, env: StrategyEnv): Promise<LoginOutcome> => {
    const resend = str(body, "resend") === "code";
    if (flow.state === "sent_email" && stateOf(flow) && !resend) return verify(flow, body, env, aal2);
    return send(flow, body, env, aal2);
  };
}

/** First factor: "Send sign in code" beside the identifier (`passwordless_enabled`). */
export const codeLogin: LoginStrategy = {
  id: "code",
  group: "code",
  aal: "aal1",
  amr: "otp",
  nodes(_flow, { ctx }) {
    if (!passwordlessEnabled(ctx)) return [];
    return [inputNode("code", "method", "submit", { value: "code", label: codeText.loginSendCode() })];
  },
  async submit(flow, body, env) {
    if (!passwordlessEnabled(env.ctx)) {
      return failed(
        text.validationGeneric(
          'Could not find a strategy to log you in with "code". Did you fill out the form correctly?',
        ),
      );
    }
    return submitter(false)(flow, body, env);
  },
};

/** Second factor on `?aal=aal2` flows: "Send code to …" per verified address (`mfa_enabled`). */
export const codeSecondFactor: LoginStrategy = {
  id: "code",
  group: "code",
  aal: "aal2",
  amr: "otp",
  nodes(_flow, { ctx, identity }) {
    return identity ? codeSecondFactorNodes(ctx, identity) : [];
  },
  async submit(flow, body, env) {
    if (!codeMfaEnabled(env.ctx) || !env.session) {
      return failed(
        text.validationGeneric(
          'Could not find a strategy to log you in with "code". Did you fill out the form correctly?',
        ),
      );
    }
    return submitter(true)(flow, body, env);
  },
};

/** The second-factor form's nodes: one "Send code to …" button per verified code address. */
export function codeSecondFactorNodes(ctx: StrategyEnv["ctx"], identity: FullIdentity): UiNode[] {
  if (!codeMfaEnabled(ctx)) return [];
  return secondFactorAddresses(identity).map((a) =>
    inputNode("code", "address", "submit", {
      value: a.address,
      label: codeText.aal2Address(a.channel, a.address),
    }),
  );
}

/** Whether a submission on an aal2 flow is this method's (`method=code`, or Kratos' `address` alone). */
export function isCodeSecondFactor(body: Body): boolean {
  const method = str(body, "method");
  return method === "code" || (!method && Boolean(str(body, "address")));
}
