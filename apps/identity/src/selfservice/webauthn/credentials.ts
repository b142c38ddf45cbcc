import { randomBytes } from "node:crypto";
import type { WebAuthnCredential } from "@simplewebauthn/server";
import type { FullIdentity } from "../../identity/repository.ts";

/*
 * WebAuthn credentials as Kratos stores them in identity_credentials (type `passkey` or `webauthn`):
 *
 *   { "user_handle": "<base64>", "credentials": [ {
 *       "id": "<base64 of the raw credential id>", "public_key": "<base64 COSE key>",
 *       "attestation_type": "none", "authenticator": { "aaguid": "<base64>", "sign_count": 3,
 *       "clone_warning": false }, "display_name": "…", "added_at": "…", "is_passwordless": true,
 *       "flags": { "user_present": true, "user_verified": true, "backup_eligible": false,
 *       "backup_state": false },
 *       "transports": ["internal"], "last_used_at": "…" } ] }
 *
 * Byte fields are standard base64 (Go's []byte encoding), so a Kratos export imports unchanged.
 * `transports` and `last_used_at` are Olympus additions (docs/ory-compatibility.md). A passkey
 * credential's identifier is its user handle (base64url), which is how an identifier-less login finds
 * the identity; a `webauthn` credential's identifier is the identity id, as for the other second factors.
 */

export type WebAuthnMethod = "passkey" | "webauthn";

export interface StoredAuthenticator {
  aaguid: string;
  sign_count: number;
  clone_warning: boolean;
}

export interface StoredWebAuthnKey {
  id: string;
  public_key: string;
  attestation_type: string;
  authenticator: StoredAuthenticator;
  display_name: string;
  added_at: string;
  is_passwordless: boolean;
  flags?: { user_present: boolean; user_verified: boolean; backup_eligible: boolean; backup_state: boolean };
  transports?: string[];
  last_used_at?: string;
}

export interface WebAuthnConfig {
  user_handle?: string;
  credentials: StoredWebAuthnKey[];
}

export const MAX_KEYS_PER_IDENTITY = 20;
export const MAX_DISPLAY_NAME = 64;

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
export const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
export const fromB64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));
/** Accepts base64url or standard base64 (both decode the same bytes). */
export const fromB64url = (s: string) => new Uint8Array(Buffer.from(s, "base64url"));

/** The credential id as the browser names it (base64url of the raw id). */
export function keyIdUrl(key: StoredWebAuthnKey): string {
  return b64url(fromB64(key.id));
}

/** The credential id as Kratos' settings nodes carry it (`passkey_remove` / `webauthn_remove`: hex). */
export function keyIdHex(key: StoredWebAuthnKey): string {
  return Buffer.from(key.id, "base64").toString("hex");
}

export function newUserHandle(): string {
  return b64(randomBytes(32));
}

/** The identifier a passkey credential row carries: its user handle, base64url. */
export function userHandleIdentifier(userHandle: string): string {
  return b64url(fromB64(userHandle));
}

export function readConfig(raw: unknown): WebAuthnConfig {
  const cfg = (raw ?? {}) as Partial<WebAuthnConfig>;
  return {
    ...(typeof cfg.user_handle === "string" ? { user_handle: cfg.user_handle } : {}),
    credentials: Array.isArray(cfg.credentials) ? cfg.credentials : [],
  };
}

export function configOf(identity: FullIdentity, method: WebAuthnMethod): WebAuthnConfig | undefined {
  const cred = identity.credentials.find((c) => c.type === method);
  return cred ? readConfig(cred.config) : undefined;
}

/** The keys an identity has for a method (for `webauthn`, only second-factor keys unless passwordless). */
export function keysOf(identity: FullIdentity, method: WebAuthnMethod): StoredWebAuthnKey[] {
  return configOf(identity, method)?.credentials ?? [];
}

/** What @simplewebauthn/server needs to verify an assertion with a stored key. */
export function toVerifierCredential(key: StoredWebAuthnKey): WebAuthnCredential {
  return {
    id: keyIdUrl(key),
    publicKey: fromB64(key.public_key),
    counter: key.authenticator.sign_count,
    ...(key.transports?.length ? { transports: key.transports as WebAuthnCredential["transports"] } : {}),
  };
}

/** Builds the stored form of a key that registration just verified. */
export function storedKey(input: {
  credential: WebAuthnCredential;
  aaguid: string;
  attestationType: string;
  displayName: string;
  passwordless: boolean;
  userVerified: boolean;
  backupEligible: boolean;
  backedUp: boolean;
  now?: Date;
}): StoredWebAuthnKey {
  const aaguidBytes = Buffer.from(input.aaguid.replace(/-/g, ""), "hex");
  return {
    id: b64(fromB64url(input.credential.id)),
    public_key: b64(input.credential.publicKey),
    attestation_type: input.attestationType,
    authenticator: { aaguid: b64(aaguidBytes), sign_count: input.credential.counter, clone_warning: false },
    display_name: input.displayName,
    added_at: (input.now ?? new Date()).toISOString(),
    is_passwordless: input.passwordless,
    flags: {
      user_present: true,
      user_verified: input.userVerified,
      backup_eligible: input.backupEligible,
      backup_state: input.backedUp,
    },
    ...(input.credential.transports?.length ? { transports: [...input.credential.transports] } : {}),
  };
}

/** Trims a user-chosen key name to a printable, bounded string ("" when nothing is left). */
export function cleanDisplayName(raw: unknown): string {
  if (typeof raw !== "string") return "";
  const printable = [...raw].filter((ch) => {
    const code = ch.codePointAt(0) ?? 0;
    return code >= 0x20 && code !== 0x7f;
  });
  return printable.join("").trim().slice(0, MAX_DISPLAY_NAME);
}

/** The public view of a key (Athena, settings labels): no key material. */
export function describeKey(key: StoredWebAuthnKey) {
  return {
    id: keyIdHex(key),
    display_name: key.display_name,
    added_at: key.added_at,
    last_used_at: key.last_used_at ?? null,
    is_passwordless: key.is_passwordless,
  };
}
