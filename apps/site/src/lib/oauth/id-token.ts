import {
  compactVerify,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  type JSONWebKeySet,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from "jose";

export type CheckId = "signature" | "iss" | "aud" | "exp" | "nonce";

/** One line of the verification panel: `ok` is null when the check does not apply. */
export interface TokenCheck {
  id: CheckId;
  label: string;
  ok: boolean | null;
  expected?: string;
  actual?: string;
  detail: string;
}

export interface IdTokenReport {
  header?: ProtectedHeaderParameters;
  claims?: JWTPayload;
  checks: TokenCheck[];
  /** True when every applicable check passed. */
  valid: boolean;
  /** Set when the token could not even be decoded. */
  malformed?: string;
}

export interface IdTokenExpectations {
  jwks: JSONWebKeySet;
  /** The `issuer` of the discovery document, compared exactly (string equality, as OIDC Core §3.1.3.7 says). */
  issuer: string;
  clientId: string;
  /** The nonce sent with the authorization request; undefined for ID tokens from a refresh. */
  nonce?: string;
  /** Epoch seconds; defaults to now. */
  now?: number;
  /** Allowed clock skew in seconds. */
  clockTolerance?: number;
}

// RS256 is what Hydra signs with; other asymmetric algorithms are accepted so a key rotation to ES256
// does not break the panel. Symmetric and "none" are never acceptable for a public client.
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

const show = (v: unknown) => (v === undefined ? "(absent)" : typeof v === "string" ? v : JSON.stringify(v));

async function checkSignature(token: string, header: ProtectedHeaderParameters, jwks: JSONWebKeySet) {
  const base = { id: "signature" as const, label: "Signature (JWKS)" };
  const alg = header.alg ?? "(none)";
  if (!ALGORITHMS.includes(alg)) {
    return {
      ...base,
      ok: false,
      actual: alg,
      detail: `algorithm ${alg} is not an accepted asymmetric algorithm`,
    };
  }
  try {
    const { key } = await compactVerify(token, createLocalJWKSet(jwks), { algorithms: ALGORITHMS });
    void key;
    return {
      ...base,
      ok: true,
      actual: `${alg}, kid ${show(header.kid)}`,
      detail: `signature verified with key ${show(header.kid)} from the JWKS`,
    };
  } catch (e) {
    const code = (e as { code?: string }).code;
    const detail =
      code === "ERR_JWKS_NO_MATCHING_KEY"
        ? `no key in the JWKS matches kid ${show(header.kid)} and ${alg}: the token was signed by a key this issuer does not publish`
        : code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
          ? "the signature does not match the published key: the token was altered or signed by another key"
          : `verification failed: ${(e as Error).message}`;
    return { ...base, ok: false, actual: `${alg}, kid ${show(header.kid)}`, detail };
  }
}

function checkIssuer(claims: JWTPayload, issuer: string): TokenCheck {
  const ok = claims.iss === issuer;
  return {
    id: "iss",
    label: "Issuer (iss)",
    ok,
    expected: issuer,
    actual: show(claims.iss),
    detail: ok
      ? "matches the issuer of the discovery document exactly"
      : "does not match the discovered issuer",
  };
}

function checkAudience(claims: JWTPayload, clientId: string): TokenCheck {
  const aud = claims.aud;
  const list = Array.isArray(aud) ? aud : typeof aud === "string" ? [aud] : [];
  const base = { id: "aud" as const, label: "Audience (aud)", expected: clientId, actual: show(aud) };
  if (!list.includes(clientId)) return { ...base, ok: false, detail: "this client is not in the audience" };
  // OIDC Core §3.1.3.7: with several audiences, azp must name this client.
  if (list.length > 1 && claims.azp !== clientId)
    return { ...base, ok: false, detail: `several audiences but azp is ${show(claims.azp)}` };
  return { ...base, ok: true, detail: "the token was issued to this client" };
}

function checkExpiry(claims: JWTPayload, now: number, tolerance: number): TokenCheck {
  const base = {
    id: "exp" as const,
    label: "Expiry (exp)",
    expected: `later than ${new Date(now * 1000).toISOString()}`,
  };
  if (typeof claims.exp !== "number")
    return { ...base, ok: false, actual: show(claims.exp), detail: "exp is missing" };
  const at = new Date(claims.exp * 1000).toISOString();
  const delta = claims.exp - now;
  if (delta + tolerance <= 0) return { ...base, ok: false, actual: at, detail: `expired ${-delta} s ago` };
  return { ...base, ok: true, actual: at, detail: `valid for another ${delta} s` };
}

function checkNonce(claims: JWTPayload, nonce: string | undefined): TokenCheck {
  const base = { id: "nonce" as const, label: "Nonce", actual: show(claims.nonce) };
  if (nonce === undefined) {
    return {
      ...base,
      ok: null,
      detail:
        "not checked: this ID token came from a refresh, not from an authorization request with a nonce",
    };
  }
  const ok = claims.nonce === nonce;
  return {
    ...base,
    ok,
    expected: nonce,
    detail: ok
      ? "matches the nonce this browser sent, so the token answers our request (no replay)"
      : "does not match the nonce sent with the authorization request: the token may be replayed",
  };
}

/** Decodes an ID token and runs each check the playground shows, without stopping at the first failure. */
export async function inspectIdToken(token: string, expect: IdTokenExpectations): Promise<IdTokenReport> {
  let header: ProtectedHeaderParameters;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(token);
    claims = decodeJwt(token);
  } catch (e) {
    return { checks: [], valid: false, malformed: `not a signed JWT: ${(e as Error).message}` };
  }
  const now = expect.now ?? Math.floor(Date.now() / 1000);
  const checks: TokenCheck[] = [
    await checkSignature(token, header, expect.jwks),
    checkIssuer(claims, expect.issuer),
    checkAudience(claims, expect.clientId),
    checkExpiry(claims, now, expect.clockTolerance ?? 30),
    checkNonce(claims, expect.nonce),
  ];
  return { header, claims, checks, valid: checks.every((c) => c.ok !== false) };
}
