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

/** Finds an active (current, unexpired, unrevoked) access or refresh token; undefined otherwise. */
export async function findActiveToken(
  o2: OAuth2,
  token: string,
  hint?: "access_token" | "refresh_token",
): Promise<ActiveToken | undefined> {
  const order: ("access_token" | "refresh_token")[] =
    hint === "refresh_token" ? ["refresh_token", "access_token"] : ["access_token", "refresh_token"];
  const now = new Date();
  for (const use of order) {
    const grant = await findByToken(o2, token, (h) =>
      use === "access_token" ? findGrantByAccess(o2.ctx.db, h) : findGrantByRefresh(o2.ctx.db, h),
    );
    if (!grant || grant.tokensRevokedAt) continue;
    const expiresAt = use === "access_token" ? grant.accessExpiresAt : grant.refreshExpiresAt;
    if (!expiresAt || expiresAt <= now) continue;
    const scope = use === "access_token" ? (grant.accessScope ?? grant.grantedScope) : grant.grantedScope;
    return { grant, use, expiresAt, scope };
  }
  return undefined;
}
