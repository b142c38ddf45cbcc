import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type { AppContext } from "../app/context.ts";
import { badRequest } from "../errors/index.ts";
import { sha256hex } from "./random.ts";

/*
 * Encryption at rest for settings marked secret (and TOTP secrets): AES-256-GCM with a key derived by
 * HKDF-SHA256 from `secrets.cipher` and a purpose label, so one configured secret never serves two
 * purposes. The first cipher secret encrypts; every listed one decrypts (rotation: prepend a new
 * secret, keep the old one until all values were rewritten).
 *
 * Format: `v1:<kid>:<base64url(iv ‖ ciphertext ‖ tag)>`, kid = the first 8 hex digits of SHA-256 of
 * the derived key. Associated data binds a ciphertext to where it belongs (e.g. the settings key),
 * so a value cannot be moved to another key.
 */

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type CipherPurpose = "settings" | "totp" | "oidc";

interface DerivedKey {
  kid: string;
  key: Buffer;
}

/** The keys of each purpose, derived from `secrets.cipher`; the first encrypts. */
export type CipherKeys = Readonly<Record<CipherPurpose, readonly DerivedKey[]>>;

/** Derives every purpose's keys from the cipher secrets (once, when the core is built). */
export function deriveCipherKeys(secrets: readonly string[]): CipherKeys {
  const derive = (purpose: CipherPurpose) =>
    secrets.map((secret) => {
      const key = Buffer.from(
        hkdfSync("sha256", secret, "olympus", `olympus-${purpose}-aes-256-gcm`, 32) as ArrayBuffer,
      );
      return { key, kid: sha256hex(key).slice(0, 8) };
    });
  return { settings: derive("settings"), totp: derive("totp"), oidc: derive("oidc") };
}

function keysFor(ctx: AppContext, purpose: CipherPurpose): readonly DerivedKey[] {
  return ctx.cipherKeys[purpose];
}

/** Whether `secrets.cipher` is configured (without it nothing can be encrypted). */
export function canEncrypt(ctx: AppContext): boolean {
  return ctx.config.secrets.cipher.length > 0;
}

/** Encrypts a string; throws a 400 naming the missing configuration when no cipher secret is set. */
export function encrypt(ctx: AppContext, purpose: CipherPurpose, plaintext: string, aad = ""): string {
  const [current] = keysFor(ctx, purpose);
  if (!current) {
    throw badRequest("Secret values need an encryption key: configure secrets.cipher (32 characters).");
  }
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", current.key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const blob = Buffer.concat([iv, ct, cipher.getAuthTag()]).toString("base64url");
  return `${VERSION}:${current.kid}:${blob}`;
}

/** Whether a stored string is in this module's ciphertext format. */
export function isCiphertext(value: string): boolean {
  return /^v1:[0-9a-f]{8}:[A-Za-z0-9_-]+$/.test(value);
}

/** Decrypts a value written by `encrypt`; throws when no configured key opens it or it was tampered with. */
export function decrypt(ctx: AppContext, purpose: CipherPurpose, stored: string, aad = ""): string {
  const [version, kid, blob] = stored.split(":");
  if (version !== VERSION || !kid || !blob) throw new Error("unknown ciphertext format");
  const raw = Buffer.from(blob, "base64url");
  if (raw.length < IV_BYTES + TAG_BYTES) throw new Error("ciphertext too short");
  const candidates = keysFor(ctx, purpose).filter((k) => k.kid === kid);
  for (const k of candidates) {
    try {
      const decipher = createDecipheriv("aes-256-gcm", k.key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(aad, "utf8"));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
        decipher.final(),
      ]).toString("utf8");
    } catch {
      // Another key with the same kid prefix (practically never): try the next.
    }
  }
  throw new Error("no configured cipher secret decrypts this value (secrets.cipher rotated away?)");
}
