import { randomInt } from "node:crypto";
import { and, eq, gt, isNotNull, isNull, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.ts";
import { isUniqueViolation } from "../../db/errors.ts";
import { oauth2DeviceRequests } from "../../db/schema.ts";
import { uuid } from "../../security/random.ts";
import type { OAuth2 } from "../runtime.ts";
import { findByToken, mintToken, tokenHash, tokenHashes } from "../token/tokens.ts";

export type DeviceRequestRow = typeof oauth2DeviceRequests.$inferSelect;

export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/**
 * User codes (RFC 8628 §6.1): 8 characters of a 20-letter alphabet without vowels (no words) and
 * without easily confused letters, shown as XXXX-XXXX: 20^8 ≈ 2.6·10^10 codes. Case, spaces and
 * dashes do not matter when the user types it.
 */
const ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
const USER_CODE_LENGTH = 8;

export function newUserCode(): string {
  let out = "";
  for (let i = 0; i < USER_CODE_LENGTH; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return `${out.slice(0, 4)}-${out.slice(4)}`;
}

/** The canonical form of a typed user code, or undefined when it can not be one. */
export function normalizeUserCode(input: string): string | undefined {
  if (input.length > 64) return undefined;
  const code = input.toUpperCase().replace(/[\s-]/g, "");
  if (code.length !== USER_CODE_LENGTH) return undefined;
  for (const ch of code) if (!ALPHABET.includes(ch)) return undefined;
  return code;
}

const userCodeHash = (o2: OAuth2, normalized: string) => tokenHash(o2, `user_code:${normalized}`);

/** Creates a device request; returns the device code and the user code (only their hashes are stored). */
export async function createDeviceRequest(
  o2: OAuth2,
  spec: { clientId: string; scope: string[]; audience: string[] },
): Promise<{ row: DeviceRequestRow; deviceCode: string; userCode: string }> {
  const expiresAt = new Date(Date.now() + o2.cfg.ttl.device_user_code);
  for (let attempt = 0; ; attempt++) {
    const id = uuid();
    const deviceCode = mintToken(o2, "ory_dc_", id);
    const userCode = newUserCode();
    try {
      const [row] = await o2.ctx.db
        .insert(oauth2DeviceRequests)
        .values({
          id,
          clientId: spec.clientId,
          deviceCodeHash: tokenHash(o2, deviceCode),
          userCodeHash: userCodeHash(o2, normalizeUserCode(userCode)!),
          requestedScope: spec.scope,
          requestedAudience: spec.audience,
          intervalS: Math.ceil(o2.cfg.device_authorization.token_polling_interval / 1000),
          expiresAt,
        })
        .returning();
      return { row: row!, deviceCode, userCode };
    } catch (e) {
      // A user code that a live request holds already (rare): draw another one.
      if (isUniqueViolation(e) && attempt < 5) continue;
      throw e;
    }
  }
}

export async function findDeviceRequest(db: DbOrTx, id: string | null | undefined) {
  if (!id || !/^[0-9a-f-]{36}$/.test(id)) return undefined;
  const [row] = await db.select().from(oauth2DeviceRequests).where(eq(oauth2DeviceRequests.id, id)).limit(1);
  return row;
}

export async function findDeviceRequestByCode(o2: OAuth2, deviceCode: string) {
  return findByToken(o2, deviceCode, async (h) => {
    const [row] = await o2.ctx.db
      .select()
      .from(oauth2DeviceRequests)
      .where(eq(oauth2DeviceRequests.deviceCodeHash, h))
      .limit(1);
    return row;
  });
}

/** A request whose user may still act on it: unexpired, neither granted, denied nor redeemed. */
const stillOpen = (): SQL[] => [
  gt(oauth2DeviceRequests.expiresAt, new Date()),
  isNull(oauth2DeviceRequests.grantId),
  isNull(oauth2DeviceRequests.deniedAt),
  isNull(oauth2DeviceRequests.redeemedAt),
];

/**
 * Spends a user code (the login UI accepted it): one conditional UPDATE, so a user code is accepted
 * once, by one browser. Undefined when it is unknown, expired, or spent.
 */
export async function spendUserCode(o2: OAuth2, typed: string): Promise<DeviceRequestRow | undefined> {
  const normalized = normalizeUserCode(typed);
  if (!normalized) return undefined;
  // Under the current key first, then older ones (a code issued before a key rotation).
  for (const h of tokenHashes(o2, `user_code:${normalized}`)) {
    const [row] = await o2.ctx.db
      .update(oauth2DeviceRequests)
      .set({ userCodeUsedAt: new Date() })
      .where(
        and(
          eq(oauth2DeviceRequests.userCodeHash, h),
          isNull(oauth2DeviceRequests.userCodeUsedAt),
          ...stillOpen(),
        ),
      )
      .returning();
    if (row) return row;
  }
  return undefined;
}

/** Links the grant the user consented to; false when the request was granted, denied or expired meanwhile. */
export async function linkDeviceGrant(db: DbOrTx, id: string, grantId: string): Promise<boolean> {
  const rows = await db
    .update(oauth2DeviceRequests)
    .set({ grantId })
    .where(
      and(eq(oauth2DeviceRequests.id, id), isNotNull(oauth2DeviceRequests.userCodeUsedAt), ...stillOpen()),
    )
    .returning({ id: oauth2DeviceRequests.id });
  return rows.length === 1;
}

/** Records that the user (or the login/consent UI) refused the device. */
export async function denyDeviceRequest(db: DbOrTx, id: string): Promise<boolean> {
  const rows = await db
    .update(oauth2DeviceRequests)
    .set({ deniedAt: new Date() })
    .where(and(eq(oauth2DeviceRequests.id, id), ...stillOpen()))
    .returning({ id: oauth2DeviceRequests.id });
  return rows.length === 1;
}

/**
 * Records a poll, in one conditional UPDATE on the previous poll time: `tooFast` polls raise the
 * interval by 5 s (RFC 8628 §3.5). Of concurrent polls only one matches; the others are too fast.
 */
export async function recordPoll(db: DbOrTx, row: DeviceRequestRow, tooFast: boolean): Promise<boolean> {
  const previous = row.lastPolledAt
    ? eq(oauth2DeviceRequests.lastPolledAt, row.lastPolledAt)
    : isNull(oauth2DeviceRequests.lastPolledAt);
  const rows = await db
    .update(oauth2DeviceRequests)
    .set({
      lastPolledAt: new Date(),
      ...(tooFast ? { intervalS: sql`${oauth2DeviceRequests.intervalS} + 5` } : {}),
    })
    .where(and(eq(oauth2DeviceRequests.id, row.id), previous))
    .returning({ id: oauth2DeviceRequests.id });
  return rows.length === 1;
}

/** Redeems a granted device request (its first successful poll); false when redeemed before. */
export async function redeemDeviceRequest(db: DbOrTx, id: string): Promise<boolean> {
  const rows = await db
    .update(oauth2DeviceRequests)
    .set({ redeemedAt: new Date() })
    .where(
      and(
        eq(oauth2DeviceRequests.id, id),
        isNotNull(oauth2DeviceRequests.grantId),
        isNull(oauth2DeviceRequests.redeemedAt),
      ),
    )
    .returning({ id: oauth2DeviceRequests.id });
  return rows.length === 1;
}
