import type { Hono } from "hono";
import { z } from "zod";
import { badRequest, notFound } from "../../errors/index.ts";
import type { AuthorizeRequest } from "../authorize/request.ts";
import { type ClientRecord, clientToWire, isPublic } from "../clients/model.ts";
import { grantExists, latestRememberedConsent, markConsentRejected } from "../grants.ts";
import { readJson } from "../http.ts";
import type { OAuth2 } from "../runtime.ts";
import { coversAll } from "../scope.ts";
import {
  type AuthorizationDetail,
  checkAuthorizationDetails,
  covers,
  grantedDetails,
} from "../authorize/details.ts";
import { OAuth2Error } from "../errors.ts";
import {
  type ConsentChallenge,
  type ConsentResult,
  isExpired,
  openFlow,
  type RequestDenial,
  RequestGone,
  sealFlow,
} from "./challenge.ts";
import { consentKey, findHandled } from "./handled.ts";
import { markExpiry, oidcContextOf, parseBody, rejectBody, requestOf, toDenial, withParam } from "./login.ts";

const claims = z.record(z.string(), z.unknown());

export const acceptConsentBody = z.object({
  grant_scope: z.array(z.string().max(512)).max(256).nullish(),
  grant_access_token_audience: z.array(z.string().max(2048)).max(64).nullish(),
  remember: z.boolean().optional(),
  remember_for: z
    .number()
    .int()
    .nonnegative()
    .max(10 * 365 * 24 * 3600)
    .optional(),
  session: z.object({ access_token: claims.nullish(), id_token: claims.nullish() }).nullish(),
  context: z.unknown().optional(),
  handled_at: z.string().optional(),
  /** Olympus (RFC 9396; Hydra has no RAR): the authorization details granted, a narrowing of those requested. */
  grant_authorization_details: z.array(z.unknown()).max(16).nullish(),
});

/** Redirect URIs a public client may have consent remembered for (RFC 6749 §10.2, as Hydra applies it). */
function trustedRedirect(uri: string): boolean {
  try {
    const u = new URL(uri);
    return u.protocol === "https:" || ["localhost", "127.0.0.1", "[::1]"].includes(u.hostname);
  } catch {
    return false;
  }
}

/**
 * Whether consent can be skipped: never with prompt=consent; always for clients marked skip_consent;
 * otherwise when the subject's latest remembered consent for the client covers the request.
 */
export async function consentSkippable(
  o2: OAuth2,
  client: ClientRecord,
  req: AuthorizeRequest,
  subject: string,
): Promise<boolean> {
  if (req.prompt.has("consent")) return false;
  if (client.data.skip_consent) return true;
  // A public client's remembered consent is not reused when nothing proves it is that client: an
  // untrusted redirect URI, or a device request (anyone can start one with a public client's id).
  if (isPublic(client) && (!req.target || !trustedRedirect(req.target.redirectUri))) return false;
  const remembered = await latestRememberedConsent(o2.ctx.db, subject, client.id);
  if (!remembered) return false;
  return (
    coversAll(remembered.grantedScope, req.scope) &&
    coversAll(remembered.grantedAudience, req.audience) &&
    // RFC 9396: authorization details are consented to as well; the remembered ones must cover them.
    covers(grantedDetails(remembered) ?? [], req.authorizationDetails ?? [])
  );
}

/**
 * Opens a consent challenge: 404 when it is not one, 410 `{redirect_to}` when expired or final —
 * rejected, or its verifier redeemed (a grant carries its id, or a rejection's verifier was spent).
 * An accepted request whose verifier is not redeemed yet may be read and accepted again, as in Hydra.
 */
export async function openConsentChallenge(
  o2: OAuth2,
  challenge: string | undefined,
): Promise<ConsentChallenge> {
  const ch = await openFlow(o2, "consent_challenge", challenge);
  if (!ch) throw notFound("The consent challenge is invalid.");
  if (
    isExpired(o2, ch.requested_at) ||
    (await findHandled(o2.ctx.db, consentKey(ch.consent_id))) ||
    (await grantExists(o2.ctx.db, { consentChallengeId: ch.consent_id }))
  ) {
    throw new RequestGone(ch.request_url);
  }
  return ch;
}

/** Hydra's OAuth2ConsentRequest. */
export async function consentRequestWire(o2: OAuth2, challenge: string, ch: ConsentChallenge) {
  const req = await requestOf(o2, ch.request_url);
  return {
    challenge,
    consent_request_id: ch.consent_id,
    skip: ch.skip,
    subject: ch.subject,
    client: clientToWire(req.client),
    requested_scope: req.scope,
    requested_access_token_audience: req.audience,
    acr: ch.acr,
    amr: ch.amr,
    context: ch.login_context ?? {},
    login_challenge: ch.id,
    login_session_id: ch.session_id,
    oidc_context: await oidcContextOf(o2, req),
    request_url: ch.request_url,
    // Olympus (RFC 9396): what the client asked for, for the consent page to show.
    authorization_details: req.authorizationDetails ?? [],
  };
}

/**
 * The authorization details a consent grants: those requested unless `grant_authorization_details`
 * says otherwise, which must then be covered by the requested ones (the same type and fields, array
 * fields narrowed to subsets). Undefined when none were requested and none granted.
 */
function grantedDetailsOf(
  req: AuthorizeRequest,
  given: unknown[] | null | undefined,
): AuthorizationDetail[] | undefined {
  const requested = req.authorizationDetails;
  if (given === undefined || given === null) return requested;
  if (given.length === 0) return requested ? [] : undefined;
  let granted: AuthorizationDetail[];
  try {
    granted = checkAuthorizationDetails(given, req.client);
  } catch (e) {
    if (e instanceof OAuth2Error)
      throw badRequest(`Field 'grant_authorization_details' is invalid: ${e.hint}`);
    throw e;
  }
  if (!covers(requested ?? [], granted)) {
    throw badRequest(
      "Field 'grant_authorization_details' may only narrow the requested authorization details (the same types and fields, array fields reduced to subsets).",
    );
  }
  return granted;
}

export async function acceptConsent(
  o2: OAuth2,
  challenge: string,
  body: z.infer<typeof acceptConsentBody>,
): Promise<string> {
  const ch = await openConsentChallenge(o2, challenge);
  const req = await requestOf(o2, ch.request_url);
  const grantScope = [...new Set(body.grant_scope ?? [])];
  const notRequested = grantScope.filter((s) => !req.scope.includes(s));
  if (notRequested.length) {
    throw badRequest(
      `Field 'grant_scope' may only contain requested scopes; not requested: ${notRequested.join(", ")}.`,
    );
  }
  const audience = [...new Set(body.grant_access_token_audience ?? [])];
  const notAllowed = audience.filter((a) => !req.client.data.audience.includes(a));
  if (notAllowed.length) {
    throw badRequest(
      `Field 'grant_access_token_audience' contains audiences the client may not request: ${notAllowed.join(", ")}.`,
    );
  }
  const details = grantedDetailsOf(req, body.grant_authorization_details);
  const result: ConsentResult = {
    ...(details ? { grant_authorization_details: details } : {}),
    grant_scope: grantScope,
    grant_access_token_audience: audience,
    remember: body.remember ?? false,
    remember_for: body.remember_for ?? 0,
    session: { access_token: body.session?.access_token ?? {}, id_token: body.session?.id_token ?? {} },
    context: body.context ?? {},
    handled_at: Date.now(),
  };
  const verifier = await sealFlow(o2, "consent_verifier", { ...ch, result });
  return withParam(ch.request_url, "consent_verifier", verifier);
}

/** Rejects a consent request, for good: the client gets the error at its redirect URI. */
export async function rejectConsent(o2: OAuth2, challenge: string, denial: RequestDenial): Promise<string> {
  const ch = await openConsentChallenge(o2, challenge);
  if (!(await markConsentRejected(o2.ctx.db, ch.consent_id, markExpiry(o2, ch.requested_at))))
    throw new RequestGone(ch.request_url);
  const verifier = await sealFlow(o2, "consent_verifier", { ...ch, denial });
  return withParam(ch.request_url, "consent_verifier", verifier);
}

export function registerConsentRequestRoutes(admin: Hono, o2: OAuth2): void {
  const base = "/oauth2/auth/requests/consent";
  const challengeOf = (q: (k: string) => string | undefined) => {
    const challenge = q("consent_challenge") ?? q("challenge");
    if (!challenge) throw badRequest("The query parameter 'consent_challenge' is missing.");
    return challenge;
  };
  admin.get(base, async (c) => {
    const challenge = challengeOf((k) => c.req.query(k));
    const ch = await openConsentChallenge(o2, challenge);
    return c.json(await consentRequestWire(o2, challenge, ch));
  });
  admin.put(`${base}/accept`, async (c) => {
    const challenge = challengeOf((k) => c.req.query(k));
    const body = parseBody(acceptConsentBody, await readJson(c));
    return c.json({ redirect_to: await acceptConsent(o2, challenge, body) });
  });
  admin.put(`${base}/reject`, async (c) => {
    const challenge = challengeOf((k) => c.req.query(k));
    const body = parseBody(rejectBody, await readJson(c));
    return c.json({ redirect_to: await rejectConsent(o2, challenge, toDenial(body)) });
  });
}
