import { loadIdentity } from "../../../identity/repository.ts";
import { str } from "../../flow/common.ts";
import { text } from "../../flow/text.ts";
import { auditEvent } from "../../guards/index.ts";
import { amrFor } from "../../webauthn/amr.ts";
import { authenticationOptions, ceremonyKey, finishAuthentication } from "../../webauthn/ceremony.ts";
import { passkeyLoginNodes, replaceGroup } from "../../webauthn/nodes.ts";
import { findPasskeyOwner, recordUse } from "../../webauthn/store.ts";
import { failureMessage, filled } from "../../webauthn/strategy-kit.ts";
import type { LoginData, LoginFlow, LoginStrategy, StrategyEnv } from "../types.ts";

/**
 * Passkey sign-in (Kratos' `passkey` method): identifier-less. The flow carries discoverable request
 * options (`passkey_challenge`); the script answers by button or by autofill (conditional UI) in
 * `passkey_login`, and the user handle the authenticator returns names the identity. User verification
 * is required, so the passkey alone is a sign-in (aal1) whose `amr` says how the key is held. A
 * failed ceremony uses up its challenge: the flow is shown again with a fresh one.
 */

const PASSKEY = "passkey" as const;

/** A fresh discoverable ceremony: its options as nodes, its state in the flow's data. */
function ceremony(env: Pick<StrategyEnv, "ctx">, data: LoginData) {
  const { options, state } = authenticationOptions(env.ctx, PASSKEY, { userVerification: "required" });
  data[ceremonyKey(PASSKEY)] = state;
  return passkeyLoginNodes(env.ctx, options);
}

/** Shows the flow again with a new challenge (the old one was used up). */
function renew(flow: LoginFlow, env: StrategyEnv): void {
  flow.ui = replaceGroup(flow.ui, PASSKEY, ceremony(env, flow.data));
}

export const passkeyLogin: LoginStrategy = {
  id: PASSKEY,
  group: PASSKEY,
  aal: "aal1",
  amr: "hwk",
  claims: (body) => filled(body, "passkey_login"),

  nodes(flow, env) {
    // `data` is the new flow's: the ceremony is stored with it.
    return ceremony(env, flow.data as LoginData);
  },

  async submit(flow, body, env) {
    const { ctx } = env;
    const answer = str(body, "passkey_login") ?? "";
    if (!answer) {
      // method=passkey without an answer: the UI has to run the ceremony first.
      renew(flow, env);
      return { type: "failed", fields: [["passkey_login", text.validationRequired("passkey_login")]] };
    }
    const res = await finishAuthentication(ctx, flow, PASSKEY, answer, {
      requireUserVerification: true,
      findKey: (id, handle) => findPasskeyOwner(ctx.db, id, handle),
    });
    if (!res.ok) {
      await auditEvent(env, {
        event: "login.failed",
        actor: "anonymous",
        target: res.identityId ?? "unknown",
        metadata: { method: PASSKEY, reason: res.failure },
      });
      renew(flow, env);
      return { type: "failed", messages: [failureMessage(res.failure)] };
    }
    const { identityId, key } = res.owner;
    if (!(await recordUse(ctx.db, identityId, PASSKEY, key.id, res.newCounter))) {
      // The stored counter moved past this one meanwhile: a cloned authenticator or a replay.
      await auditEvent(env, {
        event: "login.failed",
        actor: "anonymous",
        target: identityId,
        metadata: { method: PASSKEY, reason: "counter" },
      });
      renew(flow, env);
      return { type: "failed", messages: [failureMessage("rejected")] };
    }
    const identity = await loadIdentity(ctx.db, identityId);
    if (!identity) {
      renew(flow, env);
      return { type: "failed", messages: [failureMessage("unknown_key")] };
    }
    if (identity.identity.state !== "active") {
      renew(flow, env);
      return { type: "failed", messages: [text.accountDisabled()] };
    }
    if (
      ctx.config.selfservice.flows.login.require_verified_address &&
      !identity.verifiable.some((a) => a.verified)
    ) {
      renew(flow, env);
      return { type: "failed", messages: [text.addressNotVerified()] };
    }
    return {
      type: "authenticated",
      identity,
      method: { method: PASSKEY, aal: "aal1", amr: amrFor(PASSKEY, res) },
    };
  },
};
