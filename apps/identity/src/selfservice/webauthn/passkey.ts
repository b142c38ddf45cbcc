import type { Context } from "hono";
import type { AppContext } from "../../app/context.ts";
import { type FullIdentity, loadIdentity } from "../../identity/repository.ts";
import type { IdentitySchema } from "../../identity/schemas.ts";
import { audit } from "../../security/audit.ts";
import { str } from "../flow/common.ts";
import type { FlowRow } from "../flow/repository.ts";
import type { UiText } from "../flow/text.ts";
import type { UiNode } from "../flow/ui.ts";
import {
  authenticationOptions,
  type CeremonyFailure,
  ceremonyKey,
  finishAuthentication,
  finishRegistration,
  registrationOptions,
} from "./ceremony.ts";
import type { CredentialInput } from "../../identity/repository.ts";
import {
  cleanDisplayName,
  keysOf,
  newUserHandle,
  type StoredWebAuthnKey,
  userHandleIdentifier,
} from "./credentials.ts";
import { amrFor } from "./amr.ts";
import { passkeyLoginNodes, passkeyRegistrationNodes, passkeySettingsNodes, webauthnText } from "./nodes.ts";
import { addKey, findPasskeyOwner, recordUse, removeKey, userHandleOf } from "./store.ts";

/*
 * The `passkey` method (Kratos' passkey strategy): discoverable credentials with user verification.
 * - login (browser flows, aal1): `passkey_challenge` carries discoverable request options; the script
 *   posts `passkey_login`; the user handle the authenticator returns names the identity, no
 *   identifier needed. Autofill (conditional UI) uses the same challenge.
 * - registration: `passkey_create_data` carries creation options for a fresh user handle; the form
 *   posts the traits with `passkey_register`, and the identity is created with the passkey as its only
 *   credential.
 * - settings: `passkey_settings_register` adds a key, `passkey_remove` (hex id) removes one; the last
 *   first-factor credential cannot be removed.
 * Each step's ceremony lives in the flow's data and answers once (ceremony.ts).
 */

export const PASSKEY = "passkey" as const;

export function passkeyEnabled(ctx: AppContext): boolean {
  return ctx.config.selfservice.methods.passkey.enabled;
}

const filled = (body: Record<string, unknown>, name: string) => {
  const v = str(body, name);
  return typeof v === "string" && v.length > 0;
};

/** A login submission for this method: the result field is filled, or method=passkey. */
export function isPasskeyLogin(body: Record<string, unknown>): boolean {
  return filled(body, "passkey_login") || str(body, "method") === PASSKEY;
}

export function isPasskeyRegistration(body: Record<string, unknown>): boolean {
  return filled(body, "passkey_register") || str(body, "method") === PASSKEY;
}

export function isPasskeySettings(body: Record<string, unknown>): boolean {
  return (
    filled(body, "passkey_settings_register") ||
    filled(body, "passkey_remove") ||
    str(body, "method") === PASSKEY
  );
}

export interface Populated {
  nodes: UiNode[];
  data: Record<string, unknown>;
}

/** The login nodes and the ceremony (flow data) for a first-factor login flow. */
export async function passkeyLoginPopulate(ctx: AppContext): Promise<Populated> {
  const { options, state } = await authenticationOptions(ctx, PASSKEY, { userVerification: "required" });
  return { nodes: passkeyLoginNodes(ctx, options), data: { [ceremonyKey(PASSKEY)]: state } };
}

/** The trait the browser names a new passkey after: the first identifier (else the first text trait). */
export function displayNameField(schema: IdentitySchema): string | undefined {
  const f =
    schema.fields.find((x) => x.extension.credentials?.password?.identifier) ??
    schema.fields.find((x) => !x.readOnly);
  return f ? `traits.${f.path}` : undefined;
}

export async function passkeyRegistrationPopulate(
  ctx: AppContext,
  schema: IdentitySchema,
): Promise<Populated> {
  const { options, state } = await registrationOptions(ctx, PASSKEY, {
    userHandle: newUserHandle(),
    // The script replaces the name with the identifier the registrant typed.
    userName: ctx.config.selfservice.methods.passkey.config.rp.display_name,
    exclude: [],
    discoverable: true,
  });
  return {
    nodes: passkeyRegistrationNodes(ctx, options, displayNameField(schema)),
    data: { [ceremonyKey(PASSKEY)]: state },
  };
}

/** A name for a key from the identity (its first identifier), as Kratos' passkey display name. */
export function keyNameFor(identity: FullIdentity | undefined, traits?: Record<string, unknown>): string {
  const ident = identity?.credentials.find((c) => c.type === "password")?.identifiers[0];
  const fromTraits = traits
    ? Object.values(traits).find((v): v is string => typeof v === "string" && v.length > 0)
    : undefined;
  return cleanDisplayName(ident ?? fromTraits ?? "") || "Passkey";
}

export async function passkeySettingsPopulate(ctx: AppContext, identity: FullIdentity): Promise<Populated> {
  const keys = keysOf(identity, PASSKEY);
  const handle = (await userHandleOf(ctx.db, identity.identity.id, PASSKEY)) ?? newUserHandle();
  const name = keyNameFor(identity);
  const { options, state } = await registrationOptions(ctx, PASSKEY, {
    userHandle: handle,
    userName: name,
    exclude: keys,
    discoverable: true,
  });
  return { nodes: passkeySettingsNodes(ctx, options, keys), data: { [ceremonyKey(PASSKEY)]: state } };
}

/** The message a failed ceremony shows (Kratos' ids); nothing reveals whether an account exists. */
export function failureMessage(failure: CeremonyFailure): UiText {
  switch (failure) {
    case "unknown_key":
      return webauthnText.noSuchWebAuthnUser();
    case "challenge":
      return webauthnText.generic(
        "The WebAuthn challenge of this flow was already used or has expired. Please try again.",
      );
    case "malformed":
      return webauthnText.generic("Unable to parse WebAuthn response.");
    default:
      return webauthnText.invalidCredentials();
  }
}

export type LoginResult =
  | { ok: true; identity: FullIdentity; amr: string[]; keyName: string }
  | { ok: false; message: UiText; failure: CeremonyFailure | "inactive" };

/** POST of a login flow with `passkey_login`: verifies the assertion and returns the identity. */
export async function passkeyLogin(
  ctx: AppContext,
  c: Context,
  flow: FlowRow,
  body: Record<string, unknown>,
): Promise<LoginResult> {
  const res = await finishAuthentication(ctx, flow, PASSKEY, str(body, "passkey_login") ?? "", {
    requireUserVerification: true,
    findKey: (id, handle) => findPasskeyOwner(ctx.db, id, handle),
  });
  if (!res.ok) {
    await audit(ctx, c, {
      event: "login.failed",
      actor: "anonymous",
      target: res.identityId ?? "unknown",
      metadata: { method: PASSKEY, reason: res.failure },
    });
    return { ok: false, message: failureMessage(res.failure), failure: res.failure };
  }
  const { identityId, key } = res.owner;
  if (!(await recordUse(ctx.db, identityId, PASSKEY, key.id, res.newCounter))) {
    await audit(ctx, c, {
      event: "login.failed",
      actor: "anonymous",
      target: identityId,
      metadata: { method: PASSKEY, reason: "counter" },
    });
    return { ok: false, message: webauthnText.invalidCredentials(), failure: "rejected" };
  }
  const identity = await loadIdentity(ctx.db, identityId);
  if (identity?.identity.state !== "active") {
    return {
      ok: false,
      message: webauthnText.generic("This account has been disabled."),
      failure: "inactive",
    };
  }
  return { ok: true, identity, amr: amrFor(PASSKEY, res), keyName: key.display_name };
}

export type RegistrationResult =
  | { ok: true; credential: CredentialInput; amr: string[] }
  | { ok: false; message: UiText };

/**
 * POST of a registration flow with `passkey_register` (traits already validated by the caller): the
 * credential to create the identity with.
 */
export async function passkeyRegistration(
  ctx: AppContext,
  flow: FlowRow,
  body: Record<string, unknown>,
  traits: Record<string, unknown>,
): Promise<RegistrationResult> {
  const raw = str(body, "passkey_register") ?? "";
  if (!raw)
    return { ok: false, message: webauthnText.generic("A passkey is required to sign up with passkey.") };
  const res = await finishRegistration(ctx, flow, PASSKEY, raw, {
    displayName: keyNameFor(undefined, traits),
    passwordless: true,
  });
  if (!res.ok) return { ok: false, message: failureMessage(res.failure) };
  return {
    ok: true,
    credential: {
      type: PASSKEY,
      config: { user_handle: res.userHandle, credentials: [res.key] },
      identifiers: [userHandleIdentifier(res.userHandle)],
    },
    amr: amrFor(PASSKEY, { userVerified: true, backedUp: res.key.flags?.backup_state ?? false }),
  };
}

export type SettingsResult =
  | { ok: true; event: string; key: StoredWebAuthnKey }
  | { ok: false; message: UiText };

/** Whether removing a key would leave the identity without any first factor. */
function lastFirstFactor(identity: FullIdentity): boolean {
  const others = identity.credentials.filter(
    (c) => c.type === "password" || c.type === "oidc" || c.type === "saml",
  );
  return others.length === 0 && keysOf(identity, PASSKEY).length <= 1;
}

/** POST of a settings flow for this method (privilege and address checks are the caller's). */
export async function passkeySettings(
  ctx: AppContext,
  flow: FlowRow,
  identity: FullIdentity,
  body: Record<string, unknown>,
): Promise<SettingsResult> {
  const identityId = identity.identity.id;
  const remove = str(body, "passkey_remove");
  if (remove) {
    if (lastFirstFactor(identity)) {
      return {
        ok: false,
        message: webauthnText.generic(
          "You cannot remove this passkey: it is the last way to sign in to your account.",
        ),
      };
    }
    const key = await removeKey(ctx.db, identityId, PASSKEY, remove);
    if (!key) return { ok: false, message: webauthnText.generic("This passkey does not exist.") };
    return { ok: true, event: "settings.passkey.removed", key };
  }
  const raw = str(body, "passkey_settings_register") ?? "";
  if (!raw) return { ok: false, message: webauthnText.generic("Did not receive any value changes.") };
  const res = await finishRegistration(ctx, flow, PASSKEY, raw, {
    displayName: cleanDisplayName(str(body, "passkey_display_name")) || keyNameFor(identity),
    passwordless: true,
  });
  if (!res.ok) return { ok: false, message: failureMessage(res.failure) };
  // Keys added later are bound to the identity's user handle (the options carried it).
  const added = await addKey(ctx.db, identityId, PASSKEY, res.userHandle, res.key);
  if (added === "too_many")
    return { ok: false, message: webauthnText.generic("You have too many passkeys.") };
  if (added === "duplicate")
    return { ok: false, message: webauthnText.generic("This passkey is already registered.") };
  return { ok: true, event: "settings.passkey.added", key: res.key };
}
