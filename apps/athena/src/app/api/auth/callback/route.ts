import { type NextRequest, NextResponse } from "next/server";
import { fetchIamIdentity } from "@/lib/auth/live-role";
import { type AuthFlow, completeAuthorization, safeReturnTo } from "@/lib/auth/oidc";
import { athenaEnv } from "@/lib/env";
import { SESSION_COOKIE, SESSION_MAX_AGE, sealSession, unsealPayload } from "@/lib/session/seal";
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
  // The role is IAM's `metadata_admin.role`, read through the IAM admin API at every sign-in. Never
  // the ID token's claims: those come from what the consent screen copied, which may be traits the
  // administrator could write themselves.
  let iam: Awaited<ReturnType<typeof fetchIamIdentity>>;
  try {
    iam = await fetchIamIdentity(claims.sub);
  } catch (e) {
    console.warn("[athena] could not read the role from IAM:", (e as Error).message);
    return fail("role_unconfirmed");
  }
  if (!iam?.active) return fail("no_role");
  const role = iam.role;
  if (!role) return fail("no_role");
  // The IAM sign-in's assurance: the core (and Hera) accept OAuth2 logins with acr = the session's AAL.
  const aal = claims.acr === "aal2" ? "aal2" : "aal1";
  if (env.requireSecondFactor && aal !== "aal2") return fail("second_factor_required");
  const email = str(claims.email) ?? iam.email;
  const name = str(claims.name) ?? iam.name;

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
      aal,
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
