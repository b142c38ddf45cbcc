import { createNonce } from "@olympus/web/security";
import { type NextRequest, NextResponse } from "next/server";
import { heraEnv } from "@/lib/env";
import { contentSecurityPolicy, securityHeaders } from "@/lib/security-headers";

/** Gives every page a fresh CSP nonce (Next applies it to its own scripts) and the security headers. */
export function proxy(request: NextRequest) {
  const env = heraEnv();
  const nonce = createNonce();
  const https = env.publicUrl.startsWith("https:");
  const csp = contentSecurityPolicy({
    nonce,
    captcha: env.captcha.enabled,
    development: process.env.NODE_ENV === "development",
    https,
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", csp);
  for (const [name, value] of Object.entries(securityHeaders({ production: env.production, https }))) {
    response.headers.set(name, value);
  }
  return response;
}

export const config = {
  matcher: [
    {
      // Pages and Hera's own form handlers; not static assets, and not the /.ory pass-through.
      source: "/((?!_next/static|_next/image|favicon.ico|\\.ory/).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
