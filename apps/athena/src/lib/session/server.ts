import "server-only";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { applyLiveRole, checkAssurance } from "../auth/guard";
import { liveRole } from "../auth/live-role";
import { athenaEnv } from "../env";
import { type AthenaSession, SESSION_COOKIE, SESSION_MAX_AGE, unsealSession } from "./seal";

/** Attributes of Athena's cookies: host-only, HttpOnly, Lax, Secure when served over https. */
export function cookieOptions(maxAge: number, path = "/") {
  return {
    httpOnly: true,
    sameSite: "lax" as const,
    secure: athenaEnv().cookieSecure,
    path,
    maxAge,
  };
}

/** Opens a raw cookie value for this instance. */
export function readSession(value: string | undefined): Promise<AthenaSession | undefined> {
  const env = athenaEnv();
  return unsealSession(value, { secret: env.sessionSecret, domain: env.domain });
}

/**
 * The signed-in administrator of this request (once per render), with the role IAM gives them now
 * (`metadata_admin.role`, read through the IAM admin API), or undefined: no cookie, no such identity,
 * inactive, no role, or IAM unreachable (fail closed; signing in again says why).
 */
export const currentSession = cache(async (): Promise<AthenaSession | undefined> => {
  const jar = await cookies();
  const sealed = await readSession(jar.get(SESSION_COOKIE)?.value);
  if (!sealed || checkAssurance(sealed, athenaEnv().requireSecondFactor)) return undefined;
  try {
    const d = applyLiveRole(sealed, await liveRole(sealed.sub), "read");
    return d.ok ? d.session : undefined;
  } catch (e) {
    console.warn("[athena] could not confirm the role with IAM:", (e as Error).message);
    return undefined;
  }
});

/** For pages: the session, or a redirect to the sign-in page that comes back here. */
export async function requirePageSession(returnTo: string): Promise<AthenaSession> {
  const s = await currentSession();
  if (!s) redirect(`/signin?return_to=${encodeURIComponent(returnTo)}`);
  return s;
}

export { SESSION_COOKIE, SESSION_MAX_AGE };
