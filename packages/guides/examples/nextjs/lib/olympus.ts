import type { OryClientConfiguration } from "@ory/elements-react";
import { Configuration, FrontendApi, type LoginFlow, ResponseError, type Session } from "@ory/client-fetch";

// Server-side only: the app's server talks to the domain's public identity URL with the browser's
// cookies. In production the app and Olympus share a parent domain (app.example.com and
// auth.example.com) so the session cookie reaches both.
export function olympusUrl(): string {
  return process.env.OLYMPUS_URL ?? "http://localhost:3100";
}

export function olympus(url = olympusUrl()): FrontendApi {
  return new FrontendApi(new Configuration({ basePath: url }));
}

/** The signed-in session, or null when the cookies carry none (whoami answers 401). */
export async function currentSession(cookie: string, api = olympus()): Promise<Session | null> {
  try {
    return await api.toSession({ cookie });
  } catch (err) {
    if (err instanceof ResponseError && err.response.status === 401) return null;
    throw err;
  }
}

/**
 * The login flow for /login?flow=<id>; without an id (or with an expired one) the browser has to
 * start a new flow at Olympus, which sets the CSRF cookie and comes back here with `?flow=`.
 */
export async function loginFlow(
  flowId: string | undefined,
  cookie: string,
  returnTo: string,
  url = olympusUrl(),
): Promise<{ flow: LoginFlow } | { redirectTo: string }> {
  const restart = `${url}/self-service/login/browser?return_to=${encodeURIComponent(returnTo)}`;
  if (!flowId) return { redirectTo: restart };
  try {
    return { flow: await olympus(url).getLoginFlow({ id: flowId, cookie }) };
  } catch (err) {
    // 403 (the flow belongs to another browser), 404 (unknown), 410 (expired): start again.
    if (err instanceof ResponseError && [403, 404, 410].includes(err.response.status))
      return { redirectTo: restart };
    throw err;
  }
}

/** What @ory/elements-react needs to know about the project (your app's URLs). */
export function elementsConfig(appUrl: string, url = olympusUrl()): OryClientConfiguration {
  return {
    sdk: { url },
    project: {
      name: "My app",
      registration_enabled: true,
      verification_enabled: true,
      recovery_enabled: true,
      login_ui_url: `${appUrl}/login`,
      registration_ui_url: `${url}/self-service/registration/browser`,
      recovery_ui_url: `${url}/self-service/recovery/browser`,
      verification_ui_url: `${url}/self-service/verification/browser`,
      settings_ui_url: `${url}/self-service/settings/browser`,
      error_ui_url: `${appUrl}/error`,
      default_redirect_url: `${appUrl}/`,
    },
  };
}
