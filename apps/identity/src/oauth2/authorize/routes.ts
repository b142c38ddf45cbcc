import type { Context, Hono } from "hono";
import { isUniqueViolation } from "../../db/errors.ts";
import { uuid } from "../../security/random.ts";
import {
  type ConsentVerifier,
  isExpired,
  type LoginVerifier,
  openFlow,
  sealFlow,
} from "../flow/challenge.ts";
import { consentSkippable } from "../flow/consent.ts";
import { consentKey, loginKey, spendVerifier } from "../flow/handled.ts";
import { markExpiry, redeemLoginVerifier } from "../flow/login.ts";
import {
  browserBinding,
  clearLoginSessionCookie,
  loginSessionFromCookie,
  sameBrowser,
  setLoginSessionCookie,
} from "../flow/cookies.ts";
import { challengeIdOfSession, findLoginSession } from "../flow/login-sessions.ts";
import { denyDeviceRequest, linkDeviceGrant } from "../device/requests.ts";
import { OAuth2Error } from "../errors.ts";
import { insertGrantOnce, lastUse } from "../grants.ts";
import { readParams } from "../http.ts";
import { nowSeconds, type OAuth2, publicUrl } from "../runtime.ts";
import { clientSubject, verifyOwnIdToken } from "../subjects.ts";
import { mintToken, tokenHash } from "../token/tokens.ts";
import { type AuthorizeRequest, AuthorizeError, parseAuthorizeRequest, reparse } from "./request.ts";
import { mustPush, PAR_URN, redeemPushedRequest } from "./par.ts";
import { checkLoginMeetsClaims, forcesLogin } from "./claims-enforce.ts";
import { resolveRequestObject } from "./request-object.ts";
import { errorPage, errorToClient, respondToClient } from "./respond.ts";

function redirectWith(c: Context, base: string, key: string, value: string): Response {
  const url = new URL(base);
  url.searchParams.set(key, value);
  c.header("Cache-Control", "no-store");
  return c.redirect(url.toString(), 302);
}

function fail(c: Context, o2: OAuth2, e: unknown): Response {
  if (e instanceof AuthorizeError)
    return e.target ? errorToClient(c, e.target, e.error) : errorPage(c, o2, e.error);
  throw e;
}

/**
 * Step 1, a new authorization request: validate it, decide whether the browser's remembered login
 * can be reused (skip), and send the browser to the login UI with a sealed login challenge.
 */
async function startAuthorization(c: Context, o2: OAuth2, given: URLSearchParams): Promise<Response> {
  // A pushed request (RFC 9126): its request_uri stands for the parameters pushed before, and only
  // those count. From here on the request is those parameters (the request_uri is spent).
  const requestUri = given.get("request_uri");
  const pushed = requestUri?.startsWith(PAR_URN) ?? false;
  // A request object (RFC 9101), by value or by a registered request_uri: only its parameters count.
  const params = pushed
    ? await redeemPushedRequest(o2, requestUri!, given.get("client_id"))
    : await resolveRequestObject(o2, given);
  const requestUrl = `${publicUrl(o2, "oauth2/auth")}?${params.toString()}`;
  const req = await parseAuthorizeRequest(o2, params, requestUrl);
  if (!pushed && mustPush(o2, req.client)) {
    throw new AuthorizeError(
      new OAuth2Error(
        "invalid_request",
        "The OAuth 2.0 Client must push its authorization requests (pushed_authorization_request_endpoint) and send the request_uri.",
      ),
      req.target,
    );
  }
  return beginLogin(c, o2, req);
}

/**
 * The login step of a validated request (an authorization request, or a device request whose user
 * code was accepted): reuse the browser's remembered login when allowed, and send the browser to the
 * login UI with a sealed login challenge whose request_url is the request's.
 */
export async function beginLogin(c: Context, o2: OAuth2, req: AuthorizeRequest): Promise<Response> {
  const requestUrl = req.requestUrl;
  const hint = req.idTokenHint
    ? await verifyOwnIdToken(o2, req.idTokenHint, { allowExpired: true })
    : undefined;
  if (req.idTokenHint && !hint) {
    throw new AuthorizeError(
      new OAuth2Error("invalid_request", "The 'id_token_hint' is not a valid ID token of this provider."),
      req.target,
    );
  }
  const session = await findLoginSession(o2.ctx.db, loginSessionFromCookie(c, o2));
  const usable = session?.remember ? session : undefined;
  const fresh =
    usable &&
    (req.maxAge === undefined || usable.authenticatedAt.getTime() + req.maxAge * 1000 >= Date.now());
  const hintMatches = !hint || (usable && hint.sub === clientSubject(o2, req.client, usable.subject));
  const skip = Boolean(
    usable &&
      fresh &&
      hintMatches &&
      !req.prompt.has("login") &&
      !req.prompt.has("select_account") &&
      !forcesLogin(req),
  );
  if (!skip && req.prompt.has("none")) {
    const why = !usable
      ? "Prompt 'none' was requested, but no existing login session was found."
      : !hintMatches
        ? "The 'id_token_hint' does not match the current login session."
        : "Prompt 'none' was requested, but the login session is older than 'max_age'.";
    throw new AuthorizeError(new OAuth2Error("login_required", why), req.target);
  }
  // A fresh login's challenge id is its login session's id without dashes (challengeIdOfSession), so
  // ending that session can mark the request's verifier spent.
  const sessionId = skip ? usable!.id : uuid();
  const challenge = await sealFlow(o2, "login_challenge", {
    id: skip ? uuid().replace(/-/g, "") : challengeIdOfSession(sessionId),
    request_url: requestUrl,
    client_id: req.client.id,
    requested_at: nowSeconds(),
    csrf: browserBinding(c, o2),
    session_id: sessionId,
    skip,
    subject: skip ? usable!.subject : "",
    ...(skip ? { auth_time: Math.floor(usable!.authenticatedAt.getTime() / 1000) } : {}),
  });
  return redirectWith(c, o2.urls.login, "login_challenge", challenge);
}

/** Opens a verifier and re-reads its request; every failure goes to the client or the error page. */
async function verifierRequest<V extends LoginVerifier | ConsentVerifier>(
  c: Context,
  o2: OAuth2,
  v: V | undefined,
  what: "login" | "consent",
): Promise<{ v: V; req: AuthorizeRequest }> {
  if (!v) {
    throw new AuthorizeError(
      new OAuth2Error(
        "invalid_request",
        `The ${what} verifier is invalid, has expired or was issued for another request.`,
      ),
    );
  }
  const req = await reparse(o2, v.request_url);
  if (isExpired(o2, v.requested_at)) {
    throw new AuthorizeError(
      new OAuth2Error("request_unauthorized", `The ${what} request has expired, please try again.`),
      req.target,
    );
  }
  if (!sameBrowser(c, o2, v.csrf)) {
    throw new AuthorizeError(
      new OAuth2Error(
        "request_forbidden",
        `The ${what} verifier was issued to another browser: its anti-CSRF cookie is missing or does not match.`,
      ),
      req.target,
    );
  }
  if (v.denial) {
    const key = "consent_id" in v ? consentKey(v.consent_id) : loginKey(v.id);
    if (!(await spendVerifier(o2.ctx.db, key, markExpiry(o2, v.requested_at), true)))
      throw verifierUsed(what, req);
    const d = v.denial;
    const params: Record<string, string> = { error: d.error, error_description: d.error_description };
    if (d.error_hint) params.error_hint = d.error_hint;
    if (req.device) {
      // The device learns it at its next poll (access_denied); the browser ends on the device page.
      await denyDeviceRequest(o2.ctx.db, req.device.id);
      throw new AuthorizeRedirect(deviceDone(c, o2, params));
    }
    throw new AuthorizeRedirect(respondToClient(c, req.target!, params));
  }
  return { v, req };
}

/** A verifier presented again (as Hydra: access_denied, "The login verifier has already been used."). */
function verifierUsed(what: "login" | "consent", req: AuthorizeRequest): AuthorizeError {
  return new AuthorizeError(
    new OAuth2Error(
      "access_denied",
      `The resource owner or authorization server denied the request. The ${what} verifier has already been used.`,
    ),
    req.target,
  );
}

/** A finished response produced while validating (a denial sent to the client). */
export class AuthorizeRedirect extends Error {
  constructor(readonly response: Response) {
    super("redirect");
  }
}

/**
 * Step 2, back from the login UI: redeem the verifier (a fresh login's session is stored now, the one
 * write of the login step, and it is what makes the verifier single-use), remember the login in this
 * browser when asked, then send the browser to the consent UI with a sealed consent challenge.
 */
export async function afterLogin(c: Context, o2: OAuth2, verifier: string): Promise<Response> {
  const { v, req } = await verifierRequest(c, o2, await openFlow(o2, "login_verifier", verifier), "login");
  const r = v.result!;
  // A remembered login that ended since (logout, revocation) can not be reused: the user has to log
  // in again (login_required when the client asked for no prompt).
  if (v.skip && !(await findLoginSession(o2.ctx.db, v.session_id))) {
    throw new AuthorizeError(
      new OAuth2Error(
        req.prompt.has("none") ? "login_required" : "access_denied",
        "The remembered login session has ended (logged out or revoked); please log in again.",
      ),
      req.target,
    );
  }
  // OpenID Connect Core §5.5.1: an essential acr the login did not reach, or another user than the
  // requested `sub`, fails the request before anything is stored.
  checkLoginMeetsClaims(o2, req, r);
  if (!(await redeemLoginVerifier(o2, v))) throw verifierUsed("login", req);
  if (!v.skip) {
    if (r.remember)
      setLoginSessionCookie(c, o2, v.session_id, r.remember_for > 0 ? r.remember_for : undefined);
    else clearLoginSessionCookie(c, o2);
  } else if (r.extend) {
    setLoginSessionCookie(c, o2, v.session_id, r.remember_for > 0 ? r.remember_for : undefined);
  }
  const subject = clientSubject(o2, req.client, r.subject, r.force_subject_identifier);
  const skip = await consentSkippable(o2, req.client, req, r.subject);
  if (!skip && req.prompt.has("none")) {
    throw new AuthorizeError(
      new OAuth2Error("consent_required", "Prompt 'none' was requested, but no previous consent was found."),
      req.target,
    );
  }
  const challenge = await sealFlow(o2, "consent_challenge", {
    id: v.id,
    request_url: v.request_url,
    client_id: v.client_id,
    requested_at: v.requested_at,
    csrf: v.csrf,
    consent_id: uuid().replace(/-/g, ""),
    session_id: v.session_id,
    subject: r.subject,
    client_subject: subject,
    auth_time: r.auth_time,
    acr: r.acr,
    amr: r.amr,
    login_context: r.context,
    login_skipped: v.skip,
    skip,
  });
  return redirectWith(c, o2.urls.consent, "consent_challenge", challenge);
}

/**
 * Step 3, back from the consent UI: store the grant with its authorization code, in one statement
 * (the one write of the authorization step). The grant's unique consent id spends the verifier; a
 * DELETE of the grant marks the request, so revoking the consent does not make the verifier usable
 * again while the request is live.
 */
export async function afterConsent(c: Context, o2: OAuth2, verifier: string): Promise<Response> {
  const { v, req } = await verifierRequest(
    c,
    o2,
    await openFlow(o2, "consent_verifier", verifier),
    "consent",
  );
  const r = v.result!;
  const now = new Date();
  const grantId = uuid();
  // A device request gets no code: the device redeems its device code once the grant is linked.
  const code = req.device ? undefined : mintToken(o2, "ory_ac_", grantId);
  const codeExpiresAt = req.device ? null : new Date(now.getTime() + o2.cfg.ttl.auth_code);
  const handledAt = new Date(r.handled_at);
  let inserted: boolean;
  try {
    inserted = await insertGrantOnce(
      o2.ctx.db,
      {
        id: grantId,
        kind: req.device ? "device_code" : "authorization_code",
        clientId: req.client.id,
        subject: v.subject,
        clientSubject: v.client_subject,
        consentChallengeId: v.consent_id,
        loginChallengeId: v.id,
        loginSessionId: v.session_id,
        grantedScope: r.grant_scope,
        grantedAudience: r.grant_access_token_audience,
        accessTokenClaims: r.session.access_token,
        idTokenClaims: r.session.id_token,
        request: {
          requested_scope: req.scope,
          requested_access_token_audience: req.audience,
          request_url: v.request_url,
          redirect_uri_param: req.redirectUriParam !== undefined,
          skip: v.skip,
          acr: v.acr,
          amr: v.amr,
          context: v.login_context ?? {},
          login_challenge: v.id,
          oidc_context: req.oidc,
          context_consent: r.context ?? {},
          ...(req.device ? { device_request_id: req.device.id } : {}),
          // RFC 9396: what the consent granted; returned with the tokens and carried by them.
          ...(r.grant_authorization_details ? { authorization_details: r.grant_authorization_details } : {}),
          // RFC 9449 §10: the code is bound to this key; the tokens then carry the key they were issued for.
          ...(req.dpopJkt ? { dpop_jkt: req.dpopJkt } : {}),
        },
        consentSkipped: v.skip,
        remember: r.remember,
        rememberFor: r.remember_for,
        rememberUntil:
          r.remember && r.remember_for > 0 ? new Date(handledAt.getTime() + r.remember_for * 1000) : null,
        nonce: req.nonce ?? null,
        redirectUri: req.target?.redirectUri ?? null,
        codeChallenge: req.codeChallenge ?? null,
        authTime: new Date(v.auth_time * 1000),
        requestedAt: new Date(v.requested_at * 1000),
        acr: v.acr || null,
        amr: v.amr,
        codeHash: code ? tokenHash(o2, code) : null,
        codeExpiresAt,
        handledAt,
        expiresAt: lastUse(codeExpiresAt ?? req.device?.expiresAt),
      },
      // Refused once spent (the grant, or the mark its deletion left) or rejected (either request).
      { unlessMarked: consentKey(v.consent_id), unlessRejected: loginKey(v.id) },
    );
  } catch (e) {
    if (isUniqueViolation(e)) throw verifierUsed("consent", req);
    throw e;
  }
  if (!inserted) throw verifierUsed("consent", req);
  if (req.device) {
    if (!(await linkDeviceGrant(o2.ctx.db, req.device.id, grantId))) {
      throw new AuthorizeError(
        new OAuth2Error("invalid_request", "The device request was already completed or has expired."),
      );
    }
    return deviceDone(c, o2, {});
  }
  return respondToClient(c, req.target!, { code: code!, scope: r.grant_scope.join(" ") });
}

/** The end of a device request in the browser: `oauth2.urls.device.success`, with the error if it was refused. */
function deviceDone(c: Context, o2: OAuth2, params: Record<string, string>): Response {
  const url = new URL(o2.urls.deviceSuccess);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  c.header("Cache-Control", "no-store");
  return c.redirect(url.toString(), 302);
}

/** Runs an authorization step: a failure goes to the client (when it has a redirect URI) or the error page. */
export async function runStep(c: Context, o2: OAuth2, step: () => Promise<Response>): Promise<Response> {
  try {
    return await step();
  } catch (e) {
    if (e instanceof AuthorizeRedirect) return e.response;
    return fail(c, o2, e);
  }
}

export function registerAuthorizeRoutes(app: Hono, o2: OAuth2): void {
  app.on(["GET", "POST"], "/oauth2/auth", async (c) => {
    let params: URLSearchParams;
    try {
      params = await readParams(c, { query: true });
    } catch (e) {
      if (e instanceof OAuth2Error) return errorPage(c, o2, e);
      throw e;
    }
    return runStep(c, o2, () => {
      const loginVerifier = params.get("login_verifier");
      if (loginVerifier) return afterLogin(c, o2, loginVerifier);
      const consentVerifier = params.get("consent_verifier");
      if (consentVerifier) return afterConsent(c, o2, consentVerifier);
      return startAuthorization(c, o2, params);
    });
  });
}
