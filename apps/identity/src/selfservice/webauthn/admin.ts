import type { Context } from "hono";
import { eq } from "drizzle-orm";
import type { AppContext } from "../../app/context.ts";
import { identityCredentials } from "../../db/schema.ts";
import { badRequest, OryError } from "../../errors/index.ts";
import type { FullIdentity } from "../../identity/repository.ts";
import { adminActor } from "../../audit/admin-audit.ts";
import { audit } from "../../audit/audit.ts";
import { describeKey, keysOf, type WebAuthnMethod } from "./credentials.ts";
import { removeKey } from "./store.ts";

/*
 * DELETE /admin/identities/{id}/credentials/{passkey|webauthn}[?identifier=<hex key id>]: removes one
 * key or every key of the type. A passkey is a first factor, so the identity's last first factor is
 * kept (as for passwords). Every removal is audited with the administrator who asked and the key's name.
 */
export async function removeWebAuthnByAdmin(
  ctx: AppContext,
  c: Context,
  full: FullIdentity,
  method: WebAuthnMethod,
  identifier: string | undefined,
  firstFactors: number,
): Promise<void> {
  const identityId = full.identity.id;
  const keys = keysOf(full, method);
  const all = !identifier;
  const onlyPasskey = method === "passkey" && firstFactors < 2;
  if (method === "passkey" && onlyPasskey && (all || keys.length <= 1)) {
    throw badRequest("You cannot remove the last first factor credential.");
  }
  const removed = [];
  if (all) {
    const cred = full.credentials.find((cr) => cr.type === method)!;
    await ctx.db.delete(identityCredentials).where(eq(identityCredentials.id, cred.id));
    removed.push(...keys);
  } else {
    const key = await removeKey(ctx.db, identityId, method, identifier);
    if (!key) {
      throw new OryError(404, "The requested resource could not be found", {
        reason: `The ${method} key ${identifier.slice(0, 64)} does not exist for this identity.`,
      });
    }
    removed.push(key);
  }
  const who = adminActor(c);
  await audit(ctx, c, {
    event: `admin.identity.${method}.removed`,
    actor: who.actor,
    target: identityId,
    metadata: {
      ...who.metadata,
      keys: removed.map((k) => ({ id: describeKey(k).id, name: k.display_name })),
    },
  });
}
