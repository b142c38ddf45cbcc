import { type NextRequest, NextResponse } from "next/server";
import { checkOrigin } from "@/lib/auth/guard";
import { endSessionUrl } from "@/lib/auth/oidc";
import { athenaEnv } from "@/lib/env";
import { SESSION_COOKIE } from "@/lib/session/seal";
import { cookieOptions, readSession } from "@/lib/session/server";

export const dynamic = "force-dynamic";

/**
 * Signs out: drops the Athena session, then ends the IAM session too (RP-initiated logout with
 * `id_token_hint`), which brings the browser back to this Athena's front page.
 */
export async function POST(req: NextRequest) {
  const env = athenaEnv();
  const cross = checkOrigin("POST", req.headers, env.publicUrl);
  if (cross) return NextResponse.json({ error: { id: cross.code, message: cross.message } }, { status: 403 });
  const session = await readSession(req.cookies.get(SESSION_COOKIE)?.value);
  const endSession = session ? await endSessionUrl(session.idt) : undefined;
  const res = NextResponse.redirect(endSession ?? new URL("/signin?signed_out=1", env.publicUrl), 303);
  // Only this instance's cookie is cleared: a cookie another instance sealed stays its own.
  if (session || !req.cookies.get(SESSION_COOKIE)) res.cookies.set(SESSION_COOKIE, "", cookieOptions(0));
  res.headers.set("cache-control", "no-store");
  return res;
}
