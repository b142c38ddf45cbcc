import type { Hono } from "hono";
import { OAuth2Error } from "../errors.ts";
import { revokeAccessToken, revokeGrantTokens } from "../grants.ts";
import { findActiveToken } from "../introspect/inspect.ts";
import { noStore, readParams } from "../http.ts";
import type { OAuth2 } from "../runtime.ts";
import { authenticateClient } from "../token/client-auth.ts";

/**
 * POST /oauth2/revoke (RFC 7009): the client authenticates; revoking a refresh token revokes its access
 * token too (the whole grant), revoking an access token revokes that token. Unknown tokens: 200.
 */
export function registerRevokeRoutes(app: Hono, o2: OAuth2): void {
  app.post("/oauth2/revoke", async (c) => {
    noStore(c);
    const form = await readParams(c, { query: false });
    const client = await authenticateClient(c, o2, form);
    const token = form.get("token");
    if (!token) throw new OAuth2Error("invalid_request", "The 'token' parameter is missing.");
    const hint = form.get("token_type_hint");
    const found = await findActiveToken(
      o2,
      token,
      hint === "refresh_token" || hint === "access_token" ? hint : undefined,
    );
    if (found) {
      if (found.grant.clientId !== client.id) {
        throw new OAuth2Error("unauthorized_client", "The token was issued to another client.");
      }
      if (found.use === "refresh_token") await revokeGrantTokens(o2.ctx.db, found.grant.id);
      else await revokeAccessToken(o2.ctx.db, found.grant.id);
    }
    return c.body(null, 200);
  });
}
