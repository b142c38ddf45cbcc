import type { Context, Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app/context.ts";
import { badRequest, notFound, type OryError } from "../../errors/index.ts";
import { readBody } from "../../http/request.ts";
import { audit } from "../../audit/audit.ts";
import {
  applyVaultOverrides,
  checkRuntimeChange,
  checkRuntimeValue,
  isRuntimeSetting,
  isSecretRuntimeSetting,
  listRuntimeSettings,
} from "../../security/overrides.ts";
import {
  deleteSetting,
  getSetting,
  listSettings,
  putSettings,
  type SettingInput,
  settingInput,
  settingKey,
  settingToWire,
} from "../../security/vault.ts";
import { adminActor } from "../../audit/admin-audit.ts";
import { RESERVED_SETTING_PREFIX } from "../../identity/stored-schemas.ts";

/*
 * The settings vault (Olympus-only):
 *   GET    /admin/olympus/settings[?category=]        all settings, secrets masked
 *   PUT    /admin/olympus/settings                    batch `{settings:[{key, value, secret?, category?}]}`, atomic
 *   GET    /admin/olympus/settings/{key}[?decrypt=true]
 *   PUT    /admin/olympus/settings/{key}              `{value, secret?, category?}`
 *   DELETE /admin/olympus/settings/{key}              204
 *   GET    /admin/olympus/runtime-settings            the run-time settings: type, range, default, value, explanation
 * Secret values are encrypted at rest with secrets.cipher and only returned in clear with decrypt=true.
 * A run-time setting's value (security/overrides.ts) is validated against its type and range before it
 * is stored (400 naming the key otherwise); captcha.secret_key is always stored secret.
 */

const batchBody = z.object({
  settings: z
    .array(settingInput.extend({ key: settingKey }))
    .min(1)
    .max(100)
    .refine((items) => new Set(items.map((i) => i.key)).size === items.length, "keys must be unique"),
});

function invalid(error: z.ZodError): OryError {
  return badRequest(error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
}

function keyParam(c: Context): string {
  const parsed = settingKey.safeParse(c.req.param("key"));
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data;
}

/** Identity schemas live under `identity.`: only /admin/olympus/identity-schemas, which checks them, writes there. */
function refuseReserved(key: string): void {
  if (key.startsWith(RESERVED_SETTING_PREFIX)) {
    throw badRequest(
      `Keys under "${RESERVED_SETTING_PREFIX}" are managed by /admin/olympus/identity-schemas.`,
    );
  }
}

async function write(ctx: AppContext, items: Parameters<typeof putSettings>[1]) {
  for (const item of items) refuseReserved(item.key);
  const changes = new Map<string, unknown>();
  for (const item of items) {
    if (!isRuntimeSetting(item.key)) continue;
    const checked = checkRuntimeValue(item.key, item.input.value);
    if (!checked.ok) throw badRequest(checked.message);
    item.input = {
      ...item.input,
      value: checked.value as SettingInput["value"],
      ...(isSecretRuntimeSetting(item.key) ? { secret: true } : {}),
    };
    changes.set(item.key, checked.value);
  }
  const refused = await checkRuntimeChange(ctx, changes);
  if (refused) throw badRequest(refused);
  try {
    const rows = await putSettings(ctx, items);
    // Captcha and lockout settings in the vault take effect at once here (other replicas within 10 s).
    await applyVaultOverrides(ctx);
    return rows;
  } catch (e) {
    if (e instanceof RangeError) throw badRequest("A value exceeds 64 KiB once encoded as JSON.");
    throw e;
  }
}

export function registerAdminSettingsRoutes(admin: Hono, ctx: AppContext): void {
  admin.get("/olympus/runtime-settings", async (c) => c.json(await listRuntimeSettings(ctx)));

  admin.get("/olympus/settings", async (c) => {
    const category = c.req.query("category") || undefined;
    const rows = await listSettings(ctx.db, category);
    return c.json(rows.map((r) => settingToWire(ctx, r)));
  });

  admin.put("/olympus/settings", async (c) => {
    const parsed = batchBody.safeParse(await readBody(c));
    if (!parsed.success) throw invalid(parsed.error);
    const rows = await write(
      ctx,
      parsed.data.settings.map(({ key, ...input }) => ({ key, input })),
    );
    const who = adminActor(c);
    await audit(ctx, c, {
      event: "admin.settings.update",
      actor: who.actor,
      target: rows.map((r) => r.key).join(","),
      metadata: { ...who.metadata, keys: rows.map((r) => r.key) },
    });
    return c.json(rows.map((r) => settingToWire(ctx, r)));
  });

  admin.get("/olympus/settings/:key", async (c) => {
    const row = await getSetting(ctx.db, keyParam(c));
    if (!row) throw notFound("No setting with this key.");
    const reveal = c.req.query("decrypt") === "true";
    if (reveal && row.secret) {
      const who = adminActor(c);
      await audit(ctx, c, {
        event: "admin.settings.decrypt",
        actor: who.actor,
        target: row.key,
        metadata: who.metadata,
      });
    }
    return c.json(settingToWire(ctx, row, reveal));
  });

  admin.put("/olympus/settings/:key", async (c) => {
    const key = keyParam(c);
    const parsed = settingInput.safeParse(await readBody(c));
    if (!parsed.success) throw invalid(parsed.error);
    const [row] = await write(ctx, [{ key, input: parsed.data }]);
    const who = adminActor(c);
    await audit(ctx, c, {
      event: "admin.settings.update",
      actor: who.actor,
      target: key,
      metadata: { ...who.metadata, secret: row!.secret, category: row!.category },
    });
    return c.json(settingToWire(ctx, row!));
  });

  admin.delete("/olympus/settings/:key", async (c) => {
    const key = keyParam(c);
    refuseReserved(key);
    const refused = await checkRuntimeChange(ctx, new Map([[key, null]]));
    if (refused) throw badRequest(refused);
    if (!(await deleteSetting(ctx.db, key))) throw notFound("No setting with this key.");
    await applyVaultOverrides(ctx);
    const who = adminActor(c);
    await audit(ctx, c, {
      event: "admin.settings.delete",
      actor: who.actor,
      target: key,
      metadata: who.metadata,
    });
    return c.body(null, 204);
  });
}
