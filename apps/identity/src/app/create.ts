import { Hono } from "hono";
import { createAdminApp } from "../admin/app.ts";
import { type Config, ConfigError } from "../config/index.ts";
import { openDatabase, type Database } from "../db/client.ts";
import { Hasher } from "../hash/hasher.ts";
import { type Hydra, noHydra } from "../hydra/hydra.ts";
import { IdentitySchemas } from "../identity/schemas.ts";
import { deriveCipherKeys } from "../security/crypto.ts";
import { trustedProxyList } from "../security/ip.ts";
import { createOAuth2, type OAuth2Apps } from "../oauth2/app.ts";
import { oauth2Bridge } from "../oauth2/bridge.ts";
import { registerMetaRoutes } from "../meta/routes.ts";
import { createMetrics, observeRequests } from "../metrics/metrics.ts";
import { SettingsOverrides } from "../security/overrides.ts";
import { registerSecurity } from "../security/register.ts";
import { registerSelfServiceErrors } from "../selfservice/errors/forward.ts";
import { checkWebHooks } from "../selfservice/hook/index.ts";
import { checkMappers, MappingError } from "../selfservice/oidc/mapping.ts";
import { registerLoginRoutes } from "../selfservice/login/routes.ts";
import { registerOidcRoutes } from "../selfservice/oidc/routes.ts";
import { registerLogoutRoutes } from "../selfservice/logout/routes.ts";
import { registerRecoveryRoutes } from "../selfservice/recovery/routes.ts";
import { registerRegistrationRoutes } from "../selfservice/registration/routes.ts";
import { registerSettingsRoutes } from "../selfservice/settings/routes.ts";
import { registerVerificationRoutes } from "../selfservice/verification/routes.ts";
import { buildStrategies } from "../selfservice/strategy/registry.ts";
import { registerWebAuthnScriptRoute } from "../selfservice/webauthn/script.ts";
import { registerSessionRoutes } from "../session/routes.ts";
import type { AppContext } from "./context.ts";
import { applyCommon, applyCors } from "./http.ts";
import { createLogger, type Logger } from "./logger.ts";
import { deriveRuntime } from "./runtime.ts";

/**
 * The Jsonnet programs and templates the configuration names (OIDC mappers, web hook bodies) are read
 * and parsed before anything starts: a broken one stops the process with its key, file and line.
 */
async function checkConfiguredPrograms(config: Config): Promise<void> {
  await checkWebHooks(config);
  const oidc = config.selfservice.methods.oidc;
  if (!oidc.enabled) return;
  try {
    await checkMappers(oidc.config.providers);
  } catch (e) {
    if (e instanceof MappingError) throw new ConfigError(`invalid configuration:\n  - ${e.message}`);
    throw e;
  }
}

export interface CoreApps {
  ctx: AppContext;
  /** The Kratos public API (x100): self-service flows, sessions. */
  publicApp: Hono;
  /** The Kratos admin API (x101). */
  adminApp: Hono;
  /** The OAuth2 / OpenID Connect provider (Hydra API): x102 public, x103 admin. */
  oauth2: OAuth2Apps;
}

export interface CreateOptions {
  /** Apply migrations before serving (the default for `serve`; tests always do). */
  migrate?: boolean;
  database?: Database;
  log?: Logger;
  /** The Kratos↔Hydra bridge; by default the core's own OAuth2 provider (tests may pass a FakeHydra). */
  hydra?: Hydra;
}

/**
 * The composition root: builds one identity core from resolved configuration (real ports, see
 * app/server.ts) — database, context, the OAuth2 provider and the bridge the self-service flows use
 * to reach it, and the four APIs — without listening.
 */
export async function createCore(config: Config, opts: CreateOptions = {}): Promise<CoreApps> {
  const log = opts.log ?? createLogger(config.log.level, { domain: config.domain });
  await checkConfiguredPrograms(config);
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
    trustedProxies: trustedProxyList(config.security.trusted_proxies),
    cipherKeys: deriveCipherKeys(config.secrets.cipher),
    // Replaced below, once the OAuth2 provider (which keeps the context) exists.
    hydra: noHydra,
    overrides: new SettingsOverrides(),
    strategies: buildStrategies(config),
    metrics: createMetrics({ config, database, db: database.db }),
    notifyCourier: () => {},
  };
  const oauth2 = await createOAuth2(ctx);
  ctx.hydra = opts.hydra ?? oauth2Bridge(oauth2.o2);

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

  const adminApp = createAdminApp(ctx);
  return { ctx, publicApp, adminApp, oauth2 };
}
