import { createHmac } from "node:crypto";
import { Secret, TOTP, URI } from "otpauth";
import { and, eq } from "drizzle-orm";
import type { AppContext } from "../../app/context.ts";
import type { DbOrTx } from "../../db/client.ts";
import { identityCredentials } from "../../db/schema.ts";
import type { FullIdentity } from "../../identity/repository.ts";
import { canEncrypt, decrypt, encrypt, isCiphertext } from "../../security/crypto.ts";
import { randomAlnum, safeEqual } from "../../security/random.ts";

/*
 * Second-factor credentials, stored as identity_credentials rows as Kratos does:
 * - `totp`: `{ totp_url }` (the otpauth:// URL; encrypted with secrets.cipher when one is configured)
 *   plus `last_used_step`, so a code cannot be replayed within its validity window;
 * - `lookup_secret`: `{ recovery_codes: [{ code_hash, used_at? }] }` — single-use codes, stored only
 *   as HMACs (keyed with secrets.cookie) so a database dump does not reveal them.
 */

export const LOOKUP_CODE_COUNT = 12;
export const LOOKUP_CODE_LENGTH = 8;
const LOOKUP_ALPHABET = /^[a-z0-9]+$/;
const FALLBACK_KEY = "olympus-lookup-secret";

export interface TotpConfig {
  totp_url?: string;
  last_used_step?: number;
}

export interface LookupCode {
  code_hash: string;
  used_at?: string;
}

export interface LookupConfig {
  recovery_codes?: LookupCode[];
}

function credential(identity: FullIdentity, type: string) {
  return identity.credentials.find((c) => c.type === type);
}

export function unusedLookupCodes(identity: FullIdentity): number {
  const cfg = credential(identity, "lookup_secret")?.config as LookupConfig | undefined;
  return (cfg?.recovery_codes ?? []).filter((c) => !c.used_at).length;
}

export function hasTotp(identity: FullIdentity): boolean {
  const cfg = credential(identity, "totp")?.config as TotpConfig | undefined;
  return typeof cfg?.totp_url === "string" && cfg.totp_url.length > 0;
}

/** Whether the identity can reach aal2 (Kratos' "available AAL"). */
export function hasSecondFactor(identity: FullIdentity): boolean {
  return hasTotp(identity) || unusedLookupCodes(identity) > 0 || hasSecurityKey(identity);
}

/** A `webauthn` credential with at least one key (a security key as second factor). */
export function hasSecurityKey(identity: FullIdentity): boolean {
  const cfg = credential(identity, "webauthn")?.config as { credentials?: unknown[] } | undefined;
  return (cfg?.credentials?.length ?? 0) > 0;
}

export function totpIssuer(ctx: AppContext): string {
  return ctx.config.selfservice.methods.totp.config.issuer ?? new URL(ctx.rt.publicBaseUrl).hostname;
}

/** The account name shown in authenticator apps: the first password identifier, else the identity id. */
export function totpAccountName(identity: FullIdentity): string {
  return credential(identity, "password")?.identifiers[0] ?? identity.identity.id;
}

/** A new TOTP key (SHA1, 6 digits, 30 s: what every authenticator app supports). */
export function newTotp(ctx: AppContext, identity: FullIdentity): TOTP {
  return new TOTP({
    issuer: totpIssuer(ctx),
    label: totpAccountName(identity),
    secret: new Secret({ size: 20 }),
    algorithm: "SHA1",
    digits: 6,
    period: 30,
  });
}

export function totpFromUrl(url: string): TOTP {
  const parsed = URI.parse(url);
  if (!(parsed instanceof TOTP)) throw new Error("not a TOTP key URI");
  return parsed;
}

export function sealTotpUrl(ctx: AppContext, identityId: string, url: string): string {
  return canEncrypt(ctx) ? encrypt(ctx, "totp", url, identityId) : url;
}

export function openTotpUrl(ctx: AppContext, identityId: string, stored: string): string {
  return isCiphertext(stored) ? decrypt(ctx, "totp", stored, identityId) : stored;
}

/** The time step a code matches (±1 step of clock skew), or undefined. */
export function matchTotp(totp: TOTP, code: string, now = Date.now()): number | undefined {
  if (!/^[0-9]{6}$/.test(code)) return undefined;
  const delta = totp.validate({ token: code, timestamp: now, window: 1 });
  if (delta === null) return undefined;
  return Math.floor(now / 1000 / totp.period) + delta;
}

function lookupKeys(ctx: AppContext): string[] {
  return ctx.config.secrets.cookie.length ? ctx.config.secrets.cookie : [FALLBACK_KEY];
}

export function hashLookupCode(key: string, identityId: string, code: string): string {
  return createHmac("sha256", key).update(`${identityId}:${code}`).digest("hex");
}

/** Fresh lookup codes, in clear (shown once) and as the hashes to store. */
export function newLookupCodes(ctx: AppContext, identityId: string): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: LOOKUP_CODE_COUNT }, () =>
    randomAlnum(LOOKUP_CODE_LENGTH * 2)
      .toLowerCase()
      .slice(0, LOOKUP_CODE_LENGTH),
  );
  const key = lookupKeys(ctx)[0]!;
  return { codes, hashes: codes.map((c) => hashLookupCode(key, identityId, c)) };
}

/** Index of the unused code matching `code`, or -1. */
export function findLookupCode(
  ctx: AppContext,
  identityId: string,
  cfg: LookupConfig,
  code: string,
): { index: number; used: boolean } {
  const normalized = code.trim().toLowerCase();
  if (normalized.length !== LOOKUP_CODE_LENGTH || !LOOKUP_ALPHABET.test(normalized)) {
    return { index: -1, used: false };
  }
  const candidates = lookupKeys(ctx).map((k) => hashLookupCode(k, identityId, normalized));
  const list = cfg.recovery_codes ?? [];
  for (let i = 0; i < list.length; i++) {
    if (candidates.some((h) => safeEqual(h, list[i]!.code_hash)))
      return { index: i, used: !!list[i]!.used_at };
  }
  return { index: -1, used: false };
}

/**
 * Replaces a credential's config only if nobody changed it since it was read (its `version`), so a
 * single-use code or a TOTP step is consumed exactly once under concurrency.
 */
export async function compareAndSetCredential(
  db: DbOrTx,
  row: { id: string; version: number },
  config: Record<string, unknown>,
): Promise<boolean> {
  const updated = await db
    .update(identityCredentials)
    .set({ config, version: row.version + 1, updatedAt: new Date() })
    .where(and(eq(identityCredentials.id, row.id), eq(identityCredentials.version, row.version)))
    .returning({ id: identityCredentials.id });
  return updated.length === 1;
}
