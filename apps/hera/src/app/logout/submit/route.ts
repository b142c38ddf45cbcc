import { z } from "zod";
import { heraEnv } from "@/lib/env";
import { readForm } from "@/lib/form-body";
import { isSameOriginRequest, verifyFormToken } from "@/lib/form-token";
import { acceptLogout, endIdentitySession, rejectLogout } from "@/lib/oauth2";

const Body = z.object({
  logout_challenge: z.string().min(1).max(4096),
  csrf_token: z.string(),
  action: z.enum(["accept", "reject"]),
});

/** The decision on an OAuth2 logout request: accepting also ends the identity session. */
export async function POST(request: Request): Promise<Response> {
  const env = heraEnv();
  const parsed = Body.safeParse(await readForm(request));
  if (!parsed.success || !isSameOriginRequest(request.headers, env.publicUrl)) {
    return new Response("Bad request", { status: 400 });
  }
  const { logout_challenge: challenge, csrf_token, action } = parsed.data;
  if (!verifyFormToken(env.csrfSecret, csrf_token, "logout", challenge)) {
    return new Response("The form has expired. Go back, reload the page and try again.", { status: 403 });
  }
  if (action === "reject") {
    await rejectLogout(challenge);
    return Response.redirect(new URL("/", env.publicUrl), 303);
  }
  const redirectTo = await acceptLogout(challenge);
  const cleared = await endIdentitySession(request.headers.get("cookie") ?? "");
  const headers = new Headers({ location: redirectTo, "cache-control": "no-store" });
  for (const c of cleared) headers.append("set-cookie", c);
  return new Response(null, { status: 303, headers });
}
