import type { Hono } from "hono";
import { badRequest } from "../../errors/index.ts";
import { pageParams, setLinkHeader } from "../../http/pagination.ts";
import { clientToWire } from "../clients/model.ts";
import { findClient } from "../clients/repository.ts";
import {
  deleteConsentSessions,
  type GrantRow,
  listConsentSessions,
  revokeClientAccessTokens,
} from "../grants.ts";
import type { OAuth2 } from "../runtime.ts";
import { logoutEndedSessions } from "../logout/channels.ts";
import { deleteLoginSessions } from "./login-sessions.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Hydra's OAuth2ConsentSession for a grant row. */
function consentSessionWire(row: GrantRow, client: Record<string, unknown> | undefined) {
  const req = row.request as Record<string, unknown>;
  return {
    consent_request: {
      challenge: row.consentChallengeId,
      consent_request_id: row.consentChallengeId,
      requested_scope: req.requested_scope ?? [],
      requested_access_token_audience: req.requested_access_token_audience ?? [],
      skip: row.consentSkipped,
      subject: row.subject,
      client,
      request_url: req.request_url,
      login_challenge: row.loginChallengeId,
      login_session_id: row.loginSessionId,
      acr: row.acr ?? "",
      amr: row.amr ?? [],
      context: req.context ?? {},
      oidc_context: req.oidc_context ?? {},
    },
    consent_request_id: row.consentChallengeId,
    grant_scope: row.grantedScope,
    grant_access_token_audience: row.grantedAudience,
    remember: row.remember,
    remember_for: row.rememberFor,
    handled_at: row.handledAt.toISOString(),
    context: req.context_consent ?? {},
    session: { access_token: row.accessTokenClaims, id_token: row.idTokenClaims },
    expires_at: {
      access_token: row.accessExpiresAt?.toISOString() ?? null,
      refresh_token: row.refreshExpiresAt?.toISOString() ?? null,
      authorize_code: row.codeExpiresAt?.toISOString() ?? null,
    },
  };
}

/** Consent and login sessions, and token deletion by client (OAuth2Api). */
export function registerSessionRoutes(admin: Hono, o2: OAuth2): void {
  const db = o2.ctx.db;

  admin.get("/oauth2/auth/sessions/consent", async (c) => {
    const subject = c.req.query("subject");
    if (!subject) throw badRequest("The query parameter 'subject' is required.");
    const loginSessionId = c.req.query("login_session_id") || undefined;
    if (loginSessionId && !UUID.test(loginSessionId)) return c.json([]);
    const page = pageParams(c, { size: 250, max: 1000 });
    const rows = await listConsentSessions(db, { subject, loginSessionId }, page);
    const hasNext = rows.length > page.size;
    const clients = new Map<string, Record<string, unknown> | undefined>();
    for (const r of rows.slice(0, page.size)) {
      if (!clients.has(r.clientId)) {
        const client = await findClient(db, r.clientId);
        clients.set(r.clientId, client ? clientToWire(client) : undefined);
      }
    }
    setLinkHeader(c, o2.adminBaseUrl, "admin/oauth2/auth/sessions/consent", page.size, page.offset, hasNext);
    return c.json(rows.slice(0, page.size).map((r) => consentSessionWire(r, clients.get(r.clientId))));
  });

  admin.delete("/oauth2/auth/sessions/consent", async (c) => {
    const subject = c.req.query("subject");
    if (!subject) throw badRequest("The query parameter 'subject' is required.");
    const clientId = c.req.query("client") || undefined;
    const all = c.req.query("all") === "true";
    if (!clientId && !all)
      throw badRequest("Either the query parameter 'client' must be set or 'all' must be true.");
    await deleteConsentSessions(
      db,
      { subject, clientId: all ? undefined : clientId },
      o2.cfg.ttl.login_consent_request,
    );
    return c.body(null, 204);
  });

  admin.delete("/oauth2/auth/sessions/login", async (c) => {
    const subject = c.req.query("subject");
    const sid = c.req.query("sid");
    if (sid) {
      // As Hydra: revoking one login session by sid performs the back-channel logout of its clients
      // (revoking all of a subject's does not).
      if (UUID.test(sid)) {
        const ended = await deleteLoginSessions(db, { sid }, o2.cfg.ttl.login_consent_request);
        await logoutEndedSessions(o2, ended);
      }
    } else if (subject) {
      await deleteLoginSessions(db, { subject }, o2.cfg.ttl.login_consent_request);
    } else {
      throw badRequest("Either the query parameter 'subject' or 'sid' is required.");
    }
    return c.body(null, 204);
  });

  admin.delete("/oauth2/tokens", async (c) => {
    const clientId = c.req.query("client_id");
    if (!clientId) throw badRequest("The query parameter 'client_id' is required.");
    await revokeClientAccessTokens(db, clientId);
    return c.body(null, 204);
  });
}
