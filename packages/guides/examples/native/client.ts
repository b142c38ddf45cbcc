import { Configuration, FrontendApi, type Session } from "@ory/client-fetch";

// A native or mobile app talks to Olympus with the API flows: no cookies and no CSRF token, the
// session is a token the app keeps in the platform's secure storage (Keychain, Keystore).
export function olympus(olympusUrl: string) {
  return new FrontendApi(new Configuration({ basePath: olympusUrl }));
}

/** Signs in with email and password; returns the session token to store and the session. */
export async function signIn(api: FrontendApi, email: string, password: string) {
  const flow = await api.createNativeLoginFlow();
  const result = await api.updateLoginFlow({
    flow: flow.id,
    updateLoginFlowBody: { method: "password", identifier: email, password },
  });
  return { sessionToken: result.session_token!, session: result.session };
}

/** Creates an account; with the `session` hook after registration the answer carries a session token. */
export async function signUp(api: FrontendApi, email: string, password: string) {
  const flow = await api.createNativeRegistrationFlow();
  const result = await api.updateRegistrationFlow({
    flow: flow.id,
    updateRegistrationFlowBody: { method: "password", traits: { email }, password },
  });
  return { sessionToken: result.session_token, identity: result.identity };
}

/** Who is signed in: the token goes in the X-Session-Token header. */
export async function whoami(api: FrontendApi, sessionToken: string): Promise<Session> {
  return api.toSession({ xSessionToken: sessionToken });
}

/** Your own API checks a token the same way, with a plain HTTP call. */
export async function checkToken(olympusUrl: string, sessionToken: string): Promise<Session | null> {
  const res = await fetch(`${olympusUrl}/sessions/whoami`, { headers: { "X-Session-Token": sessionToken } });
  if (res.status === 401) return null;
  if (!res.ok) throw new Error(`whoami answered ${res.status}`);
  return (await res.json()) as Session;
}

/** Signing out revokes the token. */
export async function signOut(api: FrontendApi, sessionToken: string): Promise<void> {
  await api.performNativeLogout({ performNativeLogoutBody: { session_token: sessionToken } });
}
