import { createHash } from "node:crypto";
import { boundJkt, type DPoPProof } from "../dpop/proof.ts";
import type { ClientRecord } from "../clients/model.ts";
import { safeEqual } from "../crypto.ts";
import { OAuth2Error } from "../errors.ts";
import { findGrantByCode, type GrantRow, redeemCode, revokeGrantTokens } from "../grants.ts";
import type { OAuth2 } from "../runtime.ts";
import { prepareTokens, tokenResponse, wantsRefreshToken, type TokenRequestContext } from "./issue.ts";
import { findByToken, parseToken } from "./tokens.ts";

const invalidGrant = (hint: string) => new OAuth2Error("invalid_grant", hint);

/** Finds the grant of a code; a code seen a second time revokes everything issued from it. */
async function loadCode(o2: OAuth2, code: string): Promise<GrantRow> {
  if (!parseToken(o2, "ory_ac_", code)) {
    throw invalidGrant("The authorization code is malformed or was not issued by this server.");
  }
  const grant = await findByToken(o2, code, (h) => findGrantByCode(o2.ctx.db, h));
  if (!grant) throw invalidGrant("The authorization code is unknown, was revoked or has expired.");
  if (grant.codeUsedAt) {
    // RFC 6749 §4.1.2: a code used twice revokes the tokens issued with it.
    await revokeGrantTokens(o2.ctx.db, grant.id);
    o2.ctx.log.warn("authorization code replayed; its tokens were revoked", { grant: grant.id });
    throw invalidGrant("The authorization code has already been used.");
  }
  return grant;
}

function checkRedirect(grant: GrantRow, form: URLSearchParams): void {
  const given = form.get("redirect_uri");
  const wasParam = (grant.request as { redirect_uri_param?: boolean }).redirect_uri_param === true;
  if (wasParam && given === null) {
    throw invalidGrant("The 'redirect_uri' parameter is required because the authorization request had one.");
  }
  if (given !== null && given !== grant.redirectUri) {
    throw invalidGrant(
      "The 'redirect_uri' from this request does not match the one from the authorize request.",
    );
  }
}

/** RFC 7636 §4.6: BASE64URL(SHA256(code_verifier)) must equal the stored S256 challenge. */
function checkPkce(grant: GrantRow, form: URLSearchParams): void {
  const verifier = form.get("code_verifier");
  if (!grant.codeChallenge) {
    if (verifier)
      throw invalidGrant(
        "The 'code_verifier' was sent, but the authorization request had no code_challenge.",
      );
    return;
  }
  if (!verifier) throw invalidGrant("The PKCE code verifier must be at least 43 characters.");
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) {
    throw invalidGrant("The PKCE code verifier must be 43 to 128 characters of [A-Za-z0-9-._~].");
  }
  const computed = createHash("sha256").update(verifier, "ascii").digest("base64url");
  if (!safeEqual(computed, grant.codeChallenge)) {
    throw invalidGrant("The PKCE code challenge did not match the code verifier.");
  }
}

/**
 * RFC 9449 §10: a code whose authorization request named `dpop_jkt` is redeemed only with a proof of
 * that key.
 */
function checkCodeBinding(grant: GrantRow, dpop: DPoPProof | undefined): void {
  const bound = boundJkt(grant);
  if (!bound) return;
  if (!dpop) {
    throw invalidGrant(
      "The authorization code is bound to a DPoP key ('dpop_jkt'); the request must carry a DPoP proof of that key.",
    );
  }
  if (dpop.jkt !== bound) {
    throw invalidGrant(
      "The DPoP proof was signed with another key than the 'dpop_jkt' the code is bound to.",
    );
  }
}

/** grant_type=authorization_code (RFC 6749 §4.1.3): one conditional UPDATE redeems the code and stores the tokens. */
export async function authorizationCodeGrant(
  o2: OAuth2,
  client: ClientRecord,
  form: URLSearchParams,
  { dpop }: TokenRequestContext = {},
): Promise<Record<string, unknown>> {
  if (!client.data.grant_types.includes("authorization_code")) {
    throw new OAuth2Error(
      "unauthorized_client",
      "The client is not allowed to use authorization grant 'authorization_code'.",
    );
  }
  const code = form.get("code");
  if (!code) throw new OAuth2Error("invalid_request", "The 'code' parameter is missing.");
  const grant = await loadCode(o2, code);
  if (grant.clientId !== client.id) {
    throw invalidGrant(
      "The OAuth 2.0 Client ID from this request does not match the one from the authorize request.",
    );
  }
  if (grant.tokensRevokedAt) throw invalidGrant("The authorization code was revoked.");
  if (!grant.codeExpiresAt || grant.codeExpiresAt <= new Date()) {
    throw invalidGrant("The authorization code has expired.");
  }
  checkRedirect(grant, form);
  checkPkce(grant, form);
  checkCodeBinding(grant, dpop);

  const scope = grant.grantedScope;
  const tokens = await prepareTokens(o2, client, grant, {
    scope,
    refresh: wantsRefreshToken(client, scope),
    generation: 0,
    via: "authorization_code",
    jkt: dpop?.jkt,
  });
  const redeemed = await redeemCode(o2.ctx.db, grant.id, grant.codeHash!, {
    ...tokens.set,
    codeUsedAt: new Date(),
  });
  if (!redeemed) {
    // Another request redeemed the code between our read and this write: a replay, revoke.
    await revokeGrantTokens(o2.ctx.db, grant.id);
    throw invalidGrant("The authorization code has already been used.");
  }
  return tokenResponse(o2, redeemed, tokens, { idToken: true, nonce: true });
}
