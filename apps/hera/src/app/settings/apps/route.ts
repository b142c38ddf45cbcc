import { z } from "zod";
import { heraEnv } from "@/lib/env";
import { readForm } from "@/lib/form-body";
import { isSameOriginRequest, verifyFormToken } from "@/lib/form-token";
import { clients, currentSession } from "@/lib/ory";

const Body = z.object({
  csrf_token: z.string(),
  // OAuth2 client ids are opaque strings; bounded and printable.
  client_id: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/),
  flow: z.string().uuid().optional(),
});

/**
 * Removes a connected app: revokes the signed-in person's OAuth2 consent for one client, which also
 * revokes the client's access and refresh tokens (the core's consent-session API, as Hydra's). The
 * subject is the session's identity, never a form field.
 */
export async function POST(request: Request): Promise<Response> {
  const env = heraEnv();
  const parsed = Body.safeParse(await readForm(request));
  if (!parsed.success || !isSameOriginRequest(request.headers, env.publicUrl)) {
    return new Response("Bad request", { status: 400 });
  }
  const cookie = request.headers.get("cookie") ?? "";
  const session = await currentSession(cookie);
  if (!session?.identity) return Response.redirect(new URL("/login", env.publicUrl), 303);
  if (!verifyFormToken(env.csrfSecret, parsed.data.csrf_token, "apps", session.id)) {
    return new Response("The form has expired. Go back, reload the page and try again.", { status: 403 });
  }
  await clients().oauth2.revokeOAuth2ConsentSessions({
    subject: session.identity.id,
    client: parsed.data.client_id,
  });
  const back = new URL("/settings", env.publicUrl);
  if (parsed.data.flow) back.searchParams.set("flow", parsed.data.flow);
  back.hash = "apps";
  return Response.redirect(back, 303);
}
