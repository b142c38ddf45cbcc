import { createHmac } from "node:crypto";
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { parse as parseCookie } from "hono/utils/cookie";
import { and, eq, gt, type SQLWrapper, sql } from "drizzle-orm";
import type { AppContext } from "../app/context.ts";
import type { Db, DbOrTx } from "../db/client.ts";
import { preparedQuery } from "../db/prepared.ts";
import { rowOf, rowsOf } from "../db/rows.ts";
import { sessions } from "../db/schema.ts";
import { type FullIdentity, identityToWire, loadIdentity } from "../identity/repository.ts";
import { randomAlnum, sha256hex, uuid } from "../security/random.ts";
import { rawHeader } from "../http/request.ts";
import { requestIp } from "../security/ip.ts";
import { SessionCache } from "./cache.ts";

export type SessionRow = typeof sessions.$inferSelect;

export interface IssuedSession {
  row: SessionRow;
  /** The session token (`ory_st_…`): the cookie value, X-Session-Token or Bearer. Never stored. */
  token: string;
  /** The logout token (`ory_lo_…`). Never stored. */
  logoutToken: string;
}

/**
 * A session's logout token, derived from its id with a `secrets.cookie` key, so every logout URL handed
 * out for a session is the same one and stays valid (Kratos keeps one logout token per session; a
 * second tab's logout link must not break the first's). Only its SHA-256 is stored.
 */
export function derivedLogoutToken(key: string, sessionId: string): string {
  const mac = createHmac("sha256", key).update(`logout_token:${sessionId}`).digest("base64url");
  return `ory_lo_${mac.replace(/[-_]/g, "").slice(0, 32)}`;
}

/**
 * The logout token to hand out for a session: the derived one whose hash the session holds (any
 * configured key, so rotating secrets.cookie keeps old sessions' tokens). `undefined` when none matches
 * (no secret configured, or a session issued with a random token): the caller issues a new one.
 */
export function logoutTokenFor(ctx: AppContext, row: SessionRow): string | undefined {
  for (const key of ctx.config.secrets.cookie) {
    const token = derivedLogoutToken(key, row.id);
    if (sha256hex(token) === row.logoutTokenHash) return token;
  }
  return undefined;
}

/** A new logout token for a session: derived when a secret is configured, random otherwise. */
export function newLogoutToken(ctx: AppContext, sessionId: string): string {
  const key = ctx.config.secrets.cookie[0];
  return key ? derivedLogoutToken(key, sessionId) : `ory_lo_${randomAlnum(32)}`;
}

export interface NewSession {
  identityId: string;
  /** `provider`: the social sign-in provider, for the `oidc` method (as Kratos records it). */
  methods: { method: string; aal?: string; provider?: string; amr?: string[] }[];
  aal?: "aal1" | "aal2";
  c?: Context;
}

/** The device address a session records: the client address rate limits use (see security/ip.ts). */
function clientAddress(c: Context, ctx: AppContext): string | undefined {
  const ip = requestIp(c, ctx);
  return ip === "unknown" ? undefined : ip;
}

/**
 * Issues a session for an identity; the tokens are returned once and only their hashes stored.
 * `alongside` gives writes that belong to the same change (the flow that signed in, its audit row),
 * knowing the session's id: they run in the session's own INSERT statement (data-modifying CTEs), so
 * all commit together in one round trip, without a transaction.
 */
export async function issueSession(
  db: DbOrTx,
  ctx: AppContext,
  input: NewSession,
  alongside?: (sessionId: string) => (SQLWrapper | undefined)[],
): Promise<IssuedSession> {
  const now = new Date();
  const id = uuid();
  const token = `ory_st_${randomAlnum(32)}`;
  const logoutToken = newLogoutToken(ctx, id);
  const device = input.c
    ? [
        {
          id: uuid(),
          ip_address: clientAddress(input.c, ctx),
          user_agent: input.c.req.header("user-agent")?.slice(0, 512),
          location: "",
        },
      ]
    : [];
  const insert = db
    .insert(sessions)
    .values({
      id,
      identityId: input.identityId,
      tokenHash: sha256hex(token),
      logoutTokenHash: sha256hex(logoutToken),
      active: true,
      aal: input.aal ?? "aal1",
      authenticationMethods: input.methods.map((m) => ({
        method: m.method,
        aal: m.aal ?? "aal1",
        completed_at: now.toISOString(),
        ...(m.provider ? { provider: m.provider } : {}),
        ...(m.amr ? { amr: m.amr } : {}),
      })),
      devices: device,
      issuedAt: now,
      authenticatedAt: now,
      expiresAt: new Date(now.getTime() + ctx.config.session.lifespan),
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  const also = (alongside?.(id) ?? []).filter((q): q is SQLWrapper => !!q);
  if (!also.length) {
    const [row] = await insert;
    return { row: row!, token, logoutToken };
  }
  const ctes = sql.join(
    also.map((q, i) => sql`${sql.raw(`alongside_${i}`)} as (${q.getSQL()})`),
    sql`, `,
  );
  const [raw] = rowsOf<Record<string, unknown>>(await db.execute(sql`with ${ctes} ${insert.getSQL()}`));
  return { row: rowOf(sessions, raw!), token, logoutToken };
}

/** Reads the session token from a request: X-Session-Token, then the cookie, then Authorization: Bearer. */
export function tokenFromRequest(
  c: Context,
  ctx: AppContext,
): { token: string; via: "header" | "cookie" | "bearer" } | undefined {
  const header = rawHeader(c, "x-session-token");
  if (header) return { token: header, via: "header" };
  const cookies = rawHeader(c, "cookie");
  const cookie = cookies
    ? parseCookie(cookies, ctx.rt.sessionCookieName)[ctx.rt.sessionCookieName]
    : undefined;
  if (cookie) return { token: cookie, via: "cookie" };
  const auth = rawHeader(c, "authorization");
  if (auth?.toLowerCase().startsWith("bearer ")) return { token: auth.slice(7).trim(), via: "bearer" };
  return undefined;
}

export interface ActiveSession {
  row: SessionRow;
  identity: FullIdentity;
  token: string;
  /** sha256 of the token, as stored and as the session cache keys it. */
  tokenHash: string;
}

const SESSION_CACHE = Symbol("session cache");

/** The session cache of one core, kept by its root database handle (db/state.ts). */
export function sessionCache(db: Db): SessionCache {
  return db.$olympus.service(
    SESSION_CACHE,
    () => new SessionCache(db),
    (cache) => cache.close(),
  );
}

const activeSessionByHash = preparedQuery<{ hash: string }, SessionRow[]>("session_by_token", (db) =>
  db
    .select()
    .from(sessions)
    .where(
      and(
        eq(sessions.tokenHash, sql.placeholder("hash")),
        eq(sessions.active, true),
        gt(sessions.expiresAt, sql`now()`),
      ),
    )
    .limit(1),
);

/** Finds the active, unexpired session for a token, with its identity; undefined otherwise. */
export async function findActiveSession(
  db: DbOrTx,
  token: string,
): Promise<{ row: SessionRow; identity: FullIdentity; tokenHash: string } | undefined> {
  if (!token || token.length > 256) return undefined;
  const tokenHash = sha256hex(token);
  // Transactions read their own writes: only the root handle uses the cache.
  const cache = "$olympus" in db ? sessionCache(db) : undefined;
  const cached = cache?.get(tokenHash);
  if (cached) return { row: cached.row, identity: cached.identity, tokenHash };
  const generation = cache?.generation;
  const [row] = await activeSessionByHash(db, { hash: tokenHash });
  if (!row) return undefined;
  const identity = await loadIdentity(db, row.identityId);
  if (identity?.identity.state !== "active") return undefined;
  // Not cached when a change landed meanwhile: what was read may predate it.
  if (cache && cache.generation === generation) cache.set(tokenHash, row, identity);
  return { row, identity, tokenHash };
}

/** The request's active session, if any. */
export async function currentSession(c: Context, ctx: AppContext): Promise<ActiveSession | undefined> {
  const found = tokenFromRequest(c, ctx);
  if (!found) return undefined;
  const s = await findActiveSession(ctx.db, found.token);
  return s ? { ...s, token: found.token, tokenHash: s.tokenHash } : undefined;
}

export function setSessionCookie(c: Context, ctx: AppContext, token: string, expiresAt: Date): void {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  setCookie(c, ctx.rt.sessionCookieName, token, {
    httpOnly: true,
    path: ctx.config.cookies.path,
    sameSite: ctx.config.session.cookie.same_site ?? ctx.config.cookies.same_site,
    secure: ctx.rt.cookieSecure,
    ...(ctx.config.session.cookie.persistent ? { maxAge } : {}),
    ...(ctx.config.cookies.domain ? { domain: ctx.config.cookies.domain } : {}),
  });
}

export function clearSessionCookie(c: Context, ctx: AppContext): void {
  deleteCookie(c, ctx.rt.sessionCookieName, {
    path: ctx.config.cookies.path,
    ...(ctx.config.cookies.domain ? { domain: ctx.config.cookies.domain } : {}),
  });
}

/** The Kratos Session wire shape. The identity is the public view (no credentials, no admin metadata). */
export function sessionToWire(
  ctx: AppContext,
  row: SessionRow,
  identity: FullIdentity | undefined,
  opts: { admin?: boolean } = {},
): Record<string, unknown> {
  return {
    id: row.id,
    active: row.active && row.expiresAt > new Date(),
    expires_at: row.expiresAt.toISOString(),
    authenticated_at: row.authenticatedAt.toISOString(),
    authenticator_assurance_level: row.aal,
    // Kratos' AuthenticationMethod fields only (an entry's `amr` is for the ID token).
    authentication_methods: row.authenticationMethods.map(({ amr: _amr, ...m }) => m),
    issued_at: row.issuedAt.toISOString(),
    ...(identity ? { identity: identityToWire(ctx, identity, { admin: opts.admin }) } : {}),
    devices: row.devices,
  };
}

export async function revokeSession(db: DbOrTx, id: string): Promise<void> {
  await db.update(sessions).set({ active: false, updatedAt: new Date() }).where(eq(sessions.id, id));
}
