import type { Hono } from "hono";
import { OAuth2Error } from "../errors.ts";
import { noStore, readParams } from "../http.ts";
import type { OAuth2 } from "../runtime.ts";
import { splitList } from "../scope.ts";
import { boundJkt } from "../dpop/proof.ts";
import { isPublic } from "../clients/model.ts";
import { findClientCached } from "../clients/repository.ts";
import { actOf } from "../token/tokens.ts";
import type { GrantRow } from "../grants.ts";
import { findActiveToken } from "./inspect.ts";
import { accessDetails, grantedDetails } from "../authorize/details.ts";

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/**
 * POST /admin/oauth2/introspect (RFC 7662), on the admin port only, as in Hydra: `token` and an
 * optional `scope` the token must carry. Anything not active is `{active: false}`.
 */
export function registerIntrospectRoutes(admin: Hono, o2: OAuth2): void {
  admin.post("/oauth2/introspect", async (c) => {
    noStore(c);
    const form = await readParams(c, { query: false });
    const token = form.get("token");
    if (!token) throw new OAuth2Error("invalid_request", "The 'token' parameter is missing.");
    const hint = form.get("token_type_hint");
    const found = await findActiveToken(
      o2,
      token,
      hint === "refresh_token" || hint === "access_token" ? hint : undefined,
    );
    const required = splitList(form.get("scope"));
    if (!found || !required.every((s) => found.scope.includes(s))) return c.json({ active: false });
    const { grant } = found;
    // RFC 9449 §6.2: a DPoP-bound access token says so, with the thumbprint of its key.
    const jkt = found.use === "access_token" ? boundJkt(grant) : undefined;
    // RFC 9449 §5: a public client's refresh token is bound to the key too (the refresh needs a proof
    // of it; refresh-token.ts checkRefreshBinding); a confidential client's is bound by its credentials.
    const refreshJkt = found.use === "refresh_token" ? await refreshBinding(o2, grant) : undefined;
    const issuedAt = grant.tokensIssuedAt ?? grant.handledAt;
    // RFC 8693 §4.1: a token from an exchange with an actor says who acts for the subject.
    const act = actOf(grant);
    // RFC 9396 §9.2: the token's authorization details (an access token's may be narrowed at a refresh).
    const details = found.use === "access_token" ? accessDetails(grant) : grantedDetails(grant);
    return c.json({
      active: true,
      scope: found.scope.join(" "),
      client_id: grant.clientId,
      sub: grant.subject,
      ...(grant.clientSubject !== grant.subject ? { obfuscated_subject: grant.clientSubject } : {}),
      exp: seconds(found.expiresAt),
      iat: seconds(issuedAt),
      nbf: seconds(issuedAt),
      aud: grant.grantedAudience,
      iss: o2.issuer,
      token_type: jkt ? "DPoP" : "Bearer",
      ...(jkt ? { cnf: { jkt } } : refreshJkt ? { cnf: { jkt: refreshJkt } } : {}),
      token_use: found.use,
      ...(found.use === "access_token" ? { ext: grant.accessTokenClaims ?? {} } : {}),
      ...(act ? { act } : {}),
      ...(details ? { authorization_details: details } : {}),
    });
  });
}

/** The key a refresh token is bound to: the grant's DPoP key when its client is public. */
async function refreshBinding(o2: OAuth2, grant: GrantRow): Promise<string | undefined> {
  const jkt = boundJkt(grant);
  if (!jkt) return undefined;
  const client = await findClientCached(o2.ctx.db, grant.clientId);
  return client && isPublic(client) ? jkt : undefined;
}
