import { sql } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import { oauth2Clients } from "../db/schema.ts";
import { cachePerDatabase } from "../db/table-cache.ts";
import type { ClientRecord } from "./clients/model.ts";
import { rowsOf } from "../db/rows.ts";
import type { OAuth2 } from "./runtime.ts";

/*
 * CORS of the public OAuth2 port, as Hydra does it (when `oauth2.serve.cors.enabled`): an origin in
 * `oauth2.serve.cors.allowed_origins` may call every public endpoint; an origin in a client's
 * `allowed_cors_origins` may call the endpoints that client authenticates to (token, revocation,
 * PAR) or presents its tokens to (userinfo), and only for requests of that client. A preflight
 * carries no credentials, so it passes when the global list or any client allows the origin; the
 * answer to the request itself is readable only by an origin its client allows.
 */

type CorsVars = { Variables: { oauth2CorsClient?: ClientRecord } };

/** Records the client a public request belongs to (its allowed_cors_origins decide the CORS answer). */
export function corsClient(c: Context, client: ClientRecord): void {
  (c as unknown as Context<CorsVars>).set("oauth2CorsClient", client);
}

/** Where a client's own allowed_cors_origins apply. */
export const CLIENT_CORS_PATHS = new Set(["/oauth2/token", "/oauth2/revoke", "/oauth2/par", "/userinfo"]);

const ALLOW_HEADERS = "Authorization, Content-Type, Accept, DPoP";
const ALLOW_METHODS = "GET, POST, OPTIONS";

/** Every origin some client allows, read once and kept until a client changes (any replica). */
const originsCache = cachePerDatabase<Set<string>>({ tables: ["oauth2_clients"] });

async function originsOfAllClients(o2: OAuth2): Promise<Set<string>> {
  const load = async () => {
    const result = await o2.ctx.db.execute(
      sql`select distinct jsonb_array_elements_text(${oauth2Clients.data}->'allowed_cors_origins') as origin from ${oauth2Clients} where jsonb_typeof(${oauth2Clients.data}->'allowed_cors_origins') = 'array'`,
    );
    return new Set(rowsOf<{ origin: string }>(result).map((r) => r.origin));
  };
  const cache = originsCache(o2.ctx.db);
  return (cache ? await cache.through("all", load) : await load()) ?? new Set();
}

export function oauth2Cors(o2: OAuth2): MiddlewareHandler {
  const global = o2.cfg.serve.cors.allowed_origins;
  const globallyAllowed = (origin: string) => global.includes("*") || global.includes(origin);
  return async (c, next) => {
    const origin = c.req.header("origin");
    if (!origin) return next();
    if (c.req.method === "OPTIONS" && c.req.header("access-control-request-method")) {
      const allowed =
        globallyAllowed(origin) ||
        (CLIENT_CORS_PATHS.has(c.req.path) && (await originsOfAllClients(o2)).has(origin));
      c.header("Vary", "Origin");
      if (!allowed) return c.body(null, 204);
      c.header("Access-Control-Allow-Origin", origin);
      c.header("Access-Control-Allow-Credentials", "true");
      c.header("Access-Control-Allow-Methods", ALLOW_METHODS);
      c.header("Access-Control-Allow-Headers", ALLOW_HEADERS);
      c.header("Access-Control-Max-Age", "600");
      return c.body(null, 204);
    }
    await next();
    const client = (c as unknown as Context<CorsVars>).get("oauth2CorsClient");
    const allowed =
      globallyAllowed(origin) ||
      (CLIENT_CORS_PATHS.has(c.req.path) && Boolean(client?.data.allowed_cors_origins.includes(origin)));
    c.res.headers.append("Vary", "Origin");
    if (allowed) {
      c.res.headers.set("Access-Control-Allow-Origin", origin);
      c.res.headers.set("Access-Control-Allow-Credentials", "true");
      c.res.headers.set("Access-Control-Expose-Headers", "WWW-Authenticate, DPoP-Nonce");
    }
  };
}
