import "server-only";
import { type OAuth2ConsentRequest, OAuth2ConsentRequestFromJSON, type Session } from "@ory/client-fetch";
import { type AuthorizationDetail, readAuthorizationDetails } from "./authorization-details";
import { grantableScopes, idTokenClaims, type ClaimSource } from "./claims";
import { sessionSatisfies } from "./oauth2-rules";
import { heraEnv } from "./env";
import { browserInitPath } from "./flow-urls";
import { clients, currentSession, statusOf } from "./ory";

/** Hydra answers 410 `{redirect_to}` for a challenge that was already handled. */
async function handledRedirect(err: unknown): Promise<string | undefined> {
  if (statusOf(err) !== 410) return undefined;
  try {
    const body = (await (err as { response: Response }).response.clone().json()) as { redirect_to?: unknown };
    return typeof body.redirect_to === "string" ? body.redirect_to : undefined;
  } catch {
    return undefined;
  }
}

function secondsLeft(session: Session): number {
  const expires = session.expires_at ? new Date(session.expires_at).getTime() : Date.now();
  return Math.max(0, Math.floor((expires - Date.now()) / 1000));
}

/**
 * Decides where `/login?login_challenge=…` goes: a remembered Hydra login or a live identity
 * session accepts the request at once (→ Hydra's `redirect_to`); otherwise the core's login flow
 * starts with the challenge and completes it itself after the user signs in.
 */
export async function resolveLoginChallenge(challenge: string, params: URLSearchParams): Promise<string> {
  const { oauth2 } = clients();
  let request: Awaited<ReturnType<typeof oauth2.getOAuth2LoginRequest>>;
  try {
    request = await oauth2.getOAuth2LoginRequest({ loginChallenge: challenge });
  } catch (err) {
    const handled = await handledRedirect(err);
    if (handled) return handled;
    throw err;
  }
  if (request.skip) {
    const accepted = await oauth2.acceptOAuth2LoginRequest({
      loginChallenge: challenge,
      acceptOAuth2LoginRequest: { subject: request.subject },
    });
    return accepted.redirect_to;
  }
  const session = await currentSession();
  if (session?.identity && sessionSatisfies(request.request_url, session.authenticated_at)) {
    const accepted = await oauth2.acceptOAuth2LoginRequest({
      loginChallenge: challenge,
      acceptOAuth2LoginRequest: {
        subject: session.identity.id,
        identity_provider_session_id: session.id,
        remember: true,
        remember_for: secondsLeft(session),
        acr: session.authenticator_assurance_level ?? "aal1",
        amr: (session.authentication_methods ?? []).flatMap((m) => (m.method ? [String(m.method)] : [])),
      },
    });
    return accepted.redirect_to;
  }
  // A session that is too old (or prompt=login) re-authenticates the same user.
  const fresh = Boolean(session?.identity);
  const init = new URLSearchParams(params);
  init.set("login_challenge", challenge);
  if (fresh) init.set("refresh", "true");
  return browserInitPath("login", init);
}

export type ConsentLookup =
  | { kind: "show"; request: OAuth2ConsentRequest; authorizationDetails: AuthorizationDetail[] }
  | { kind: "redirect"; to: string }
  | { kind: "gone" };

/** Fetches a consent request; a handled one yields Hydra's redirect, an unknown one "gone". */
export async function lookupConsent(challenge: string): Promise<ConsentLookup> {
  try {
    // Read raw: the SDK model drops `authorization_details` (RFC 9396; Olympus goes beyond Hydra here).
    const res = await clients().oauth2.getOAuth2ConsentRequestRaw({ consentChallenge: challenge });
    const json = (await res.raw.json()) as Record<string, unknown>;
    return {
      kind: "show",
      request: OAuth2ConsentRequestFromJSON(json),
      authorizationDetails: readAuthorizationDetails(json.authorization_details),
    };
  } catch (err) {
    const handled = await handledRedirect(err);
    if (handled) return { kind: "redirect", to: handled };
    if (statusOf(err) === 404) return { kind: "gone" };
    throw err;
  }
}

/**
 * The identity behind a consent request, for its claims: read through the core's admin API; when
 * that is unavailable, the browser's own session serves if it belongs to the same subject.
 */
async function claimSource(subject: string, cookie?: string): Promise<ClaimSource> {
  try {
    return await clients().identity.getIdentity({ id: subject });
  } catch (err) {
    const session = await currentSession(cookie);
    if (session?.identity?.id === subject) return session.identity;
    throw err;
  }
}

/** Accepts a consent request with the given scopes and returns Hydra's `redirect_to`. */
export async function acceptConsent(
  request: OAuth2ConsentRequest,
  opts: { grantScope?: string[]; remember: boolean; cookie?: string },
): Promise<string> {
  const env = heraEnv();
  const grantScope = grantableScopes(request.requested_scope ?? [], opts.grantScope);
  const identity = await claimSource(request.subject ?? "", opts.cookie);
  const accepted = await clients().oauth2.acceptOAuth2ConsentRequest({
    consentChallenge: request.challenge,
    acceptOAuth2ConsentRequest: {
      grant_scope: grantScope,
      grant_access_token_audience: request.requested_access_token_audience ?? [],
      // remember_for 0 = until the user or an admin revokes the grant (Hydra's semantics).
      ...(opts.remember ? { remember: true, remember_for: 0 } : {}),
      session: { id_token: idTokenClaims(identity, grantScope, env.domain), access_token: {} },
    },
  });
  return accepted.redirect_to;
}

/** Rejects a consent request as the user's "Deny" and returns Hydra's `redirect_to`. */
export async function rejectConsent(challenge: string): Promise<string> {
  const rejected = await clients().oauth2.rejectOAuth2ConsentRequest({
    consentChallenge: challenge,
    rejectOAuth2Request: {
      error: "access_denied",
      error_description: "The resource owner denied the request",
      status_code: 403,
    },
  });
  return rejected.redirect_to;
}

export type LogoutLookup =
  | {
      kind: "show";
      request: Awaited<ReturnType<ReturnType<typeof clients>["oauth2"]["getOAuth2LogoutRequest"]>>;
    }
  | { kind: "redirect"; to: string }
  | { kind: "gone" };

/** Fetches an OAuth2 logout request (RP-initiated logout). */
export async function lookupLogout(challenge: string): Promise<LogoutLookup> {
  try {
    return {
      kind: "show",
      request: await clients().oauth2.getOAuth2LogoutRequest({ logoutChallenge: challenge }),
    };
  } catch (err) {
    const handled = await handledRedirect(err);
    if (handled) return { kind: "redirect", to: handled };
    if (statusOf(err) === 404) return { kind: "gone" };
    throw err;
  }
}

/** Accepts an OAuth2 logout request and returns where Hydra continues (the client's post-logout URL). */
export async function acceptLogout(challenge: string): Promise<string> {
  return (await clients().oauth2.acceptOAuth2LogoutRequest({ logoutChallenge: challenge })).redirect_to;
}

/** Tells Hydra the user chose to stay signed in. */
export async function rejectLogout(challenge: string): Promise<void> {
  await clients().oauth2.rejectOAuth2LogoutRequest({ logoutChallenge: challenge });
}

/**
 * Ends the browser's identity session through the core's logout flow and returns the Set-Cookie
 * lines that clear it (the caller forwards them). No session: nothing to end.
 */
export async function endIdentitySession(cookie: string): Promise<string[]> {
  if (!cookie) return [];
  const { frontend } = clients(cookie);
  let token: string;
  try {
    token = (await frontend.createBrowserLogoutFlow({ cookie })).logout_token;
  } catch (err) {
    if (statusOf(err) === 401) return [];
    throw err;
  }
  const res = await frontend.updateLogoutFlowRaw({ token, cookie });
  return res.raw.headers.getSetCookie();
}

export type UserCodeResult = { kind: "continue"; to: string } | { kind: "invalid" } | { kind: "gone" };

/**
 * Hands the user code the user typed to the OAuth2 provider (Hydra's acceptUserCodeRequest): a
 * valid, unused code continues to login and consent; a wrong, expired or used one is "invalid"; a
 * device challenge that expired starts over at Hydra's verification endpoint.
 */
export async function acceptUserCode(challenge: string, userCode: string): Promise<UserCodeResult> {
  try {
    const accepted = await clients().oauth2.acceptUserCodeRequest({
      deviceChallenge: challenge,
      acceptDeviceUserCodeRequest: { user_code: userCode },
    });
    return { kind: "continue", to: accepted.redirect_to };
  } catch (err) {
    const handled = await handledRedirect(err);
    if (handled) return { kind: "continue", to: handled };
    if (statusOf(err) === 400) return { kind: "invalid" };
    if (statusOf(err) === 404) return { kind: "gone" };
    throw err;
  }
}
