import { sql } from "drizzle-orm";
import type { Hono } from "hono";
import { oauth2Clients } from "../../db/schema.ts";
import { rowsOf } from "../../db/rows.ts";
import { cachePerDatabase } from "../../db/table-cache.ts";
import { ASYMMETRIC_ALGS, AUTH_METHODS, HMAC_ALGS } from "../clients/model.ts";
import { publicUrl, type OAuth2 } from "../runtime.ts";
import { DEVICE_CODE_GRANT } from "../device/requests.ts";
import { JWT_BEARER } from "../token/jwt-bearer.ts";
import { DPOP_ALGS } from "../dpop/proof.ts";
import { TOKEN_EXCHANGE } from "../token/token-exchange.ts";

/**
 * GET /.well-known/openid-configuration. Advertises what this provider actually does: the
 * authorization code flow (with refresh tokens and client credentials), PKCE S256, query, fragment
 * and form_post response modes, RP-initiated, back-channel and front-channel logout, the device flow
 * (RFC 8628), DPoP (RFC 9449).
 */
/** Every `authorization_details` type some client may request, read once and kept until a client changes. */
const detailTypesCache = cachePerDatabase<string[]>({ tables: ["oauth2_clients"] });

async function authorizationDetailsTypes(o2: OAuth2): Promise<string[]> {
  const load = async () => {
    const result = await o2.ctx.db.execute(
      sql`select distinct jsonb_array_elements_text(${oauth2Clients.data}->'authorization_details_types') as type from ${oauth2Clients} where jsonb_typeof(${oauth2Clients.data}->'authorization_details_types') = 'array'`,
    );
    return rowsOf<{ type: string }>(result)
      .map((r) => r.type)
      .sort();
  };
  const cache = detailTypesCache(o2.ctx.db);
  return (cache ? await cache.through("all", load) : await load()) ?? [];
}

export async function discoveryDocument(o2: OAuth2): Promise<Record<string, unknown>> {
  const algs = await o2.jwks.idTokenAlgs();
  return {
    issuer: o2.issuer,
    authorization_endpoint: publicUrl(o2, "oauth2/auth"),
    token_endpoint: publicUrl(o2, "oauth2/token"),
    pushed_authorization_request_endpoint: publicUrl(o2, "oauth2/par"),
    require_pushed_authorization_requests: o2.cfg.pushed_authorization_requests.enforced,
    device_authorization_endpoint: publicUrl(o2, "oauth2/device/auth"),
    jwks_uri: publicUrl(o2, ".well-known/jwks.json"),
    userinfo_endpoint: publicUrl(o2, "userinfo"),
    revocation_endpoint: publicUrl(o2, "oauth2/revoke"),
    end_session_endpoint: publicUrl(o2, "oauth2/sessions/logout"),
    subject_types_supported: o2.cfg.subject_identifiers.supported_types,
    response_types_supported: ["code"],
    response_modes_supported: ["query", "fragment", "form_post"],
    grant_types_supported: [
      "authorization_code",
      "refresh_token",
      "client_credentials",
      JWT_BEARER,
      DEVICE_CODE_GRANT,
      TOKEN_EXCHANGE,
    ],
    scopes_supported: ["offline_access", "offline", "openid"],
    // What the core itself puts in ID tokens; the consent app adds its own (`session.id_token`).
    claims_supported: ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid"],
    token_endpoint_auth_methods_supported: [...AUTH_METHODS],
    token_endpoint_auth_signing_alg_values_supported: [...ASYMMETRIC_ALGS, ...HMAC_ALGS],
    revocation_endpoint_auth_methods_supported: [...AUTH_METHODS],
    revocation_endpoint_auth_signing_alg_values_supported: [...ASYMMETRIC_ALGS, ...HMAC_ALGS],
    code_challenge_methods_supported: ["S256"],
    // RFC 9449 §5.1: the algorithms verifyDPoP accepts, no more.
    dpop_signing_alg_values_supported: [...DPOP_ALGS],
    id_token_signing_alg_values_supported: algs,
    id_token_signed_response_alg: algs,
    userinfo_signing_alg_values_supported: ["none"],
    userinfo_signed_response_alg: ["none"],
    // RFC 9101 (authorize/request-object.ts): by value, or by a request_uri the client registered.
    request_parameter_supported: true,
    request_uri_parameter_supported: true,
    require_request_uri_registration: true,
    // 'none' only for a client that registered request_object_signing_alg 'none'.
    request_object_signing_alg_values_supported: ["none", ...ASYMMETRIC_ALGS],
    // OpenID Connect Core §5.5 (authorize/claims-request.ts): checked, handed to the consent app as
    // oidc_context.claims, an essential acr and a requested sub enforced.
    claims_parameter_supported: true,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    frontchannel_logout_supported: true,
    frontchannel_logout_session_supported: true,
    prompt_values_supported: ["none", "login", "consent", "select_account"],
    // RFC 9396 §10: the types the clients registered (`authorization_details_types`).
    authorization_details_types_supported: await authorizationDetailsTypes(o2),
  };
}

export function registerDiscoveryRoute(app: Hono, o2: OAuth2): void {
  app.get("/.well-known/openid-configuration", async (c) => c.json(await discoveryDocument(o2)));
}
