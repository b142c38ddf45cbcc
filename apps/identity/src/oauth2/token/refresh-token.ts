import { type ClientRecord, isPublic } from "../clients/model.ts";
import { boundJkt, type DPoPProof } from "../dpop/proof.ts";
import { OAuth2Error } from "../errors.ts";
import {
  findGrantById,
  findGrantByRefresh,
  type GrantRow,
  revokeGrantTokens,
  rotateGeneration,
  rotateRefresh,
} from "../grants.ts";
import type { OAuth2 } from "../runtime.ts";
import { splitList } from "../scope.ts";
import { prepareTokens, tokenResponse, type TokenRequestContext } from "./issue.ts";
import { findByToken, parseToken } from "./tokens.ts";
import { narrowAtRefresh } from "../authorize/details.ts";

/**
 * How long after a rotation the refresh token it replaced still counts as "used concurrently" rather
 * than "replayed": parallel refreshes (two tabs) then fail without revoking the chain.
 */
export const CONCURRENT_REFRESH_WINDOW_MS = 5_000;

const invalidGrant = (hint: string) => new OAuth2Error("invalid_grant", hint);

/**
 * grant_type=refresh_token (RFC 6749 §6) with rotation. The rotation is one conditional UPDATE on the
 * current refresh token's hash, so of parallel requests exactly one wins. A refresh token that is no
 * longer current is a replay: the whole chain is revoked — unless it is the token rotated last and
 * that rotation is recent: within `oauth2.grant.refresh_token.rotation_grace_period` it gets a fresh
 * pair, within a few seconds (a concurrent use) the request only fails.
 */
export async function refreshTokenGrant(
  o2: OAuth2,
  client: ClientRecord,
  form: URLSearchParams,
  { dpop }: TokenRequestContext = {},
): Promise<Record<string, unknown>> {
  if (!client.data.grant_types.includes("refresh_token")) {
    throw new OAuth2Error(
      "unauthorized_client",
      "The client is not allowed to use authorization grant 'refresh_token'.",
    );
  }
  const token = form.get("refresh_token");
  if (!token) throw new OAuth2Error("invalid_request", "The 'refresh_token' parameter is missing.");
  const parsed = parseToken(o2, "ory_rt_", token);
  if (!parsed) throw invalidGrant("The refresh token is malformed or was not issued by this server.");

  const grant = await findByToken(o2, token, (h) => findGrantByRefresh(o2.ctx.db, h));
  if (!grant) {
    const owner = await findGrantById(o2.ctx.db, parsed.grantId);
    if (owner && owner.clientId === client.id && !owner.tokensRevokedAt) {
      // The token rotated last (the one just before the current): its age since that rotation decides.
      const sinceRotation =
        owner.generation === parsed.generation + 1 && owner.refreshedAt !== null
          ? Date.now() - owner.refreshedAt.getTime()
          : Number.POSITIVE_INFINITY;
      if (sinceRotation < o2.cfg.grant.refresh_token.rotation_grace_period) {
        return reissueInGrace(o2, client, owner, form, dpop);
      }
      if (sinceRotation < CONCURRENT_REFRESH_WINDOW_MS) {
        throw invalidGrant("The refresh token was just rotated by a concurrent request.");
      }
      await revokeGrantTokens(o2.ctx.db, owner.id);
      o2.ctx.log.warn("refresh token reused; its chain was revoked", { grant: owner.id, client: client.id });
      throw invalidGrant("The refresh token has already been used. All tokens of this grant were revoked.");
    }
    throw invalidGrant("The refresh token is unknown, expired or revoked.");
  }
  if (grant.clientId !== client.id) {
    throw invalidGrant(
      "The OAuth 2.0 Client ID from this request does not match the ID during the initial token issuance.",
    );
  }
  if (grant.tokensRevokedAt || !grant.refreshExpiresAt || grant.refreshExpiresAt <= new Date()) {
    throw invalidGrant("The refresh token has expired or was revoked.");
  }
  checkRefreshBinding(client, grant, dpop);
  const scope = requestedScope(grant, form);
  const narrowedDetails = narrowAtRefresh(grant, client, form);
  const generation = grant.generation + 1;
  const tokens = await prepareTokens(o2, client, grant, {
    scope,
    refresh: true,
    generation,
    via: "refresh_token",
    jkt: dpop?.jkt,
    ...(narrowedDetails ? { narrowedDetails } : {}),
  });
  const rotated = await rotateRefresh(o2.ctx.db, grant.id, grant.refreshHash!, {
    ...tokens.set,
    refreshedAt: new Date(),
  });
  if (!rotated) throw invalidGrant("The refresh token was just rotated by a concurrent request.");
  return tokenResponse(o2, rotated, tokens, { idToken: true, nonce: false });
}

/**
 * RFC 9449 §5: a public client's refresh token is bound to the DPoP key its tokens were issued for, so
 * it only works with a proof of that key (a stolen token is useless without the private key). A
 * confidential client's refresh token is bound by client authentication instead; each refresh binds
 * the new access token to the key of its own proof.
 */
function checkRefreshBinding(client: ClientRecord, grant: GrantRow, dpop: DPoPProof | undefined): void {
  const bound = boundJkt(grant);
  if (!bound || !isPublic(client)) return;
  if (!dpop) {
    throw invalidGrant(
      "The refresh token is bound to a DPoP key; the request must carry a DPoP proof of that key.",
    );
  }
  if (dpop.jkt !== bound) {
    throw invalidGrant(
      "The DPoP proof was signed with another key than the one the refresh token is bound to.",
    );
  }
}

/** The scope asked for (a subset of the granted one), or the granted scope. */
function requestedScope(grant: GrantRow, form: URLSearchParams): string[] {
  const asked = splitList(form.get("scope"));
  if (!asked.length) return grant.grantedScope;
  const extra = asked.filter((s) => !grant.grantedScope.includes(s));
  if (extra.length) {
    throw new OAuth2Error("invalid_scope", `The requested scope '${extra[0]}' was not originally granted.`);
  }
  return asked;
}

/**
 * The refresh token rotated last, presented again within `oauth2.grant.refresh_token.rotation_grace_period`
 * (a client that never got the answer retries): a fresh token pair replaces the current one, so the
 * chain stays one chain. The grant's tokens must still be alive.
 */
async function reissueInGrace(
  o2: OAuth2,
  client: ClientRecord,
  grant: GrantRow,
  form: URLSearchParams,
  dpop: DPoPProof | undefined,
): Promise<Record<string, unknown>> {
  if (!grant.refreshHash || !grant.refreshExpiresAt || grant.refreshExpiresAt <= new Date()) {
    throw invalidGrant("The refresh token has expired or was revoked.");
  }
  checkRefreshBinding(client, grant, dpop);
  const scope = requestedScope(grant, form);
  const narrowedDetails = narrowAtRefresh(grant, client, form);
  const generation = grant.generation + 1;
  const tokens = await prepareTokens(o2, client, grant, {
    scope,
    refresh: true,
    generation,
    via: "refresh_token",
    jkt: dpop?.jkt,
    ...(narrowedDetails ? { narrowedDetails } : {}),
  });
  const rotated = await rotateGeneration(o2.ctx.db, grant.id, grant.generation, {
    ...tokens.set,
    refreshedAt: new Date(),
  });
  if (!rotated) throw invalidGrant("The refresh token was just rotated by a concurrent request.");
  return tokenResponse(o2, rotated, tokens, { idToken: true, nonce: false });
}
