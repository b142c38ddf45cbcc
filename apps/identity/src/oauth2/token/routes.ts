import type { Hono } from "hono";
import { OAuth2Error } from "../errors.ts";
import { noStore, readParams, refuseRepeated } from "../http.ts";
import type { OAuth2 } from "../runtime.ts";
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

/** POST /oauth2/token: parse → authenticate the client → dispatch on grant_type → issue. */
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
    const client = await authenticateClient(c, o2, form);
    return c.json(await handler(o2, client, form, c));
  });
}
