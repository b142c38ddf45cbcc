import { createHash } from "node:crypto";
import type { Context } from "hono";
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  EmbeddedJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
} from "jose";
import { rawHeader } from "../../http/request.ts";
import { spendJti } from "../assertions/jti.ts";
import { ASYMMETRIC_ALGS } from "../clients/model.ts";
import { OAuth2Error } from "../errors.ts";
import type { GrantRow } from "../grants.ts";
import type { OAuth2 } from "../runtime.ts";
import { checkNonce, issueNonce } from "./nonce.ts";

/**
 * The algorithms a DPoP proof may be signed with (RFC 9449 §4.2: asymmetric only, never `none` or a
 * MAC). `Ed25519` is the fully specified name (RFC 9864) openid-client signs Ed25519 proofs with.
 */
export const DPOP_ALGS = [...ASYMMETRIC_ALGS, "Ed25519"];

/** Members of a private or symmetric JWK: a proof's `jwk` must carry none of them (RFC 9449 §4.3). */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_PROOF_LENGTH = 8192;

/** A verified DPoP proof: the SHA-256 thumbprint (RFC 7638) of the key it was signed with. */
export interface DPoPProof {
  jkt: string;
}

/**
 * Where a proof is checked. The token and PAR endpoints answer RFC 6749 errors (400); a resource
 * (userinfo) answers 401 with a `WWW-Authenticate: DPoP` challenge (RFC 9449 §7.1).
 */
export type DPoPSite = "authorization-server" | "resource";

/** `ath` (RFC 9449 §4.2): base64url SHA-256 of the access token. */
export function accessTokenHash(token: string): string {
  return createHash("sha256").update(token, "ascii").digest("base64url");
}

/** The key thumbprint a grant's code or current tokens are bound to, if any (kept in the row's request JSON). */
export function boundJkt(grant: Pick<GrantRow, "request">): string | undefined {
  const jkt = (grant.request as { dpop_jkt?: unknown } | null)?.dpop_jkt;
  return typeof jkt === "string" && jkt ? jkt : undefined;
}

/** The `WWW-Authenticate` challenge of a resource for a DPoP failure (RFC 9449 §7.1). */
export function dpopChallenge(error?: string, description?: string): string {
  const parts = [`algs="${DPOP_ALGS.join(" ")}"`];
  if (error) parts.unshift(`error="${error}"`);
  if (description) parts.push(`error_description="${description.replace(/["\\]/g, "'")}"`);
  return `DPoP ${parts.join(", ")}`;
}

/** The target URI without query and fragment (RFC 9449 §4.3 item 9), normalized by the URL parser; undefined when it is no URL. */
function withoutQuery(value: string): string | undefined {
  try {
    const u = new URL(value);
    if (u.protocol !== "http:" && u.protocol !== "https:") return undefined;
    u.search = "";
    u.hash = "";
    return u.href;
  } catch {
    return undefined;
  }
}

function refusal(o2: OAuth2, site: DPoPSite, code: "invalid_dpop_proof" | "use_dpop_nonce", hint: string) {
  const headers: Record<string, string> = {};
  if (code === "use_dpop_nonce") headers["DPoP-Nonce"] = issueNonce(o2);
  if (site === "resource") headers["WWW-Authenticate"] = dpopChallenge(code, hint);
  return new OAuth2Error(code, hint, { headers, ...(site === "resource" ? { status: 401 } : {}) });
}

/**
 * Reads and verifies the request's DPoP proof (RFC 9449 §4.3), or answers undefined when the request
 * carries none. A proof must be one compact JWS with `typ: dpop+jwt`, an asymmetric `alg`, a public
 * `jwk` that verifies its signature, `htm` = the request's method, `htu` = `htu` (query and fragment
 * ignored), an `iat` no older than `oauth2.dpop.proof_max_age` and no further ahead than
 * `oauth2.dpop.clock_skew`, `ath` = the hash of `accessToken` when one is presented, the server's nonce
 * when `oauth2.dpop.require_nonce`, and a `jti` never seen before: it is kept in `oauth2_jtis` (under
 * the key's thumbprint) for as long as the proof could be accepted, so a replay — even a concurrent
 * one — is refused.
 */
export async function verifyDPoP(
  c: Context,
  o2: OAuth2,
  opts: { htu: string; site: DPoPSite; accessToken?: string },
): Promise<DPoPProof | undefined> {
  const proof = rawHeader(c, "dpop");
  if (proof === undefined) return undefined;
  const refuse = (hint: string) => refusal(o2, opts.site, "invalid_dpop_proof", hint);
  if (proof.length > MAX_PROOF_LENGTH || !COMPACT_JWS.test(proof)) {
    throw refuse("The DPoP header must be exactly one compact JWS.");
  }
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(proof) as Record<string, unknown>;
  } catch {
    throw refuse("The DPoP proof's header can not be decoded.");
  }
  if (header.typ !== "dpop+jwt") throw refuse("The DPoP proof's 'typ' must be 'dpop+jwt'.");
  if (typeof header.alg !== "string" || !DPOP_ALGS.includes(header.alg)) {
    throw refuse(`The DPoP proof must be signed with one of ${DPOP_ALGS.join(", ")}.`);
  }
  const jwk = header.jwk;
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) {
    throw refuse("The DPoP proof's header must carry the public key as 'jwk'.");
  }
  if (PRIVATE_MEMBERS.some((m) => m in jwk) || (jwk as JWK).kty === "oct") {
    throw refuse(
      "The DPoP proof's 'jwk' must be a public key; it carries private or symmetric key material.",
    );
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(proof, EmbeddedJWK, { typ: "dpop+jwt", algorithms: DPOP_ALGS }));
  } catch {
    throw refuse("The DPoP proof's signature does not verify with the key in its 'jwk' header.");
  }

  const { jti, htm, htu, iat, ath, nonce } = payload as JWTPayload & Record<string, unknown>;
  if (typeof jti !== "string" || jti.length < 1 || jti.length > 256) {
    throw refuse("The DPoP proof must carry a 'jti' of 1 to 256 characters.");
  }
  if (htm !== c.req.method) throw refuse(`The DPoP proof's 'htm' must be '${c.req.method}'.`);
  const expected = withoutQuery(opts.htu);
  if (typeof htu !== "string" || withoutQuery(htu) === undefined || withoutQuery(htu) !== expected) {
    throw refuse(`The DPoP proof's 'htu' must be '${expected}'.`);
  }
  const now = Date.now() / 1000;
  const { proof_max_age: maxAge, clock_skew: skew, require_nonce } = o2.cfg.dpop;
  if (typeof iat !== "number" || !Number.isFinite(iat)) throw refuse("The DPoP proof must carry 'iat'.");
  if (iat > now + skew / 1000) throw refuse("The DPoP proof's 'iat' lies in the future.");
  if (iat < now - maxAge / 1000) throw refuse("The DPoP proof is too old ('iat'); sign a fresh one.");
  if (opts.accessToken !== undefined) {
    if (typeof ath !== "string" || ath !== accessTokenHash(opts.accessToken)) {
      throw refuse("The DPoP proof's 'ath' must be the hash of the access token presented.");
    }
  }
  if (require_nonce && (typeof nonce !== "string" || !checkNonce(o2, nonce))) {
    throw refusal(
      o2,
      opts.site,
      "use_dpop_nonce",
      nonce === undefined
        ? "The DPoP proof must carry the server's nonce."
        : "The DPoP proof's nonce is not valid anymore.",
    );
  }

  const jkt = await calculateJwkThumbprint(jwk as JWK, "sha256");
  const keptUntil = new Date((iat + maxAge / 1000 + skew / 1000) * 1000);
  if (!(await spendJti(o2.ctx.db, "dpop", jkt, jti, keptUntil))) {
    throw refuse("The DPoP proof was used before ('jti'): a proof is good for one request.");
  }
  return { jkt };
}

/** Hands the client the current nonce when nonces are required (RFC 9449 §8.2: a success may carry the next one). */
export function offerNonce(c: Context, o2: OAuth2): void {
  if (o2.cfg.dpop.require_nonce) c.header("DPoP-Nonce", issueNonce(o2));
}
