import { uuid } from "../../security/random.ts";
import { type ClientRecord, isPublic } from "../clients/model.ts";
import { OAuth2Error } from "../errors.ts";
import { type GrantRow, grantWriter, insertGrant } from "../grants.ts";
import type { OAuth2 } from "../runtime.ts";
import { isScopeToken, scopeAllowed, splitList } from "../scope.ts";
import { prepareTokens, tokenResponse, type TokenRequestContext } from "./issue.ts";
import { parseAuthorizationDetails } from "../authorize/details.ts";

/**
 * grant_type=client_credentials (RFC 6749 §4.4): a confidential client gets an access token for the
 * requested scopes and audiences it is allowed; no refresh token, no ID token. One INSERT, shared with
 * concurrent requests (GrantWriter).
 */
export async function clientCredentialsGrant(
  o2: OAuth2,
  client: ClientRecord,
  form: URLSearchParams,
  { dpop }: TokenRequestContext = {},
): Promise<Record<string, unknown>> {
  if (!client.data.grant_types.includes("client_credentials")) {
    throw new OAuth2Error(
      "unauthorized_client",
      "The client is not allowed to use authorization grant 'client_credentials'.",
    );
  }
  if (isPublic(client)) {
    throw new OAuth2Error(
      "unauthorized_client",
      "The client is public and thus not allowed to use grant type client_credentials.",
    );
  }
  const scope = splitList(form.get("scope"));
  checkScope(o2, client, scope);
  const audience = splitList(form.get("audience"));
  checkAudience(client, audience);
  // RFC 9396 §6: the client asks for the details itself (its registered types); no user consents.
  const details = parseAuthorizationDetails(form.get("authorization_details"), client);
  return issueWithoutUser(o2, client, {
    kind: "client_credentials",
    subject: client.id,
    scope,
    audience,
    jkt: dpop?.jkt,
    ...(details ? { request: { authorization_details: details } } : {}),
  });
}

/** Every requested scope must be allowed by the client (scope strategy). */
export function checkScope(o2: OAuth2, client: ClientRecord, scope: string[]): void {
  const allowed = splitList(client.data.scope);
  for (const s of scope) {
    if (!isScopeToken(s) || !scopeAllowed(o2.cfg.strategies.scope, allowed, s)) {
      throw new OAuth2Error("invalid_scope", `The OAuth 2.0 Client is not allowed to request scope '${s}'.`);
    }
  }
}

/** Every requested audience must be whitelisted by the client. */
export function checkAudience(client: ClientRecord, audience: string[]): void {
  for (const a of audience) {
    if (!client.data.audience.includes(a)) {
      throw new OAuth2Error(
        "invalid_request",
        `Requested audience '${a}' has not been whitelisted by the OAuth 2.0 Client.`,
      );
    }
  }
}

/**
 * Issues an access token no user took part in (client_credentials, jwt-bearer): a complete grant row,
 * inserted through the GrantWriter, no refresh token, no ID token.
 */
export async function issueWithoutUser(
  o2: OAuth2,
  client: ClientRecord,
  spec: {
    kind: GrantRow["kind"];
    subject: string;
    scope: string[];
    audience: string[];
    /** The subject as this client sees it (pairwise); the subject itself when absent. */
    clientSubject?: string;
    /** Kept with the grant (a token exchange: its `act` claim and where the subject token came from). */
    request?: Record<string, unknown>;
    notAfter?: Date;
    strategy?: "opaque" | "jwt";
    /** The DPoP key thumbprint the token is bound to (RFC 9449). */
    jkt?: string;
  },
): Promise<Record<string, unknown>> {
  const { scope, audience } = spec;
  const now = new Date();
  const draft: GrantRow = {
    id: uuid(),
    kind: spec.kind,
    clientId: client.id,
    subject: spec.subject,
    clientSubject: spec.clientSubject ?? spec.subject,
    consentChallengeId: null,
    loginChallengeId: null,
    loginSessionId: null,
    grantedScope: scope,
    grantedAudience: audience,
    accessScope: null,
    accessTokenClaims: {},
    idTokenClaims: {},
    request: spec.request ?? {},
    consentSkipped: false,
    remember: false,
    rememberFor: 0,
    nonce: null,
    redirectUri: null,
    codeChallenge: null,
    authTime: null,
    requestedAt: now,
    acr: null,
    amr: null,
    codeHash: null,
    codeExpiresAt: null,
    codeUsedAt: null,
    accessHash: null,
    accessExpiresAt: null,
    refreshHash: null,
    refreshExpiresAt: null,
    generation: 0,
    tokensIssuedAt: null,
    refreshedAt: null,
    tokensRevokedAt: null,
    handledAt: now,
    rememberUntil: null,
    expiresAt: now,
  };
  const tokens = await prepareTokens(o2, client, draft, {
    scope,
    refresh: false,
    generation: 0,
    via:
      spec.kind === "jwt_bearer"
        ? "jwt_bearer"
        : spec.kind === "client_credentials"
          ? "client_credentials"
          : undefined,
    jkt: spec.jkt,
    ...(spec.notAfter ? { notAfter: spec.notAfter } : {}),
    ...(spec.strategy ? { strategy: spec.strategy } : {}),
  });
  // Every column is set here, so the row needs no RETURNING; concurrent requests share an INSERT.
  const grant: GrantRow = { ...draft, ...tokens.set } as GrantRow;
  const writer = grantWriter(o2.ctx.db);
  if (writer) await writer.insert(grant);
  else await insertGrant(o2.ctx.db, grant);
  return tokenResponse(o2, grant, tokens, { idToken: false, nonce: false });
}
