import { asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { AppContext } from "../app/context.ts";
import type { DbOrTx } from "../db/client.ts";
import { olympusSettings } from "../db/security-schema.ts";
import { decrypt, encrypt } from "./crypto.ts";

/*
 * The settings vault: per-domain key/value settings for the admin UI. Values are JSON; a value marked
 * secret is stored as AES-256-GCM ciphertext bound to its key (security/crypto.ts) and is only ever
 * shown masked unless an admin explicitly asks to decrypt it.
 */

export type SettingRow = typeof olympusSettings.$inferSelect;

export const settingKey = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,127}$/, "keys are 1-128 characters of a-z, 0-9, '.', '_' and '-'");

const MAX_VALUE_BYTES = 64 * 1024;

export const settingInput = z.object({
  value: z.json().refine((v) => v !== undefined, "value is required"),
  secret: z.boolean().optional(),
  category: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, "categories are 1-64 characters of a-z, 0-9, '.', '_' and '-'")
    .optional(),
});
export type SettingInput = z.infer<typeof settingInput>;

export const MASK = "********";

/** The stored form of a value: JSON text, encrypted when secret. */
function seal(ctx: AppContext, key: string, value: unknown, secret: boolean): string {
  const json = JSON.stringify(value);
  if (Buffer.byteLength(json) > MAX_VALUE_BYTES) throw new RangeError("value too large");
  return secret ? encrypt(ctx, "settings", json, key) : json;
}

/** The value of a row, decrypted when secret. */
export function openValue(ctx: AppContext, row: SettingRow): unknown {
  return JSON.parse(row.secret ? decrypt(ctx, "settings", row.value, row.key) : row.value);
}

export function settingToWire(ctx: AppContext, row: SettingRow, reveal = false): Record<string, unknown> {
  return {
    key: row.key,
    value: row.secret && !reveal ? MASK : openValue(ctx, row),
    secret: row.secret,
    category: row.category,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export async function listSettings(db: DbOrTx, category?: string): Promise<SettingRow[]> {
  return db
    .select()
    .from(olympusSettings)
    .where(category ? eq(olympusSettings.category, category) : undefined)
    .orderBy(asc(olympusSettings.key));
}

export async function getSetting(db: DbOrTx, key: string): Promise<SettingRow | undefined> {
  const [row] = await db.select().from(olympusSettings).where(eq(olympusSettings.key, key)).limit(1);
  return row;
}

/**
 * Writes settings, all or none (one transaction). An existing key keeps its secrecy and category unless
 * the input says otherwise, so re-saving a secret from a form never stores it in clear by accident.
 */
export async function putSettings(
  ctx: AppContext,
  items: { key: string; input: SettingInput }[],
): Promise<SettingRow[]> {
  return ctx.db.transaction(async (tx) => {
    const keys = items.map((i) => i.key);
    const existing = new Map(
      (await tx.select().from(olympusSettings).where(inArray(olympusSettings.key, keys))).map((r) => [
        r.key,
        r,
      ]),
    );
    const out: SettingRow[] = [];
    const now = new Date();
    for (const { key, input } of items) {
      const prev = existing.get(key);
      const secret = input.secret ?? prev?.secret ?? false;
      const category = input.category ?? prev?.category ?? "general";
      const value = seal(ctx, key, input.value, secret);
      const [row] = await tx
        .insert(olympusSettings)
        .values({ key, value, secret, category, createdAt: now, updatedAt: now })
        .onConflictDoUpdate({ target: olympusSettings.key, set: { value, secret, category, updatedAt: now } })
        .returning();
      out.push(row!);
    }
    return out;
  });
}

export async function deleteSetting(db: DbOrTx, key: string): Promise<boolean> {
  const gone = await db
    .delete(olympusSettings)
    .where(eq(olympusSettings.key, key))
    .returning({ key: olympusSettings.key });
  return gone.length > 0;
}
