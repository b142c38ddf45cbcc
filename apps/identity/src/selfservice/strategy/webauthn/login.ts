import { lockedMessage } from "../../../security/lockout.ts";
import { str } from "../../flow/common.ts";
import { text } from "../../flow/text.ts";
import { auditEvent, bruteForceGuard } from "../../guards/index.ts";
import { mfaText } from "../../mfa/text.ts";
import { amrFor } from "../../webauthn/amr.ts";
import { authenticationOptions, ceremonyKey, finishAuthentication } from "../../webauthn/ceremony.ts";
import { keysOf } from "../../webauthn/credentials.ts";
import { replaceGroup, webauthnLoginNodes } from "../../webauthn/nodes.ts";
import { findKeyOf, recordUse } from "../../webauthn/store.ts";
import { failureMessage, filled } from "../../webauthn/strategy-kit.ts";
import type { FullIdentity } from "../../../identity/repository.ts";
import type { LoginData, LoginFlow, LoginStrategy, StrategyEnv } from "../types.ts";

/**
 * A security key as the second factor (Kratos' `webauthn` method, `passwordless: false`): on an aal2
 * flow the trigger's value carries request options for the identity's keys; the script answers in
 * `webauthn_login`. Only the session's identity's keys count, whatever user handle the authenticator
 * claims. Failures count toward the second-factor lockout like wrong codes.
 */

const WEBAUTHN = "webauthn" as const;

const passwordless = (env: Pick<StrategyEnv, "ctx">) =>
  env.ctx.config.selfservice.methods.webauthn.config.passwordless;

function ceremony(env: Pick<StrategyEnv, "ctx">, identity: FullIdentity, data: LoginData) {
  const keys = keysOf(identity, WEBAUTHN);
  if (!keys.length) return [];
  const { options, state } = authenticationOptions(env.ctx, WEBAUTHN, {
    allow: keys,
    identityId: identity.identity.id,
    userVerification: passwordless(env) ? "required" : "preferred",
  });
  data[ceremonyKey(WEBAUTHN)] = state;
  return webauthnLoginNodes(env.ctx, options);
}

function renew(flow: LoginFlow, env: StrategyEnv, identity: FullIdentity): void {
  flow.ui = replaceGroup(flow.ui, WEBAUTHN, ceremony(env, identity, flow.data));
}

export const webauthnLogin: LoginStrategy = {
  id: WEBAUTHN,
  group: WEBAUTHN,
  aal: "aal2",
  amr: "hwk",
  claims: (body) => filled(body, "webauthn_login"),

  nodes(flow, env) {
    if (!env.identity) return [];
    return ceremony(env, env.identity, flow.data as LoginData);
  },

  async submit(flow, body, env) {
    const { ctx } = env;
    const identity = env.session!.identity;
    const identityId = identity.identity.id;
    if (!keysOf(identity, WEBAUTHN).length)
      return { type: "failed", messages: [mfaText.noStrategy(WEBAUTHN)] };
    const answer = str(body, "webauthn_login") ?? "";
    if (!answer) {
      renew(flow, env, identity);
      return { type: "failed", fields: [["webauthn_login", text.validationRequired("webauthn_login")]] };
    }
    const attempt = await bruteForceGuard(env, "aal2", identityId);
    if (attempt.locked) {
      return { type: "failed", messages: [lockedMessage(attempt.locked)], locked: attempt.locked };
    }
    const res = await finishAuthentication(ctx, flow, WEBAUTHN, answer, {
      requireUserVerification: passwordless(env),
      findKey: (id) => findKeyOf(ctx.db, identityId, WEBAUTHN, id),
    });
    const counted =
      res.ok && (await recordUse(ctx.db, identityId, WEBAUTHN, res.owner.key.id, res.newCounter));
    if (!res.ok || !counted) {
      const reason = res.ok ? "counter" : res.failure;
      // Garbage and stale challenges are not guesses; a wrong key or signature is.
      if (reason === "rejected" || reason === "unknown_key" || reason === "counter")
        await attempt.failed(identityId);
      await auditEvent(env, {
        event: "login.second_factor.failed",
        actor: identityId,
        target: identityId,
        metadata: { method: WEBAUTHN, reason },
      });
      renew(flow, env, identity);
      return { type: "failed", messages: [failureMessage(res.ok ? "rejected" : res.failure)] };
    }
    await attempt.succeeded(identityId);
    return {
      type: "authenticated",
      identity,
      method: { method: WEBAUTHN, aal: "aal2", amr: amrFor(WEBAUTHN, res) },
    };
  },
};
