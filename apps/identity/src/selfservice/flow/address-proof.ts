import { and, eq, ne } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { identityCredentials, sessions } from "../../db/schema.ts";
import type { FullIdentity } from "../../identity/repository.ts";

/*
 * Account pre-hijacking (docs/security.md): anyone can register an address they do not control, and
 * the registration `session` hook signs them in at once. What such a registration may do is bounded
 * here:
 * - while an address of the identity is unverified, no second factor can be added in settings and no
 *   further address can be added beside the unverified one (selfservice/mfa/settings.ts,
 *   selfservice/settings/routes.ts);
 * - when the owner proves an unverified address by recovery, every session and every credential of the
 *   identity (all of them predate the proof) is removed (selfservice/recovery/flow.ts), so nothing the
 *   registrant set up survives and the owner is never asked for a factor somebody else enrolled.
 */

/** The identity's verifiable addresses that are not verified yet (values). */
export function unverifiedAddresses(identity: FullIdentity): string[] {
  return identity.verifiable.filter((a) => !a.verified).map((a) => a.value);
}

/**
 * Ends the identity's active sessions (the `revoke_active_sessions` hook), all of them or all but
 * `keep`; returns the ids it ended, for the OAuth2 login sessions to end with them.
 */
export async function revokeSessionsOf(tx: Tx, identityId: string, keep?: string): Promise<string[]> {
  const rows = await tx
    .update(sessions)
    .set({ active: false, updatedAt: new Date() })
    .where(
      and(
        eq(sessions.identityId, identityId),
        eq(sessions.active, true),
        ...(keep ? [ne(sessions.id, keep)] : []),
      ),
    )
    .returning({ id: sessions.id });
  return rows.map((r) => r.id);
}

/** Removes every credential of the identity (password, second factors); returns their types. */
export async function removeAllCredentials(tx: Tx, identityId: string): Promise<string[]> {
  const rows = await tx
    .delete(identityCredentials)
    .where(eq(identityCredentials.identityId, identityId))
    .returning({ type: identityCredentials.type });
  return rows.map((r) => r.type).sort();
}
