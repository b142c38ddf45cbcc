import { type NextRequest, NextResponse } from "next/server";
import { safeReturnTo, startAuthorization } from "@/lib/auth/oidc";
import { athenaEnv } from "@/lib/env";
import { sealPayload } from "@/lib/session/seal";
import { cookieOptions } from "@/lib/session/server";
import { FLOW_COOKIE_MAX_AGE, flowCookieName } from "../flow-cookie";

export const dynamic = "force-dynamic";

/** Starts sign-in: IAM OAuth2 Authorization Code + PKCE; the flow state waits in a sealed cookie. */
export async function GET(req: NextRequest) {
  const env = athenaEnv();
  const returnTo = safeReturnTo(req.nextUrl.searchParams.get("return_to"));
  let started: Awaited<ReturnType<typeof startAuthorization>>;
  try {
    started = await startAuthorization(returnTo);
  } catch (e) {
    console.error("[athena] OAuth2 discovery failed:", (e as Error).message);
    return NextResponse.redirect(new URL("/signin?error=provider_unavailable", env.publicUrl), 303);
  }
  const sealed = await sealPayload(
    { ...started.flow },
    {
      secret: env.sessionSecret,
      domain: env.domain,
      purpose: "auth-flow",
      maxAgeSeconds: FLOW_COOKIE_MAX_AGE,
    },
  );
  const res = NextResponse.redirect(started.url, 303);
  res.cookies.set(flowCookieName(env.domain), sealed, cookieOptions(FLOW_COOKIE_MAX_AGE, "/api/auth"));
  res.headers.set("cache-control", "no-store");
  return res;
}
