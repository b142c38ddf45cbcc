import type { Tx } from "../db/client.ts";
import { OryError } from "../errors/index.ts";
import type { AcceptLogin, Hydra } from "../hydra/hydra.ts";
import { RequestGone } from "./flow/challenge.ts";
import { acceptLogin, loginRequestWire, openLoginChallenge } from "./flow/login.ts";
import { deleteLoginSessions } from "./flow/login-sessions.ts";
import { deleteGrantsOfSubject } from "./grants.ts";
import { logoutEndedSessions } from "./logout/channels.ts";
import { deleteTrustOfSubject } from "./trust/repository.ts";
import type { OAuth2 } from "./runtime.ts";

/**
 * The Kratos↔Hydra bridge in process: the self-service flows call the OAuth2 provider of the same core
 * directly instead of Hydra's admin API over the network.
 */
export function oauth2Bridge(o2: OAuth2): Hydra {
  const { ctx } = o2;
  const ttl = () => ctx.config.oauth2.ttl.login_consent_request;

  /** Grants (and with them tokens) and login sessions of a subject. */
  async function removeSubject(tx: Tx, subject: string): Promise<void> {
    await deleteGrantsOfSubject(tx, subject, ttl());
    await deleteLoginSessions(tx, { subject }, ttl());
  }

  return {
    async getLoginRequest(challenge) {
      try {
        return await loginRequestWire(o2, challenge, await openLoginChallenge(o2, challenge));
      } catch (e) {
        if (e instanceof RequestGone) {
          throw new OryError(410, "The requested resource is no longer available", {
            reason: "The login_challenge has expired or was already used.",
            details: { redirect_to: e.redirectTo },
          });
        }
        if (e instanceof OryError && e.code === 404) {
          throw new OryError(400, "The request was malformed or contained invalid parameters", {
            reason: "The login_challenge is invalid.",
          });
        }
        throw e;
      }
    },

    /**
     * As Kratos accepts: subject = identity id, identity_provider_session_id = session id, remember =
     * session.cookie.persistent, remember_for = the session lifespan, acr = the session's AAL (relying
     * parties such as Athena can require aal2), amr = its methods. A challenge that was used meanwhile
     * restarts the authorization request.
     */
    async acceptLoginRequest(challenge: string, accept: AcceptLogin) {
      try {
        return await acceptLogin(o2, challenge, {
          subject: accept.subject,
          identity_provider_session_id: accept.sessionId,
          remember: ctx.config.session.cookie.persistent,
          remember_for: Math.floor(ctx.config.session.lifespan / 1000),
          amr: accept.amr,
          ...(accept.acr ? { acr: accept.acr } : {}),
        });
      } catch (e) {
        if (e instanceof RequestGone) return e.redirectTo;
        throw e;
      }
    },

    /** The login sessions the identity session started end, and their clients get a back-channel logout. */
    async sessionEnded(sessionId) {
      const ended = await deleteLoginSessions(ctx.db, { identitySessionId: sessionId }, ttl());
      await logoutEndedSessions(o2, ended);
    },

    // Deleted: everything issued to the subject, and the JWT-bearer trust bound to it (the tables of
    // identity/erasure.ts' OAUTH2_SUBJECT_TABLES).
    async subjectDeleted(tx, subject) {
      await removeSubject(tx, subject);
      await deleteTrustOfSubject(tx, subject);
    },
    // Same removal: nothing issued before the owner proved the address may outlive the proof.
    credentialsReset: removeSubject,
  };
}
