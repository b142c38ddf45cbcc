import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Hera's own forms (consent, OAuth2 logout, session revocation) post to route handlers. They are
 * protected twice: a token bound to what the form acts on (HMAC of purpose + binding under a
 * server secret, so a cross-site page cannot forge it), and an Origin check.
 */
export function formToken(secret: Buffer, purpose: string, binding: string): string {
  return createHmac("sha256", secret).update(`${purpose}\0${binding}`).digest("base64url");
}

/** Whether `token` is the one `formToken` issues for this purpose and binding (constant time). */
export function verifyFormToken(secret: Buffer, token: unknown, purpose: string, binding: string): boolean {
  if (typeof token !== "string" || !token) return false;
  const expected = Buffer.from(formToken(secret, purpose, binding));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Whether a state-changing request comes from Hera's own pages: the Origin header (sent by every
 * current browser on POST) must be Hera's; without one, Sec-Fetch-Site must not say cross-site.
 */
export function isSameOriginRequest(headers: Headers, publicUrl: string): boolean {
  const origin = headers.get("origin");
  if (origin) return origin === new URL(publicUrl).origin;
  const site = headers.get("sec-fetch-site");
  return site === null || site === "same-origin" || site === "none";
}
