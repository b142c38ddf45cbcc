/** What shapes Hera's Content-Security-Policy. */
export interface CspOptions {
  nonce: string;
  captcha: boolean;
  development: boolean;
  https: boolean;
}

const TURNSTILE = "https://challenges.cloudflare.com";

/**
 * The per-request CSP. Scripts run only with the request's nonce ('strict-dynamic' lets them load
 * what they need, e.g. Turnstile); styles allow inline attributes, which React components use.
 * No `form-action`: Chrome applies it to the redirects after a form post, and a login form's
 * 303 legitimately continues to the OAuth2 provider and on to any registered client.
 */
export function contentSecurityPolicy(o: CspOptions): string {
  const directives: [string, ...string[]][] = [
    ["default-src", "'self'"],
    [
      "script-src",
      "'self'",
      `'nonce-${o.nonce}'`,
      "'strict-dynamic'",
      ...(o.development ? ["'unsafe-eval'"] : []),
      ...(o.captcha ? [TURNSTILE] : []),
    ],
    ["style-src", "'self'", "'unsafe-inline'"],
    ["img-src", "'self'", "data:", "blob:", "https:", ...(o.https ? [] : ["http:"])],
    ["font-src", "'self'", "data:"],
    ["connect-src", "'self'", ...(o.captcha ? [TURNSTILE] : [])],
    ["frame-src", ...(o.captcha ? [TURNSTILE] : ["'none'"])],
    ["object-src", "'none'"],
    ["base-uri", "'self'"],
    ["frame-ancestors", "'none'"],
    ...(o.https ? [["upgrade-insecure-requests"] as [string]] : []),
  ];
  return directives.map((d) => d.join(" ")).join("; ");
}

/** Headers every Hera page carries besides the CSP. */
export function securityHeaders(o: { production: boolean; https: boolean }): Record<string, string> {
  return {
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    // HSTS only where it means something: a production deployment served over https.
    ...(o.production && o.https
      ? { "strict-transport-security": "max-age=63072000; includeSubDomains" }
      : {}),
  };
}
