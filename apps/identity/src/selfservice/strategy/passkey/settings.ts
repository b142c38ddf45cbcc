import { type FullIdentity, loadIdentity } from "../../../identity/repository.ts";
import { unverifiedAddresses } from "../../flow/address-proof.ts";
import { str } from "../../flow/common.ts";
import { text } from "../../flow/text.ts";
import { ceremonyKey, finishRegistration, registrationOptions } from "../../webauthn/ceremony.ts";
import { cleanDisplayName, keysOf, newUserHandle } from "../../webauthn/credentials.ts";
import { passkeySettingsNodes, replaceGroup, webauthnText } from "../../webauthn/nodes.ts";
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
 * Passkeys in settings (Kratos' nodes): `passkey_register_trigger` runs the script, which posts the new
 * credential in `passkey_settings_register`; each key has a `passkey_remove` button (its id in hex).
 * Keys are bound to the identity's user handle; the last way to sign in cannot be removed, and a key
 * cannot be added while an address of the account is unverified (pre-hijacking, docs/security.md).
 */

const PASSKEY = "passkey" as const;

function section(env: Pick<StrategyEnv, "ctx">, identity: FullIdentity, data: Record<string, unknown>) {
  const keys = keysOf(identity, PASSKEY);
  const { options, state } = registrationOptions(env.ctx, PASSKEY, {
    userHandle: userHandleOfIdentity(identity, PASSKEY) ?? newUserHandle(),
    userName: keyNameFor(identity, undefined, identity.identity.id),
    exclude: keys,
    discoverable: true,
  });
  data[ceremonyKey(PASSKEY)] = state;
  return passkeySettingsNodes(env.ctx, options, keys);
}

async function refresh(flow: SettingsFlow, env: StrategyEnv, identityId: string): Promise<void> {
  const identity = await loadIdentity(env.ctx.db, identityId);
  if (identity) flow.ui = replaceGroup(flow.ui, PASSKEY, section(env, identity, flow.data));
}

export const passkeySettings: SettingsStrategy = {
  id: PASSKEY,
  group: PASSKEY,
  privileged: true,
  claims: (body) => filled(body, "passkey_settings_register") || filled(body, "passkey_remove"),

  nodes(flow, env) {
    return section(env, env.identity, flow.data);
  },

  async submit(flow, body, env) {
    const { ctx } = env;
    const identity = env.session.identity;
    const identityId = identity.identity.id;
    const remove = str(body, "passkey_remove");
    if (remove) {
      if (!otherWayIn(ctx, identity, PASSKEY) && keysOf(identity, PASSKEY).length <= 1) {
        return {
          type: "failed",
          messages: [
            webauthnText.generic("You cannot remove your last passkey: it is the only way to sign in."),
          ],
        };
      }
      const saved = await env.save(
        (tx) => removeKey(tx, identityId, PASSKEY, remove),
        (removed) => removed !== undefined,
      );
      if (saved.type === "refused") return saved.failure;
      const key = saved.value;
      if (!key) return { type: "failed", messages: [webauthnText.generic("This passkey does not exist.")] };
      await refresh(flow, env, identityId);
      return { type: "updated", event: "settings.passkey.removed" };
    }
    const answer = str(body, "passkey_settings_register") ?? "";
    if (!answer)
      return { type: "failed", messages: [webauthnText.generic("Did not receive any value changes.")] };
    const unverified = unverifiedAddresses(identity);
    if (unverified.length) {
      await refresh(flow, env, identityId);
      return { type: "failed", messages: [text.verifyAddressFirst(unverified)] };
    }
    const res = await finishRegistration(ctx, flow, PASSKEY, answer, {
      displayName:
        cleanDisplayName(str(body, "passkey_display_name")) || keyNameFor(identity, undefined, "Passkey"),
      passwordless: true,
    });
    if (!res.ok) {
      await refresh(flow, env, identityId);
      return { type: "failed", messages: [failureMessage(res.failure)] };
    }
    const saved = await env.save(
      (tx) => addKey(tx, identityId, PASSKEY, res.userHandle, res.key),
      (r) => r === "added",
    );
    await refresh(flow, env, identityId);
    if (saved.type === "refused") return saved.failure;
    const added = saved.value;
    if (added === "too_many")
      return { type: "failed", messages: [webauthnText.generic("You have too many passkeys.")] };
    if (added === "duplicate") {
      return { type: "failed", messages: [webauthnText.generic("This passkey is already registered.")] };
    }
    return { type: "updated", event: "settings.passkey.added" };
  },
};
