import type { Context, Hono } from "hono";
import { findClientCached } from "../clients/repository.ts";
import { corsClient } from "../cors.ts";
import { OAuth2Error } from "../errors.ts";
import { noStore, readParams } from "../http.ts";
import { findActiveToken } from "../introspect/inspect.ts";
import type { OAuth2 } from "../runtime.ts";

const RESERVED = new Set([
  "iss",
  "aud",
  "exp",
  "iat",
  "nbf",
  "jti",
  "nonce",
  "at_hash",
  "c_hash",
  "sid",
  "auth_time",
  "rat",
]);

async function bearerToken(c: Context): Promise<string | undefined> {
  const header = c.req.header("authorization");
  if (header && /^bearer /i.test(header)) return header.slice(7).trim();
  if (c.req.method === "POST")
    return (await readParams(c, { query: false })).get("access_token") ?? undefined;
  return undefined;
}

/**
 * GET|POST /userinfo (OpenID Connect Core §5.3): `sub` plus the consent's `session.id_token` claims,
 * for an active access token carrying `openid`. Failures follow RFC 6750 (WWW-Authenticate: Bearer).
 */
export function registerUserinfoRoutes(app: Hono, o2: OAuth2): void {
  app.on(["GET", "POST"], "/userinfo", async (c) => {
    noStore(c);
    const token = await bearerToken(c);
    const unauthorized = (hint: string) =>
      new OAuth2Error("invalid_token", hint, {
        headers: {
          "WWW-Authenticate": `Bearer error="invalid_token", error_description="${hint.replace(/"/g, "'")}"`,
        },
      });
    if (!token) {
      throw new OAuth2Error("invalid_token", "The request carries no access token.", {
        headers: { "WWW-Authenticate": "Bearer" },
      });
    }
    const found = await findActiveToken(o2, token, "access_token");
    if (found?.use !== "access_token") throw unauthorized("The access token is not active.");
    if (c.req.header("origin")) {
      const client = await findClientCached(o2.ctx.db, found.grant.clientId);
      if (client) corsClient(c, client);
    }
    if (!found.scope.includes("openid")) {
      throw new OAuth2Error("insufficient_scope", "The access token was not granted the 'openid' scope.", {
        headers: { "WWW-Authenticate": 'Bearer error="insufficient_scope", scope="openid"' },
      });
    }
    const claims = Object.fromEntries(
      Object.entries(found.grant.idTokenClaims ?? {}).filter(([k]) => !RESERVED.has(k) && k !== "sub"),
    );
    return c.json({ ...claims, sub: found.grant.clientSubject });
  });
}
