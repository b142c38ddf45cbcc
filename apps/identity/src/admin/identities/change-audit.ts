import type { Context } from "hono";
import type { AppContext } from "../../app/context.ts";
import type { FullIdentity } from "../../identity/repository.ts";
import { adminActor } from "../../audit/admin-audit.ts";
import { audit } from "../../audit/audit.ts";

/*
 * Every admin change of an identity (PUT or PATCH) is an `identity.updated` audit row whose
 * metadata says what changed, field by field: `changes: [{ path, old, new }]` with dotted paths
 * (`traits.name.first`, `metadata_admin.note`, `state`, `verifiable_addresses.a@b.c.verified`).
 * The generic `admin.identities.update` row only says that a write happened; this one is the diff
 * an auditor reads. Password changes are named, never shown.
 */

export interface FieldChange {
  path: string;
  old: unknown;
  new: unknown;
}

/** At most this many changes are kept in one row (the rest are counted). */
const MAX_CHANGES = 50;

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** Leaf-level differences between two JSON values; arrays and scalars are compared whole. */
export function diffJson(
  before: unknown,
  after: unknown,
  path: string,
  out: FieldChange[] = [],
): FieldChange[] {
  // An object that appears or goes is shown by its members (null stands for the missing side).
  const a = before == null && isObj(after) ? {} : before;
  const b = after == null && isObj(before) ? {} : after;
  if (isObj(a) && isObj(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      diffJson(a[key], b[key], path ? `${path}.${key}` : key, out);
    }
    return out;
  }
  if (JSON.stringify(before ?? null) !== JSON.stringify(after ?? null)) {
    out.push({ path, old: before ?? null, new: after ?? null });
  }
  return out;
}

function comparable(full: FullIdentity) {
  const i = full.identity;
  return {
    schema_id: i.schemaId,
    state: i.state,
    external_id: i.externalId ?? null,
    traits: i.traits,
    metadata_public: i.metadataPublic ?? null,
    metadata_admin: i.metadataAdmin ?? null,
    verifiable_addresses: Object.fromEntries(full.verifiable.map((a) => [a.value, { verified: a.verified }])),
  };
}

const passwordOf = (full: FullIdentity) =>
  JSON.stringify(full.credentials.find((c) => c.type === "password")?.config ?? null);

/** The field-by-field changes between two versions of an identity. */
export function identityChanges(before: FullIdentity, after: FullIdentity): FieldChange[] {
  const changes = diffJson(comparable(before), comparable(after), "");
  if (passwordOf(before) !== passwordOf(after)) {
    changes.push({ path: "credentials.password", old: "(set)", new: "(replaced)" });
  }
  return changes;
}

/** Writes `identity.updated` with the diff, unless nothing changed. */
export async function auditIdentityChange(
  ctx: AppContext,
  c: Context,
  before: FullIdentity,
  after: FullIdentity,
): Promise<void> {
  let changes: FieldChange[];
  try {
    changes = identityChanges(before, after);
  } catch (err) {
    // The change is committed; a diff that cannot be made must not turn it into an error.
    ctx.log.error("identity change diff failed", { identity_id: after.identity.id, error: String(err) });
    changes = [{ path: "(unknown)", old: null, new: null }];
  }
  if (!changes.length) return;
  const who = adminActor(c);
  await audit(ctx, c, {
    event: "identity.updated",
    actor: who.actor,
    target: after.identity.id,
    metadata: {
      changes: changes.slice(0, MAX_CHANGES),
      ...(changes.length > MAX_CHANGES ? { more_changes: changes.length - MAX_CHANGES } : {}),
      ...who.metadata,
    },
  });
}
