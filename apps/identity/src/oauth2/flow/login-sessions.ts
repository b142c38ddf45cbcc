import { and, eq, gt } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.ts";
import { oauth2LoginSessions } from "../../db/schema.ts";

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

export async function insertLoginSession(
  db: DbOrTx,
  row: typeof oauth2LoginSessions.$inferInsert,
): Promise<void> {
  await db.insert(oauth2LoginSessions).values(row);
}

export async function extendLoginSession(db: DbOrTx, sid: string, expiresAt: Date): Promise<void> {
  await db.update(oauth2LoginSessions).set({ expiresAt }).where(eq(oauth2LoginSessions.id, sid));
}

/** Deletes login sessions by sid, subject or identity session; returns the deleted rows. */
export async function deleteLoginSessions(
  db: DbOrTx,
  by: { sid: string } | { subject: string } | { identitySessionId: string },
): Promise<LoginSessionRow[]> {
  const where =
    "sid" in by
      ? eq(oauth2LoginSessions.id, by.sid)
      : "subject" in by
        ? eq(oauth2LoginSessions.subject, by.subject)
        : eq(oauth2LoginSessions.identitySessionId, by.identitySessionId);
  return db.delete(oauth2LoginSessions).where(where).returning();
}
