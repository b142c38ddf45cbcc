import { and, asc, eq, gt, or, sql } from "drizzle-orm";
import type { JWK } from "jose";
import type { DbOrTx } from "../../db/client.ts";
import { oauth2TrustedJwtIssuers } from "../../db/schema.ts";

export type TrustRow = typeof oauth2TrustedJwtIssuers.$inferSelect;

/** Hydra's TrustedOAuth2JwtGrantIssuer. */
export function trustToWire(r: TrustRow): Record<string, unknown> {
  return {
    id: r.id,
    issuer: r.issuer,
    subject: r.subject,
    allow_any_subject: r.allowAnySubject,
    scope: r.scope,
    public_key: { set: r.issuer, kid: r.kid },
    expires_at: r.expiresAt.toISOString(),
    created_at: r.createdAt.toISOString(),
  };
}

export async function insertTrust(
  db: DbOrTx,
  row: typeof oauth2TrustedJwtIssuers.$inferInsert,
): Promise<TrustRow> {
  const [out] = await db.insert(oauth2TrustedJwtIssuers).values(row).returning();
  return out!;
}

export async function findTrust(db: DbOrTx, id: string): Promise<TrustRow | undefined> {
  const [row] = await db
    .select()
    .from(oauth2TrustedJwtIssuers)
    .where(eq(oauth2TrustedJwtIssuers.id, id))
    .limit(1);
  return row;
}

export async function listTrust(
  db: DbOrTx,
  filter: { issuer?: string },
  page: { size: number; offset: number },
): Promise<TrustRow[]> {
  return db
    .select()
    .from(oauth2TrustedJwtIssuers)
    .where(filter.issuer ? eq(oauth2TrustedJwtIssuers.issuer, filter.issuer) : undefined)
    .orderBy(asc(oauth2TrustedJwtIssuers.createdAt), asc(oauth2TrustedJwtIssuers.id))
    .limit(page.size + 1)
    .offset(page.offset);
}

/** Deletes the JWT-bearer trust bound to one subject (identity deletion); `allow_any_subject` trust stays. */
export async function deleteTrustOfSubject(db: DbOrTx, subject: string): Promise<void> {
  await db.delete(oauth2TrustedJwtIssuers).where(eq(oauth2TrustedJwtIssuers.subject, subject));
}

export async function deleteTrust(db: DbOrTx, id: string): Promise<boolean> {
  const rows = await db
    .delete(oauth2TrustedJwtIssuers)
    .where(eq(oauth2TrustedJwtIssuers.id, id))
    .returning({ id: oauth2TrustedJwtIssuers.id });
  return rows.length > 0;
}

/**
 * The live trust relationships an assertion from `issuer` about `subject` may rely on: for that
 * subject or any subject, not expired, with the key `kid` when the assertion names one.
 */
export async function trustFor(
  db: DbOrTx,
  issuer: string,
  subject: string,
  kid: string | undefined,
): Promise<(TrustRow & { publicJwk: JWK })[]> {
  const rows = await db
    .select()
    .from(oauth2TrustedJwtIssuers)
    .where(
      and(
        eq(oauth2TrustedJwtIssuers.issuer, issuer),
        or(eq(oauth2TrustedJwtIssuers.subject, subject), eq(oauth2TrustedJwtIssuers.allowAnySubject, true)),
        gt(oauth2TrustedJwtIssuers.expiresAt, sql`now()`),
        kid === undefined ? undefined : eq(oauth2TrustedJwtIssuers.kid, kid),
      ),
    )
    .limit(20);
  return rows as (TrustRow & { publicJwk: JWK })[];
}
