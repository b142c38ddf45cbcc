import {
  decodeProtectedHeader,
  importJWK,
  type JWK,
  type JWTPayload,
  type JWTVerifyOptions,
  jwtVerify,
} from "jose";
import { ASYMMETRIC_ALGS, type ClientRecord, HMAC_ALGS } from "../clients/model.ts";
import { openClientSecret, openPreviousClientSecret } from "../clients/repository.ts";
import { RemoteError } from "../remote/fetch.ts";
import type { OAuth2 } from "../runtime.ts";

/** Why a JWT signed by a client or a trusted issuer was refused; the message is fit for an error hint. */
export class AssertionError extends Error {
  override name = "AssertionError";
}

/** Compact JWS only (three parts); a JWE or anything longer is refused before any parsing. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The protected header of a compact JWS, or an AssertionError. */
export function headerOf(token: string): { alg: string; kid?: string } {
  if (token.length > 16_384 || !COMPACT_JWS.test(token)) {
    throw new AssertionError("The JWT is not a compact JWS.");
  }
  try {
    const header = decodeProtectedHeader(token);
    if (typeof header.alg !== "string") throw new AssertionError("The JWT header has no 'alg'.");
    return { alg: header.alg, ...(typeof header.kid === "string" ? { kid: header.kid } : {}) };
  } catch (e) {
    if (e instanceof AssertionError) throw e;
    throw new AssertionError("The JWT header can not be decoded.");
  }
}

/** Whether a JWK can verify signatures of `alg` (key type, curve, and its own `alg` when it names one). */
export function keyFits(k: JWK, alg: string): boolean {
  if (k.use === "enc" || (k.alg && k.alg !== alg)) return false;
  if (/^(RS|PS)/.test(alg)) return k.kty === "RSA";
  if (alg === "ES256") return k.kty === "EC" && k.crv === "P-256";
  if (alg === "ES384") return k.kty === "EC" && k.crv === "P-384";
  if (alg === "ES512") return k.kty === "EC" && k.crv === "P-521";
  if (alg === "EdDSA") return k.kty === "OKP" && (k.crv === "Ed25519" || k.crv === "Ed448");
  return false;
}

/**
 * Verifies a JWS against candidate keys: those with the header's `kid` (all fitting keys when it has
 * none), each tried in turn. Claims are checked by jose with `options`.
 */
export async function verifyWithKeys(
  token: string,
  keys: JWK[],
  alg: string,
  kid: string | undefined,
  options: JWTVerifyOptions,
): Promise<JWTPayload | undefined> {
  const candidates = keys.filter((k) => keyFits(k, alg) && (kid === undefined || k.kid === kid)).slice(0, 10);
  let claimsError: unknown;
  for (const jwk of candidates) {
    let key: Awaited<ReturnType<typeof importJWK>>;
    try {
      key = await importJWK(jwk, alg);
    } catch {
      continue;
    }
    try {
      return (await jwtVerify(token, key, { ...options, algorithms: [alg] })).payload;
    } catch (e) {
      const code = (e as { code?: string }).code;
      // The signature held but a claim did not: that is the answer, whatever other keys would say.
      if (code !== "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") {
        claimsError = e;
        break;
      }
    }
  }
  if (claimsError) throw new AssertionError(claimMessage(claimsError));
  return undefined;
}

/** jose's claim errors, phrased for an error hint. */
export function claimMessage(e: unknown): string {
  const err = e as { code?: string; claim?: string; message?: string };
  if (err.code === "ERR_JWT_EXPIRED") return "The JWT has expired ('exp').";
  if (err.code === "ERR_JWT_CLAIM_VALIDATION_FAILED") {
    return `The JWT's '${err.claim}' claim is missing or invalid: ${err.message}.`;
  }
  return `The JWT is invalid: ${err.message ?? "unknown error"}.`;
}

/**
 * Verifies a JWT signed by a client: with its secret (HS*, client_secret_jwt clients only) or its
 * public keys (`jwks`, or `jwks_uri`, refetched once when no cached key fits: the client may have
 * rotated). `algorithms` is the allow-list; `none` never passes.
 */
export async function verifyClientSigned(
  o2: OAuth2,
  client: ClientRecord,
  token: string,
  algorithms: string[],
  options: JWTVerifyOptions,
): Promise<JWTPayload> {
  const { alg, kid } = headerOf(token);
  if (!algorithms.includes(alg)) {
    throw new AssertionError(
      `The JWT is signed with '${alg}', but the OAuth 2.0 Client allows ${algorithms.map((a) => `'${a}'`).join(", ")}.`,
    );
  }
  if (HMAC_ALGS.includes(alg)) {
    const secret = openClientSecret(o2, client);
    if (!secret)
      throw new AssertionError("The OAuth 2.0 Client has no secret to verify an HMAC signature with.");
    // During a rotation's overlap an assertion signed with the previous secret passes too.
    const previous = openPreviousClientSecret(o2, client);
    const candidates = previous ? [secret, previous] : [secret];
    let failure: unknown;
    for (const candidate of candidates) {
      const bytes = new TextEncoder().encode(candidate);
      if (bytes.length * 8 < Number(alg.slice(2))) {
        throw new AssertionError(`The client secret is too short for '${alg}'.`);
      }
      try {
        return (await jwtVerify(token, bytes, { ...options, algorithms: [alg] })).payload;
      } catch (e) {
        failure = e;
        if ((e as { code?: string }).code !== "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") break;
      }
    }
    if ((failure as { code?: string }).code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") {
      throw new AssertionError("The JWT signature is invalid.");
    }
    throw new AssertionError(claimMessage(failure));
  }
  if (!ASYMMETRIC_ALGS.includes(alg)) throw new AssertionError(`The algorithm '${alg}' is not supported.`);
  const inline = client.data.jwks?.keys;
  const uri = client.data.jwks_uri;
  if (!inline && !uri)
    throw new AssertionError("The OAuth 2.0 Client has no public keys (jwks or jwks_uri).");
  const load = async (refresh: boolean): Promise<JWK[]> => {
    if (inline) return inline;
    try {
      return await o2.remoteKeys.get(uri!, { refresh });
    } catch (e) {
      const why = e instanceof RemoteError ? e.message : String(e);
      throw new AssertionError(`The client's jwks_uri could not be fetched: ${why}`);
    }
  };
  let payload = await verifyWithKeys(token, await load(false), alg, kid, options);
  if (!payload && !inline) payload = await verifyWithKeys(token, await load(true), alg, kid, options);
  if (!payload) throw new AssertionError("No key of the OAuth 2.0 Client verifies the JWT signature.");
  return payload;
}
