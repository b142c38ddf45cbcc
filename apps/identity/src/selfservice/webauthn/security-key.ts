import type { Context } from "hono";
import type { AppContext } from "../../app/context.ts";
import type { FullIdentity } from "../../identity/repository.ts";
import { audit } from "../../security/audit.ts";
import { str } from "../flow/common.ts";
import type { FlowRow } from "../flow/repository.ts";
import type { UiText } from "../flow/text.ts";
import { amrFor } from "./amr.ts";
import {
  authenticationOptions,
  type CeremonyFailure,
  ceremonyKey,
  finishAuthentication,
  finishRegistration,
  registrationOptions,
} from "./ceremony.ts";
import { cleanDisplayName, keysOf, newUserHandle, type StoredWebAuthnKey } from "./credentials.ts";
import { webauthnLoginNodes, webauthnSettingsNodes, webauthnText } from "./nodes.ts";
import { failureMessage, keyNameFor, type Populated } from "./passkey.ts";
import { addKey, findKeyOf, recordUse, removeKey, userHandleOf } from "./store.ts";

/*
 * The `webauthn` method: security keys and platform authenticators as a second factor (Kratos'
 * webauthn strategy with `passwordless: false`, its default). Settings add a named key
 * (`webauthn_register_displayname` + `webauthn_register`) or remove one (`webauthn_remove`, hex id);
 * the aal2 login step offers `webauthn_login_trigger` (request options for the identity's keys in its
 * value) and takes `webauthn_login`. A verified key upgrades the session to aal2.
 */

export const WEBAUTHN = "webauthn" as const;

export function webauthnEnabled(ctx: AppContext): boolean {
  return ctx.config.selfservice.methods.webauthn.enabled;
}

const passwordless = (ctx: AppContext) => ctx.config.selfservice.methods.webauthn.config.passwordless;

const filled = (body: Record<string, unknown>, name: string) => (str(body, name) ?? "").length > 0;

export function isWebAuthnLogin(body: Record<string, unknown>): boolean {
  return filled(body, "webauthn_login") || str(body, "method") === WEBAUTHN;
}

export function isWebAuthnSettings(body: Record<string, unknown>): boolean {
  return (
    filled(body, "webauthn_register") || filled(body, "webauthn_remove") || str(body, "method") === WEBAUTHN
  );
}

/** Whether the identity has a security key that can serve as its second factor. */
export function hasSecurityKey(identity: FullIdentity): boolean {
  return keysOf(identity, WEBAUTHN).length > 0;
}

/** The aal2 login nodes for the identity's keys (none when it has no key). */
export async function webauthnLoginPopulate(ctx: AppContext, identity: FullIdentity): Promise<Populated> {
  const keys = keysOf(identity, WEBAUTHN);
  if (!keys.length) return { nodes: [], data: {} };
  const { options, state } = await authenticationOptions(ctx, WEBAUTHN, {
    allow: keys,
    identityId: identity.identity.id,
    userVerification: passwordless(ctx) ? "required" : "preferred",
  });
  return { nodes: webauthnLoginNodes(ctx, options), data: { [ceremonyKey(WEBAUTHN)]: state } };
}

export async function webauthnSettingsPopulate(ctx: AppContext, identity: FullIdentity): Promise<Populated> {
  const keys = keysOf(identity, WEBAUTHN);
  const handle = (await userHandleOf(ctx.db, identity.identity.id, WEBAUTHN)) ?? newUserHandle();
  const { options, state } = await registrationOptions(ctx, WEBAUTHN, {
    userHandle: handle,
    userName: keyNameFor(identity),
    exclude: keys,
    discoverable: passwordless(ctx),
  });
  return { nodes: webauthnSettingsNodes(ctx, options, keys), data: { [ceremonyKey(WEBAUTHN)]: state } };
}

export type SecondFactorResult =
  | { ok: true; amr: string[]; key: StoredWebAuthnKey }
  | { ok: false; message: UiText; failure: CeremonyFailure };

/** POST of an aal2 login flow with `webauthn_login`, for the identity of the session. */
export async function webauthnSecondFactor(
  ctx: AppContext,
  c: Context,
  flow: FlowRow,
  identity: FullIdentity,
  body: Record<string, unknown>,
): Promise<SecondFactorResult> {
  const identityId = identity.identity.id;
  const res = await finishAuthentication(ctx, flow, WEBAUTHN, str(body, "webauthn_login") ?? "", {
    requireUserVerification: passwordless(ctx),
    // Only this identity's keys count, whatever user handle the authenticator claims.
    findKey: (id) => findKeyOf(ctx.db, identityId, WEBAUTHN, id),
  });
  if (!res.ok) {
    await audit(ctx, c, {
      event: "login.second_factor.failed",
      actor: identityId,
      target: identityId,
      metadata: { method: WEBAUTHN, reason: res.failure },
    });
    return { ok: false, message: failureMessage(res.failure), failure: res.failure };
  }
  if (!(await recordUse(ctx.db, identityId, WEBAUTHN, res.owner.key.id, res.newCounter))) {
    return { ok: false, message: webauthnText.invalidCredentials(), failure: "rejected" };
  }
  return { ok: true, amr: amrFor(WEBAUTHN, res), key: res.owner.key };
}

export type SettingsResult =
  | { ok: true; event: string; key: StoredWebAuthnKey; added: boolean; amr: string[] }
  | { ok: false; message: UiText };

/** POST of a settings flow for this method (privilege and address checks are the caller's). */
export async function webauthnSettings(
  ctx: AppContext,
  flow: FlowRow,
  identity: FullIdentity,
  body: Record<string, unknown>,
): Promise<SettingsResult> {
  const identityId = identity.identity.id;
  const remove = str(body, "webauthn_remove");
  if (remove) {
    const key = await removeKey(ctx.db, identityId, WEBAUTHN, remove);
    if (!key) return { ok: false, message: webauthnText.generic("This security key does not exist.") };
    return { ok: true, event: "settings.webauthn.removed", key, added: false, amr: [] };
  }
  const raw = str(body, "webauthn_register") ?? "";
  if (!raw) return { ok: false, message: webauthnText.generic("Did not receive any value changes.") };
  const name = cleanDisplayName(str(body, "webauthn_register_displayname"));
  const res = await finishRegistration(ctx, flow, WEBAUTHN, raw, {
    displayName: name || "Security key",
    passwordless: passwordless(ctx),
  });
  if (!res.ok) return { ok: false, message: failureMessage(res.failure) };
  const added = await addKey(ctx.db, identityId, WEBAUTHN, res.userHandle, res.key);
  if (added === "too_many")
    return { ok: false, message: webauthnText.generic("You have too many security keys.") };
  if (added === "duplicate") {
    return { ok: false, message: webauthnText.generic("This security key is already registered.") };
  }
  return {
    ok: true,
    event: "settings.webauthn.added",
    key: res.key,
    added: true,
    amr: amrFor(WEBAUTHN, {
      userVerified: res.key.flags?.user_verified ?? false,
      backedUp: res.key.flags?.backup_state ?? false,
    }),
  };
}
