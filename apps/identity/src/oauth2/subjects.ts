import { createHash } from "node:crypto";
import { compactVerify, createLocalJWKSet, type JWTPayload } from "jose";
import type { ClientRecord } from "./clients/model.ts";
import { ID_TOKEN_SET } from "./keys/store.ts";
import type { OAuth2 } from "./runtime.ts";

/**
 * The subject a client sees: a forced identifier, a pairwise one (OpenID Connect Core §8.1:
 * SHA-256 of sector identifier, subject and salt, as Hydra computes it), or the subject itself.
 */
export function clientSubject(o2: OAuth2, client: ClientRecord, subject: string, forced?: string): string {
  if (forced) return forced;
  if (client.data.subject_type !== "pairwise") return subject;
  const salt = o2.cfg.subject_identifiers.pairwise.salt ?? "";
  let sector = "";
  try {
    sector = new URL(client.data.sector_identifier_uri || client.data.redirect_uris[0] || "").host;
  } catch {
    sector = client.id;
  }
  return createHash("sha256").update(`${sector}${subject}${salt}`).digest("hex");
}

/**
 * Verifies an ID token this provider issued (id_token_hint): signature against the published keys and
 * `iss`. Expired tokens are accepted when `allowExpired` (a logout hint may be old). Undefined otherwise.
 */
export async function verifyOwnIdToken(
  o2: OAuth2,
  token: string,
  opts: { allowExpired?: boolean } = {},
): Promise<JWTPayload | undefined> {
  if (!token || token.length > 16_384) return undefined;
  try {
    // ID token keys only: a JWT access token (signed with the access token keys, also published)
    // is not an ID token and must not pass as an id_token_hint.
    const jwks = createLocalJWKSet({ keys: await o2.jwks.publishedKeys(ID_TOKEN_SET) });
    const { payload } = await compactVerify(token, jwks);
    const claims = JSON.parse(new TextDecoder().decode(payload)) as JWTPayload;
    if (claims.iss !== o2.issuer) return undefined;
    if (!opts.allowExpired && typeof claims.exp === "number" && claims.exp * 1000 < Date.now())
      return undefined;
    return claims;
  } catch {
    return undefined;
  }
}
