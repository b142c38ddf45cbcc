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
 * config/overrides.ts, one per core: `ctx.overrides`), and the code that reads these settings asks for
 * the values in force (`effectiveCaptcha`, `effectiveBruteForce`, `effectiveBreachedMode`).
 */

/** How a run-time setting is typed, for the admin API's typed form (GET /admin/olympus/runtime-settings). */
export type SettingType =
  | { type: "boolean" }
  | { type: "integer"; minimum: number; maximum: number; unit?: "seconds" }
  | { type: "string"; min_length: number; max_length: number; secret?: boolean }
  | { type: "enum"; options: string[] };

interface Field {
  spec: SettingType;
  /** What the setting does, for an administrator. */
  description: string;
  /** Validates a value stored in the vault; numbers also arrive as their decimal text from old forms. */
  schema: z.ZodType;
  /** The setting's value in a configuration, in the vault's unit (seconds for durations). */
  get: (c: Config) => unknown;
}

/** An integer in [min, max]: a JSON number, or its plain decimal text (never a boolean, never "1e3"). */
const integer = (min: number, max: number) =>
  z
    .union([
      z.number(),
      z
        .string()
        .regex(/^\d{1,15}$/, "expected an integer")
        .transform(Number),
    ])
    .pipe(z.number().int("expected an integer").min(min).max(max));

const text = (max: number) => z.string().trim().min(1).max(max);

const FIELDS: Record<OverridableKey, Field> = {
  "captcha.enabled": {
    spec: { type: "boolean" },
    description:
      "Requires a Cloudflare Turnstile answer on the captcha flows (login, registration, recovery). Fail-closed: needs the site key and the secret key.",
    schema: z.boolean(),
    get: (c) => c.captcha.enabled,
  },
  "captcha.site_key": {
    spec: { type: "string", min_length: 1, max_length: 256 },
    description: "The Turnstile site key, public: the login UI renders the widget with it.",
    schema: text(256),
    get: (c) => c.captcha.site_key,
  },
  "captcha.secret_key": {
    spec: { type: "string", min_length: 1, max_length: 256, secret: true },
    description: "The Turnstile secret key the core verifies answers with. Stored encrypted, never shown.",
    schema: text(256),
    get: (c) => c.captcha.secret_key,
  },
  "security.brute_force.max_attempts": {
    spec: { type: "integer", minimum: 1, maximum: 1000 },
    description: "Failed password logins for one identifier within the window before it is locked.",
    schema: integer(1, 1000),
    get: (c) => c.security.brute_force.max_attempts,
  },
  "security.brute_force.ip_max_attempts": {
    spec: { type: "integer", minimum: 1, maximum: 100_000 },
    description: "Failed logins from one client address within the window before the address is locked.",
    schema: integer(1, 100_000),
    get: (c) => c.security.brute_force.ip_max_attempts,
  },
  "security.brute_force.lockout_duration_seconds": {
    spec: { type: "integer", minimum: 1, maximum: 86_400 * 30, unit: "seconds" },
    description: "How long a locked identifier or address stays locked.",
    schema: integer(1, 86_400 * 30),
    get: (c) => c.security.brute_force.lockout_duration / 1000,
  },
  "security.brute_force.window_seconds": {
    spec: { type: "integer", minimum: 1, maximum: 86_400 * 30, unit: "seconds" },
    description: "The period over which failed logins are counted.",
    schema: integer(1, 86_400 * 30),
    get: (c) => c.security.brute_force.window / 1000,
  },
  "security.breached_password.mode": {
    spec: { type: "enum", options: ["block", "warn"] },
    description:
      "A password found in a breach: block refuses it; warn warns once, then accepts it. Unset follows the password method's haveibeenpwned_mode.",
    schema: z.enum(["block", "warn"]),
    get: (c) => c.security.breached_password.mode,
  },
};

export type OverridableKey = keyof OverrideValues;

export const OVERRIDABLE_KEYS = Object.keys(FIELDS) as OverridableKey[];

/** A configuration-shaped view of the settings in force: the file's values under the vault's. */
function inForce(ctx: Pick<AppContext, "config" | "overrides">): Config {
  const { config } = ctx;
  return {
    ...config,
    captcha: effectiveCaptcha(ctx),
    security: {
      ...config.security,
      brute_force: effectiveBruteForce(ctx),
      breached_password: { ...config.security.breached_password, mode: effectiveBreachedMode(ctx) },
    },
  };
}

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

/** The file's value of each setting (what deleting its vault value restores). */
function fileValue(ctx: Pick<AppContext, "config">, key: OverridableKey): unknown {
  return FIELDS[key].get(ctx.config);
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

/** True when `key` is a run-time setting the core applies (its vault value is typed and validated). */
export function isRuntimeSetting(key: string): boolean {
  return Object.hasOwn(FIELDS, key);
}

/**
 * Validates a value for a run-time setting before it is stored: the normalised value, or the reason
 * it is refused (a message naming the key, its type and range). Other keys are free-form vault values.
 */
export function checkRuntimeValue(
  key: string,
  value: unknown,
): { ok: true; value: unknown } | { ok: false; message: string } {
  if (!isRuntimeSetting(key)) return { ok: true, value };
  const field = FIELDS[key as OverridableKey];
  const parsed = field.schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const s = field.spec;
  const expected =
    s.type === "boolean"
      ? "true or false"
      : s.type === "integer"
        ? `an integer from ${s.minimum} to ${s.maximum}${s.unit ? ` (${s.unit})` : ""}`
        : s.type === "enum"
          ? `one of ${s.options.join(", ")}`
          : `a text of ${s.min_length} to ${s.max_length} characters`;
  return { ok: false, message: `${key} must be ${expected}.` };
}

/** True when a run-time setting must be stored encrypted (its vault row is forced secret). */
export function isSecretRuntimeSetting(key: string): boolean {
  const s = isRuntimeSetting(key) ? FIELDS[key as OverridableKey].spec : undefined;
  return s?.type === "string" && s.secret === true;
}

export interface RuntimeSetting {
  key: string;
  description: string;
  schema: SettingType;
  /** The configuration file's value (what deleting the vault value restores); secrets are masked. */
  default: unknown;
  /** The value in effect now; secrets are masked. */
  value: unknown;
  /** True when the vault holds a value for this key. */
  overridden: boolean;
}

/** Every run-time setting with its type, range, default, current value and explanation. */
export async function listRuntimeSettings(ctx: AppContext): Promise<RuntimeSetting[]> {
  await applyVaultOverrides(ctx);
  const now = inForce(ctx);
  const rows = await ctx.db
    .select({ key: olympusSettings.key })
    .from(olympusSettings)
    .where(inArray(olympusSettings.key, OVERRIDABLE_KEYS));
  const stored = new Set(rows.map((r) => r.key));
  const mask = (key: string, v: unknown) =>
    isSecretRuntimeSetting(key) && v !== undefined && v !== null && v !== "" ? "********" : (v ?? null);
  return OVERRIDABLE_KEYS.map((key) => ({
    key,
    description: FIELDS[key].description,
    schema: FIELDS[key].spec,
    default: mask(key, fileValue(ctx, key)),
    value: mask(key, FIELDS[key].get(now)),
    overridden: stored.has(key),
  }));
}

/**
 * The captcha is fail-closed: refuses a change (values to set, `null` for a deletion) that would leave
 * captcha.enabled on without both keys, from the change, the vault or the configuration file.
 * Answers the reason, or undefined when the change is fine.
 */
export async function checkRuntimeChange(
  ctx: AppContext,
  changes: Map<string, unknown>,
): Promise<string | undefined> {
  const keys: OverridableKey[] = ["captcha.enabled", "captcha.site_key", "captcha.secret_key"];
  if (!keys.some((k) => changes.has(k))) return undefined;
  await applyVaultOverrides(ctx);
  const rows = await ctx.db.select().from(olympusSettings).where(inArray(olympusSettings.key, keys));
  const effective: Record<string, unknown> = {};
  for (const key of keys) effective[key] = fileValue(ctx, key);
  for (const row of rows) {
    try {
      const parsed = FIELDS[row.key as OverridableKey].schema.safeParse(openValue(ctx, row));
      if (parsed.success) effective[row.key] = parsed.data;
    } catch {
      // An undecryptable value is ignored by the running core too.
    }
  }
  for (const [key, value] of changes) {
    if ((keys as string[]).includes(key)) {
      effective[key] = value === null ? fileValue(ctx, key as OverridableKey) : value;
    }
  }
  if (
    effective["captcha.enabled"] === true &&
    !(effective["captcha.site_key"] && effective["captcha.secret_key"])
  ) {
    return "captcha.enabled needs captcha.site_key and captcha.secret_key (set them first, or in the same request).";
  }
  return undefined;
}
