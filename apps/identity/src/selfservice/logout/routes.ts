import type { Context, Hono } from "hono";
import { and, eq } from "drizzle-orm";
import type { AppContext } from "../../app/context.ts";
import { urlJoin } from "../../app/runtime.ts";
import { sessions } from "../../db/schema.ts";
import { badRequest, forbidden, sessionInactive, unauthorized } from "../../errors/index.ts";
import { isJsonRequest, readBody } from "../../http/request.ts";
import { audit } from "../../audit/audit.ts";
import { sha256hex } from "../../security/random.ts";
import {
  clearSessionCookie,
  currentSession,
  logoutTokenFor,
  newLogoutToken,
  revokeSession,
} from "../../session/session.ts";
import { checkReturnTo } from "../flow/common.ts";

/** Logouts are session revocations in the audit log, told apart by their reason. */
function auditLogout(ctx: AppContext, c: Context, identityId: string, sessionId: string, flow: string) {
  return audit(ctx, c, {
    event: "session.revoked",
    actor: identityId,
    target: sessionId,
    metadata: { reason: "logout", flow_type: flow },
  });
}

export function registerLogoutRoutes(app: Hono, ctx: AppContext): void {
  // Browser: hands out a logout URL carrying the cookie session's logout token.
  app.get("/self-service/logout/browser", async (c) => {
    const returnTo = checkReturnTo(ctx, c.req.query("return_to"));
    const s = await currentSession(c, ctx);
    if (!s || c.req.header("x-session-token")) {
      throw unauthorized("No active session was found in this request.", { id: "session_inactive" });
    }
    // The session's own logout token, the same on every call; a session without one it can be
    // derived again (no secrets.cookie, or issued with a random token) gets a new one stored.
    let logoutToken = logoutTokenFor(ctx, s.row);
    if (!logoutToken) {
      logoutToken = newLogoutToken(ctx, s.row.id);
      await ctx.db
        .update(sessions)
        .set({ logoutTokenHash: sha256hex(logoutToken), updatedAt: new Date() })
        .where(eq(sessions.id, s.row.id));
    }
    const url = new URL(urlJoin(ctx.rt.publicBaseUrl, "self-service/logout"));
    url.searchParams.set("token", logoutToken);
    if (returnTo) url.searchParams.set("return_to", returnTo);
    return c.json({ logout_url: url.toString(), logout_token: logoutToken });
  });

  // The link from logout/browser: ends the request's own session, and only when the token is the one
  // handed out for it (Kratos: no session → 401 session_inactive, another session's token → 403), so a
  // logout URL leaked to or forged by another site cannot end someone else's session.
  app.get("/self-service/logout", async (c) => {
    const token = c.req.query("token");
    const returnTo =
      checkReturnTo(ctx, c.req.query("return_to")) ??
      ctx.config.selfservice.flows.logout.after.default_browser_return_url ??
      ctx.config.selfservice.default_browser_return_url;
    if (!token) throw badRequest("Please include a token in the URL query.");
    const s = await currentSession(c, ctx);
    if (!s) throw sessionInactive();
    // Checked in the UPDATE itself: the cached session row may predate a newer logout token.
    const [ended] = await ctx.db
      .update(sessions)
      .set({ active: false, updatedAt: new Date() })
      .where(
        and(
          eq(sessions.id, s.row.id),
          eq(sessions.logoutTokenHash, sha256hex(token)),
          eq(sessions.active, true),
        ),
      )
      .returning({ id: sessions.id });
    if (!ended) {
      throw forbidden(
        "Unable to log out because the logout token in the URL query does not match the session cookie.",
      );
    }
    await ctx.hydra.sessionEnded(ended.id);
    await auditLogout(ctx, c, s.identity.identity.id, ended.id, "browser");
    clearSessionCookie(c, ctx);
    if (isJsonRequest(c)) return c.body(null, 204);
    return c.redirect(returnTo, 303);
  });

  app.delete("/self-service/logout/api", async (c) => {
    const body = await readBody(c);
    const token = typeof body.session_token === "string" ? body.session_token : "";
    if (!token) throw badRequest("The session_token is missing from the body.");
    const [row] = await ctx.db
      .select({ id: sessions.id, active: sessions.active, identityId: sessions.identityId })
      .from(sessions)
      .where(eq(sessions.tokenHash, sha256hex(token)))
      .limit(1);
    if (!row) throw forbidden("The provided session token is unknown.");
    if (row.active) {
      await revokeSession(ctx.db, row.id);
      await ctx.hydra.sessionEnded(row.id);
      await auditLogout(ctx, c, row.identityId, row.id, "api");
    }
    return c.body(null, 204);
  });
}
