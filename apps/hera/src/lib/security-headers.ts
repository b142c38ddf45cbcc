import { contentSecurityPolicy as buildCsp, securityHeaders as buildHeaders } from "@olympus/web/security";

/** What shapes Hera's Content-Security-Policy. */
export interface CspOptions {
  nonce: string;
  captcha: boolean;
  development: boolean;
  https: boolean;
}

const TURNSTILE = "https://challenges.cloudflare.com";

/**
 * The per-request CSP (@olympus/web's common policy): besides it, Turnstile may load, connect and
 * frame when captcha is on, and images may come from anywhere (brand logos, avatars).
 */
export function contentSecurityPolicy(o: CspOptions): string {
  const turnstile = o.captcha ? [TURNSTILE] : [];
  return buildCsp({
    nonce: o.nonce,
    development: o.development,
    https: o.https,
    scriptSrc: turnstile,
    directives: {
      "img-src": ["'self'", "data:", "blob:", "https:", ...(o.https ? [] : ["http:"])],
      "connect-src": ["'self'", ...turnstile],
      "frame-src": o.captcha ? turnstile : ["'none'"],
    },
  });
}

/** Headers every Hera page carries besides the CSP. */
export function securityHeaders(o: { production: boolean; https: boolean }): Record<string, string> {
  return buildHeaders({
    ...o,
    referrerPolicy: "strict-origin-when-cross-origin",
    denyFeatures: ["camera", "microphone", "geolocation"],
  });
}
