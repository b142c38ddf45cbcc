import { and, desc, eq, gte, inArray, lt, or, type SQL } from "drizzle-orm";
import type { Context, Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app/context.ts";
import { identities, sessions } from "../../db/schema.ts";
import { badRequest, notFound } from "../../errors/index.ts";
import { pageParams, setLinkHeader } from "../../http/pagination.ts";
import { type FullIdentity, loadIdentities, loadIdentity } from "../../identity/repository.ts";
import { type SessionRow, sessionToWire } from "../../session/session.ts";
import { parseBoolParam, parseWith, readJson, requireUuid, UUID } from "../identities/input.ts";

interface Expand {
  identity: boolean;
  devices: boolean;
}

/** `expand` (repeatable): identity and/or devices; anything else is a 400, as in Kratos. */
function expandParam(c: Context): Expand {
  const out: Expand = { identity: false, devices: false };
  for (const e of c.req.queries("expand") ?? []) {
    if (e === "identity" || e === "devices") out[e] = true;
    else throw badRequest(`Could not parse expand option: ${e.slice(0, 64)}`);
  }
  return out;
}

/** The admin Session: identity (admin view, metadata_admin included) and devices only when expanded. */
function adminSessionWire(
  ctx: AppContext,
  row: SessionRow,
  identity: FullIdentity | undefined,
  expand: Expand,
): Record<string, unknown> {
  const out = sessionToWire(ctx, row, expand.identity ? identity : undefined, { admin: true });
  if (!expand.devices) delete out.devices;
  return out;
}

async function identitiesOf(ctx: AppContext, rows: SessionRow[]): Promise<Map<string, FullIdentity>> {
  const ids = [...new Set(rows.map((r) => r.identityId))];
  return new Map((await loadIdentities(ctx.db, ids)).map((f) => [f.identity.id, f]));
}

/** `active=true`: usable now; `active=false`: revoked or expired (Kratos' split). */
function activeFilter(active: boolean | undefined, now: Date): SQL | undefined {
  if (active === undefined) return undefined;
  return active
    ? and(eq(sessions.active, true), gte(sessions.expiresAt, now))
    : or(eq(sessions.active, false), lt(sessions.expiresAt, now));
}

function linkPath(c: Context, keep: URLSearchParams): string {
  return `${c.req.path.replace(/^\//, "")}${keep.size ? `?${keep}` : ""}`;
}

async function revokedHooks(ctx: AppContext, ids: string[]): Promise<void> {
  for (const id of ids) await ctx.hydra.sessionEnded(id);
}

const manageBody = z.object({
  action: z.enum(["disable", "delete"], {
    error: "The 'action' field must be one of 'disable' or 'delete'.",
  }),
  identities: z.array(z.string()).nullish(),
  sessions: z.array(z.string()).nullish(),
});

const MANAGE_MAX_IDS = 500;
const MANAGE_WILDCARD_BATCH = 5000;

function manageIds(field: string, raw: string[], allowWildcard: boolean): string[] | "*" {
  if (allowWildcard && raw.length === 1 && raw[0] === "*") return "*";
  if (raw.length > MANAGE_MAX_IDS) {
    throw badRequest(
      `Could not parse '${field}' field: at most ${MANAGE_MAX_IDS} IDs may be provided per call`,
    );
  }
  for (const s of raw) {
    if (s === "*")
      throw badRequest(`Could not parse '${field}' field: the wildcard '*' is not accepted here`);
    if (!UUID.test(s))
      throw badRequest(`Could not parse '${field}' field: could not parse "${s.slice(0, 64)}" as UUID`);
  }
  return raw.map((s) => s.toLowerCase());
}

/** manageSessions: disable or delete sessions by identity or by id; `identities: ["*"]` works in batches. */
async function manageSessions(c: Context, ctx: AppContext): Promise<Response> {
  const body = parseWith(manageBody, await readJson(c));
  const byIdentity = (body.identities?.length ?? 0) > 0;
  const bySession = (body.sessions?.length ?? 0) > 0;
  if (byIdentity === bySession) {
    throw badRequest("Exactly one of 'identities' or 'sessions' must be a non-empty array.");
  }
  const ids = byIdentity
    ? manageIds("identities", body.identities!, true)
    : manageIds("sessions", body.sessions!, false);
  let target: SQL;
  if (ids === "*") {
    const batch = ctx.db
      .select({ id: sessions.id })
      .from(sessions)
      .where(body.action === "disable" ? eq(sessions.active, true) : undefined)
      .limit(MANAGE_WILDCARD_BATCH);
    target = inArray(sessions.id, batch);
  } else {
    target = inArray(byIdentity ? sessions.identityId : sessions.id, ids);
  }
  const touched =
    body.action === "disable"
      ? await ctx.db
          .update(sessions)
          .set({ active: false, updatedAt: new Date() })
          .where(and(target, eq(sessions.active, true)))
          .returning({ id: sessions.id })
      : await ctx.db.delete(sessions).where(target).returning({ id: sessions.id });
  await revokedHooks(
    ctx,
    touched.map((t) => t.id),
  );
  return c.json({
    processed: touched.length,
    more: ids === "*" && touched.length === MANAGE_WILDCARD_BATCH,
  });
}

/** The earliest moment a session may be extended: `earliest_possible_extend` before it expires (0 = any time). */
function extendWindow(ctx: AppContext): number {
  return ctx.config.session.earliest_possible_extend || ctx.config.session.lifespan;
}

export function registerAdminSessionRoutes(admin: Hono, ctx: AppContext): void {
  /** listSessions: newest first, token-paginated, `active` and `expand` kept in the Link header. */
  admin.get("/sessions", async (c) => {
    const active = parseBoolParam(c, "active");
    const expand = expandParam(c);
    const { size, offset } = pageParams(c);
    const rows = await ctx.db
      .select()
      .from(sessions)
      .where(activeFilter(active, new Date()))
      .orderBy(desc(sessions.createdAt), desc(sessions.id))
      .limit(size + 1)
      .offset(offset);
    const page = rows.slice(0, size);
    const owners = expand.identity ? await identitiesOf(ctx, page) : new Map<string, FullIdentity>();
    const keep = new URLSearchParams();
    if (active !== undefined) keep.set("active", String(active));
    for (const e of c.req.queries("expand") ?? []) keep.append("expand", e);
    setLinkHeader(c, ctx.rt.adminBaseUrl, linkPath(c, keep), size, offset, rows.length > size);
    return c.json(page.map((r) => adminSessionWire(ctx, r, owners.get(r.identityId), expand)));
  });

  admin.post("/sessions", (c) => manageSessions(c, ctx));

  admin.get("/sessions/:id", async (c) => {
    const id = requireUuid(c.req.param("id"), "session id");
    const expand = expandParam(c);
    const [row] = await ctx.db.select().from(sessions).where(eq(sessions.id, id)).limit(1);
    if (!row) throw notFound("Unable to locate the resource");
    const identity = expand.identity ? await loadIdentity(ctx.db, row.identityId) : undefined;
    return c.json(adminSessionWire(ctx, row, identity, expand));
  });

  /** disableSession: the session stays listed, inactive. */
  admin.delete("/sessions/:id", async (c) => {
    const id = requireUuid(c.req.param("id"), "session id");
    const [row] = await ctx.db
      .update(sessions)
      .set({ active: false, updatedAt: new Date() })
      .where(eq(sessions.id, id))
      .returning({ id: sessions.id });
    if (!row) throw notFound("Unable to locate the resource");
    await revokedHooks(ctx, [id]);
    return c.body(null, 204);
  });

  /**
   * extendSession: expires_at = now + lifespan, but only inside the `earliest_possible_extend`
   * window before expiry; earlier calls answer 200 with the session unchanged (no write), as Kratos.
   */
  admin.patch("/sessions/:id/extend", async (c) => {
    const id = requireUuid(c.req.param("id"), "session id");
    const now = new Date();
    const [extended] = await ctx.db
      .update(sessions)
      .set({ expiresAt: new Date(now.getTime() + ctx.config.session.lifespan), updatedAt: now })
      .where(and(eq(sessions.id, id), lt(sessions.expiresAt, new Date(now.getTime() + extendWindow(ctx)))))
      .returning();
    const row = extended ?? (await ctx.db.select().from(sessions).where(eq(sessions.id, id)).limit(1))[0];
    if (!row) throw notFound("Unable to locate the resource");
    const identity = await loadIdentity(ctx.db, row.identityId);
    return c.json(adminSessionWire(ctx, row, identity, { identity: true, devices: true }));
  });

  /** listIdentitySessions: every session of one identity, with identity and devices expanded. */
  admin.get("/identities/:id/sessions", async (c) => {
    const identityId = requireUuid(c.req.param("id"), "identity id");
    const active = parseBoolParam(c, "active");
    const { size, offset } = pageParams(c);
    const identity = await loadIdentity(ctx.db, identityId);
    if (!identity) throw notFound("Unable to locate the resource");
    const rows = await ctx.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.identityId, identityId), activeFilter(active, new Date())))
      .orderBy(desc(sessions.createdAt), desc(sessions.id))
      .limit(size + 1)
      .offset(offset);
    const keep = new URLSearchParams();
    if (active !== undefined) keep.set("active", String(active));
    setLinkHeader(c, ctx.rt.adminBaseUrl, linkPath(c, keep), size, offset, rows.length > size);
    return c.json(
      rows.slice(0, size).map((r) => adminSessionWire(ctx, r, identity, { identity: true, devices: true })),
    );
  });

  /** deleteIdentitySessions: deletes (not only disables) every session of the identity. */
  admin.delete("/identities/:id/sessions", async (c) => {
    const identityId = requireUuid(c.req.param("id"), "identity id");
    const deleted = await ctx.db.transaction(async (tx) => {
      const [exists] = await tx
        .select({ id: identities.id })
        .from(identities)
        .where(eq(identities.id, identityId))
        .limit(1);
      if (!exists) throw notFound("Unable to locate the resource");
      return tx.delete(sessions).where(eq(sessions.identityId, identityId)).returning({ id: sessions.id });
    });
    await revokedHooks(
      ctx,
      deleted.map((d) => d.id),
    );
    return c.body(null, 204);
  });
}
