import { and, eq, isNull } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.ts";
import { oauth2HandledRequests } from "../../db/schema.ts";

/*
 * When a login or consent request is final, and when its verifier is spent. A mark (keyed
 * `login:<id>` / `consent:<id>`, kept until the request expires) records a rejection (final at once),
 * a remembered login's redemption, a rejection's verifier spent, and a login session or grant that
 * was deleted while its request could still be live (inserted by the DELETE: deleteLoginSessions,
 * deleteConsentSessions, deleteGrantsOfSubject). A fresh login's verifier is spent by its login
 * session's row (primary key), a consent verifier by its grant's (unique consent id); neither is
 * deleted without leaving that mark (the janitor keeps them until their request has expired). A
 * remembered login's rejection and redemption insert the same key, so only one takes effect; a
 * consent rejection is inserted only if no grant has its id, and a grant only if no mark exists,
 * one statement each, the rejection's under a SHARE lock on oauth2_grants (markConsentRejected) so
 * that of the two racing exactly one takes effect.
 */

export type RequestKey = `login:${string}` | `consent:${string}`;

export const loginKey = (challengeId: string): RequestKey => `login:${challengeId}`;
export const consentKey = (consentId: string): RequestKey => `consent:${consentId}`;

/** The mark of a request, if it has one: `rejected` and/or its verifier spent. */
export async function findHandled(
  db: DbOrTx,
  key: RequestKey,
): Promise<{ rejected: boolean; verifierUsedAt: Date | null } | undefined> {
  const [row] = await db
    .select({
      rejected: oauth2HandledRequests.rejected,
      verifierUsedAt: oauth2HandledRequests.verifierUsedAt,
    })
    .from(oauth2HandledRequests)
    .where(eq(oauth2HandledRequests.id, key))
    .limit(1);
  return row;
}

/** Marks a request rejected; false when it already had a mark (rejected before, or its verifier spent). */
export async function markRejected(db: DbOrTx, key: RequestKey, expiresAt: Date): Promise<boolean> {
  const rows = await db
    .insert(oauth2HandledRequests)
    .values({ id: key, rejected: true, expiresAt })
    .onConflictDoNothing()
    .returning({ id: oauth2HandledRequests.id });
  return rows.length === 1;
}

/**
 * Spends the verifier of a request that writes no other row; false when it was spent already. A
 * rejection's verifier flips its mark (one conditional UPDATE); an acceptance inserts one.
 */
export async function spendVerifier(
  db: DbOrTx,
  key: RequestKey,
  expiresAt: Date,
  rejected: boolean,
): Promise<boolean> {
  if (rejected) {
    const rows = await db
      .update(oauth2HandledRequests)
      .set({ verifierUsedAt: new Date() })
      .where(and(eq(oauth2HandledRequests.id, key), isNull(oauth2HandledRequests.verifierUsedAt)))
      .returning({ id: oauth2HandledRequests.id });
    return rows.length === 1;
  }
  const inserted = await db
    .insert(oauth2HandledRequests)
    .values({ id: key, verifierUsedAt: new Date(), expiresAt })
    .onConflictDoNothing()
    .returning({ id: oauth2HandledRequests.id });
  return inserted.length === 1;
}
