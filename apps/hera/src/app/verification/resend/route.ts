import { heraEnv } from "@/lib/env";
import { readForm } from "@/lib/form-body";
import { isSameOriginRequest } from "@/lib/form-token";
import { emailHint, VERIFY_HINT_COOKIE, VERIFY_HINT_MAX_AGE } from "@/lib/verify-hint";

/**
 * From "Account not active yet" at sign-in to verification: remembers the address for the
 * verification form and starts a verification flow that returns to sign-in when done.
 */
export async function POST(request: Request): Promise<Response> {
  const env = heraEnv();
  if (!isSameOriginRequest(request.headers, env.publicUrl))
    return new Response("Bad request", { status: 400 });
  const form = await readForm(request);
  const email = emailHint(form.email);
  const start = new URL("/.ory/self-service/verification/browser", env.publicUrl);
  start.searchParams.set("return_to", new URL("/login", env.publicUrl).toString());
  const headers = new Headers({ location: start.toString() });
  if (email) {
    const secure = env.publicUrl.startsWith("https:") ? "; Secure" : "";
    headers.append(
      "set-cookie",
      `${VERIFY_HINT_COOKIE}=${encodeURIComponent(email)}; Path=/verification; Max-Age=${VERIFY_HINT_MAX_AGE}; HttpOnly; SameSite=Lax${secure}`,
    );
  }
  return new Response(null, { status: 303, headers });
}
