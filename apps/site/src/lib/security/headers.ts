import { contentSecurityPolicy as buildCsp, securityHeaders } from "@olympus/web/security";

export { createNonce } from "@olympus/web/security";

/**
 * The Content-Security-Policy of every page (@olympus/web's common policy): besides it, styles too
 * need the nonce (no inline styles at all), fonts come from this origin only, and `dev` allows the
 * websockets of `next dev`.
 */
export function contentSecurityPolicy(nonce: string, dev = false): string {
  return buildCsp({
    nonce,
    development: dev,
    directives: {
      "style-src": ["'self'", `'nonce-${nonce}'`],
      "font-src": ["'self'"],
      "connect-src": ["'self'", ...(dev ? ["ws:"] : [])],
      "manifest-src": ["'self'"],
      "worker-src": ["'self'"],
    },
  });
}

/** Headers every response carries (the CSP itself is per request, set in src/proxy.ts). */
export const staticSecurityHeaders: { key: string; value: string }[] = Object.entries(
  securityHeaders({
    // No HSTS here: the Site is served as the deployment's TLS terminator decides.
    production: false,
    https: false,
    // The callback URL carries an authorization code: never send it to another origin.
    referrerPolicy: "same-origin",
    denyFeatures: ["camera", "microphone", "geolocation", "payment", "usb"],
    isolateOpener: true,
  }),
).map(([name, value]) => ({ key: name.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()), value }));
