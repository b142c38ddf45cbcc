import { cachePerDatabase } from "../../db/table-cache.ts";
import type { GrantRow } from "../grants.ts";
import { findGrantByAccess, findGrantByRefresh } from "../grants.ts";
import type { OAuth2 } from "../runtime.ts";
import { findByToken } from "../token/tokens.ts";

export interface ActiveToken {
  grant: GrantRow;
  use: "access_token" | "refresh_token";
  expiresAt: Date;
  scope: string[];
}

/**
 * Introspection is the resource servers' hot path: grants found by token hash are cached, and the
 * cache is cleared by any change to a grant (revocation, refresh, redemption) in this or any other
 * replica (db/changes.ts). New grants (inserts) cannot change a cached answer.
 */
const grantCache = cachePerDatabase<GrantRow>({
  tables: ["oauth2_grants"],
  ignoreInserts: ["oauth2_grants"],
});

/** Finds an active (current, unexpired, unrevoked) access or refresh token; undefined otherwise. */
export async function findActiveToken(
  o2: OAuth2,
  token: string,
  hint?: "access_token" | "refresh_token",
): Promise<ActiveToken | undefined> {
  const order: ("access_token" | "refresh_token")[] =
    hint === "refresh_token" ? ["refresh_token", "access_token"] : ["access_token", "refresh_token"];
  const now = new Date();
  const db = o2.ctx.db;
  const cache = grantCache(db);
  for (const use of order) {
    const find = use === "access_token" ? findGrantByAccess : findGrantByRefresh;
    const grant = await findByToken(o2, token, (h) =>
      cache ? cache.through(`${use}:${h}`, () => find(db, h)) : find(db, h),
    );
    if (!grant || grant.tokensRevokedAt) continue;
    const expiresAt = use === "access_token" ? grant.accessExpiresAt : grant.refreshExpiresAt;
    if (!expiresAt || expiresAt <= now) continue;
    const scope = use === "access_token" ? (grant.accessScope ?? grant.grantedScope) : grant.grantedScope;
    return { grant, use, expiresAt, scope };
  }
  return undefined;
}
