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
  get: (c: Config) => unknown;
  set: (c: Config, v: unknown) => void;
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

const FIELDS: Record<string, Field> = {
  "captcha.enabled": {
    spec: { type: "boolean" },
    description:
      "Requires a Cloudflare Turnstile answer on the captcha flows (login, registration, recovery). Fail-closed: needs the site key and the secret key.",
    schema: z.boolean(),
    get: (c) => c.captcha.enabled,
    set: (c, v) => (c.captcha.enabled = v as boolean),
  },
  "captcha.site_key": {
    spec: { type: "string", min_length: 1, max_length: 256 },
    description: "The Turnstile site key, public: the login UI renders the widget with it.",
    schema: text(256),
    get: (c) => c.captcha.site_key,
    set: (c, v) => (c.captcha.site_key = v as string),
  },
  "captcha.secret_key": {
    spec: { type: "string", min_length: 1, max_length: 256, secret: true },
    description: "The Turnstile secret key the core verifies answers with. Stored encrypted, never shown.",
    schema: text(256),
    get: (c) => c.captcha.secret_key,
    set: (c, v) => (c.captcha.secret_key = v as string),
  },
  "security.brute_force.max_attempts": {
    spec: { type: "integer", minimum: 1, maximum: 1000 },
    description: "Failed password logins for one identifier within the window before it is locked.",
    schema: integer(1, 1000),
    get: (c) => c.security.brute_force.max_attempts,
    set: (c, v) => (c.security.brute_force.max_attempts = v as number),
  },
  "security.brute_force.ip_max_attempts": {
    spec: { type: "integer", minimum: 1, maximum: 100_000 },
    description: "Failed logins from one client address within the window before the address is locked.",
    schema: integer(1, 100_000),
    get: (c) => c.security.brute_force.ip_max_attempts,
    set: (c, v) => (c.security.brute_force.ip_max_attempts = v as number),
  },
  "security.brute_force.lockout_duration_seconds": {
    spec: { type: "integer", minimum: 1, maximum: 86_400 * 30, unit: "seconds" },
    description: "How long a locked identifier or address stays locked.",
    schema: integer(1, 86_400 * 30),
    get: (c) => c.security.brute_force.lockout_duration / 1000,
    set: (c, v) => (c.security.brute_force.lockout_duration = (v as number) * 1000),
  },
  "security.brute_force.window_seconds": {
    spec: { type: "integer", minimum: 1, maximum: 86_400 * 30, unit: "seconds" },
    description: "The period over which failed logins are counted.",
    schema: integer(1, 86_400 * 30),
    get: (c) => c.security.brute_force.window / 1000,
    set: (c, v) => (c.security.brute_force.window = (v as number) * 1000),
  },
  "security.breached_password.mode": {
    spec: { type: "enum", options: ["block", "warn"] },
    description:
      "A password found in a breach: block refuses it; warn warns once, then accepts it. Unset follows the password method's haveibeenpwned_mode.",
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
  const field = FIELDS[key];
  if (!field) return { ok: true, value };
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
  const s = FIELDS[key]?.spec;
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
  const state = states.get(ctx.config)!;
  const rows = await ctx.db
    .select({ key: olympusSettings.key })
    .from(olympusSettings)
    .where(inArray(olympusSettings.key, OVERRIDABLE_KEYS));
  const stored = new Set(rows.map((r) => r.key));
  const mask = (key: string, v: unknown) =>
    isSecretRuntimeSetting(key) && v !== undefined && v !== null && v !== "" ? "********" : (v ?? null);
  return OVERRIDABLE_KEYS.map((key) => ({
    key,
    description: FIELDS[key]!.description,
    schema: FIELDS[key]!.spec,
    default: mask(key, state.base[key]),
    value: mask(key, FIELDS[key]!.get(ctx.config)),
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
  const keys = ["captcha.enabled", "captcha.site_key", "captcha.secret_key"];
  if (!keys.some((k) => changes.has(k))) return undefined;
  await applyVaultOverrides(ctx);
  const state = states.get(ctx.config)!;
  const rows = await ctx.db.select().from(olympusSettings).where(inArray(olympusSettings.key, keys));
  const effective: Record<string, unknown> = {};
  for (const key of keys) effective[key] = state.base[key];
  for (const row of rows) {
    try {
      const parsed = FIELDS[row.key]!.schema.safeParse(openValue(ctx, row));
      if (parsed.success) effective[row.key] = parsed.data;
    } catch {
      // An undecryptable value is ignored by the running core too.
    }
  }
  for (const [key, value] of changes) {
    if (keys.includes(key)) effective[key] = value === null ? state.base[key] : value;
  }
  if (
    effective["captcha.enabled"] === true &&
    !(effective["captcha.site_key"] && effective["captcha.secret_key"])
  ) {
    return "captcha.enabled needs captcha.site_key and captcha.secret_key (set them first, or in the same request).";
  }
  return undefined;
}
