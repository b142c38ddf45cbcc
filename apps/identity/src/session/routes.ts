import type { Context, Hono } from "hono";
import { and, desc, eq, gt, ne } from "drizzle-orm";
import type { AppContext } from "../app/context.ts";
import { sessions } from "../db/schema.ts";
import { badRequest, notFound, sessionInactive } from "../errors/index.ts";
import { pageParams, setLinkHeader } from "../http/pagination.ts";
import { rawHeader } from "../http/request.ts";
import { audit } from "../audit/audit.ts";
import { enforceWhoamiAal } from "../selfservice/mfa/aal.ts";
import { currentSession, revokeSession, sessionCache, sessionToWire } from "./session.ts";

export function registerSessionRoutes(app: Hono, ctx: AppContext): void {
  const whoami = async (c: Context) => {
    const s = await currentSession(c, ctx);
    if (!s) throw sessionInactive();
    enforceWhoamiAal(ctx, c, s);
    const body = sessionCache(ctx.db).body(s.tokenHash, () =>
      JSON.stringify(sessionToWire(ctx, s.row, s.identity)),
    );
    const headers = {
      "X-Kratos-Authenticated-Identity-Id": s.identity.identity.id,
      "Cache-Control": "private, no-cache, no-store, must-revalidate",
      "Content-Type": "application/json",
    };
    // Headers a middleware set (CORS) go through Hono; otherwise a Response with plain headers, which
    // @hono/node-server writes straight to the socket without building a Headers object.
    if (ctx.config.serve.cors.enabled && rawHeader(c, "origin")) return c.body(body, 200, headers);
    return new Response(body, { status: 200, headers });
  };
  app.get("/sessions/whoami", whoami);
  app.post("/sessions/whoami", whoami);

  app.get("/sessions", async (c) => {
    const s = await currentSession(c, ctx);
    if (!s) throw sessionInactive();
    const { size, offset } = pageParams(c);
    const rows = await ctx.db
      .select()
      .from(sessions)
      .where(
        and(
          eq(sessions.identityId, s.row.identityId),
          ne(sessions.id, s.row.id),
          eq(sessions.active, true),
          gt(sessions.expiresAt, new Date()),
        ),
      )
      .orderBy(desc(sessions.createdAt), desc(sessions.id))
      .limit(size + 1)
      .offset(offset);
    setLinkHeader(c, ctx.rt.publicBaseUrl, "sessions", size, offset, rows.length > size);
    return c.json(rows.slice(0, size).map((r) => sessionToWire(ctx, r, undefined)));
  });

  app.delete("/sessions", async (c) => {
    const s = await currentSession(c, ctx);
    if (!s) throw sessionInactive();
    const revoked = await ctx.db
      .update(sessions)
      .set({ active: false, updatedAt: new Date() })
      .where(
        and(eq(sessions.identityId, s.row.identityId), ne(sessions.id, s.row.id), eq(sessions.active, true)),
      )
      .returning({ id: sessions.id });
    for (const r of revoked) await ctx.hydra.sessionEnded(r.id);
    const me = s.identity.identity.id;
    for (const r of revoked) await audit(ctx, c, { event: "session.revoked", actor: me, target: r.id });
    return c.json({ count: revoked.length });
  });

  app.delete("/sessions/:id", async (c) => {
    const s = await currentSession(c, ctx);
    if (!s) throw sessionInactive();
    const id = c.req.param("id");
    if (id === s.row.id)
      throw badRequest(
        "You can not revoke the session you are currently using. Use the logout flow instead.",
      );
    const [row] = /^[0-9a-f-]{36}$/i.test(id)
      ? await ctx.db
          .select({ id: sessions.id })
          .from(sessions)
          .where(and(eq(sessions.id, id), eq(sessions.identityId, s.row.identityId)))
          .limit(1)
      : [];
    if (!row) throw notFound("The session could not be found.");
    await revokeSession(ctx.db, id);
    await ctx.hydra.sessionEnded(id);
    await audit(ctx, c, { event: "session.revoked", actor: s.identity.identity.id, target: id });
    return c.body(null, 204);
  });
}
