import { Hono } from "hono";
import type { AppContext } from "../app/context.ts";
import { applyCommon } from "../app/http.ts";
import { registerMetaRoutes } from "../meta/routes.ts";
import { observeRequests, registerMetricsRoute } from "../metrics/metrics.ts";
import { registerAdminSecurity } from "../security/register.ts";
import { registerAdminCourierRoutes } from "./courier/routes.ts";
import { registerAdminIdentityApi } from "./index.ts";
import { registerAdminRecoveryRoutes } from "./recovery/routes.ts";

/** The Kratos admin API (x101): identities, sessions, recovery, courier, security settings, metrics. */
export function createAdminApp(ctx: AppContext): Hono {
  const app = new Hono();
  app.use("*", observeRequests(ctx));
  // Admin bodies can be large (batch imports of up to 2000 identities); the admin port is never public.
  applyCommon(app, ctx, Math.max(ctx.config.serve.request_body_limit, 16 * 1024 * 1024));
  registerMetaRoutes(app, ctx);
  registerMetricsRoute(app, ctx);
  // Admin routes are served under /admin and, as Ory does, without the prefix too.
  const admin = new Hono();
  registerAdminSecurity(admin, ctx);
  registerAdminRecoveryRoutes(admin, ctx);
  registerAdminCourierRoutes(admin, ctx);
  registerAdminIdentityApi(admin, ctx);
  app.route("/admin", admin);
  app.route("/", admin);
  return app;
}
