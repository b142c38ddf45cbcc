import { inArray } from "drizzle-orm";
import { z } from "zod";
import type { AppContext } from "../app/context.ts";
import type { Config } from "../config/index.ts";
import { olympusSettings } from "../db/security-schema.ts";
import { openValue } from "./vault.ts";

/*
 * A few security settings can be changed at run time from the settings vault (so the admin UI's
 * captcha and lockout settings take effect without a restart). The vault value, when present and
 * valid, overrides the configuration file; deleting it restores the file's value. Each replica reloads
 * them every `security.janitor_interval`/60 (at least every 10 s) and right after its own vault writes.
 */

interface Field {
  schema: z.ZodType;
  get: (c: Config) => unknown;
  set: (c: Config, v: unknown) => void;
}

const seconds = (max: number) => z.coerce.number().int().min(1).max(max);

const FIELDS: Record<string, Field> = {
  "captcha.enabled": {
    schema: z.boolean(),
    get: (c) => c.captcha.enabled,
    set: (c, v) => (c.captcha.enabled = v as boolean),
  },
  "captcha.site_key": {
    schema: z.string().min(1),
    get: (c) => c.captcha.site_key,
    set: (c, v) => (c.captcha.site_key = v as string),
  },
  "captcha.secret_key": {
    schema: z.string().min(1),
    get: (c) => c.captcha.secret_key,
    set: (c, v) => (c.captcha.secret_key = v as string),
  },
  "security.brute_force.max_attempts": {
    schema: z.coerce.number().int().min(1).max(1000),
    get: (c) => c.security.brute_force.max_attempts,
    set: (c, v) => (c.security.brute_force.max_attempts = v as number),
  },
  "security.brute_force.ip_max_attempts": {
    schema: z.coerce.number().int().min(1).max(100_000),
    get: (c) => c.security.brute_force.ip_max_attempts,
    set: (c, v) => (c.security.brute_force.ip_max_attempts = v as number),
  },
  "security.brute_force.lockout_duration_seconds": {
    schema: seconds(86_400 * 30),
    get: (c) => c.security.brute_force.lockout_duration / 1000,
    set: (c, v) => (c.security.brute_force.lockout_duration = (v as number) * 1000),
  },
  "security.brute_force.window_seconds": {
    schema: seconds(86_400 * 30),
    get: (c) => c.security.brute_force.window / 1000,
    set: (c, v) => (c.security.brute_force.window = (v as number) * 1000),
  },
  "security.breached_password.mode": {
    schema: z.enum(["block", "warn"]),
    get: (c) => c.security.breached_password.mode,
    set: (c, v) => (c.security.breached_password.mode = v as "block" | "warn" | undefined),
  },
};

export const OVERRIDABLE_KEYS = Object.keys(FIELDS);

interface State {
  /** The configuration file's values. */
  base: Record<string, unknown>;
  /** What the last pass wrote: a field is only written again when its vault value changes. */
  applied: Record<string, unknown>;
}

const states = new WeakMap<object, State>();

/** Reads the overridable keys from the vault and applies changes to the running configuration. */
export async function applyVaultOverrides(ctx: AppContext): Promise<void> {
  let state = states.get(ctx.config);
  if (!state) {
    const base = Object.fromEntries(OVERRIDABLE_KEYS.map((k) => [k, FIELDS[k]!.get(ctx.config)]));
    state = { base, applied: { ...base } };
    states.set(ctx.config, state);
  }
  const rows = await ctx.db
    .select()
    .from(olympusSettings)
    .where(inArray(olympusSettings.key, OVERRIDABLE_KEYS));
  const desired: Record<string, unknown> = { ...state.base };
  for (const row of rows) {
    let value: unknown;
    try {
      value = openValue(ctx, row);
    } catch {
      ctx.log.warn("vault override cannot be decrypted; ignored", { key: row.key });
      continue;
    }
    const parsed = FIELDS[row.key]!.schema.safeParse(value);
    if (parsed.success) desired[row.key] = parsed.data;
    else ctx.log.warn("vault override has an invalid value; ignored", { key: row.key });
  }
  if (desired["captcha.enabled"] && !(desired["captcha.site_key"] && desired["captcha.secret_key"])) {
    // A fail-closed captcha without keys would refuse every sign-in: keep the file's setting instead.
    ctx.log.warn("captcha.enabled from the vault needs captcha.site_key and captcha.secret_key; ignored");
    desired["captcha.enabled"] = state.base["captcha.enabled"];
  }
  for (const key of OVERRIDABLE_KEYS) {
    if (desired[key] === state.applied[key]) continue;
    FIELDS[key]!.set(ctx.config, desired[key]);
    state.applied[key] = desired[key];
  }
}
