import { and, eq, inArray, or, sql } from "drizzle-orm";
import type { AppContext } from "../app/context.ts";
import type { Tx } from "../db/client.ts";
import {
  courierMessages,
  identities,
  identityCredentialIdentifiers,
  identityRecoveryAddresses,
  identityVerifiableAddresses,
  selfserviceFlows,
  sessions,
} from "../db/schema.ts";
import { securityLoginThrottles } from "../db/security-schema.ts";

/*
 * Deleting an identity: the one path. DELETE /admin/identities/{id}, the self-service account
 * deletion and `eraseIdentity` all go through `deleteIdentityIn`, which removes everything that is
 * about the identity, per aggregate, in the caller's transaction:
 *
 *   identity      the row; by foreign-key cascade its credentials and their identifiers, verifiable
 *                 and recovery addresses, sessions, flows and codes bound to it, and lockout counters
 *                 that know it (identity_id)
 *   lockout       counters keyed by text: its identifiers, its second-factor key (its id)
 *   flows         flows that only carry one of its addresses (a recovery or verification started but
 *                 never finished) and admin recovery links that name it in their data
 *   courier       the mail sent to its addresses
 *   OAuth2        through the bridge (`ctx.hydra.subjectDeleted`; the self-service half never imports
 *                 oauth2/): grants and their tokens, remembered logins, JWT-bearer trust bound to
 *                 the subject — the tables of `OAUTH2_SUBJECT_TABLES`
 *
 * The security audit log is kept (append-only, bounded by security.audit.retention): it records that
 * the identity was deleted. erasure.test.ts holds this list against the database catalog: every
 * table with an `identity_id` or text `subject` column must be covered, so a new table is not forgotten.
 */

/** The tables keyed by a text `subject` (= identity id) that the OAuth2 provider empties for a subject. */
export const OAUTH2_SUBJECT_TABLES = [
  "oauth2_grants",
  "oauth2_login_sessions",
  "oauth2_trusted_jwt_issuers",
] as const;

/** Tables with a text `subject` column that does not name an identity. */
export const NOT_SUBJECT_KEYED: Readonly<Record<string, string>> = {
  courier_messages: "`subject` is the message's subject line; the mail goes by recipient address",
};

/** Lockout counters, flows by address and mail: what names the identity by text, not by key. */
async function deleteByText(tx: Tx, identityId: string): Promise<void> {
  const [ids, verifiable, recovery] = await Promise.all([
    tx
      .select({ identifier: identityCredentialIdentifiers.identifier })
      .from(identityCredentialIdentifiers)
      .where(eq(identityCredentialIdentifiers.identityId, identityId)),
    tx
      .select({ value: identityVerifiableAddresses.value })
      .from(identityVerifiableAddresses)
      .where(eq(identityVerifiableAddresses.identityId, identityId)),
    tx
      .select({ value: identityRecoveryAddresses.value })
      .from(identityRecoveryAddresses)
      .where(eq(identityRecoveryAddresses.identityId, identityId)),
  ]);
  const identifiers = ids.map((i) => i.identifier);
  const addresses = [...new Set([...verifiable, ...recovery].map((a) => a.value))];
  // lockout
  const T = securityLoginThrottles;
  await tx
    .delete(T)
    .where(
      or(
        eq(T.identityId, identityId),
        and(eq(T.kind, "aal2"), eq(T.key, identityId)),
        identifiers.length ? and(eq(T.kind, "identifier"), inArray(T.key, identifiers)) : undefined,
      ),
    );
  if (addresses.length) {
    // flows
    await tx.delete(selfserviceFlows).where(inArray(sql`${selfserviceFlows.data}->>'address'`, addresses));
    // courier
    await tx.delete(courierMessages).where(inArray(courierMessages.recipient, addresses));
  }
}

/**
 * Deletes an identity and everything about it within `tx` (see above). Returns the ids of the
 * sessions it had (the OAuth2 login sessions tied to them end after commit, through
 * `ctx.hydra.sessionEnded`), or undefined when there was no such identity.
 */
export async function deleteIdentityIn(
  tx: Tx,
  ctx: AppContext,
  identityId: string,
): Promise<string[] | undefined> {
  const owned = await tx
    .select({ id: sessions.id })
    .from(sessions)
    .where(eq(sessions.identityId, identityId));
  await deleteByText(tx, identityId);
  await ctx.hydra.subjectDeleted(tx, identityId);
  // identity (and by cascade what hangs off its row)
  const deleted = await tx
    .delete(identities)
    .where(eq(identities.id, identityId))
    .returning({ id: identities.id });
  if (!deleted.length) return undefined;
  // flows: admin recovery links name the identity only in their data
  await tx
    .delete(selfserviceFlows)
    .where(
      and(
        eq(selfserviceFlows.kind, "recovery"),
        sql`${selfserviceFlows.data}->>'link_identity_id' = ${identityId}`,
      ),
    );
  return owned.map((s) => s.id);
}

/** Deletes an identity and everything about it, atomically; false when there was no such identity. */
export async function eraseIdentity(ctx: AppContext, identityId: string): Promise<boolean> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(identityId)) return false;
  return ctx.db.transaction(async (tx) => {
    const [found] = await tx
      .select({ id: identities.id })
      .from(identities)
      .where(eq(identities.id, identityId))
      .for("update");
    if (!found) return false;
    return (await deleteIdentityIn(tx, ctx, identityId)) !== undefined;
  });
}
