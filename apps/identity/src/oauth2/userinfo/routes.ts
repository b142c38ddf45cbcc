import type { Context, Hono } from "hono";
import { findClientCached } from "../clients/repository.ts";
import { corsClient } from "../cors.ts";
import { OAuth2Error } from "../errors.ts";
import { noStore, readParams } from "../http.ts";
import { boundJkt, dpopChallenge, offerNonce, verifyDPoP } from "../dpop/proof.ts";
import { findActiveToken } from "../introspect/inspect.ts";
import { type OAuth2, publicUrl } from "../runtime.ts";

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

/** The access token presented and its scheme: `Authorization: Bearer|DPoP`, or (POST) the `access_token` form field. */
async function presentedToken(c: Context): Promise<{ token: string; scheme: "Bearer" | "DPoP" } | undefined> {
  const header = c.req.header("authorization");
  if (header && /^bearer /i.test(header)) return { token: header.slice(7).trim(), scheme: "Bearer" };
  if (header && /^dpop /i.test(header)) return { token: header.slice(5).trim(), scheme: "DPoP" };
  if (c.req.method === "POST") {
    const token = (await readParams(c, { query: false })).get("access_token");
    if (token) return { token, scheme: "Bearer" };
  }
  return undefined;
}

/**
 * GET|POST /userinfo (OpenID Connect Core §5.3): `sub` plus the consent's `session.id_token` claims,
 * for an active access token carrying `openid`. Failures follow RFC 6750 (WWW-Authenticate: Bearer), or
 * RFC 9449 §7 for DPoP-bound tokens (`Authorization: DPoP` with a proof; WWW-Authenticate: DPoP).
 */
export function registerUserinfoRoutes(app: Hono, o2: OAuth2): void {
  app.on(["GET", "POST"], "/userinfo", async (c) => {
    noStore(c);
    const presented = await presentedToken(c);
    const unauthorized = (hint: string, scheme: "Bearer" | "DPoP" = presented?.scheme ?? "Bearer") =>
      new OAuth2Error("invalid_token", hint, {
        headers: {
          "WWW-Authenticate":
            scheme === "DPoP"
              ? dpopChallenge("invalid_token", hint)
              : `Bearer error="invalid_token", error_description="${hint.replace(/"/g, "'")}"`,
        },
      });
    if (!presented) {
      throw new OAuth2Error("invalid_token", "The request carries no access token.", {
        headers: { "WWW-Authenticate": `Bearer, ${dpopChallenge()}` },
      });
    }
    // RFC 9449 §7.1: with the DPoP scheme the request carries a proof for this request and this token.
    const proof =
      presented.scheme === "DPoP"
        ? await verifyDPoP(c, o2, {
            htu: publicUrl(o2, "userinfo"),
            site: "resource",
            accessToken: presented.token,
          })
        : undefined;
    if (presented.scheme === "DPoP" && !proof) {
      throw new OAuth2Error("invalid_dpop_proof", "The DPoP scheme requires a DPoP proof header.", {
        status: 401,
        headers: {
          "WWW-Authenticate": dpopChallenge("invalid_dpop_proof", "The request carries no DPoP proof."),
        },
      });
    }
    const found = await findActiveToken(o2, presented.token, "access_token");
    if (found?.use !== "access_token") throw unauthorized("The access token is not active.");
    const bound = boundJkt(found.grant);
    if (bound && !proof) {
      // A DPoP-bound token presented as a bearer token: the holder has not shown the key (RFC 9449 §7.2).
      throw unauthorized(
        "The access token is DPoP-bound; present it with the DPoP scheme and a proof.",
        "DPoP",
      );
    }
    if (proof && bound !== proof.jkt) {
      throw unauthorized(
        bound
          ? "The DPoP proof was signed with another key than the one the access token is bound to."
          : "The access token is not DPoP-bound; present it as a bearer token.",
      );
    }
    offerNonce(c, o2);
    if (c.req.header("origin")) {
      const client = await findClientCached(o2.ctx.db, found.grant.clientId);
      if (client) corsClient(c, client);
    }
    if (!found.scope.includes("openid")) {
      throw new OAuth2Error("insufficient_scope", "The access token was not granted the 'openid' scope.", {
        headers: { "WWW-Authenticate": `${presented.scheme} error="insufficient_scope", scope="openid"` },
      });
    }
    const claims = Object.fromEntries(
      Object.entries(found.grant.idTokenClaims ?? {}).filter(([k]) => !RESERVED.has(k) && k !== "sub"),
    );
    return c.json({ ...claims, sub: found.grant.clientSubject });
  });
}
