import { decodeJwt } from "jose";
import { checkLifetime, assertionOptions, spendAssertion } from "../assertions/claims.ts";
import { AssertionError, headerOf, verifyWithKeys } from "../assertions/verify.ts";
import { ASYMMETRIC_ALGS, type ClientRecord } from "../clients/model.ts";
import { OAuth2Error } from "../errors.ts";
import { publicUrl, type OAuth2 } from "../runtime.ts";
import { scopeAllowed, splitList } from "../scope.ts";
import { trustFor } from "../trust/repository.ts";
import { checkAudience, checkScope, issueWithoutUser } from "./client-credentials.ts";
import type { TokenRequestContext } from "./issue.ts";

export const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

const invalidGrant = (hint: string) => new OAuth2Error("invalid_grant", hint);

/**
 * grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer (RFC 7523 §2.1), with Hydra's trust
 * relationships: the assertion's issuer must be trusted for its subject (or any subject), the
 * assertion signed with that relationship's key, addressed to this server (`aud`: the token endpoint
 * or the issuer), unexpired, never seen before (`jti`); the scope must be allowed by the
 * relationship and the client. An access token for the assertion's subject is issued (no refresh
 * token, no ID token: no user took part), as Hydra does.
 */
export async function jwtBearerGrant(
  o2: OAuth2,
  client: ClientRecord,
  form: URLSearchParams,
  { dpop }: TokenRequestContext = {},
): Promise<Record<string, unknown>> {
  if (!client.data.grant_types.includes(JWT_BEARER)) {
    throw new OAuth2Error(
      "unauthorized_client",
      `The client is not allowed to use authorization grant '${JWT_BEARER}'.`,
    );
  }
  const assertion = form.get("assertion");
  if (!assertion) throw new OAuth2Error("invalid_request", "The 'assertion' parameter is missing.");
  let alg: string;
  let kid: string | undefined;
  let claimed: ReturnType<typeof decodeJwt>;
  try {
    ({ alg, kid } = headerOf(assertion));
    claimed = decodeJwt(assertion);
  } catch (e) {
    throw invalidGrant(e instanceof AssertionError ? e.message : "The 'assertion' is not a JWT.");
  }
  if (!ASYMMETRIC_ALGS.includes(alg)) {
    throw invalidGrant(
      `The assertion is signed with '${alg}'; only ${ASYMMETRIC_ALGS.join(", ")} are accepted.`,
    );
  }
  if (typeof claimed.iss !== "string" || !claimed.iss)
    throw invalidGrant("The assertion has no 'iss' claim.");
  if (typeof claimed.sub !== "string" || !claimed.sub)
    throw invalidGrant("The assertion has no 'sub' claim.");
  const trusted = await trustFor(o2.ctx.db, claimed.iss, claimed.sub, kid);
  if (!trusted.length) {
    throw invalidGrant(
      `No trust relationship allows issuer '${claimed.iss}' to assert subject '${claimed.sub}'${kid ? ` with key '${kid}'` : ""} (or it has expired).`,
    );
  }
  const options = assertionOptions(o2, {
    issuer: claimed.iss,
    subject: claimed.sub,
    audience: [publicUrl(o2, "oauth2/token"), o2.issuer],
  });
  let payload: Awaited<ReturnType<typeof verifyWithKeys>>;
  let relationship: (typeof trusted)[number] | undefined;
  try {
    for (const t of trusted) {
      payload = await verifyWithKeys(assertion, [t.publicJwk], alg, t.kid, options);
      if (payload) {
        relationship = t;
        break;
      }
    }
    if (!payload || !relationship)
      throw new AssertionError("No trusted key verifies the assertion's signature.");
    checkLifetime(o2, payload);
    await spendAssertion(o2, "jwt-bearer", claimed.iss, payload);
  } catch (e) {
    if (e instanceof AssertionError) throw invalidGrant(`The assertion was refused: ${e.message}`);
    throw e;
  }
  const scope = splitList(form.get("scope"));
  for (const s of scope) {
    if (!scopeAllowed(o2.cfg.strategies.scope, relationship.scope, s)) {
      throw new OAuth2Error("invalid_scope", `The trust relationship does not allow scope '${s}'.`);
    }
  }
  checkScope(o2, client, scope);
  const audience = splitList(form.get("audience"));
  checkAudience(client, audience);
  return issueWithoutUser(o2, client, {
    kind: "jwt_bearer",
    subject: claimed.sub,
    scope,
    audience,
    jkt: dpop?.jkt,
  });
}
