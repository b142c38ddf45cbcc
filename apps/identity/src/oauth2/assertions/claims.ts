import type { JWTPayload, JWTVerifyOptions } from "jose";
import type { ClientRecord } from "../clients/model.ts";
import { nowSeconds, type OAuth2 } from "../runtime.ts";
import { spendJti } from "./jti.ts";
import { AssertionError, verifyClientSigned } from "./verify.ts";

/** Clock difference tolerated between this server and the signer of an assertion. */
export const CLOCK_TOLERANCE_S = 30;

/**
 * The claim rules every JWT assertion (RFC 7523 §3) is held to, on top of `options` (iss, sub, aud):
 * `exp` always, `jti` and `iat` unless `oauth2.grant.jwt.{jti,iat}_optional`.
 */
export function assertionOptions(o2: OAuth2, options: JWTVerifyOptions): JWTVerifyOptions {
  const jwt = o2.cfg.grant.jwt;
  return {
    ...options,
    clockTolerance: CLOCK_TOLERANCE_S,
    requiredClaims: ["exp", ...(jwt.jti_optional ? [] : ["jti"]), ...(jwt.iat_optional ? [] : ["iat"])],
  };
}

/** Checks the lifetime rules jose does not know: `exp` at most `max_ttl` ahead, no `iat` from the future. */
export function checkLifetime(o2: OAuth2, payload: JWTPayload): void {
  const now = nowSeconds();
  const maxTtl = Math.floor(o2.cfg.grant.jwt.max_ttl / 1000);
  if (typeof payload.exp === "number" && payload.exp - now > maxTtl) {
    throw new AssertionError(`The JWT's 'exp' lies more than ${maxTtl} seconds in the future.`);
  }
  if (typeof payload.iat === "number" && payload.iat - now > CLOCK_TOLERANCE_S) {
    throw new AssertionError("The JWT's 'iat' lies in the future.");
  }
  if (payload.jti !== undefined && (typeof payload.jti !== "string" || payload.jti.length > 512)) {
    throw new AssertionError("The JWT's 'jti' must be a string of at most 512 characters.");
  }
}

/** Verifies a JWT a client signed as an assertion (signature, algorithm, claims, lifetime). */
export async function verifyAssertion(
  o2: OAuth2,
  client: ClientRecord,
  token: string,
  algorithms: string[],
  options: JWTVerifyOptions,
): Promise<JWTPayload> {
  const payload = await verifyClientSigned(o2, client, token, algorithms, assertionOptions(o2, options));
  checkLifetime(o2, payload);
  return payload;
}

/** Remembers an accepted assertion's `jti` until it expires; a second use is refused. */
export async function spendAssertion(
  o2: OAuth2,
  namespace: "client" | "jwt-bearer",
  issuer: string,
  payload: JWTPayload,
): Promise<void> {
  if (typeof payload.jti !== "string") return;
  const expiresAt = new Date(((payload.exp ?? nowSeconds()) + CLOCK_TOLERANCE_S) * 1000);
  if (!(await spendJti(o2.ctx.db, namespace, issuer, payload.jti, expiresAt))) {
    throw new AssertionError("Its 'jti' was used before: the assertion is a replay.");
  }
}
