import { z } from "zod";
import { heraEnv } from "@/lib/env";
import { readForm } from "@/lib/form-body";
import { isSameOriginRequest, verifyFormToken } from "@/lib/form-token";
import { acceptUserCode } from "@/lib/oauth2";

const Body = z.object({
  device_challenge: z.string().min(1).max(4096),
  csrf_token: z.string(),
  user_code: z.string().max(64),
});

function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location, "cache-control": "no-store" } });
}

/** The code the user typed on the device page: on to login and consent, or back with an error. */
export async function POST(request: Request): Promise<Response> {
  const env = heraEnv();
  const parsed = Body.safeParse(await readForm(request));
  if (!parsed.success || !isSameOriginRequest(request.headers, env.publicUrl)) {
    return new Response("Bad request", { status: 400 });
  }
  const { device_challenge: challenge, csrf_token, user_code } = parsed.data;
  if (!verifyFormToken(env.csrfSecret, csrf_token, "device", challenge)) {
    return new Response("The form has expired. Go back, reload the page and try again.", { status: 403 });
  }
  const result = await acceptUserCode(challenge, user_code);
  if (result.kind === "continue") return seeOther(result.to);
  const back = new URL("/device", env.publicUrl);
  if (result.kind === "invalid") back.searchParams.set("device_challenge", challenge);
  back.searchParams.set("error", result.kind === "invalid" ? "invalid_code" : "expired");
  return seeOther(back.toString());
}
