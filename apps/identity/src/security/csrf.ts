import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { randomBytes } from "node:crypto";
import type { Runtime } from "../app/runtime.ts";
import type { Config } from "../config/index.ts";
import { OryError } from "../errors/index.ts";
import { safeEqual, sha256hex } from "./random.ts";

/*
 * Double-submit CSRF protection as Kratos does it: an HttpOnly cookie holds a random secret, the
 * flow's `csrf_token` node holds a masked copy (pad ‖ pad⊕secret) so the value changes on every
 * render, and a flow remembers a hash of the secret it was created with.
 */

export function maskToken(secret: string): string {
  const raw = Buffer.from(secret, "base64");
  const pad = randomBytes(raw.length);
  const xored = Buffer.alloc(raw.length);
  for (let i = 0; i < raw.length; i++) xored[i] = raw[i]! ^ pad[i]!;
  return Buffer.concat([pad, xored]).toString("base64");
}

export function unmaskToken(masked: string): string | undefined {
  const buf = Buffer.from(masked, "base64");
  if (buf.length === 0 || buf.length % 2 !== 0) return undefined;
  const half = buf.length / 2;
  const out = Buffer.alloc(half);
  for (let i = 0; i < half; i++) out[i] = buf[i]! ^ buf[i + half]!;
  return out.toString("base64");
}

export interface CsrfState {
  secret: string;
  hash: string;
}

/** Returns the browser's CSRF secret, creating and setting the cookie when it has none. */
export function ensureCsrf(c: Context, config: Config, rt: Runtime): CsrfState {
  // A secret issued earlier in this same request is not in the request's Cookie header yet.
  const issued = (c as unknown as { get(k: string): unknown }).get("olympus.csrf") as string | undefined;
  let secret = issued ?? getCookie(c, rt.csrfCookieName);
  if (!secret || Buffer.from(secret, "base64").length !== 32) {
    secret = randomBytes(32).toString("base64");
    setCookie(c, rt.csrfCookieName, secret, {
      httpOnly: true,
      path: "/",
      maxAge: 365 * 24 * 3600,
      sameSite: config.cookies.same_site,
      secure: rt.cookieSecure,
      ...(config.cookies.domain ? { domain: config.cookies.domain } : {}),
    });
    (c as unknown as { set(k: string, v: unknown): void }).set("olympus.csrf", secret);
  }
  return { secret, hash: sha256hex(secret) };
}

function violation(rejectReason: string, hint: string): OryError {
  return new OryError(403, "the request was rejected to protect you from Cross-Site-Request-Forgery", {
    id: "security_csrf_violation",
    reason:
      "Please retry the flow and optionally clear your cookies. The request was rejected to protect you from Cross-Site-Request-Forgery (CSRF) which could cause account takeover, leaking personal information, and other serious security issues.",
    details: { docs: "https://www.ory.sh/kratos/docs/debug/csrf", reject_reason: rejectReason, hint },
  });
}

/**
 * A browser submission that Ory's API gives no `csrf_token` field (the settings flow's social
 * link/unlink: Ory's SDK drops the token from that body, so `@ory/elements-react` never sends it):
 * accepted without the token only as a JSON request — which a page of another site cannot send
 * without a CORS preflight the core and Hera's pass-through refuse — that the browser does not mark
 * cross-site, and still with the flow's CSRF cookie. A form post needs the token as everywhere else.
 */
export function verifyCsrfTokenless(
  c: Context,
  rt: Runtime,
  flowCsrfHash: string | null,
  submitted: unknown,
): void {
  const json = /^application\/json\b/i.test(c.req.header("content-type") ?? "");
  if (submitted !== undefined || !json) {
    verifyCsrfToken(c, rt, flowCsrfHash, submitted);
    return;
  }
  if ((c.req.header("sec-fetch-site") ?? "").toLowerCase() === "cross-site") {
    throw violation("The request came from another site.", "The browser marked the request cross-site.");
  }
  verifyCsrfCookie(c, rt, flowCsrfHash);
}

/** Checks that the request carries the CSRF cookie the flow was created with (GET …/flows). */
export function verifyCsrfCookie(c: Context, rt: Runtime, flowCsrfHash: string | null): void {
  if (!c.req.header("cookie")) {
    throw violation("The HTTP Cookie Header was empty.", "The browser did not send any cookies.");
  }
  const secret = getCookie(c, rt.csrfCookieName);
  if (!secret) throw violation("The CSRF cookie was not found.", "The anti-CSRF cookie is missing.");
  if (flowCsrfHash && !safeEqual(sha256hex(secret), flowCsrfHash)) {
    throw violation(
      "The anti-CSRF cookie does not match the flow.",
      "The flow was started in another browser or the cookies were cleared.",
    );
  }
}

/** Checks the submitted `csrf_token` against the cookie (every browser POST). */
export function verifyCsrfToken(
  c: Context,
  rt: Runtime,
  flowCsrfHash: string | null,
  submitted: unknown,
): void {
  verifyCsrfCookie(c, rt, flowCsrfHash);
  if (typeof submitted !== "string" || submitted === "") {
    throw violation("The CSRF token was not sent.", "The request body did not include the csrf_token field.");
  }
  const secret = getCookie(c, rt.csrfCookieName)!;
  const unmasked = unmaskToken(submitted);
  if (!unmasked || !safeEqual(unmasked, secret)) {
    throw violation(
      "The CSRF token does not match the CSRF cookie.",
      "The csrf_token field does not belong to this browser's CSRF cookie.",
    );
  }
}
