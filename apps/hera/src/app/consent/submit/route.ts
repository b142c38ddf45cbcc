import { z } from "zod";
import { heraEnv } from "@/lib/env";
import { readForm, wantsJson } from "@/lib/form-body";
import { isSameOriginRequest, verifyFormToken } from "@/lib/form-token";
import { acceptConsent, lookupConsent, rejectConsent } from "@/lib/oauth2";
import { REQUIRED_SCOPES } from "@/lib/scopes";

const flag = z
  .union([z.boolean(), z.enum(["true", "on", "1", "false", "0"])])
  .transform((v) => v === true || v === "true" || v === "on" || v === "1");

// The same body @ory/elements-react's consent form sends as JSON, or a plain form post.
const Body = z.object({
  consent_challenge: z.string().min(1).max(4096),
  csrf_token: z.string(),
  action: z.enum(["accept", "reject"]),
  grant_scope: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
  remember: flag.optional(),
});

function answer(request: Request, redirectTo: string): Response {
  if (wantsJson(request)) return Response.json({ redirect_to: redirectTo });
  return new Response(null, { status: 303, headers: { location: redirectTo, "cache-control": "no-store" } });
}

/** The user's Allow / Deny on a consent request. */
export async function POST(request: Request): Promise<Response> {
  const env = heraEnv();
  const parsed = Body.safeParse(await readForm(request));
  if (!parsed.success || !isSameOriginRequest(request.headers, env.publicUrl)) {
    return Response.json(
      { error: "invalid_request", error_description: "Malformed consent decision." },
      { status: 400 },
    );
  }
  const { consent_challenge: challenge, csrf_token, action, grant_scope, remember } = parsed.data;
  if (!verifyFormToken(env.csrfSecret, csrf_token, "consent", challenge)) {
    return Response.json(
      { error: "invalid_request", error_description: "The form has expired. Reload the page and try again." },
      { status: 403 },
    );
  }
  if (action === "reject") return answer(request, await rejectConsent(challenge));

  const lookup = await lookupConsent(challenge);
  if (lookup.kind === "redirect") return answer(request, lookup.to);
  if (lookup.kind === "gone") {
    return Response.json(
      { error: "invalid_request", error_description: "The consent request has expired." },
      { status: 410 },
    );
  }
  const requested = lookup.request.requested_scope ?? [];
  const chosen = [...grant_scope, ...requested.filter((s) => REQUIRED_SCOPES.has(s))];
  return answer(
    request,
    await acceptConsent(lookup.request, {
      grantScope: chosen,
      remember: remember ?? false,
      cookie: request.headers.get("cookie") ?? "",
    }),
  );
}
