import type { Hono } from "hono";
import type { AppContext } from "../app/context.ts";

/** Which self-service flows this domain offers, in the configuration's own shape (keys of selfservice.flows). */
export interface SelfServiceFeatures {
  registration: { enabled: boolean };
  verification: { enabled: boolean };
  recovery: { enabled: boolean };
  settings: { delete_account: { enabled: boolean } };
}

export function selfServiceFeatures(ctx: AppContext): SelfServiceFeatures {
  const f = ctx.config.selfservice.flows;
  return {
    registration: { enabled: f.registration.enabled },
    verification: { enabled: f.verification.enabled },
    recovery: { enabled: f.recovery.enabled },
    settings: { delete_account: { enabled: f.settings.delete_account.enabled } },
  };
}

/**
 * Olympus-only: the core is the authority on which self-service flows a domain offers, so Hera shows
 * only what the core will do (no "Delete my account" where the domain does not allow it) instead of
 * keeping its own copy of the configuration.
 */
export function registerSelfServiceRoutes(admin: Hono, ctx: AppContext): void {
  admin.get("/olympus/self-service", (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(selfServiceFeatures(ctx));
  });
}
