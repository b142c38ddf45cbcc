import { heraEnv } from "@/lib/env";
import { readForm } from "@/lib/form-body";
import { isSameOriginRequest } from "@/lib/form-token";
import { LOCALE_COOKIE, LOCALE_COOKIE_MAX_AGE, languageChoice } from "@/lib/i18n/locales";

/**
 * The footer's language picker posts here: remember the language in a cookie and go back to the
 * page it was picked on (303, so a flow page reloads in the new language). Works without JavaScript.
 */
export async function POST(request: Request): Promise<Response> {
  const env = heraEnv();
  if (!isSameOriginRequest(request.headers, env.publicUrl)) {
    return Response.json(
      {
        error: {
          code: 403,
          status: "Forbidden",
          message: "The language can only be changed from this site.",
        },
      },
      { status: 403 },
    );
  }
  const form = await readForm(request);
  const choice = languageChoice(form.lang, request.headers.get("referer"), env.publicUrl);
  if (!choice.ok) {
    return Response.json(
      { error: { code: 400, status: "Bad Request", message: "lang must be one of en, de, fr, es, pt-BR." } },
      { status: 400 },
    );
  }
  const secure = env.publicUrl.startsWith("https:") ? "; Secure" : "";
  return new Response(null, {
    status: 303,
    headers: {
      location: choice.location,
      "set-cookie": `${LOCALE_COOKIE}=${choice.locale}; Path=/; Max-Age=${LOCALE_COOKIE_MAX_AGE}; SameSite=Lax; HttpOnly${secure}`,
      "cache-control": "no-store",
    },
  });
}
