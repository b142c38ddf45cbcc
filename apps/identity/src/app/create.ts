import { Hono } from "hono";
import type { Config } from "../config/index.ts";
import { openDatabase, type Database } from "../db/client.ts";
import { Hasher } from "../hash/hasher.ts";
import { type Hydra, noHydra } from "../hydra/hydra.ts";
import { IdentitySchemas } from "../identity/schemas.ts";
import { registerAdminIdentityApi } from "../admin/index.ts";
import { registerAdminCourierRoutes } from "../admin/courier/routes.ts";
import { registerAdminRecoveryRoutes } from "../admin/recovery/routes.ts";
import { registerMetaRoutes } from "../meta/routes.ts";
import { observeRequests, registerMetricsRoute } from "../metrics/metrics.ts";
import { registerAdminSecurity, registerSecurity } from "../security/register.ts";
import { registerSelfServiceErrors } from "../selfservice/errors/forward.ts";
import { registerLoginRoutes } from "../selfservice/login/routes.ts";
import { registerOidcRoutes } from "../selfservice/oidc/routes.ts";
import { registerLogoutRoutes } from "../selfservice/logout/routes.ts";
import { registerRecoveryRoutes } from "../selfservice/recovery/routes.ts";
import { registerRegistrationRoutes } from "../selfservice/registration/routes.ts";
import { registerSettingsRoutes } from "../selfservice/settings/routes.ts";
import { registerVerificationRoutes } from "../selfservice/verification/routes.ts";
import { registerWebAuthnScriptRoute } from "../selfservice/webauthn/script.ts";
import { registerSessionRoutes } from "../session/routes.ts";
import type { AppContext } from "./context.ts";
import { applyCommon, applyCors } from "./http.ts";
import { createLogger, type Logger } from "./logger.ts";
import { deriveRuntime } from "./runtime.ts";

export interface CoreApps {
  ctx: AppContext;
  publicApp: Hono;
  adminApp: Hono;
}

export interface CreateOptions {
  /** Apply migrations before serving (the default for `serve`; tests always do). */
  migrate?: boolean;
  database?: Database;
  log?: Logger;
  /** The Kratos↔Hydra bridge; by default the core's own OAuth2 provider (tests may pass a FakeHydra). */
  hydra?: Hydra;
}

/** Builds the context and the Hono apps of one identity core, without listening. */
export async function createCore(config: Config, opts: CreateOptions = {}): Promise<CoreApps> {
  const log = opts.log ?? createLogger(config.log.level, { domain: config.domain });
  const database = opts.database ?? (await openDatabase(config.dsn, { log }));
  if (opts.migrate ?? true) await database.migrate();
  const ctx: AppContext = {
    config,
    rt: deriveRuntime(config),
    database,
    db: database.db,
    schemas: await IdentitySchemas.load(config),
    hasher: new Hasher(config.hashers),
    log,
    hydra: opts.hydra ?? noHydra,
    notifyCourier: () => {},
  };

  const publicApp = new Hono();
  publicApp.use("*", observeRequests(ctx));
  applyCors(publicApp, ctx);
  applyCommon(publicApp, ctx);
  registerSecurity(publicApp, ctx);
  registerSelfServiceErrors(publicApp, ctx);
  registerMetaRoutes(publicApp, ctx);
  registerLoginRoutes(publicApp, ctx);
  registerOidcRoutes(publicApp, ctx);
  registerRegistrationRoutes(publicApp, ctx);
  registerLogoutRoutes(publicApp, ctx);
  registerSettingsRoutes(publicApp, ctx);
  registerRecoveryRoutes(publicApp, ctx);
  registerVerificationRoutes(publicApp, ctx);
  registerSessionRoutes(publicApp, ctx);
  registerWebAuthnScriptRoute(publicApp);

  const adminApp = new Hono();
  adminApp.use("*", observeRequests(ctx));
  // Admin bodies can be large (batch imports of up to 2000 identities); the admin port is never public.
  applyCommon(adminApp, ctx, Math.max(ctx.config.serve.request_body_limit, 16 * 1024 * 1024));
  registerMetaRoutes(adminApp, ctx);
  registerMetricsRoute(adminApp, ctx);
  // Admin routes are served under /admin and, as Ory does, without the prefix too.
  const admin = new Hono();
  registerAdminSecurity(admin, ctx);
  registerAdminRecoveryRoutes(admin, ctx);
  registerAdminCourierRoutes(admin, ctx);
  registerAdminIdentityApi(admin, ctx);
  adminApp.route("/admin", admin);
  adminApp.route("/", admin);

  return { ctx, publicApp, adminApp };
}
