import { type NextRequest, NextResponse } from "next/server";
import { fetchIamIdentity } from "@/lib/auth/live-role";
import { type AuthFlow, completeAuthorization, safeReturnTo } from "@/lib/auth/oidc";
import { athenaEnv } from "@/lib/env";
import {
  ROLES,
  type Role,
  SESSION_COOKIE,
  SESSION_MAX_AGE,
  sealSession,
  unsealPayload,
} from "@/lib/session/seal";
import { cookieOptions } from "@/lib/session/server";
import { FLOW_COOKIE_MAX_AGE, flowCookieName } from "../flow-cookie";

export const dynamic = "force-dynamic";

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** Finishes sign-in: code exchange, ID token checks, role, then the `athena-session` cookie. */
export async function GET(req: NextRequest) {
  const env = athenaEnv();
  const fail = (code: string) => {
    const res = NextResponse.redirect(
      new URL(`/signin?error=${encodeURIComponent(code)}`, env.publicUrl),
      303,
    );
    res.cookies.set(flowCookieName(env.domain), "", cookieOptions(0, "/api/auth"));
    return res;
  };
  const search = req.nextUrl.searchParams;
  const providerError = search.get("error");
  if (providerError) return fail(providerError === "access_denied" ? "access_denied" : "provider_error");

  const raw = await unsealPayload(req.cookies.get(flowCookieName(env.domain))?.value, {
    secret: env.sessionSecret,
    domain: env.domain,
    purpose: "auth-flow",
    maxAgeSeconds: FLOW_COOKIE_MAX_AGE,
  });
  if (
    !raw ||
    typeof raw.state !== "string" ||
    typeof raw.nonce !== "string" ||
    typeof raw.verifier !== "string"
  ) {
    return fail("flow_expired");
  }
  const flow: AuthFlow = {
    state: raw.state,
    nonce: raw.nonce,
    verifier: raw.verifier,
    returnTo: safeReturnTo(str(raw.returnTo)),
  };

  let signedIn: Awaited<ReturnType<typeof completeAuthorization>>;
  try {
    signedIn = await completeAuthorization(search, flow);
  } catch (e) {
    console.warn("[athena] sign-in callback rejected:", (e as Error).message);
    return fail("callback_rejected");
  }
  const { claims } = signedIn;
  let role = (ROLES as readonly unknown[]).includes(claims.role) ? (claims.role as Role) : undefined;
  let email = str(claims.email);
  let name = str(claims.name);
  if (!role || !email) {
    // Older consent screens put no role in the ID token: ask IAM for the identity's traits.
    try {
      const iam = await fetchIamIdentity(claims.sub);
      role ??= iam?.role;
      email ??= iam?.email;
      name ??= iam?.name;
    } catch (e) {
      console.warn("[athena] could not read the role from IAM:", (e as Error).message);
    }
  }
  if (!role) return fail("no_role");

  const now = Math.floor(Date.now() / 1000);
  // The Athena session never outlives 8 hours, nor the ID token's own authentication much.
  const maxAge = SESSION_MAX_AGE;
  const sealed = await sealSession(
    {
      sub: claims.sub,
      email: email ?? "",
      name: name ?? email ?? claims.sub,
      role,
      iss: signedIn.issuer,
      ...(signedIn.idToken ? { idt: signedIn.idToken } : {}),
    },
    { secret: env.sessionSecret, domain: env.domain, maxAgeSeconds: maxAge, now },
  );
  const res = NextResponse.redirect(new URL(flow.returnTo, env.publicUrl), 303);
  res.cookies.set(SESSION_COOKIE, sealed, cookieOptions(maxAge));
  res.cookies.set(flowCookieName(env.domain), "", cookieOptions(0, "/api/auth"));
  res.headers.set("cache-control", "no-store");
  return res;
}
