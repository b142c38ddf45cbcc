import { like } from "drizzle-orm";
import type { AppContext } from "../app/context.ts";
import { olympusSettings } from "../db/security-schema.ts";

/*
 * Identity schemas added at run time (Olympus-only, /admin/olympus/identity-schemas). They are kept in
 * the settings store under keys the settings API refuses to write (`identity.schemas.<id>`, and
 * `identity.default_schema_id` for the default), so only the schemas API, which checks a schema
 * before accepting it, writes them. A stored schema never changes: a new version is a new id, and
 * identities keep the schema_id they have. Each replica reloads them with the vault overrides.
 */

export const SCHEMA_KEY_PREFIX = "identity.schemas.";
export const DEFAULT_SCHEMA_KEY = "identity.default_schema_id";
/** Keys under this prefix belong to the schemas API. */
export const RESERVED_SETTING_PREFIX = "identity.";

export interface StoredSchema {
  id: string;
  raw: Record<string, unknown>;
  createdAt: Date;
}

/** The stored schemas, oldest first, and the stored default (if any). */
export async function readStoredSchemas(
  ctx: AppContext,
): Promise<{ schemas: StoredSchema[]; defaultId: string | undefined }> {
  const rows = await ctx.db
    .select()
    .from(olympusSettings)
    .where(like(olympusSettings.key, `${RESERVED_SETTING_PREFIX}%`));
  const schemas: StoredSchema[] = [];
  let defaultId: string | undefined;
  for (const row of rows) {
    try {
      if (row.key === DEFAULT_SCHEMA_KEY) defaultId = JSON.parse(row.value) as string;
      else if (row.key.startsWith(SCHEMA_KEY_PREFIX)) {
        schemas.push({
          id: row.key.slice(SCHEMA_KEY_PREFIX.length),
          raw: JSON.parse(row.value) as Record<string, unknown>,
          createdAt: row.createdAt,
        });
      }
    } catch {
      ctx.log.warn("stored identity schema is not JSON; ignored", { key: row.key });
    }
  }
  schemas.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  return { schemas, defaultId: typeof defaultId === "string" ? defaultId : undefined };
}

/** Loads the stored schemas and default into the running core. */
export async function applyStoredSchemas(ctx: AppContext): Promise<StoredSchema[]> {
  const { schemas, defaultId } = await readStoredSchemas(ctx);
  ctx.schemas.applyStored(schemas, defaultId);
  return schemas;
}

/** Stores a checked schema under a new id; false when the id is taken (by a stored schema). */
export async function storeSchema(
  ctx: AppContext,
  id: string,
  raw: Record<string, unknown>,
): Promise<boolean> {
  const now = new Date();
  const inserted = await ctx.db
    .insert(olympusSettings)
    .values({
      key: `${SCHEMA_KEY_PREFIX}${id}`,
      value: JSON.stringify(raw),
      secret: false,
      category: "identity_schemas",
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning({ key: olympusSettings.key });
  return inserted.length > 0;
}

/** Stores the default schema id (a known schema; the caller checks). */
export async function storeDefaultSchema(ctx: AppContext, id: string): Promise<void> {
  const now = new Date();
  const value = JSON.stringify(id);
  await ctx.db
    .insert(olympusSettings)
    .values({
      key: DEFAULT_SCHEMA_KEY,
      value,
      secret: false,
      category: "identity_schemas",
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoUpdate({ target: olympusSettings.key, set: { value, updatedAt: now } });
}
