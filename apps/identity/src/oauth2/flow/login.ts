import type { Hono } from "hono";
import { z } from "zod";
import { isUniqueViolation } from "../../db/errors.ts";
import { badRequest, notFound } from "../../errors/index.ts";
import { uuid } from "../../security/random.ts";
import { type AuthorizeRequest, AuthorizeError, isDeviceRequestUrl, reparse } from "../authorize/request.ts";
import { clientToWire } from "../clients/model.ts";
import { grantExists } from "../grants.ts";
import { readJson } from "../http.ts";
import { nowSeconds, type OAuth2 } from "../runtime.ts";
import { verifyOwnIdToken } from "../subjects.ts";
import {
  isExpired,
  type LoginChallenge,
  type LoginResult,
  type LoginVerifier,
  openFlow,
  type RequestDenial,
  RequestGone,
  sealFlow,
} from "./challenge.ts";
import {
  challengeIdOfSession,
  extendLoginSession,
  findLoginSession,
  insertLoginSessionOnce,
  loginSessionExists,
} from "./login-sessions.ts";
import { findHandled, loginKey, markRejected, spendVerifier } from "./handled.ts";

export const acceptLoginBody = z.object({
  subject: z.string().min(1, "Field 'subject' must not be empty.").max(512),
  remember: z.boolean().optional(),
  remember_for: z
    .number()
    .int()
    .nonnegative()
    .max(10 * 365 * 24 * 3600)
    .optional(),
  acr: z.string().max(512).optional(),
  amr: z.array(z.string().max(128)).max(32).optional(),
  context: z.unknown().optional(),
  extend_session_lifespan: z.boolean().optional(),
  force_subject_identifier: z.string().max(512).optional(),
  identity_provider_session_id: z.string().max(512).optional(),
});
export type AcceptLoginBody = z.infer<typeof acceptLoginBody>;

export const rejectBody = z.object({
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
  error_hint: z.string().max(2048).optional(),
  error_debug: z.string().max(2048).optional(),
  status_code: z.number().int().min(400).max(599).optional(),
});

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badRequest(
      issue.path.length ? `Field '${issue.path.join(".")}' is invalid: ${issue.message}` : issue.message,
    );
  }
  return parsed.data;
}

/** The denial a reject body describes (Hydra defaults to access_denied). */
export function toDenial(body: z.infer<typeof rejectBody>): RequestDenial {
  return {
    error: body.error || "access_denied",
    error_description: body.error_description || "The resource owner denied the request",
    ...(body.error_hint ? { error_hint: body.error_hint } : {}),
    ...(body.error_debug ? { error_debug: body.error_debug } : {}),
    status_code: body.status_code ?? 400,
  };
}

/** Appends a verifier to the original request URL: where the browser goes next. */
export function withParam(requestUrl: string, key: string, value: string): string {
  const u = new URL(requestUrl);
  u.searchParams.set(key, value);
  return u.toString();
}

/** Loads the request a challenge points at; a client that went away makes the challenge unknown. */
export async function requestOf(o2: OAuth2, requestUrl: string): Promise<AuthorizeRequest> {
  try {
    return await reparse(o2, requestUrl);
  } catch (e) {
    if (e instanceof AuthorizeError)
      throw notFound("The OAuth 2.0 request this challenge belongs to is no longer valid.");
    throw e;
  }
}

/** When a login or consent request's marks may be forgotten: when the request itself expires. */
export function markExpiry(o2: OAuth2, requestedAt: number): Date {
  return new Date(requestedAt * 1000 + o2.cfg.ttl.login_consent_request);
}

/**
 * Whether a login request is final: rejected, or its verifier redeemed (a fresh login's session
 * exists or ended — the end leaves a mark —, a remembered login's verifier is marked spent, or its
 * flow went on to a grant). An accepted
 * request whose verifier is not redeemed yet may still be read and accepted again, as in Hydra.
 */
async function loginUsed(o2: OAuth2, ch: LoginChallenge): Promise<boolean> {
  if (await findHandled(o2.ctx.db, loginKey(ch.id))) return true;
  if (!ch.skip && (await loginSessionExists(o2.ctx.db, ch.session_id))) return true;
  return grantExists(o2.ctx.db, { loginChallengeId: ch.id });
}

/** Opens a login challenge: 404 when it is not one, 410 `{redirect_to}` when used or expired. */
export async function openLoginChallenge(o2: OAuth2, challenge: string | undefined): Promise<LoginChallenge> {
  const ch = await openFlow(o2, "login_challenge", challenge);
  if (!ch) throw notFound("The login challenge is invalid.");
  if (isExpired(o2, ch.requested_at) || (await loginUsed(o2, ch))) throw new RequestGone(ch.request_url);
  // A remembered login that ended meanwhile (logout, revocation) can not be reused: start over.
  if (ch.skip && !(await findLoginSession(o2.ctx.db, ch.session_id))) throw new RequestGone(ch.request_url);
  return ch;
}

export async function oidcContextOf(o2: OAuth2, req: AuthorizeRequest): Promise<Record<string, unknown>> {
  const hint = req.idTokenHint
    ? await verifyOwnIdToken(o2, req.idTokenHint, { allowExpired: true })
    : undefined;
  return { ...req.oidc, ...(hint ? { id_token_hint_claims: hint } : {}) };
}

/** Hydra's OAuth2LoginRequest. */
export async function loginRequestWire(o2: OAuth2, challenge: string, ch: LoginChallenge) {
  const req = await requestOf(o2, ch.request_url);
  return {
    challenge,
    skip: ch.skip,
    subject: ch.subject,
    client: clientToWire(req.client),
    request_url: ch.request_url,
    requested_scope: req.scope,
    requested_access_token_audience: req.audience,
    oidc_context: await oidcContextOf(o2, req),
    session_id: ch.session_id,
  };
}

/**
 * Accepts a login request. Nothing is written for a fresh login: its login session is stored when the
 * verifier is redeemed at /oauth2/auth (which also spends the verifier). Until then the request can be
 * read and accepted again (each verifier works, the first one redeemed wins), as in Hydra. A
 * remembered login changes nothing here unless asked to extend.
 */
export async function acceptLogin(o2: OAuth2, challenge: string, body: AcceptLoginBody): Promise<string> {
  const ch = await openLoginChallenge(o2, challenge);
  if (ch.skip && body.subject !== ch.subject) {
    if (isDeviceRequestUrl(o2, ch.request_url)) {
      // A device request can not be restarted from its URL (its user code is spent): the same
      // request goes back to the login UI with a fresh login challenge that remembers nobody.
      const sid = newSessionId();
      const fresh = await sealFlow(o2, "login_challenge", {
        ...ch,
        id: challengeIdOfSession(sid),
        session_id: sid,
        skip: false,
        subject: "",
        auth_time: undefined,
      });
      return withParam(o2.urls.login, "login_challenge", fresh);
    }
    // Another user than the remembered one: start over, asking for a login.
    return withParam(ch.request_url, "prompt", "login");
  }
  const now = nowSeconds();
  const remember = ch.skip ? true : (body.remember ?? false);
  const rememberFor = body.remember_for ?? 0;
  if (ch.skip && body.extend_session_lifespan) {
    await extendLoginSession(o2.ctx.db, ch.session_id, loginSessionExpiry(o2, remember, rememberFor));
  }
  const result: LoginResult = {
    subject: body.subject,
    remember,
    remember_for: rememberFor,
    acr: body.acr ?? ch.acr ?? "",
    amr: body.amr ?? ch.amr ?? [],
    context: body.context ?? {},
    force_subject_identifier: body.force_subject_identifier ?? "",
    identity_provider_session_id: body.identity_provider_session_id ?? "",
    auth_time: ch.skip && ch.auth_time ? ch.auth_time : now,
    extend: Boolean(ch.skip && body.extend_session_lifespan),
  };
  const verifier = await sealFlow(o2, "login_verifier", { ...ch, result });
  return withParam(ch.request_url, "login_verifier", verifier);
}

/** When a login session stored now ends: `remember_for` when remembered for a while, else the session TTL. */
export function loginSessionExpiry(o2: OAuth2, remember: boolean, rememberFor: number): Date {
  const lifespanMs = remember && rememberFor > 0 ? rememberFor * 1000 : o2.cfg.ttl.authentication_session;
  return new Date(Date.now() + lifespanMs);
}

/**
 * Redeems an accepting login verifier (at /oauth2/auth): stores the login session of a fresh login,
 * marks a remembered login's verifier spent. False when the verifier (or another one of the same
 * request) was redeemed before, or the request was rejected meanwhile. A fresh login's is one
 * statement: the session is inserted unless it exists or the request has a mark (rejected, or the
 * session was stored and has ended since: deleteLoginSessions marks it), so logging out does not make
 * the verifier new again.
 */
export async function redeemLoginVerifier(o2: OAuth2, v: LoginVerifier): Promise<boolean> {
  const db = o2.ctx.db;
  if (v.skip) return spendVerifier(db, loginKey(v.id), markExpiry(o2, v.requested_at), false);
  const r = v.result!;
  try {
    return await insertLoginSessionOnce(
      db,
      {
        id: v.session_id,
        subject: r.subject,
        identitySessionId: r.identity_provider_session_id || null,
        remember: r.remember,
        authenticatedAt: new Date(r.auth_time * 1000),
        expiresAt: loginSessionExpiry(o2, r.remember, r.remember_for),
      },
      loginKey(v.id),
    );
  } catch (e) {
    if (isUniqueViolation(e)) return false;
    throw e;
  }
}

/** Rejects a login request, for good: the client gets the error at its redirect URI. */
export async function rejectLogin(o2: OAuth2, challenge: string, denial: RequestDenial): Promise<string> {
  const ch = await openLoginChallenge(o2, challenge);
  if (!(await markRejected(o2.ctx.db, loginKey(ch.id), markExpiry(o2, ch.requested_at))))
    throw new RequestGone(ch.request_url);
  const verifier = await sealFlow(o2, "login_verifier", { ...ch, denial });
  return withParam(ch.request_url, "login_verifier", verifier);
}

/** Creates a fresh login session id (the `sid` of a login that is not remembered yet). */
export const newSessionId = () => uuid();

export function registerLoginRequestRoutes(admin: Hono, o2: OAuth2): void {
  const base = "/oauth2/auth/requests/login";
  admin.get(base, async (c) => {
    const challenge = c.req.query("login_challenge") ?? c.req.query("challenge");
    if (!challenge) throw badRequest("The query parameter 'login_challenge' is missing.");
    const ch = await openLoginChallenge(o2, challenge);
    return c.json(await loginRequestWire(o2, challenge, ch));
  });
  admin.put(`${base}/accept`, async (c) => {
    const challenge = c.req.query("login_challenge") ?? c.req.query("challenge");
    if (!challenge) throw badRequest("The query parameter 'login_challenge' is missing.");
    const body = parseBody(acceptLoginBody, await readJson(c));
    return c.json({ redirect_to: await acceptLogin(o2, challenge, body) });
  });
  admin.put(`${base}/reject`, async (c) => {
    const challenge = c.req.query("login_challenge") ?? c.req.query("challenge");
    if (!challenge) throw badRequest("The query parameter 'login_challenge' is missing.");
    const body = parseBody(rejectBody, await readJson(c));
    return c.json({ redirect_to: await rejectLogin(o2, challenge, toDenial(body)) });
  });
}
