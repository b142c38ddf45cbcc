import type { Hono } from "hono";
import { registerAdminSecurityRoutes } from "../admin/security/routes.ts";
import { registerAdminSchemaRoutes } from "../admin/schemas/routes.ts";
import { registerAdminSettingsRoutes } from "../admin/settings/routes.ts";
import { applyStoredSchemas } from "../identity/stored-schemas.ts";
import type { AppContext } from "../app/context.ts";
import { purgeAudit } from "../audit/audit.ts";
import { purgeThrottles } from "./lockout.ts";
import { applyVaultOverrides } from "./overrides.ts";
import { rateLimit } from "./ratelimit.ts";

/** Public app: per-address rate limits on flow submissions (register before the flow routes). */
export function registerSecurity(app: Hono, ctx: AppContext): void {
  app.use("*", rateLimit(ctx));
}

/** Admin app: the audit middleware for every admin write (register first), lockouts, audit log, vault. */
export function registerAdminSecurity(admin: Hono, ctx: AppContext): void {
  registerAdminSecurityRoutes(admin, ctx);
  registerAdminSettingsRoutes(admin, ctx);
  registerAdminSchemaRoutes(admin, ctx);
}

/** One janitor pass: expired lockout counters and audit rows past retention. */
export async function securityJanitor(ctx: AppContext): Promise<{ throttles: number; audit: number }> {
  const [throttles, audit] = await Promise.all([purgeThrottles(ctx), purgeAudit(ctx)]);
  if (throttles || audit) ctx.log.info("security janitor", { throttles, audit_rows: audit });
  return { throttles, audit };
}

const OVERRIDES_RELOAD_MS = 10_000;

/**
 * Start hook (app/server.ts): applies the vault's overrides (then reloads them every 10 s, so a change
 * made through another replica arrives) and runs the janitor every security.janitor_interval.
 */
export async function securityStartHook(ctx: AppContext): Promise<{ stop(): Promise<void> }> {
  const reload = () =>
    Promise.all([
      applyVaultOverrides(ctx).catch((e: unknown) =>
        ctx.log.warn("vault overrides not reloaded", { error: String(e) }),
      ),
      applyStoredSchemas(ctx).catch((e: unknown) =>
        ctx.log.warn("stored identity schemas not reloaded", { error: String(e) }),
      ),
    ]);
  await reload();
  const reloader = setInterval(reload, OVERRIDES_RELOAD_MS);
  reloader.unref();
  let running: Promise<unknown> | undefined;
  const tick = () => {
    running ??= securityJanitor(ctx)
      .catch((e: unknown) => ctx.log.warn("security janitor failed", { error: String(e) }))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, ctx.config.security.janitor_interval);
  timer.unref();
  // A first pass shortly after start, not during it.
  const first = setTimeout(tick, Math.min(60_000, ctx.config.security.janitor_interval));
  first.unref();
  return {
    async stop() {
      clearInterval(reloader);
      clearInterval(timer);
      clearTimeout(first);
      await running;
    },
  };
}
