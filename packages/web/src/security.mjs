// @ts-check
// The security headers of Hera, Athena and the Site, built one way. Each app states only where it
// differs from the common policy (Hera lets Turnstile in, Athena frames its own email previews, the
// Site nonces its styles); what every page gets — scripts by nonce only, no plugins, no framing by
// others, no <base> hijacking, nosniff, HSTS on production https — is written here once. Plain ESM
// (types in security.d.mts): next.config.ts loads it too, where workspace TypeScript is not compiled.

/**
 * A per-request Content-Security-Policy. Scripts run only with the request's nonce
 * ('strict-dynamic' lets Next's nonce'd bootstrap load its chunks); styles allow inline attributes
 * (React `style` props) unless an app says otherwise. No `form-action`: browsers apply it to every
 * redirect after a form post, and sign-in and sign-out posts continue to other origins.
 * @param {import("./security.d.mts").CspOptions} o
 * @returns {string}
 */
export function contentSecurityPolicy(o) {
  /** @type {Record<string, string[]>} */
  const common = {
    "default-src": ["'self'"],
    "script-src": [
      "'self'",
      `'nonce-${o.nonce}'`,
      "'strict-dynamic'",
      ...(o.development ? ["'unsafe-eval'"] : []),
      ...(o.scriptSrc ?? []),
    ],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-src": ["'none'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
  };
  const all = { ...common, ...o.directives };
  const lines = Object.entries(all).map(([name, sources]) => [name, ...sources].join(" "));
  if (o.https) lines.push("upgrade-insecure-requests");
  return lines.join("; ");
}

/**
 * Headers every page carries besides the CSP (lower-case names).
 * @param {import("./security.d.mts").HeaderOptions} o
 * @returns {Record<string, string>}
 */
export function securityHeaders(o) {
  return {
    "referrer-policy": o.referrerPolicy,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "permissions-policy": o.denyFeatures.map((f) => `${f}=()`).join(", "),
    ...(o.isolateOpener ? { "cross-origin-opener-policy": "same-origin" } : {}),
    ...((o.hsts ?? true) && o.production && o.https
      ? { "strict-transport-security": "max-age=63072000; includeSubDomains" }
      : {}),
  };
}

/** A nonce for one response: 128 random bits, base64. */
export function createNonce() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString("base64");
}
