import type { Hono } from "hono";
import type { AppContext } from "../app/context.ts";
import { registerAdminIdentityRoutes } from "./identities/routes.ts";
import { registerAdminStatsRoutes } from "./identities/stats.ts";
import { registerAdminOidcRoutes } from "./oidc/providers.ts";
import { registerPasswordPolicyRoutes } from "./password-policy.ts";
import { registerSelfServiceRoutes } from "./self-service.ts";
import { registerAdminSessionRoutes } from "./sessions/routes.ts";

/** The Kratos IdentityApi on the admin port (identities, sessions) and the Olympus dashboard stats. */
export function registerAdminIdentityApi(admin: Hono, ctx: AppContext): void {
  registerAdminIdentityRoutes(admin, ctx);
  registerAdminSessionRoutes(admin, ctx);
  registerAdminStatsRoutes(admin, ctx);
  registerPasswordPolicyRoutes(admin, ctx);
  registerSelfServiceRoutes(admin, ctx);
  registerAdminOidcRoutes(admin, ctx);
}
