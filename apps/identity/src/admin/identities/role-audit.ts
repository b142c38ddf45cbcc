import type { Context } from "hono";
import type { AppContext } from "../../app/context.ts";
import { adminActor } from "../../audit/admin-audit.ts";
import { audit } from "../../audit/audit.ts";

/*
 * An administrator's role lives in `metadata_admin.role` (and extra roles in `metadata_admin.roles`),
 * which only the admin API writes (issue 16, finding 1). Every change of either, whatever admin call
 * made it (create, PUT, PATCH), is an `identity.role.changed` audit event with the old and new value
 * and the administrator Athena named in `X-Olympus-Actor` — on top of the generic
 * `admin.identities.*` row.
 */

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

function rolesOf(metadataAdmin: unknown): { role: unknown; roles: unknown } {
  const m = obj(metadataAdmin);
  return { role: m.role ?? null, roles: m.roles ?? null };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Audits `identity.role.changed` when the role (or extra roles) differ between before and after. */
export async function auditRoleChange(
  ctx: AppContext,
  c: Context,
  identityId: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  const old = rolesOf(before);
  const now = rolesOf(after);
  if (same(old, now)) return;
  const who = adminActor(c);
  await audit(ctx, c, {
    event: "identity.role.changed",
    actor: who.actor,
    target: identityId,
    metadata: {
      old: old.role,
      new: now.role,
      ...(same(old.roles, now.roles) ? {} : { old_roles: old.roles, new_roles: now.roles }),
      ...who.metadata,
    },
  });
}
