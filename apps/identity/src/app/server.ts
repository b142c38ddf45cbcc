import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import type { Config } from "../config/index.ts";
import { courierStartHook } from "../courier/worker.ts";
import { serviceUnavailable } from "../errors/index.ts";
import { nameEndpoints } from "../metrics/metrics.ts";
import { janitorStartHook } from "../oauth2/janitor/janitor.ts";
import { securityStartHook } from "../security/register.ts";
import { type CoreApps, type CreateOptions, createCore } from "./create.ts";

export interface RunningCore extends CoreApps {
  publicUrl: string;
  adminUrl: string;
  /** Where the OAuth2 / OpenID Connect provider (Hydra API) listens (x102 public, x103 admin). */
  oauth2PublicUrl: string;
  oauth2AdminUrl: string;
  /**
   * Graceful stop: stops accepting (the listening sockets close at once), lets in-flight requests
   * finish, flushes the courier (delivers what is due), stops the other workers, closes the database,
   * all within `deadlineMs`. Resolves true when everything finished in time; false when connections
   * still busy at the deadline had to be cut.
   */
  stop(deadlineMs?: number): Promise<boolean>;
}

/** Listening failed (e.g. the port is in use); the message names the address. */
export class ListenError extends Error {
  override name = "ListenError";
  constructor(
    readonly endpoint: string,
    readonly host: string,
    readonly port: number,
    cause: unknown,
  ) {
    const code = (cause as { code?: string })?.code;
    const why =
      code === "EADDRINUSE" ? "address already in use" : ((cause as Error)?.message ?? String(cause));
    super(`cannot listen on ${host}:${port} (${endpoint}): ${why}`, { cause });
  }
}

function listen(
  app: { fetch: (req: Request, env?: unknown) => Response | Promise<Response> },
  host: string,
  port: number,
  endpoint: string,
): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(server));
    server.once("error", (e) => reject(new ListenError(endpoint, host, port, e)));
  });
}

type HttpServerLike = ServerType & { closeAllConnections?: () => void; closeIdleConnections?: () => void };

/**
 * Stops listening at once and waits for open connections to finish their requests; keep-alive
 * connections are closed as soon as they fall idle. Resolves false if connections were still busy
 * at `deadline` (epoch ms) and had to be cut.
 */
function closeServer(server: ServerType, deadline: number): Promise<boolean> {
  const s = server as HttpServerLike;
  return new Promise((resolve) => {
    if (!s.listening) return resolve(true);
    const idle = setInterval(() => s.closeIdleConnections?.(), 50);
    const timer = setTimeout(
      () => {
        clearInterval(idle);
        s.closeAllConnections?.();
        resolve(false);
      },
      Math.max(0, deadline - Date.now()),
    );
    s.close(() => {
      clearInterval(idle);
      clearTimeout(timer);
      resolve(true);
    });
    s.closeIdleConnections?.();
  });
}

/** Resolves when `p` does or at `deadline` (epoch ms), whichever is first; true when `p` won. */
async function before(p: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((r) => {
    timer = setTimeout(() => r(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([p.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

type Fetch = (req: Request, env?: unknown) => Response | Promise<Response>;

/** The configuration with the ports that were really bound (port 0 asks for a free one, as tests do). */
function withPorts(config: Config, [pub, adm, o2pub, o2adm]: number[]): Config {
  return {
    ...config,
    serve: {
      ...config.serve,
      public: { ...config.serve.public, port: pub! },
      admin: { ...config.serve.admin, port: adm! },
    },
    oauth2: {
      ...config.oauth2,
      serve: {
        ...config.oauth2.serve,
        public: { ...config.oauth2.serve.public, port: o2pub! },
        admin: { ...config.oauth2.serve.admin, port: o2adm! },
      },
    },
  };
}

/**
 * Starts one identity core on its four ports. The ports are bound first, so that the core is built
 * once from resolved configuration (base URLs and the issuer follow the real ports when 0 was asked);
 * requests that arrive meanwhile wait until it is ready.
 */
export async function startCore(config: Config, opts: CreateOptions = {}): Promise<RunningCore> {
  const endpoints: [{ host: string; port: number }, string][] = [
    [config.serve.public, "serve.public"],
    [config.serve.admin, "serve.admin"],
    [config.oauth2.serve.public, "oauth2.serve.public"],
    [config.oauth2.serve.admin, "oauth2.serve.admin"],
  ];
  let open!: (apps: Fetch[] | undefined) => void;
  const ready = new Promise<Fetch[] | undefined>((resolve) => {
    open = resolve;
  });
  const servers: ServerType[] = [];
  const workers: Worker[] = [];
  let apps: CoreApps | undefined;
  let ports: number[] = [];
  try {
    for (const [i, [at, name]] of endpoints.entries()) {
      const fetch: Fetch = async (req, env) => {
        const fetchers = await ready;
        if (!fetchers)
          return Response.json(serviceUnavailable("The identity core is not running.").toBody(), {
            status: 503,
          });
        return fetchers[i]!(req, env);
      };
      servers.push(await listen({ fetch }, at.host, at.port, name));
    }
    ports = servers.map((server) => (server.address() as AddressInfo).port);
    apps = await createCore(withPorts(config, ports), opts);
    for (const start of startHooks) {
      const w = await start(apps.ctx);
      if (w) workers.push(w);
    }
  } catch (e) {
    // Nothing may keep running behind a core that failed to start: workers, open ports, the pool.
    open(undefined);
    const deadline = Date.now() + 5_000;
    await Promise.all(servers.map((server) => closeServer(server, deadline)));
    for (const w of workers.reverse()) await before(w.stop(Math.max(0, deadline - Date.now())), deadline);
    const database = apps?.ctx.database ?? opts.database;
    if (database) await before(database.close(), deadline + 1_000);
    throw e;
  }
  const { ctx, oauth2 } = apps;
  open([apps.publicApp.fetch, apps.adminApp.fetch, oauth2.publicApp.fetch, oauth2.adminApp.fetch]);
  const [pubPort, admPort, o2pubPort, o2admPort] = ports as [number, number, number, number];
  nameEndpoints(ctx, { public: pubPort, admin: admPort, oauth2_public: o2pubPort, oauth2_admin: o2admPort });
  ctx.log.info("identity core listening", {
    public: ctx.rt.publicBaseUrl,
    admin: ctx.rt.adminBaseUrl,
    oauth2_public: oauth2.o2.publicBaseUrl,
    oauth2_admin: oauth2.o2.adminBaseUrl,
  });
  let stopped: Promise<boolean> | undefined;
  return {
    ...apps,
    publicUrl: `http://127.0.0.1:${pubPort}`,
    adminUrl: `http://127.0.0.1:${admPort}`,
    oauth2,
    oauth2PublicUrl: `http://127.0.0.1:${o2pubPort}`,
    oauth2AdminUrl: `http://127.0.0.1:${o2admPort}`,
    stop(deadlineMs = 10_000) {
      stopped ??= (async () => {
        const deadline = Date.now() + deadlineMs;
        // 1. No new connections; in-flight requests finish (and may queue mail).
        const served = await Promise.all(servers.map((server) => closeServer(server, deadline)));
        // 2. Workers in start order: the courier first, which delivers what is due before it stops.
        let inTime = true;
        for (const w of workers) {
          inTime = (await before(w.stop(Math.max(0, deadline - Date.now())), deadline)) && inTime;
        }
        // 3. The pool, last: workers and requests are done with it.
        inTime = (await before(ctx.database.close(), Math.max(deadline, Date.now() + 1_000))) && inTime;
        return served.every(Boolean) && inTime;
      })();
      return stopped;
    },
  };
}

/** A background worker; `stop` finishes its work under way within the deadline it is given. */
export interface Worker {
  stop(deadlineMs?: number): Promise<void>;
}

/** Background workers started with the core (the courier registers itself here). */
export const startHooks: ((ctx: CoreApps["ctx"]) => Promise<Worker | undefined>)[] = [
  courierStartHook,
  securityStartHook,
  janitorStartHook,
];
