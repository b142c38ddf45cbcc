import { observeRequests, registerMetricsRoute } from "../metrics/metrics.ts";
import { Hono } from "hono";
import type { AppContext } from "../app/context.ts";
import { serviceUnavailable } from "../errors/index.ts";
import { adminAuditMiddleware } from "../audit/admin-audit.ts";
import { registerParRoute } from "./authorize/par.ts";
import { registerAuthorizeRoutes } from "./authorize/routes.ts";
import { registerClientRoutes } from "./clients/routes.ts";
import { registerDiscoveryRoute } from "./discovery/routes.ts";
import { registerDeviceRoutes } from "./device/routes.ts";
import { registerConsentRequestRoutes } from "./flow/consent.ts";
import { registerDeviceRequestRoutes } from "./flow/device.ts";
import { registerLoginRequestRoutes } from "./flow/login.ts";
import { registerLogoutRequestRoutes } from "./flow/logout.ts";
import { registerSessionRoutes } from "./flow/sessions.ts";
import { applyOAuth2Common } from "./http.ts";
import { registerIntrospectRoutes } from "./introspect/routes.ts";
import { registerJwksRoute, registerKeyRoutes } from "./keys/routes.ts";
import { registerLogoutRoutes } from "./logout/routes.ts";
import { registerRevokeRoutes } from "./revoke/routes.ts";
import { createOAuth2Runtime, type OAuth2 } from "./runtime.ts";
import { registerTokenRoutes } from "./token/routes.ts";
import { registerTrustRoutes } from "./trust/routes.ts";
import { registerUserinfoRoutes } from "./userinfo/routes.ts";

export interface OAuth2Apps {
  o2: OAuth2;
  /** The Hydra public API (x102): authorization, token, userinfo, revocation, logout, discovery. */
  publicApp: Hono;
  /** The Hydra admin API (x103): clients, keys, login/consent/logout requests, sessions, introspection. */
  adminApp: Hono;
}

function registerHealth(app: Hono, ctx: AppContext): void {
  app.get("/health/alive", (c) => c.json({ status: "ok" }));
  app.get("/health/ready", async (c) => {
    try {
      await ctx.database.ping();
    } catch {
      return c.json(serviceUnavailable("The database is not reachable.").toBody(), 503);
    }
    return c.json({ status: "ok" });
  });
}

/**
 * Admin writes that are not audited: accepting or rejecting a login, consent or logout request is a
 * step of every OAuth2 flow the login app drives (recorded as login.* by the login flow), and
 * introspection only reads.
 */
const notAnAdminAction = (method: string, pattern: string) =>
  /\/oauth2\/auth\/requests\//.test(pattern) || (method === "POST" && pattern.endsWith("/oauth2/introspect"));

/**
 * Builds the OAuth2 / OpenID Connect provider of a core: its state, its signing keys (generated on
 * first start) and its two Hono apps.
 */
export async function createOAuth2(ctx: AppContext): Promise<OAuth2Apps> {
  const o2 = createOAuth2Runtime(ctx);
  await o2.jwks.ensure();

  const publicApp = new Hono();
  publicApp.use("*", observeRequests(ctx));
  applyOAuth2Common(publicApp, o2, "public");
  registerHealth(publicApp, ctx);
  registerDiscoveryRoute(publicApp, o2);
  registerJwksRoute(publicApp, o2);
  registerAuthorizeRoutes(publicApp, o2);
  registerParRoute(publicApp, o2);
  registerTokenRoutes(publicApp, o2);
  registerDeviceRoutes(publicApp, o2);
  registerUserinfoRoutes(publicApp, o2);
  registerRevokeRoutes(publicApp, o2);
  registerLogoutRoutes(publicApp, o2);

  const adminApp = new Hono();
  adminApp.use("*", observeRequests(ctx));
  applyOAuth2Common(adminApp, o2, "admin");
  registerHealth(adminApp, ctx);
  registerMetricsRoute(adminApp, ctx);
  // As in Hydra, every admin path also works without the /admin prefix.
  const admin = new Hono();
  admin.use("*", adminAuditMiddleware(ctx, { skip: notAnAdminAction }));
  registerClientRoutes(admin, o2);
  registerKeyRoutes(admin, o2);
  registerLoginRequestRoutes(admin, o2);
  registerConsentRequestRoutes(admin, o2);
  registerDeviceRequestRoutes(admin, o2);
  registerLogoutRequestRoutes(admin, o2);
  registerSessionRoutes(admin, o2);
  registerIntrospectRoutes(admin, o2);
  registerTrustRoutes(admin, o2);
  adminApp.route("/admin", admin);
  adminApp.route("/", admin);

  return { o2, publicApp, adminApp };
}
