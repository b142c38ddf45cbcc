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
 * Erasure: deleting an identity removes everything that is about it. Most of it goes by foreign-key
 * cascade (credentials, identifiers, addresses, sessions, flows and codes bound to it, lockout counters
 * that know the identity). What is keyed by text rather than by the identity row is removed here, in the
 * same transaction: lockout counters of its identifiers, flows that only carry one of its addresses
 * (a recovery or verification started but never finished), the mail sent to its addresses, and rows
 * of any table keyed by a text `subject` column (the OAuth2 provider's login sessions, grants and
 * tokens name the identity that way), and the OAuth2 provider is told through
 * `ctx.hydra.subjectDeleted`.
 *
 * The security audit log is kept (append-only, bounded by security.audit.retention): it records that
 * the identity was deleted.
 */

/** Tables with a text `subject` column (found in the catalog, so new OAuth2 tables are covered too). */
async function subjectTables(tx: Tx): Promise<string[]> {
  const result = (await tx.execute(
    sql`select table_name from information_schema.columns where table_schema = current_schema() and column_name = 'subject' and data_type = 'text' order by table_name`,
  )) as unknown;
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
    table_name: string;
  }[];
  return rows.map((r) => r.table_name);
}

async function cleanup(tx: Tx, identityId: string): Promise<void> {
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
    await tx.delete(selfserviceFlows).where(inArray(sql`${selfserviceFlows.data}->>'address'`, addresses));
    await tx.delete(courierMessages).where(inArray(courierMessages.recipient, addresses));
  }
  for (const table of await subjectTables(tx)) {
    await tx.execute(sql`delete from ${sql.identifier(table)} where subject = ${identityId}`);
  }
}

/**
 * Removes what is about an identity but not tied to its row by a cascading key. Call it inside the
 * transaction that deletes the identity, before the delete (DELETE /admin/identities/{id} should).
 */
export async function eraseIdentityData(tx: Tx, ctx: AppContext, identityId: string): Promise<void> {
  await cleanup(tx, identityId);
  await ctx.hydra.subjectDeleted(tx, identityId);
}

/**
 * Deletes an identity and everything hanging off it within `tx`: credentials, addresses, sessions,
 * flows and codes go by foreign-key cascade; recovery links minted by an admin only name the identity
 * in their data, so they are deleted here. Returns the ids of the sessions it had (the OAuth2 login
 * sessions tied to them end after commit, through `ctx.hydra.sessionEnded`), or undefined when there
 * was no such identity. Both the admin API and the self-service deletion go through here.
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
  // Rows that name the identity without a foreign key (lockout counters, OAuth2 grants by subject, …).
  await eraseIdentityData(tx, ctx, identityId);
  const deleted = await tx
    .delete(identities)
    .where(eq(identities.id, identityId))
    .returning({ id: identities.id });
  if (!deleted.length) return undefined;
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
    await eraseIdentityData(tx, ctx, identityId);
    await tx.delete(identities).where(eq(identities.id, identityId));
    return true;
  });
}
