import { createHash, randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import { uuid } from "../../security/random.ts";
import type { ClientRecord } from "../clients/model.ts";
import { b64url, hmac, verifyHmac } from "../crypto.ts";
import type { GrantRow } from "../grants.ts";
import { ACCESS_TOKEN_SET, ID_TOKEN_SET } from "../keys/store.ts";
import { nowSeconds, type OAuth2 } from "../runtime.ts";

export type TokenPrefix = "ory_at_" | "ory_rt_" | "ory_ac_" | "ory_dc_";

/** Claims the consent session may not override in tokens. */
const RESERVED = new Set([
  "iss",
  "sub",
  "aud",
  "exp",
  "iat",
  "nbf",
  "jti",
  "auth_time",
  "rat",
  "nonce",
  "at_hash",
  "c_hash",
  "sid",
  "acr",
  "amr",
  "azp",
  "client_id",
  "scp",
  "ext",
  "authorization_details",
]);

function uuidBytes(id: string): Buffer {
  return Buffer.from(id.replace(/-/g, ""), "hex");
}

function bytesUuid(b: Buffer): string {
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * An opaque token, Hydra-style `<prefix><key>.<signature>`: the key is the grant id, the grant's
 * refresh generation and 20 random bytes; the signature an HMAC of prefix and key. Only a keyed hash
 * of the whole token is stored.
 */
export function mintToken(o2: OAuth2, prefix: TokenPrefix, grantId: string, generation = 0): string {
  const gen = Buffer.alloc(4);
  gen.writeUInt32BE(generation >>> 0);
  const key = b64url(Buffer.concat([uuidBytes(grantId), gen, randomBytes(20)]));
  return `${prefix}${key}.${hmac(o2.keys.token[0]!, `${prefix}${key}`)}`;
}

/** The grant an opaque token names, when its signature holds; undefined for anything else. */
export function parseToken(
  o2: OAuth2,
  prefix: TokenPrefix,
  token: string,
): { grantId: string; generation: number } | undefined {
  if (!token.startsWith(prefix) || token.length > 200) return undefined;
  const body = token.slice(prefix.length);
  const dot = body.indexOf(".");
  if (dot < 0) return undefined;
  const key = body.slice(0, dot);
  if (!verifyHmac(o2.keys.token, `${prefix}${key}`, body.slice(dot + 1))) return undefined;
  const raw = Buffer.from(key, "base64url");
  if (raw.length !== 40) return undefined;
  return { grantId: bytesUuid(raw.subarray(0, 16)), generation: raw.readUInt32BE(16) };
}

/** The stored form of a token (opaque or JWT): HMAC-SHA256 under the current key first, then older keys. */
export function tokenHashes(o2: OAuth2, token: string): string[] {
  return o2.keys.token.map((k) => hmac(k, `hash:${token}`));
}

export function tokenHash(o2: OAuth2, token: string): string {
  return tokenHashes(o2, token)[0]!;
}

/** Looks a token up by its hash under each configured key (normally one lookup). */
export async function findByToken<T>(
  o2: OAuth2,
  token: string,
  find: (hash: string) => Promise<T | undefined>,
): Promise<T | undefined> {
  if (!token || token.length > 8192) return undefined;
  for (const h of tokenHashes(o2, token)) {
    const found = await find(h);
    if (found) return found;
  }
  return undefined;
}

export function accessStrategy(o2: OAuth2, client: ClientRecord): "opaque" | "jwt" {
  return client.data.access_token_strategy || o2.cfg.strategies.access_token;
}

function customClaims(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([k]) => !RESERVED.has(k)));
}

export interface AccessTokenSpec {
  iat: number;
  exp: number;
  scope: string[];
  generation: number;
  /** The DPoP key thumbprint the token is bound to (RFC 9449 §6: `cnf.jkt` in a JWT). */
  jkt?: string;
  /** Overrides the client's access token strategy (a token exchange asking for a JWT). */
  strategy?: "opaque" | "jwt";
  /** RFC 9396 §9.1: the token's authorization details (a JWT carries them as a claim). */
  authorizationDetails?: Record<string, unknown>[];
}

/** The RFC 8693 §4.1 `act` claim of a grant issued by token exchange (the current actor, nesting earlier ones). */
export function actOf(grant: GrantRow): Record<string, unknown> | undefined {
  const act = (grant.request as { act?: unknown } | null)?.act;
  return grant.kind === "token_exchange" && act && typeof act === "object"
    ? (act as Record<string, unknown>)
    : undefined;
}

/** A JWT access token (Hydra's claims: iss, sub, aud, exp, iat, nbf, jti, client_id, scp, ext; `cnf` when DPoP-bound). */
export async function signJwtAccessToken(
  o2: OAuth2,
  grant: GrantRow,
  spec: AccessTokenSpec,
): Promise<string> {
  const key = await o2.jwks.signingKey(ACCESS_TOKEN_SET);
  const act = actOf(grant);
  return new SignJWT({
    client_id: grant.clientId,
    scp: spec.scope,
    ext: grant.accessTokenClaims ?? {},
    ...(spec.jkt ? { cnf: { jkt: spec.jkt } } : {}),
    ...(act ? { act } : {}),
    ...(spec.authorizationDetails ? { authorization_details: spec.authorizationDetails } : {}),
  })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" })
    .setIssuer(o2.issuer)
    .setSubject(grant.subject)
    .setAudience(grant.grantedAudience)
    .setIssuedAt(spec.iat)
    .setNotBefore(spec.iat)
    .setExpirationTime(spec.exp)
    .setJti(uuid())
    .sign(key.key);
}

/** The access token for a grant, in the client's strategy. */
export async function newAccessToken(
  o2: OAuth2,
  client: ClientRecord,
  grant: GrantRow,
  spec: AccessTokenSpec,
): Promise<string> {
  if ((spec.strategy ?? accessStrategy(o2, client)) === "jwt") return signJwtAccessToken(o2, grant, spec);
  return mintToken(o2, "ory_at_", grant.id, spec.generation);
}

/** OpenID Connect Core §3.1.3.6: the left half of the hash of the ASCII token, base64url. */
export function halfHash(alg: string, value: string): string {
  const bits = alg.endsWith("384") ? "sha384" : alg.endsWith("512") || alg === "EdDSA" ? "sha512" : "sha256";
  const digest = createHash(bits).update(value, "ascii").digest();
  return b64url(digest.subarray(0, digest.length / 2));
}

/** An ID token for a grant (iss, sub, aud, exp, iat, auth_time, rat, nonce, at_hash, sid, acr, amr, jti + consent claims). */
export async function signIdToken(
  o2: OAuth2,
  grant: GrantRow,
  opts: { accessToken?: string; nonce?: boolean; ttl?: number },
): Promise<string> {
  const key = await o2.jwks.signingKey(ID_TOKEN_SET);
  const iat = nowSeconds();
  const claims: Record<string, unknown> = {
    ...customClaims(grant.idTokenClaims ?? {}),
    rat: Math.floor(grant.requestedAt.getTime() / 1000),
    ...(grant.authTime ? { auth_time: Math.floor(grant.authTime.getTime() / 1000) } : {}),
    ...(opts.nonce && grant.nonce ? { nonce: grant.nonce } : {}),
    ...(opts.accessToken ? { at_hash: halfHash(key.alg, opts.accessToken) } : {}),
    ...(grant.loginSessionId ? { sid: grant.loginSessionId } : {}),
    ...(grant.acr ? { acr: grant.acr } : {}),
    ...(grant.amr?.length ? { amr: grant.amr } : {}),
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" })
    .setIssuer(o2.issuer)
    .setSubject(grant.clientSubject)
    .setAudience([grant.clientId])
    .setIssuedAt(iat)
    .setExpirationTime(iat + Math.floor((opts.ttl ?? o2.cfg.ttl.id_token) / 1000))
    .setJti(uuid())
    .sign(key.key);
}
