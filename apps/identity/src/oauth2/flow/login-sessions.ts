import { and, eq, gt, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.ts";
import { oauth2HandledRequests, oauth2LoginSessions } from "../../db/schema.ts";
import { rowsOf } from "../../db/rows.ts";

export type LoginSessionRow = typeof oauth2LoginSessions.$inferSelect;

/** A login session that may still be used: not expired (revoked ones are deleted). */
export async function findLoginSession(
  db: DbOrTx,
  sid: string | undefined,
): Promise<LoginSessionRow | undefined> {
  if (!sid || !/^[0-9a-f-]{36}$/.test(sid)) return undefined;
  const [row] = await db
    .select()
    .from(oauth2LoginSessions)
    .where(and(eq(oauth2LoginSessions.id, sid), gt(oauth2LoginSessions.expiresAt, new Date())))
    .limit(1);
  return row;
}

export async function loginSessionExists(db: DbOrTx, sid: string): Promise<boolean> {
  const [row] = await db
    .select({ id: oauth2LoginSessions.id })
    .from(oauth2LoginSessions)
    .where(eq(oauth2LoginSessions.id, sid))
    .limit(1);
  return Boolean(row);
}

/**
 * Stores the login session of a fresh login, redeeming its login verifier, in one statement: nothing
 * is written (false) when the session exists already (the verifier was redeemed) or the request has a
 * mark `unlessMarked` (rejected, or its login session ended meanwhile: see deleteLoginSessions).
 */
export async function insertLoginSessionOnce(
  db: DbOrTx,
  row: Omit<typeof oauth2LoginSessions.$inferInsert, "createdAt">,
  unlessMarked: string,
): Promise<boolean> {
  const result = await db.execute(
    sql`insert into ${oauth2LoginSessions} (id, subject, identity_session_id, remember, authenticated_at, expires_at) select ${row.id}::uuid, ${row.subject}, ${row.identitySessionId ?? null}, ${row.remember}, ${row.authenticatedAt.toISOString()}::timestamptz, ${row.expiresAt.toISOString()}::timestamptz where not exists (select 1 from ${oauth2HandledRequests} where id = ${unlessMarked}) on conflict do nothing returning id`,
  );
  return rowsOf(result).length === 1;
}

/**
 * The login challenge id of a fresh login is its login session's id without dashes, so a login
 * session that ends can mark its login request's verifier spent (`login:<id>`).
 */
export const challengeIdOfSession = (sid: string) => sid.replace(/-/g, "");

export async function extendLoginSession(db: DbOrTx, sid: string, expiresAt: Date): Promise<void> {
  await db.update(oauth2LoginSessions).set({ expiresAt }).where(eq(oauth2LoginSessions.id, sid));
}

/**
 * Deletes login sessions by sid, subject or identity session; returns the deleted rows. In the same
 * statement each one whose login request may still be live (`requestTtlMs`, ttl.login_consent_request,
 * from its authentication) gets the mark `login:<id>`, so its login verifier can not store it again.
 */
export async function deleteLoginSessions(
  db: DbOrTx,
  by: { sid: string } | { subject: string } | { identitySessionId: string },
  requestTtlMs: number,
): Promise<LoginSessionRow[]> {
  const where =
    "sid" in by
      ? eq(oauth2LoginSessions.id, by.sid)
      : "subject" in by
        ? eq(oauth2LoginSessions.subject, by.subject)
        : eq(oauth2LoginSessions.identitySessionId, by.identitySessionId);
  const expiry = sql`${oauth2LoginSessions.authenticatedAt} + ${requestTtlMs / 1000}::double precision * interval '1 second'`;
  const result = await db.execute(
    sql`with marks as (insert into ${oauth2HandledRequests} (id, verifier_used_at, expires_at) select 'login:' || replace(${oauth2LoginSessions.id}::text, '-', ''), now(), ${expiry} from ${oauth2LoginSessions} where ${where} and ${expiry} > now() on conflict do nothing) delete from ${oauth2LoginSessions} where ${where} returning id, subject, identity_session_id, remember, authenticated_at, expires_at, created_at`,
  );
  return rowsOf<Record<string, unknown>>(result).map((r) => ({
    id: String(r.id),
    subject: String(r.subject),
    identitySessionId: (r.identity_session_id as string | null) ?? null,
    remember: Boolean(r.remember),
    authenticatedAt: new Date(r.authenticated_at as string | Date),
    expiresAt: new Date(r.expires_at as string | Date),
    createdAt: new Date(r.created_at as string | Date),
  }));
}
