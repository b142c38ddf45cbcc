import { and, eq } from "drizzle-orm";
import type { AppContext } from "../app/context.ts";
import type { DbOrTx } from "../db/client.ts";
import { identityRecoveryAddresses, identityVerifiableAddresses } from "../db/schema.ts";
import { enqueueEmail } from "./queue.ts";
import type { TemplateData } from "./templates.ts";

/*
 * Security notices (Olympus-only courier templates `security_*`): the owner hears about a password
 * change, a second factor added or removed, and a sign-in lockout, at every email address of the
 * account — verified or not, so that somebody who registered an address they do not own is noticed
 * by its owner too. Written in the identity's language like every other mail (courier/locale.ts).
 */

export type SecurityNotice =
  | "security_password_changed"
  | "security_second_factor_added"
  | "security_second_factor_removed"
  | "security_account_locked";

type NoticeData<T extends SecurityNotice> = Omit<TemplateData[T], "to">;

/** The email addresses of an identity (verifiable and recovery), each once. */
async function emailAddresses(db: DbOrTx, identityId: string): Promise<string[]> {
  const [verifiable, recovery] = await Promise.all([
    db
      .select({ value: identityVerifiableAddresses.value })
      .from(identityVerifiableAddresses)
      .where(
        and(
          eq(identityVerifiableAddresses.identityId, identityId),
          eq(identityVerifiableAddresses.via, "email"),
        ),
      ),
    db
      .select({ value: identityRecoveryAddresses.value })
      .from(identityRecoveryAddresses)
      .where(
        and(eq(identityRecoveryAddresses.identityId, identityId), eq(identityRecoveryAddresses.via, "email")),
      ),
  ]);
  return [...new Set([...verifiable, ...recovery].map((r) => r.value))].sort();
}

/**
 * Queues a security notice to every email address of the identity (in `db`'s transaction when it is
 * one); returns how many were queued. The caller wakes the courier (`ctx.notifyCourier()`) after commit.
 */
export async function queueSecurityNotice<T extends SecurityNotice>(
  db: DbOrTx,
  ctx: AppContext,
  identityId: string,
  template: T,
  data: NoticeData<T>,
  acceptLanguage?: string | null,
): Promise<number> {
  const to = await emailAddresses(db, identityId);
  for (const address of to) {
    await enqueueEmail(db, ctx, template, address, { ...data, to: address } as TemplateData[T], {
      identityId,
      acceptLanguage,
    });
  }
  return to.length;
}
