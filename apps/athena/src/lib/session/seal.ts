import { hkdfSync } from "node:crypto";
import { EncryptJWT, errors, jwtDecrypt } from "jose";
import type { Domain } from "../env.ts";

/** Roles Athena knows; anything else signs no one in. */
export const ROLES = ["admin", "viewer"] as const;
export type Role = (typeof ROLES)[number];

/** What the `athena-session` cookie carries. */
export interface AthenaSession {
  /** The IAM identity id of the administrator. */
  sub: string;
  email: string;
  name: string;
  role: Role;
  /** The domain of the Athena instance that issued the cookie. */
  domain: Domain;
  /** The OAuth2 issuer that authenticated the administrator. */
  iss: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** The ID token, kept for RP-initiated logout (`id_token_hint`). */
  idt?: string;
  /** The assurance of the IAM sign-in (the ID token's `acr`): `aal2` when a second factor was used. */
  aal?: "aal1" | "aal2";
}

export const SESSION_COOKIE = "athena-session";
/** Sessions last at most 8 hours, whatever the ID token says. */
export const SESSION_MAX_AGE = 8 * 60 * 60;

/** Purposes get separate keys, so a flow-state cookie can never pass as a session and vice versa. */
export type KeyPurpose = "session" | "auth-flow";

/**
 * A 256-bit key for one purpose on one domain's instance, derived with HKDF-SHA256 from the
 * configured secret. The domain is in the derivation, so a cookie sealed by the CIAM instance
 * does not even decrypt on the IAM instance, even when both share a secret.
 */
export function deriveKey(secret: string, domain: Domain, purpose: KeyPurpose): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", secret, "olympus-athena/v1", `athena:${purpose}:${domain}`, 32));
}

const audience = (domain: Domain, purpose: KeyPurpose) => `athena:${purpose}:${domain}`;

/**
 * Seals a payload as a JWE (`dir` + A256GCM). AES-GCM authenticates what it encrypts, so the
 * cookie is tamper-evident and confidential at once.
 */
export async function sealPayload(
  payload: Record<string, unknown>,
  opts: { secret: string; domain: Domain; purpose: KeyPurpose; maxAgeSeconds: number; now?: number },
): Promise<string> {
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  return new EncryptJWT(payload)
    .setProtectedHeader({ alg: "dir", enc: "A256GCM", typ: "JWT" })
    .setIssuedAt(now)
    .setNotBefore(now - 5)
    .setExpirationTime(now + opts.maxAgeSeconds)
    .setAudience(audience(opts.domain, opts.purpose))
    .encrypt(deriveKey(opts.secret, opts.domain, opts.purpose));
}

/** Opens what sealPayload sealed; undefined for anything forged, expired, foreign or malformed. */
export async function unsealPayload(
  token: string | undefined,
  opts: { secret: string; domain: Domain; purpose: KeyPurpose; maxAgeSeconds: number; now?: number },
): Promise<Record<string, unknown> | undefined> {
  if (!token || token.length > 8192) return undefined;
  try {
    const { payload } = await jwtDecrypt(token, deriveKey(opts.secret, opts.domain, opts.purpose), {
      audience: audience(opts.domain, opts.purpose),
      keyManagementAlgorithms: ["dir"],
      contentEncryptionAlgorithms: ["A256GCM"],
      requiredClaims: ["exp", "iat"],
      maxTokenAge: opts.maxAgeSeconds + 5,
      ...(opts.now !== undefined ? { currentDate: new Date(opts.now * 1000) } : {}),
    });
    return payload as Record<string, unknown>;
  } catch (e) {
    if (e instanceof errors.JOSEError || e instanceof TypeError || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

function isSession(p: Record<string, unknown>, domain: Domain): p is Record<string, unknown> & AthenaSession {
  const s = (k: string) => typeof p[k] === "string" && (p[k] as string).length > 0;
  return (
    s("sub") &&
    typeof p.email === "string" &&
    typeof p.name === "string" &&
    s("iss") &&
    p.domain === domain &&
    (ROLES as readonly unknown[]).includes(p.role) &&
    typeof p.exp === "number"
  );
}

/** Seals an administrator's session for this instance's domain. */
export async function sealSession(
  session: Omit<AthenaSession, "exp" | "domain">,
  opts: { secret: string; domain: Domain; maxAgeSeconds?: number; now?: number },
): Promise<string> {
  const maxAgeSeconds = Math.min(opts.maxAgeSeconds ?? SESSION_MAX_AGE, SESSION_MAX_AGE);
  const { sub, email, name, role, iss, idt, aal } = session;
  return sealPayload(
    { sub, email, name, role, iss, domain: opts.domain, ...(idt ? { idt } : {}), ...(aal ? { aal } : {}) },
    { secret: opts.secret, domain: opts.domain, purpose: "session", maxAgeSeconds, now: opts.now },
  );
}

/**
 * Opens an `athena-session` cookie. Rejects (undefined) a forged or tampered cookie, an expired one,
 * one sealed for another domain's instance (different key, different audience, different `domain`),
 * and one whose role Athena does not know.
 */
export async function unsealSession(
  token: string | undefined,
  opts: { secret: string; domain: Domain; now?: number },
): Promise<AthenaSession | undefined> {
  const p = await unsealPayload(token, { ...opts, purpose: "session", maxAgeSeconds: SESSION_MAX_AGE });
  if (!p || !isSession(p, opts.domain)) return undefined;
  return {
    sub: p.sub,
    email: p.email,
    name: p.name,
    role: p.role,
    domain: p.domain,
    iss: p.iss,
    exp: p.exp,
    ...(typeof p.idt === "string" ? { idt: p.idt } : {}),
    ...(p.aal === "aal1" || p.aal === "aal2" ? { aal: p.aal } : {}),
  };
}
