import type { Context, Hono } from "hono";
import { uuid } from "../../security/random.ts";
import { errorPage } from "../authorize/respond.ts";
import type { ClientRecord } from "../clients/model.ts";
import { findClient } from "../clients/repository.ts";
import { openFlow, sealFlow } from "../flow/challenge.ts";
import { clearLoginSessionCookie, loginSessionFromCookie } from "../flow/cookies.ts";
import { findLoginSession } from "../flow/login-sessions.ts";
import { postLogoutTarget } from "../flow/logout.ts";
import { OAuth2Error } from "../errors.ts";
import { htmlEscape, noStore, readParams } from "../http.ts";
import { nowSeconds, type OAuth2, publicUrl } from "../runtime.ts";
import { clientSubject, verifyOwnIdToken } from "../subjects.ts";

function go(c: Context, url: string): Response {
  c.header("Cache-Control", "no-store");
  return c.redirect(url, 302);
}

/**
 * GET|POST /oauth2/sessions/logout: OpenID Connect RP-Initiated Logout. The RP names itself by
 * `id_token_hint` (or `client_id`); a `post_logout_redirect_uri` must be registered for it. With a
 * login session the browser goes to the logout UI with a sealed challenge; without one it goes
 * straight on. `logout_verifier` finishes an accepted logout (the session already ended at accept).
 */
async function logout(c: Context, o2: OAuth2): Promise<Response> {
  const params = await readParams(c, { query: true });
  const verifier = params.get("logout_verifier");
  if (verifier) {
    const ch = await openFlow(o2, "logout_verifier", verifier);
    if (!ch) return errorPage(c, o2, new OAuth2Error("invalid_request", "The logout verifier is invalid."));
    if (loginSessionFromCookie(c, o2) === ch.sid) clearLoginSessionCookie(c, o2);
    if (ch.frontchannel?.length) return frontchannelPage(c, ch.frontchannel, postLogoutTarget(o2, ch));
    return go(c, postLogoutTarget(o2, ch));
  }

  const hintToken = params.get("id_token_hint") || undefined;
  const hint = hintToken ? await verifyOwnIdToken(o2, hintToken, { allowExpired: true }) : undefined;
  if (hintToken && !hint) {
    return errorPage(
      c,
      o2,
      new OAuth2Error("invalid_request", "The 'id_token_hint' is not a valid ID token of this provider."),
    );
  }
  const hintAud = hint ? (Array.isArray(hint.aud) ? hint.aud : hint.aud ? [hint.aud] : []) : [];
  const clientId = params.get("client_id") || undefined;
  if (clientId && hint && !hintAud.includes(clientId)) {
    return errorPage(
      c,
      o2,
      new OAuth2Error("invalid_request", "The 'client_id' is not an audience of the 'id_token_hint'."),
    );
  }
  let client: ClientRecord | undefined;
  const namedClient = clientId ?? (hintAud.length === 1 ? hintAud[0] : undefined);
  if (namedClient) client = await findClient(o2.ctx.db, namedClient);
  const postLogout = params.get("post_logout_redirect_uri") || undefined;
  const state = params.get("state") || undefined;
  if (postLogout) {
    if (!client) {
      return errorPage(
        c,
        o2,
        new OAuth2Error(
          "invalid_request",
          "A 'post_logout_redirect_uri' needs an 'id_token_hint' or 'client_id' naming the client.",
        ),
      );
    }
    if (!client.data.post_logout_redirect_uris.includes(postLogout)) {
      return errorPage(
        c,
        o2,
        new OAuth2Error(
          "invalid_request",
          "The 'post_logout_redirect_uri' is not registered for this OAuth 2.0 Client.",
        ),
      );
    }
  }
  const target = { post_logout_redirect_uri: postLogout, state };
  const session = await findLoginSession(o2.ctx.db, loginSessionFromCookie(c, o2));
  if (!session) {
    // Nobody to sign out in this browser: finish at once.
    clearLoginSessionCookie(c, o2);
    return go(c, postLogoutTarget(o2, target));
  }
  if (hint?.sub && client && hint.sub !== session.subject) {
    if (hint.sub !== clientSubject(o2, client, session.subject)) {
      return errorPage(
        c,
        o2,
        new OAuth2Error(
          "invalid_request",
          "The 'id_token_hint' belongs to another user than the current login session.",
        ),
      );
    }
  }
  const requestUrl = `${publicUrl(o2, "oauth2/sessions/logout")}${params.size ? `?${params.toString()}` : ""}`;
  const challenge = await sealFlow(o2, "logout_challenge", {
    id: uuid().replace(/-/g, ""),
    sid: session.id,
    subject: session.subject,
    ...(client ? { client_id: client.id } : {}),
    ...(postLogout ? { post_logout_redirect_uri: postLogout } : {}),
    ...(state ? { state } : {}),
    rp_initiated: Boolean(hintToken || clientId),
    request_url: requestUrl,
    requested_at: nowSeconds(),
  });
  const url = new URL(o2.urls.logout);
  url.searchParams.set("logout_challenge", challenge);
  return go(c, url.toString());
}

/**
 * OpenID Connect Front-Channel Logout: a page that loads each client's frontchannel_logout_uri in a
 * hidden iframe, then goes on to the post-logout target once they have loaded (at most 3 s; without
 * scripting after 5 s, or by the link).
 */
function frontchannelPage(c: Context, urls: string[], target: string): Response {
  noStore(c);
  const frames = urls
    .map(
      (u) => `<iframe src="${htmlEscape(u)}" onload="loaded()" style="display:none" title="logout"></iframe>`,
    )
    .join("");
  // JSON in a script: `<` escaped so no value can close the element.
  const next = JSON.stringify(target).replace(/</g, "\\u003c");
  return c.html(
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Signing out</title><meta http-equiv="refresh" content="5;url=${htmlEscape(target)}"><script>var left=${urls.length};function go(){location.replace(${next})}function loaded(){if(--left<=0)go()}setTimeout(go,3000)</script></head><body><p>Signing you out… <a href="${htmlEscape(target)}">Continue</a></p>${frames}</body></html>`,
  );
}

export function registerLogoutRoutes(app: Hono, o2: OAuth2): void {
  app.on(["GET", "POST"], "/oauth2/sessions/logout", (c) => logout(c, o2));
}
