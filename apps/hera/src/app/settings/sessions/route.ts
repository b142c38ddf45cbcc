import { z } from "zod";
import { heraEnv } from "@/lib/env";
import { readForm } from "@/lib/form-body";
import { isSameOriginRequest, verifyFormToken } from "@/lib/form-token";
import { clients, currentSession } from "@/lib/ory";

const Body = z.object({
  csrf_token: z.string(),
  session_id: z.union([z.literal("others"), z.string().uuid()]),
  flow: z.string().uuid().optional(),
});

/** Revokes one of the user's other sessions, or all of them, then returns to settings. */
export async function POST(request: Request): Promise<Response> {
  const env = heraEnv();
  const parsed = Body.safeParse(await readForm(request));
  if (!parsed.success || !isSameOriginRequest(request.headers, env.publicUrl)) {
    return new Response("Bad request", { status: 400 });
  }
  const cookie = request.headers.get("cookie") ?? "";
  const session = await currentSession(cookie);
  if (!session) return Response.redirect(new URL("/login", env.publicUrl), 303);
  if (!verifyFormToken(env.csrfSecret, parsed.data.csrf_token, "sessions", session.id)) {
    return new Response("The form has expired. Go back, reload the page and try again.", { status: 403 });
  }
  const { frontend } = clients(cookie);
  if (parsed.data.session_id === "others") await frontend.disableMyOtherSessions({ cookie });
  else await frontend.disableMySession({ id: parsed.data.session_id, cookie });
  const back = new URL("/settings", env.publicUrl);
  if (parsed.data.flow) back.searchParams.set("flow", parsed.data.flow);
  return Response.redirect(back, 303);
}
