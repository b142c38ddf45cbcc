import type { AppContext } from "../app/context.ts";
import type { Tx } from "../db/client.ts";
import { OryError } from "../errors/index.ts";
import { hooks } from "../selfservice/flow/hooks.ts";
import { RequestGone } from "./flow/challenge.ts";
import { acceptLogin, loginRequestWire, openLoginChallenge } from "./flow/login.ts";
import { deleteLoginSessions } from "./flow/login-sessions.ts";
import { deleteGrantsOfSubject } from "./grants.ts";
import { logoutEndedSessions } from "./logout/channels.ts";
import { findOAuth2, oauth2Of } from "./runtime.ts";

/*
 * The Kratos↔Hydra glue, in process: the login flow calls these hooks (selfservice/flow/hooks.ts)
 * instead of Hydra's admin API over the network.
 */

async function loadLoginChallenge(ctx: AppContext, challenge: string): Promise<Record<string, unknown>> {
  const o2 = oauth2Of(ctx);
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
}

/**
 * Accepts the OAuth2 login request after a successful login, as Kratos does: subject = identity id,
 * identity_provider_session_id = session id, remember = session.cookie.persistent, remember_for =
 * the session lifespan, acr = the session's AAL, amr = its methods. A challenge that was used meanwhile restarts the authorization request.
 */
async function acceptLoginChallenge(
  ctx: AppContext,
  _c: unknown,
  input: { challenge: string; identityId: string; sessionId: string; methods: string[]; aal?: string },
): Promise<string> {
  const o2 = oauth2Of(ctx);
  try {
    return await acceptLogin(o2, input.challenge, {
      subject: input.identityId,
      identity_provider_session_id: input.sessionId,
      remember: ctx.config.session.cookie.persistent,
      remember_for: Math.floor(ctx.config.session.lifespan / 1000),
      amr: input.methods,
      // Kratos accepts with acr = the session's AAL: relying parties (Athena) can require aal2.
      ...(input.aal ? { acr: input.aal } : {}),
    });
  } catch (e) {
    if (e instanceof RequestGone) return e.redirectTo;
    throw e;
  }
}

/**
 * An identity session ended (logout, revocation): the OAuth2 login sessions it started end too, and
 * their clients get a back-channel logout.
 */
async function onSessionRevoked(ctx: AppContext, sessionId: string): Promise<void> {
  const o2 = findOAuth2(ctx);
  if (!o2) return;
  const ended = await deleteLoginSessions(
    ctx.db,
    { identitySessionId: sessionId },
    ctx.config.oauth2.ttl.login_consent_request,
  );
  await logoutEndedSessions(o2, ended);
}

/** Erasure of an identity: its grants (and with them its tokens) and its login sessions go too. */
async function onIdentityDeleted(tx: Tx, ctx: AppContext, identityId: string): Promise<void> {
  if (!findOAuth2(ctx)) return;
  await deleteGrantsOfSubject(tx, identityId, ctx.config.oauth2.ttl.login_consent_request);
  await deleteLoginSessions(tx, { subject: identityId }, ctx.config.oauth2.ttl.login_consent_request);
}

export function installGlue(): void {
  hooks.loadLoginChallenge = loadLoginChallenge;
  hooks.acceptLoginChallenge = acceptLoginChallenge;
  hooks.onSessionRevoked = onSessionRevoked;
  hooks.onIdentityDeleted = onIdentityDeleted;
  // Same removal: nothing issued before the owner proved the address may outlive the proof.
  hooks.onCredentialsReset = onIdentityDeleted;
}
