import { type FullIdentity, loadIdentity } from "../../../identity/repository.ts";
import { unverifiedAddresses } from "../../flow/address-proof.ts";
import { str } from "../../flow/common.ts";
import { text } from "../../flow/text.ts";
import { upgradeSession } from "../../mfa/login.ts";
import { amrFor } from "../../webauthn/amr.ts";
import { ceremonyKey, finishRegistration, registrationOptions } from "../../webauthn/ceremony.ts";
import { cleanDisplayName, keysOf, newUserHandle } from "../../webauthn/credentials.ts";
import { replaceGroup, webauthnSettingsNodes, webauthnText } from "../../webauthn/nodes.ts";
import { addKey, removeKey } from "../../webauthn/store.ts";
import {
  failureMessage,
  filled,
  keyNameFor,
  otherWayIn,
  userHandleOfIdentity,
} from "../../webauthn/strategy-kit.ts";
import type { SettingsFlow, SettingsStrategy, StrategyEnv } from "../types.ts";

/**
 * Security keys in settings (Kratos' `webauthn` nodes): a name (`webauthn_register_displayname`), the
 * trigger whose value carries the creation options, the credential in `webauthn_register`; each key
 * has a `webauthn_remove` button (hex id). Adding a key proves it, so the session becomes aal2 (as
 * linking TOTP does); adding needs every address verified (pre-hijacking, docs/security.md).
 */

const WEBAUTHN = "webauthn" as const;

function section(env: Pick<StrategyEnv, "ctx">, identity: FullIdentity, data: Record<string, unknown>) {
  const keys = keysOf(identity, WEBAUTHN);
  const passwordless = env.ctx.config.selfservice.methods.webauthn.config.passwordless;
  const { options, state } = registrationOptions(env.ctx, WEBAUTHN, {
    userHandle: userHandleOfIdentity(identity, WEBAUTHN) ?? newUserHandle(),
    userName: keyNameFor(identity, undefined, identity.identity.id),
    exclude: keys,
    discoverable: passwordless,
  });
  data[ceremonyKey(WEBAUTHN)] = state;
  return webauthnSettingsNodes(env.ctx, options, keys);
}

async function refresh(flow: SettingsFlow, env: StrategyEnv, identityId: string): Promise<void> {
  const identity = await loadIdentity(env.ctx.db, identityId);
  if (identity) flow.ui = replaceGroup(flow.ui, WEBAUTHN, section(env, identity, flow.data));
}

export const webauthnSettings: SettingsStrategy = {
  id: WEBAUTHN,
  group: WEBAUTHN,
  privileged: true,
  claims: (body) => filled(body, "webauthn_register") || filled(body, "webauthn_remove"),

  nodes(flow, env) {
    return section(env, env.identity, flow.data);
  },

  async submit(flow, body, env) {
    const { ctx } = env;
    const identity = env.session.identity;
    const identityId = identity.identity.id;
    const remove = str(body, "webauthn_remove");
    if (remove) {
      // A security key that signs in alone (passwordless) may be the last way in.
      const last = keysOf(identity, WEBAUTHN).length <= 1;
      if (
        ctx.config.selfservice.methods.webauthn.config.passwordless &&
        last &&
        !otherWayIn(ctx, identity, WEBAUTHN)
      ) {
        return {
          type: "failed",
          messages: [
            webauthnText.generic("You cannot remove your last security key: it is the only way to sign in."),
          ],
        };
      }
      const saved = await env.save(
        (tx) => removeKey(tx, identityId, WEBAUTHN, remove),
        (removed) => removed !== undefined,
      );
      if (saved.type === "refused") return saved.failure;
      const key = saved.value;
      if (!key)
        return { type: "failed", messages: [webauthnText.generic("This security key does not exist.")] };
      await refresh(flow, env, identityId);
      return { type: "updated", event: "settings.webauthn.removed" };
    }
    const answer = str(body, "webauthn_register") ?? "";
    if (!answer)
      return { type: "failed", messages: [webauthnText.generic("Did not receive any value changes.")] };
    const unverified = unverifiedAddresses(identity);
    if (unverified.length) {
      await refresh(flow, env, identityId);
      return { type: "failed", messages: [text.verifyAddressFirst(unverified)] };
    }
    const passwordless = ctx.config.selfservice.methods.webauthn.config.passwordless;
    const res = await finishRegistration(ctx, flow, WEBAUTHN, answer, {
      displayName: cleanDisplayName(str(body, "webauthn_register_displayname")) || "Security key",
      passwordless,
    });
    if (!res.ok) {
      await refresh(flow, env, identityId);
      return { type: "failed", messages: [failureMessage(res.failure)] };
    }
    const saved = await env.save(
      (tx) => addKey(tx, identityId, WEBAUTHN, res.userHandle, res.key),
      (r) => r === "added",
    );
    await refresh(flow, env, identityId);
    if (saved.type === "refused") return saved.failure;
    const added = saved.value;
    if (added === "too_many") {
      return { type: "failed", messages: [webauthnText.generic("You have too many security keys.")] };
    }
    if (added === "duplicate") {
      return { type: "failed", messages: [webauthnText.generic("This security key is already registered.")] };
    }
    // The ceremony proved the key: the session reaches aal2, as when TOTP is linked.
    await upgradeSession(ctx, env.session.row, WEBAUTHN, {
      amr: amrFor(WEBAUTHN, {
        userVerified: res.key.flags?.user_verified ?? false,
        backedUp: res.key.flags?.backup_state ?? false,
      }),
    });
    return { type: "updated", event: "settings.webauthn.added" };
  },
};
