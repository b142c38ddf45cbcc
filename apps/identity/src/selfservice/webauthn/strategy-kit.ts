import type { AppContext } from "../../app/context.ts";
import type { FullIdentity } from "../../identity/repository.ts";
import { passwordlessEnabled } from "../code/credential.ts";
import { waysInWithout } from "../oidc/credential.ts";
import type { IdentitySchema } from "../../identity/schemas.ts";
import { str } from "../flow/common.ts";
import type { UiText } from "../flow/text.ts";
import type { Body } from "../strategy/types.ts";
import type { CeremonyFailure } from "./ceremony.ts";
import { cleanDisplayName, configOf, type WebAuthnMethod } from "./credentials.ts";
import { webauthnText } from "./nodes.ts";

/*
 * What the `passkey` and `webauthn` strategies share: how a submission names them (Kratos' script
 * submits forms natively, without `method`, so the filled result field decides), the messages for a
 * failed ceremony, and names for keys.
 */

/** A field of the body that is a non-empty string. */
export const filled = (body: Body, name: string) => (str(body, name) ?? "").length > 0;

/** The message a failed ceremony shows (Kratos' ids); nothing tells whether an account exists. */
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

/** A name for a key from the identity or the registrant's traits (its first identifier), else `fallback`. */
export function keyNameFor(
  identity: FullIdentity | undefined,
  traits: Record<string, unknown> | undefined,
  fallback: string,
): string {
  const ident = identity?.credentials.find((c) => c.type === "password")?.identifiers[0];
  const t = traits ?? (identity?.identity.traits as Record<string, unknown> | undefined);
  const fromTraits = t
    ? Object.values(t).find((v): v is string => typeof v === "string" && v.length > 0)
    : undefined;
  return cleanDisplayName(ident ?? fromTraits ?? "") || fallback;
}

/** The trait the browser names a new passkey after: the first identifier (else the first editable trait). */
export function displayNameField(schema: IdentitySchema): string | undefined {
  const f =
    schema.fields.find((x) => x.extension.credentials?.password?.identifier) ??
    schema.fields.find((x) => !x.readOnly);
  return f ? `traits.${f.path}` : undefined;
}

/** The user handle an identity's keys of a method are bound to, if it has one. */
export function userHandleOfIdentity(identity: FullIdentity, method: WebAuthnMethod): string | undefined {
  return configOf(identity, method)?.user_handle;
}

/**
 * Whether the identity can still sign in without its keys of `method`: a password, a social
 * provider, a one-time code to its address, or keys of the other WebAuthn method that sign in alone.
 */
export function otherWayIn(ctx: AppContext, identity: FullIdentity, method: WebAuthnMethod): boolean {
  const own = identity.credentials.some((c) => c.type === method && c.identifiers.length) ? 1 : 0;
  // waysInWithout counts every credential that signs in alone; a webauthn one only when passwordless.
  const webauthnCounted = identity.credentials.some(
    (c) => c.type === "webauthn" && c.config.user_handle && c.identifiers.length,
  );
  const webauthnSignsIn = ctx.config.selfservice.methods.webauthn.config.passwordless;
  const others =
    waysInWithout(identity, "") -
    own -
    (method !== "webauthn" && webauthnCounted && !webauthnSignsIn ? 1 : 0);
  const code =
    passwordlessEnabled(ctx) && identity.credentials.some((c) => c.type === "code" && c.identifiers.length);
  return others > 0 || code;
}
