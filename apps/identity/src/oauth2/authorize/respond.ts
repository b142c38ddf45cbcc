import type { Context } from "hono";
import { isJsonRequest } from "../../http/request.ts";
import type { OAuth2Error } from "../errors.ts";
import { htmlEscape, noStore } from "../http.ts";
import type { OAuth2 } from "../runtime.ts";
import type { ClientTarget } from "./request.ts";

/**
 * Sends the authorization response to the client's redirect URI in the requested response mode:
 * query or fragment (302), or an auto-submitting form (form_post).
 */
export function respondToClient(c: Context, target: ClientTarget, params: Record<string, string>): Response {
  const all = { ...params, ...(target.state !== undefined ? { state: target.state } : {}) };
  noStore(c);
  if (target.mode === "form_post") {
    const inputs = Object.entries(all)
      .map(([k, v]) => `<input type="hidden" name="${htmlEscape(k)}" value="${htmlEscape(v)}"/>`)
      .join("");
    return c.html(
      `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Submit This Form</title></head><body><form method="post" action="${htmlEscape(target.redirectUri)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form><script>document.forms[0].submit()</script></body></html>`,
    );
  }
  const url = new URL(target.redirectUri);
  if (target.mode === "fragment") {
    url.hash = new URLSearchParams(all).toString();
  } else {
    for (const [k, v] of Object.entries(all)) url.searchParams.set(k, v);
  }
  return c.redirect(url.toString(), 302);
}

/** An authorization error for the client, in its response mode. */
export function errorToClient(c: Context, target: ClientTarget, error: OAuth2Error): Response {
  return respondToClient(c, target, error.toParams());
}

/**
 * An error that must not go to the redirect URI (unknown client, redirect URI not registered, broken
 * verifier): shown by the error UI (`oauth2.urls.error`) when there is one, else answered here.
 */
export function errorPage(c: Context, o2: OAuth2, error: OAuth2Error): Response {
  noStore(c);
  if (o2.urls.error && !isJsonRequest(c)) {
    const url = new URL(o2.urls.error);
    for (const [k, v] of Object.entries(error.toParams())) url.searchParams.set(k, v);
    return c.redirect(url.toString(), 302);
  }
  if (isJsonRequest(c)) return c.json(error.toBody(), error.status as 400);
  return c.html(
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>An error occurred</title></head><body><h1>An error occurred</h1><p><strong>${htmlEscape(error.error)}</strong></p><p>${htmlEscape(error.description)}</p></body></html>`,
    error.status as 400,
  );
}
