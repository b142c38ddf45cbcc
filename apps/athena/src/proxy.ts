import { createNonce } from "@olympus/web/security";
import { type NextRequest, NextResponse } from "next/server";
import { athenaEnv } from "@/lib/env";
import { contentSecurityPolicy, securityHeaders } from "@/lib/security-headers";

/** A fresh CSP nonce per request (Next puts it on its own scripts) and the security headers. */
export function proxy(request: NextRequest) {
  const env = athenaEnv();
  const nonce = createNonce();
  const https = env.publicUrl.startsWith("https:");
  const csp = contentSecurityPolicy({ nonce, development: process.env.NODE_ENV === "development", https });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", csp);
  // Lets the console layout send a signed-out visitor back to the page they asked for.
  requestHeaders.set("x-athena-path", `${request.nextUrl.pathname}${request.nextUrl.search}`);
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
      source: "/((?!_next/static|_next/image|favicon.ico|icon.svg).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
