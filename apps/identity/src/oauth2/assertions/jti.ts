import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.ts";
import { oauth2Jtis } from "../../db/schema.ts";
import { rowsOf } from "../../db/rows.ts";

/**
 * Records the `jti` of a JWT assertion until `expiresAt`, in one statement; false when it was used
 * before and has not expired yet (a replay). A row left by an expired assertion is taken over, so a
 * jti may come back once the assertion that used it can no longer be accepted anyway.
 */
export async function spendJti(
  db: DbOrTx,
  namespace: "client" | "jwt-bearer" | "par" | "dpop" | "request",
  issuer: string,
  jti: string,
  expiresAt: Date,
): Promise<boolean> {
  const id = createHash("sha256").update(`${namespace}\0${issuer}\0${jti}`).digest("base64url");
  const result = await db.execute(
    sql`insert into ${oauth2Jtis} (id, expires_at) values (${id}, ${expiresAt.toISOString()}::timestamptz) on conflict (id) do update set expires_at = excluded.expires_at where oauth2_jtis.expires_at < now() returning id`,
  );
  return rowsOf(result).length === 1;
}
