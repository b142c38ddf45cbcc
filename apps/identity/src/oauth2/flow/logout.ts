import type { Hono } from "hono";
import { badRequest, notFound } from "../../errors/index.ts";
import { revokeSession } from "../../session/session.ts";
import { clientToWire } from "../clients/model.ts";
import { findClient } from "../clients/repository.ts";
import { readJson } from "../http.ts";
import type { OAuth2 } from "../runtime.ts";
import { publicUrl } from "../runtime.ts";
import { type LogoutChallenge, openFlow, RequestGone, sealFlow } from "./challenge.ts";
import {
  backchannelLogout,
  frontchannelUrls,
  type SessionParticipant,
  sessionParticipants,
} from "../logout/channels.ts";
import { deleteLoginSessions, loginSessionExists } from "./login-sessions.ts";

/** Where a finished logout sends the browser: the RP's post_logout_redirect_uri (with state) or the default. */
export function postLogoutTarget(
  o2: OAuth2,
  ch: Pick<LogoutChallenge, "post_logout_redirect_uri" | "state">,
): string {
  if (!ch.post_logout_redirect_uri) return o2.urls.postLogout;
  const u = new URL(ch.post_logout_redirect_uri);
  if (ch.state) u.searchParams.set("state", ch.state);
  return u.toString();
}

/** Opens a logout challenge; a logout whose login session is already gone was handled (410). */
export async function openLogoutChallenge(
  o2: OAuth2,
  challenge: string | undefined,
): Promise<LogoutChallenge> {
  const ch = await openFlow(o2, "logout_challenge", challenge);
  if (!ch) throw notFound("The logout challenge is invalid.");
  if (ch.requested_at * 1000 + o2.cfg.ttl.login_consent_request < Date.now()) {
    throw new RequestGone(postLogoutTarget(o2, ch));
  }
  if (!(await loginSessionExists(o2.ctx.db, ch.sid))) throw new RequestGone(postLogoutTarget(o2, ch));
  return ch;
}

/**
 * Ends a login session: deletes it, and ends the identity session it came from (the Kratos↔Hydra
 * glue, in process) with the other login sessions of that identity session. Every client of the
 * ended sessions gets a back-channel logout; the answer is who they were (for the front channel).
 */
export async function endLoginSession(o2: OAuth2, sid: string): Promise<SessionParticipant[]> {
  const ended = await deleteLoginSessions(o2.ctx.db, { sid }, o2.cfg.ttl.login_consent_request);
  const sids = ended.map((s) => s.id);
  for (const s of ended) {
    if (s.identitySessionId && /^[0-9a-f-]{36}$/i.test(s.identitySessionId)) {
      await revokeSession(o2.ctx.db, s.identitySessionId);
      // Other OAuth2 logins of the same identity session end with it.
      const others = await deleteLoginSessions(
        o2.ctx.db,
        { identitySessionId: s.identitySessionId },
        o2.cfg.ttl.login_consent_request,
      );
      sids.push(...others.map((o) => o.id));
    }
  }
  const participants = await sessionParticipants(o2, sids);
  backchannelLogout(o2, participants);
  return participants;
}

export function registerLogoutRequestRoutes(admin: Hono, o2: OAuth2): void {
  const base = "/oauth2/auth/requests/logout";
  const challengeOf = (q: (k: string) => string | undefined) => {
    const challenge = q("logout_challenge") ?? q("challenge");
    if (!challenge) throw badRequest("The query parameter 'logout_challenge' is missing.");
    return challenge;
  };
  admin.get(base, async (c) => {
    const challenge = challengeOf((k) => c.req.query(k));
    const ch = await openLogoutChallenge(o2, challenge);
    const client = ch.client_id ? await findClient(o2.ctx.db, ch.client_id) : undefined;
    return c.json({
      challenge,
      subject: ch.subject,
      sid: ch.sid,
      client: client ? clientToWire(client) : null,
      request_url: ch.request_url,
      rp_initiated: ch.rp_initiated,
      requested_at: new Date(ch.requested_at * 1000).toISOString(),
      expires_at: new Date(ch.requested_at * 1000 + o2.cfg.ttl.login_consent_request).toISOString(),
    });
  });
  admin.put(`${base}/accept`, async (c) => {
    const challenge = challengeOf((k) => c.req.query(k));
    await readJson(c);
    const ch = await openLogoutChallenge(o2, challenge);
    // The session ends now, whether or not the browser follows redirect_to; the clients' front-channel
    // logout pages travel in the verifier, to be loaded by the browser on its way out.
    const participants = await endLoginSession(o2, ch.sid);
    const frontchannel = frontchannelUrls(o2, participants);
    const verifier = await sealFlow(o2, "logout_verifier", {
      ...ch,
      ...(frontchannel.length ? { frontchannel } : {}),
    });
    const url = new URL(publicUrl(o2, "oauth2/sessions/logout"));
    url.searchParams.set("logout_verifier", verifier);
    return c.json({ redirect_to: url.toString() });
  });
  admin.put(`${base}/reject`, async (c) => {
    const challenge = challengeOf((k) => c.req.query(k));
    await openLogoutChallenge(o2, challenge);
    return c.body(null, 204);
  });
}
