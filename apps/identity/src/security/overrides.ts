import { inArray } from "drizzle-orm";
import { z } from "zod";
import type { AppContext } from "../app/context.ts";
import type { Config } from "../config/index.ts";
import { type OverrideValues, SettingsOverrides } from "../config/overrides.ts";

export { SettingsOverrides };
import { olympusSettings } from "../db/security-schema.ts";
import { openValue } from "./vault.ts";

/*
 * A few security settings can be changed at run time from the settings vault (so the admin UI's
 * captcha and lockout settings take effect without a restart). The vault value, when present and
 * valid, overrides the configuration file; deleting it restores the file's value. Each replica reloads
 * them every `security.janitor_interval`/60 (at least every 10 s) and right after its own vault writes.
 *
 * The configuration is never written: the overrides are their own typed store (`SettingsOverrides`,
 * one per core, `ctx.overrides`), and the code that reads these settings asks for the effective
 * values (`effectiveCaptcha`, `effectiveBruteForce`, `effectiveBreachedMode`).
 */

interface Field {
  schema: z.ZodType;
}

export type OverridableKey = keyof OverrideValues;

const seconds = (max: number) => z.coerce.number().int().min(1).max(max);

const FIELDS: Record<OverridableKey, Field> = {
  "captcha.enabled": { schema: z.boolean() },
  "captcha.site_key": { schema: z.string().min(1) },
  "captcha.secret_key": { schema: z.string().min(1) },
  "security.brute_force.max_attempts": { schema: z.coerce.number().int().min(1).max(1000) },
  "security.brute_force.ip_max_attempts": { schema: z.coerce.number().int().min(1).max(100_000) },
  "security.brute_force.lockout_duration_seconds": { schema: seconds(86_400 * 30) },
  "security.brute_force.window_seconds": { schema: seconds(86_400 * 30) },
  "security.breached_password.mode": { schema: z.enum(["block", "warn"]) },
};

export const OVERRIDABLE_KEYS = Object.keys(FIELDS) as OverridableKey[];

/** `captcha.*` as in force: the file's values under the vault's overrides. */
export function effectiveCaptcha(ctx: Pick<AppContext, "config" | "overrides">): Config["captcha"] {
  return ctx.overrides.captcha(ctx.config);
}

/** `security.brute_force.*` as in force. */
export function effectiveBruteForce(
  ctx: Pick<AppContext, "config" | "overrides">,
): Config["security"]["brute_force"] {
  return ctx.overrides.bruteForce(ctx.config);
}

/** `security.breached_password.mode` as in force. */
export function effectiveBreachedMode(
  ctx: Pick<AppContext, "config" | "overrides">,
): "block" | "warn" | undefined {
  return ctx.overrides.breachedMode(ctx.config);
}

/** Reads the overridable keys from the vault and puts the valid ones in force (`ctx.overrides`). */
export async function applyVaultOverrides(ctx: AppContext): Promise<void> {
  const rows = await ctx.db
    .select()
    .from(olympusSettings)
    .where(inArray(olympusSettings.key, OVERRIDABLE_KEYS));
  const values: Record<string, unknown> = {};
  for (const row of rows) {
    let value: unknown;
    try {
      value = openValue(ctx, row);
    } catch {
      ctx.log.warn("vault override cannot be decrypted; ignored", { key: row.key });
      continue;
    }
    const parsed = FIELDS[row.key as OverridableKey]!.schema.safeParse(value);
    if (parsed.success) values[row.key] = parsed.data;
    else ctx.log.warn("vault override has an invalid value; ignored", { key: row.key });
  }
  const next = values as OverrideValues;
  const trial = new SettingsOverrides();
  trial.replace(next);
  const c = trial.captcha(ctx.config);
  if (c.enabled && !(c.site_key && c.secret_key)) {
    // A fail-closed captcha without keys would refuse every sign-in: keep the file's setting instead.
    ctx.log.warn("captcha.enabled from the vault needs captcha.site_key and captcha.secret_key; ignored");
    delete next["captcha.enabled"];
  }
  ctx.overrides.replace(next);
}
