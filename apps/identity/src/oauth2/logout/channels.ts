import { and, inArray } from "drizzle-orm";
import { SignJWT } from "jose";
import { oauth2Grants } from "../../db/schema.ts";
import { uuid } from "../../security/random.ts";
import type { ClientRecord } from "../clients/model.ts";
import { findClientCached } from "../clients/repository.ts";
import { ID_TOKEN_SET } from "../keys/store.ts";
import { postRemote, RemoteError } from "../remote/fetch.ts";
import { nowSeconds, type OAuth2 } from "../runtime.ts";

/*
 * OpenID Connect Back-Channel Logout 1.0 and Front-Channel Logout 1.0: when login sessions end, every
 * client that got tokens in them hears of it — by a logout token POSTed to its
 * `backchannel_logout_uri`, and by an iframe of its `frontchannel_logout_uri` on the page the browser
 * passes through at the end of an RP-initiated logout.
 */

export const BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout";

/** A client the user signed in to within a login session (`sid`), with the subject it knows. */
export interface SessionParticipant {
  client: ClientRecord;
  sid: string;
  subject: string;
}

/** The clients of these login sessions: every client a grant was given to within one of them. */
export async function sessionParticipants(o2: OAuth2, sids: string[]): Promise<SessionParticipant[]> {
  const valid = sids.filter((s) => /^[0-9a-f-]{36}$/i.test(s));
  if (!valid.length) return [];
  const rows = await o2.ctx.db
    .selectDistinct({
      clientId: oauth2Grants.clientId,
      sid: oauth2Grants.loginSessionId,
      subject: oauth2Grants.clientSubject,
    })
    .from(oauth2Grants)
    .where(
      and(
        inArray(oauth2Grants.loginSessionId, valid),
        inArray(oauth2Grants.kind, ["authorization_code", "device_code"]),
      ),
    );
  const out: SessionParticipant[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    const key = `${r.clientId}\u0000${r.sid}`;
    if (!r.sid || seen.has(key)) continue;
    seen.add(key);
    const client = await findClientCached(o2.ctx.db, r.clientId);
    if (client) out.push({ client, sid: r.sid, subject: r.subject });
  }
  return out;
}

/** A logout token (Back-Channel Logout §2.4): iss, aud, iat, exp, jti, events, sub and sid; typ logout+jwt. */
export async function signLogoutToken(o2: OAuth2, p: SessionParticipant): Promise<string> {
  const key = await o2.jwks.signingKey(ID_TOKEN_SET);
  const iat = nowSeconds();
  return new SignJWT({ events: { [BACKCHANNEL_EVENT]: {} }, sid: p.sid })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "logout+jwt" })
    .setIssuer(o2.issuer)
    .setSubject(p.subject)
    .setAudience([p.client.id])
    .setIssuedAt(iat)
    .setExpirationTime(iat + 120)
    .setJti(uuid())
    .sign(key.key);
}

/** Resolves once every back-channel logout started so far has been answered (or has failed). */
export async function backchannelSettled(o2: OAuth2): Promise<void> {
  await Promise.all([...o2.backchannelInFlight]);
}

/**
 * POSTs a logout token to every participant that registered a `backchannel_logout_uri`, in the
 * background (a slow or dead client never holds up the user's logout), with the provider's limits on
 * requests to client URLs (`oauth2.clients.http`). Failures are logged, not retried.
 */
export function backchannelLogout(o2: OAuth2, participants: SessionParticipant[]): void {
  const targets = participants.filter((p) => p.client.data.backchannel_logout_uri);
  if (!targets.length) return;
  const pending = o2.backchannelInFlight;
  for (const p of targets) {
    const uri = p.client.data.backchannel_logout_uri;
    const delivery = (async () => {
      try {
        const status = await postRemote(uri, { logout_token: await signLogoutToken(o2, p) }, o2.fetchPolicy);
        if (status < 200 || status >= 300) {
          o2.ctx.log.warn("back-channel logout refused by the client", { client: p.client.id, status });
        }
      } catch (e) {
        o2.ctx.log.warn("back-channel logout failed", {
          client: p.client.id,
          error: e instanceof RemoteError ? e.message : String(e),
        });
      }
    })();
    pending.add(delivery);
    void delivery.finally(() => pending.delete(delivery));
  }
}

/** The front-channel logout URLs of the participants (with iss and sid when the client asks for them). */
export function frontchannelUrls(o2: OAuth2, participants: SessionParticipant[]): string[] {
  const urls = new Set<string>();
  for (const p of participants) {
    const uri = p.client.data.frontchannel_logout_uri;
    if (!uri) continue;
    const u = new URL(uri);
    if (p.client.data.frontchannel_logout_session_required) {
      u.searchParams.set("iss", o2.issuer);
      u.searchParams.set("sid", p.sid);
    }
    urls.add(u.toString());
  }
  return [...urls];
}

/** The back-channel logout for login sessions just ended (as `deleteLoginSessions` returns them). */
export async function logoutEndedSessions(o2: OAuth2, ended: { id: string }[]): Promise<void> {
  if (!ended.length) return;
  backchannelLogout(
    o2,
    await sessionParticipants(
      o2,
      ended.map((s) => s.id),
    ),
  );
}
