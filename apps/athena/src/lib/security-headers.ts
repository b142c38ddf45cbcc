/**
 * Athena's per-request Content-Security-Policy. Scripts run only with the request's nonce;
 * styles allow inline attributes (React `style` props, chart geometry). Email previews render in
 * `sandbox=""` srcdoc frames, which inherit this policy and get no scripts at all.
 * No `form-action`: Chrome applies it to every redirect after a form post, and signing out posts
 * to /api/auth/logout, which continues to the IAM provider and Hera (other origins).
 */
export function contentSecurityPolicy(o: { nonce: string; development: boolean; https: boolean }): string {
  const directives: string[][] = [
    ["default-src", "'self'"],
    [
      "script-src",
      "'self'",
      `'nonce-${o.nonce}'`,
      "'strict-dynamic'",
      ...(o.development ? ["'unsafe-eval'"] : []),
    ],
    ["style-src", "'self'", "'unsafe-inline'"],
    ["img-src", "'self'", "data:", "blob:"],
    ["font-src", "'self'", "data:"],
    ["connect-src", "'self'"],
    ["frame-src", "'self'"],
    ["object-src", "'none'"],
    ["base-uri", "'self'"],
    ["frame-ancestors", "'none'"],
    ...(o.https ? [["upgrade-insecure-requests"]] : []),
  ];
  return directives.map((d) => d.join(" ")).join("; ");
}

/** Headers every Athena response carries besides the CSP. */
export function securityHeaders(o: { production: boolean; https: boolean }): Record<string, string> {
  return {
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
    ...(o.production && o.https
      ? { "strict-transport-security": "max-age=63072000; includeSubDomains" }
      : {}),
  };
}
