import type { Hono } from "hono";
import { OAuth2Error } from "../errors.ts";
import { noStore, readParams, refuseRepeated } from "../http.ts";
import { offerNonce, verifyDPoP } from "../dpop/proof.ts";
import { type OAuth2, publicUrl } from "../runtime.ts";
import { authorizationCodeGrant } from "./authorization-code.ts";
import { authenticateClient } from "./client-auth.ts";
import { clientCredentialsGrant } from "./client-credentials.ts";
import { DEVICE_CODE_GRANT } from "../device/requests.ts";
import { deviceCodeGrant } from "./device-code.ts";
import { JWT_BEARER, jwtBearerGrant } from "./jwt-bearer.ts";
import { refreshTokenGrant } from "./refresh-token.ts";
import { TOKEN_EXCHANGE, tokenExchangeGrant } from "./token-exchange.ts";

const GRANTS = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
  [JWT_BEARER]: jwtBearerGrant,
  [DEVICE_CODE_GRANT]: deviceCodeGrant,
  [TOKEN_EXCHANGE]: tokenExchangeGrant,
} as const;

/**
 * POST /oauth2/token: parse → DPoP proof → authenticate the client → dispatch on grant_type → issue.
 * The proof is checked before the client authenticates, so a proof refused for a missing nonce does not
 * spend the client's assertion.
 */
export function registerTokenRoutes(app: Hono, o2: OAuth2): void {
  app.post("/oauth2/token", async (c) => {
    noStore(c);
    // RFC 8693 §2.1 lets a token exchange repeat `audience` and `resource`; no other grant may.
    const form = await readParams(c, { query: false, repeatable: ["audience", "resource"] });
    const grantType = form.get("grant_type");
    if (grantType !== TOKEN_EXCHANGE) refuseRepeated(form);
    if (!grantType) throw new OAuth2Error("invalid_request", "The 'grant_type' parameter is missing.");
    const handler = GRANTS[grantType as keyof typeof GRANTS];
    if (!handler) {
      throw new OAuth2Error("unsupported_grant_type", `The grant type '${grantType}' is not supported.`);
    }
    const dpop = await verifyDPoP(c, o2, {
      htu: publicUrl(o2, "oauth2/token"),
      site: "authorization-server",
    });
    const client = await authenticateClient(c, o2, form);
    if (!dpop && client.data.dpop_bound_access_tokens) {
      throw new OAuth2Error(
        "invalid_dpop_proof",
        "The OAuth 2.0 Client must send a DPoP proof with every token request (dpop_bound_access_tokens).",
      );
    }
    const body = await handler(o2, client, form, { c, dpop });
    offerNonce(c, o2);
    return c.json(body);
  });
}
