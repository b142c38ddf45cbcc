import { contentSecurityPolicy as buildCsp, securityHeaders as buildHeaders } from "@olympus/web/security";

/**
 * Athena's per-request Content-Security-Policy (@olympus/web's common policy): besides it, images
 * may be blobs (exports) and frames may show this origin: email previews render in `sandbox=""`
 * srcdoc frames, which inherit this policy and get no scripts at all.
 */
export function contentSecurityPolicy(o: { nonce: string; development: boolean; https: boolean }): string {
  return buildCsp({
    ...o,
    directives: { "img-src": ["'self'", "data:", "blob:"], "frame-src": ["'self'"] },
  });
}

/** Headers every Athena response carries besides the CSP. */
export function securityHeaders(o: { production: boolean; https: boolean }): Record<string, string> {
  return buildHeaders({
    ...o,
    referrerPolicy: "same-origin",
    denyFeatures: ["camera", "microphone", "geolocation", "payment"],
    isolateOpener: true,
  });
}
