import {
  and,
  desc,
  eq,
  getTableColumns,
  gt,
  inArray,
  isNotNull,
  isNull,
  or,
  type SQL,
  sql,
} from "drizzle-orm";
import type { Db, DbOrTx } from "../db/client.ts";
import { preparedQuery } from "../db/prepared.ts";
import { rowsOf } from "../db/rows.ts";
import { oauth2Grants, oauth2HandledRequests } from "../db/schema.ts";
import { consentKey } from "./flow/handled.ts";

export type GrantRow = typeof oauth2Grants.$inferSelect;

/** Grants a user consented to (a consent session): by authorization code or by device (RFC 8628). */
const userGrant = () => inArray(oauth2Grants.kind, ["authorization_code", "device_code"]);
export type NewGrant = typeof oauth2Grants.$inferInsert;

/** The latest moment anything in a grant row is still usable (code, access or refresh token). */
export function lastUse(...dates: (Date | null | undefined)[]): Date {
  const times = dates.filter((d): d is Date => d instanceof Date).map((d) => d.getTime());
  return new Date(times.length ? Math.max(...times) : Date.now());
}

export async function insertGrant(db: DbOrTx, row: NewGrant): Promise<GrantRow> {
  const [out] = await db.insert(oauth2Grants).values(row).returning();
  return out!;
}

/**
 * Inserts an authorization-code grant, redeeming its consent verifier, in one statement; nothing is
 * written (false) when the verifier was redeemed before or the request was rejected. While the grant
 * exists its unique consent_challenge_id refuses a second one; once it was deleted (revocation,
 * erasure) the DELETE left the mark `unlessMarked` (`consent:<id>`, see deleteGrantsMarking), which
 * refuses it too, as does a rejection's (the same key). `unlessRejected` is the login request's key:
 * a rejected login refuses the grant (a fresh login's redemption writes its session, not a mark, so
 * this is where a login rejection racing it is caught).
 *
 * A consent rejection inserts its mark unless a grant with that consent id exists, holding a SHARE
 * lock on oauth2_grants meanwhile (markConsentRejected), so of a rejection and this INSERT racing
 * exactly one takes effect.
 */
export async function insertGrantOnce(
  db: DbOrTx,
  row: NewGrant & { generation?: number },
  keys: { unlessMarked: string; unlessRejected: string },
): Promise<boolean> {
  const full = { generation: 0, ...row } as GrantRow;
  const result = await db.execute(
    sql`insert into ${oauth2Grants} select * from jsonb_populate_record(null::oauth2_grants, ${JSON.stringify(toColumns(full))}::text::jsonb) where not exists (select 1 from ${oauth2HandledRequests} where id = ${keys.unlessMarked}) and not exists (select 1 from ${oauth2HandledRequests} where id = ${keys.unlessRejected} and rejected) on conflict do nothing returning id`,
  );
  return rowsOf(result).length === 1;
}

/**
 * Marks a consent request rejected (`consent:<id>`), in one INSERT, unless a grant carries its id
 * (its verifier was redeemed) or it has a mark already (rejected before, or its grant was deleted);
 * false then.
 *
 * The two checks live in two tables, so under READ COMMITTED a rejection and a redemption
 * (insertGrantOnce) whose snapshots both precede the other's commit could both take effect; that
 * tie happens in practice. The INSERT therefore runs in a transaction holding a SHARE lock on
 * oauth2_grants: it waits for grant writes in flight (a redemption that got there first has committed
 * when its snapshot is taken), and a redemption that comes later waits for the lock before its
 * snapshot is taken (relation locks are taken when the statement is parsed), so it sees the mark. A
 * rejection holds the lock for one INSERT; rejections are rare, and the redemption, the hot path,
 * stays one statement.
 */
export async function markConsentRejected(db: DbOrTx, consentId: string, expiresAt: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`lock table ${oauth2Grants} in share mode`);
    const result = await tx.execute(
      sql`insert into ${oauth2HandledRequests} (id, rejected, expires_at) select ${consentKey(consentId)}, true, ${expiresAt.toISOString()}::timestamptz where not exists (select 1 from ${oauth2Grants} where consent_challenge_id = ${consentId}) on conflict do nothing returning id`,
    );
    return rowsOf(result).length === 1;
  });
}

/** Property name → column name of oauth2_grants, for rows sent as JSON. */
const COLUMN_NAMES = Object.entries(getTableColumns(oauth2Grants)).map(
  ([key, col]) => [key, col.name] as const,
);

/** A grant row keyed by column name (Dates become ISO strings in JSON, jsonb columns stay JSON). */
function toColumns(row: GrantRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, name] of COLUMN_NAMES) out[name] = row[key as keyof GrantRow] ?? null;
  return out;
}

interface Pending {
  row: GrantRow;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for new, complete grant rows (client_credentials tokens): concurrent requests' rows
 * go to the database together as one multi-row INSERT, so a burst of token requests costs a few
 * statements and commits instead of one each. Nothing waits for a timer: a request that finds
 * fewer than `maxInFlight` INSERTs running is sent at once; the others queue behind them and leave
 * together in the next one. Every caller is answered only after its row is committed. The rows travel
 * as one JSON parameter (jsonb_populate_recordset), so the statement's text is the same for any
 * batch size and building it costs nothing per row.
 */
export class GrantWriter {
  private readonly queue: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly db: DbOrTx,
    private readonly maxInFlight = 1,
    private readonly maxBatch = 200,
  ) {}

  insert(row: GrantRow): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      this.db
        .execute(
          sql`insert into ${oauth2Grants} select * from jsonb_populate_recordset(null::oauth2_grants, ${JSON.stringify(batch.map((p) => toColumns(p.row)))}::text::jsonb)`,
        )
        .then(
          () => {
            for (const p of batch) p.resolve();
          },
          (e: unknown) => {
            for (const p of batch) p.reject(e);
          },
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}

const GRANT_WRITER = Symbol("grant writer");

/** The grant writer of a root database handle, kept by it (db/state.ts); transactions insert directly. */
export function grantWriter(db: DbOrTx): GrantWriter | undefined {
  if (!("$olympus" in db)) return undefined;
  const root: Db = db;
  return root.$olympus.service(GRANT_WRITER, () => new GrantWriter(root));
}

/** The grant whose `column` equals a value: a prepared statement per lookup column. */
function oneBy(column: "id" | "codeHash" | "accessHash" | "refreshHash") {
  const query = preparedQuery<{ v: string }, GrantRow[]>(`oauth2_grant_by_${column}`, (db) =>
    db
      .select()
      .from(oauth2Grants)
      .where(eq(oauth2Grants[column], sql.placeholder("v")))
      .limit(1),
  );
  return async (db: DbOrTx, v: string): Promise<GrantRow | undefined> => (await query(db, { v }))[0];
}

export const findGrantById = oneBy("id");
export const findGrantByCode = oneBy("codeHash");
export const findGrantByAccess = oneBy("accessHash");
export const findGrantByRefresh = oneBy("refreshHash");

/** One conditional UPDATE of a grant whose tokens were not revoked: of concurrent callers, one matches. */
async function updateLiveGrant(
  db: DbOrTx,
  id: string,
  conditions: SQL[],
  set: Partial<NewGrant>,
): Promise<GrantRow | undefined> {
  const [row] = await db
    .update(oauth2Grants)
    .set(set)
    .where(and(eq(oauth2Grants.id, id), isNull(oauth2Grants.tokensRevokedAt), ...conditions))
    .returning();
  return row;
}

/**
 * Redeems an authorization code and stores the tokens issued for it, in one conditional UPDATE: of
 * two concurrent redemptions exactly one matches `code_used_at IS NULL`.
 */
export function redeemCode(
  db: DbOrTx,
  id: string,
  codeHash: string,
  set: Partial<NewGrant>,
): Promise<GrantRow | undefined> {
  return updateLiveGrant(db, id, [eq(oauth2Grants.codeHash, codeHash), isNull(oauth2Grants.codeUsedAt)], set);
}

/** Stores the first tokens of a device grant (one conditional UPDATE: a grant's first tokens are issued once). */
export function issueFirstTokens(
  db: DbOrTx,
  id: string,
  set: Partial<NewGrant>,
): Promise<GrantRow | undefined> {
  return updateLiveGrant(db, id, [isNull(oauth2Grants.tokensIssuedAt)], set);
}

/** Rotates a refresh token (and its access token) in one conditional UPDATE: one concurrent caller wins. */
export function rotateRefresh(
  db: DbOrTx,
  id: string,
  refreshHash: string,
  set: Partial<NewGrant>,
): Promise<GrantRow | undefined> {
  return updateLiveGrant(
    db,
    id,
    [eq(oauth2Grants.refreshHash, refreshHash), gt(oauth2Grants.refreshExpiresAt, new Date())],
    set,
  );
}

/**
 * Rotates a grant's tokens when its current refresh token is not the one presented (a reuse within
 * the rotation grace period): one conditional UPDATE on the generation seen, so of concurrent
 * requests one wins.
 */
export function rotateGeneration(
  db: DbOrTx,
  id: string,
  generation: number,
  set: Partial<NewGrant>,
): Promise<GrantRow | undefined> {
  return updateLiveGrant(
    db,
    id,
    [
      eq(oauth2Grants.generation, generation),
      isNotNull(oauth2Grants.refreshHash),
      gt(oauth2Grants.refreshExpiresAt, new Date()),
    ],
    set,
  );
}

/** Revokes every token of a grant (the refresh chain); a remembered consent stays remembered. */
export async function revokeGrantTokens(db: DbOrTx, id: string): Promise<void> {
  const now = new Date();
  await db
    .update(oauth2Grants)
    .set({ accessHash: null, refreshHash: null, tokensRevokedAt: now, expiresAt: now })
    .where(eq(oauth2Grants.id, id));
}

/** Revokes the access token of a grant only. */
export async function revokeAccessToken(db: DbOrTx, id: string): Promise<void> {
  await db.update(oauth2Grants).set({ accessHash: null }).where(eq(oauth2Grants.id, id));
}

/** Revokes the access tokens of every grant of a client (DELETE /admin/oauth2/tokens). */
export async function revokeClientAccessTokens(db: DbOrTx, clientId: string): Promise<void> {
  await db.update(oauth2Grants).set({ accessHash: null }).where(eq(oauth2Grants.clientId, clientId));
}

const rememberedNow = () =>
  and(
    eq(oauth2Grants.remember, true),
    eq(oauth2Grants.consentSkipped, false),
    or(isNull(oauth2Grants.rememberUntil), gt(oauth2Grants.rememberUntil, new Date())),
  );

/**
 * The consent a subject last gave a client and asked to remember, as Hydra decides skips: only the
 * most recent remembered consent counts.
 */
export async function latestRememberedConsent(
  db: DbOrTx,
  subject: string,
  clientId: string,
): Promise<GrantRow | undefined> {
  const [latest] = await db
    .select()
    .from(oauth2Grants)
    .where(
      and(
        eq(oauth2Grants.subject, subject),
        eq(oauth2Grants.clientId, clientId),
        userGrant(),
        eq(oauth2Grants.remember, true),
        eq(oauth2Grants.consentSkipped, false),
      ),
    )
    .orderBy(desc(oauth2Grants.handledAt))
    .limit(1);
  if (!latest) return undefined;
  if (latest.rememberUntil && latest.rememberUntil <= new Date()) return undefined;
  return latest;
}

/** Whether a grant came out of this login or consent challenge (so the challenge was used). */
export async function grantExists(
  db: DbOrTx,
  by: { loginChallengeId: string } | { consentChallengeId: string },
): Promise<boolean> {
  const where =
    "loginChallengeId" in by
      ? eq(oauth2Grants.loginChallengeId, by.loginChallengeId)
      : eq(oauth2Grants.consentChallengeId, by.consentChallengeId);
  const [row] = await db.select({ id: oauth2Grants.id }).from(oauth2Grants).where(where).limit(1);
  return Boolean(row);
}

/** Consent sessions of a subject (handled consents that were not skipped), newest first. */
export async function listConsentSessions(
  db: DbOrTx,
  filter: { subject: string; loginSessionId?: string },
  page: { size: number; offset: number },
): Promise<GrantRow[]> {
  const where = [
    eq(oauth2Grants.subject, filter.subject),
    userGrant(),
    eq(oauth2Grants.consentSkipped, false),
    or(gt(oauth2Grants.expiresAt, new Date()), rememberedNow()),
  ];
  if (filter.loginSessionId) where.push(eq(oauth2Grants.loginSessionId, filter.loginSessionId));
  return db
    .select()
    .from(oauth2Grants)
    .where(and(...where))
    .orderBy(desc(oauth2Grants.handledAt), desc(oauth2Grants.id))
    .limit(page.size + 1)
    .offset(page.offset);
}

/**
 * Deletes the grants matching `where` and, in the same statement, marks `consent:<id>` the consent
 * request of each one whose request may still be live (`requestTtlMs`, ttl.login_consent_request, from
 * its `requested_at`, the expiry the other marks of the request get), so its consent verifier can not
 * store a grant again (insertGrantOnce). Returns how many grants were deleted.
 *
 * The mark INSERT is the CTE and the DELETE the main statement (both read the same snapshot, so they
 * see the same rows), so db/writes.ts reports the statement as a DELETE of oauth2_grants and the
 * introspection cache is cleared.
 */
async function deleteGrantsMarking(
  db: DbOrTx,
  where: SQL | undefined,
  requestTtlMs: number,
): Promise<number> {
  const expiry = sql`${oauth2Grants.requestedAt} + ${requestTtlMs / 1000}::double precision * interval '1 second'`;
  const result = await db.execute(
    sql`with marks as (insert into ${oauth2HandledRequests} (id, verifier_used_at, expires_at) select 'consent:' || ${oauth2Grants.consentChallengeId}, now(), ${expiry} from ${oauth2Grants} where ${where} and ${oauth2Grants.consentChallengeId} is not null and ${expiry} > now() on conflict do nothing) delete from ${oauth2Grants} where ${where} returning id`,
  );
  return rowsOf(result).length;
}

/** Revokes consent: deletes the grants (and with them their tokens), marking their consent verifiers spent. */
export async function deleteConsentSessions(
  db: DbOrTx,
  filter: { subject: string; clientId?: string },
  requestTtlMs: number,
): Promise<number> {
  const where = [eq(oauth2Grants.subject, filter.subject), userGrant()];
  if (filter.clientId) where.push(eq(oauth2Grants.clientId, filter.clientId));
  return deleteGrantsMarking(db, and(...where), requestTtlMs);
}

/** Deletes everything granted to a subject (identity erasure), marking their consent verifiers spent. */
export async function deleteGrantsOfSubject(
  db: DbOrTx,
  subject: string,
  requestTtlMs: number,
): Promise<void> {
  await deleteGrantsMarking(db, eq(oauth2Grants.subject, subject), requestTtlMs);
}
