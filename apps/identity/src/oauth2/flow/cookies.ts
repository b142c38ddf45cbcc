import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { randomBytes } from "node:crypto";
import { hmac, safeEqual, verifyHmac } from "../crypto.ts";
import type { OAuth2 } from "../runtime.ts";

/*
 * Two cookies on the OAuth2 public origin: a random per-browser secret that challenges and verifiers
 * are bound to (so a verifier leaked from one browser is useless in another), and the remembered
 * login session (its id, HMAC-signed).
 */

function attrs(o2: OAuth2) {
  const secure = o2.ctx.config.cookies.secure ?? o2.publicBaseUrl.startsWith("https://");
  return { httpOnly: true, path: "/", sameSite: o2.ctx.config.cookies.same_site, secure } as const;
}

/** The keyed hash of this browser's CSRF secret, creating the cookie when the browser has none. */
export function browserBinding(c: Context, o2: OAuth2): string {
  let secret = getCookie(c, o2.cookies.csrf);
  if (!secret || !/^[A-Za-z0-9_-]{43}$/.test(secret)) {
    secret = randomBytes(32).toString("base64url");
    setCookie(c, o2.cookies.csrf, secret, { ...attrs(o2), maxAge: 365 * 24 * 3600 });
  }
  return hmac(o2.keys.cookie[0]!, `csrf:${secret}`).slice(0, 32);
}

/** Whether the request comes from the browser a flow was bound to. */
export function sameBrowser(c: Context, o2: OAuth2, binding: string): boolean {
  const secret = getCookie(c, o2.cookies.csrf);
  if (!secret) return false;
  return o2.keys.cookie.some((k) => safeEqual(hmac(k, `csrf:${secret}`).slice(0, 32), binding));
}

/** Remembers a login session in this browser; `maxAge` undefined makes it a browser-session cookie. */
export function setLoginSessionCookie(c: Context, o2: OAuth2, sid: string, maxAgeSeconds?: number): void {
  const value = `${sid}.${hmac(o2.keys.cookie[0]!, `sid:${sid}`)}`;
  setCookie(c, o2.cookies.session, value, {
    ...attrs(o2),
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  });
}

/** The login session id this browser carries, if its signature holds. */
export function loginSessionFromCookie(c: Context, o2: OAuth2): string | undefined {
  const value = getCookie(c, o2.cookies.session);
  if (!value) return undefined;
  const dot = value.indexOf(".");
  if (dot < 0) return undefined;
  const sid = value.slice(0, dot);
  if (!/^[0-9a-f-]{36}$/.test(sid)) return undefined;
  return verifyHmac(o2.keys.cookie, `sid:${sid}`, value.slice(dot + 1)) ? sid : undefined;
}

export function clearLoginSessionCookie(c: Context, o2: OAuth2): void {
  deleteCookie(c, o2.cookies.session, { path: "/" });
}
