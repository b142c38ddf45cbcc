import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import type { Config } from "../config/index.ts";
import { courierStartHook } from "../courier/worker.ts";
import { createOAuth2, type OAuth2Apps } from "../oauth2/app.ts";
import { janitorStartHook } from "../oauth2/janitor/janitor.ts";
import { setPublicBase } from "../oauth2/runtime.ts";
import { securityStartHook } from "../security/register.ts";
import { type CoreApps, type CreateOptions, createCore } from "./create.ts";

export interface RunningCore extends CoreApps {
  publicUrl: string;
  adminUrl: string;
  /** The OAuth2 / OpenID Connect provider (Hydra API) and where it listens (x102 public, x103 admin). */
  oauth2: OAuth2Apps;
  oauth2PublicUrl: string;
  oauth2AdminUrl: string;
  /** Stops accepting, lets in-flight requests finish (up to `deadlineMs`), stops workers, closes the database. */
  stop(deadlineMs?: number): Promise<void>;
}

function listen(
  app: { fetch: (req: Request, env?: unknown) => Response | Promise<Response> },
  host: string,
  port: number,
): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(server));
    server.once("error", reject);
  });
}

function closeServer(server: ServerType, deadlineMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      resolve();
    }, deadlineMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  });
}

/** Starts one identity core on its public and admin ports (port 0 picks free ports, for tests). */
export async function startCore(config: Config, opts: CreateOptions = {}): Promise<RunningCore> {
  const apps = await createCore(config, opts);
  const { ctx } = apps;
  const oauth2 = await createOAuth2(ctx);
  const workers: { stop(): Promise<void> }[] = [];
  for (const start of startHooks) {
    const w = await start(ctx);
    if (w) workers.push(w);
  }
  const pub = await listen(apps.publicApp, config.serve.public.host, config.serve.public.port);
  const adm = await listen(apps.adminApp, config.serve.admin.host, config.serve.admin.port);
  const o2pub = await listen(
    oauth2.publicApp,
    config.oauth2.serve.public.host,
    config.oauth2.serve.public.port,
  );
  const o2adm = await listen(oauth2.adminApp, config.oauth2.serve.admin.host, config.oauth2.serve.admin.port);
  const pubPort = (pub.address() as AddressInfo).port;
  const admPort = (adm.address() as AddressInfo).port;
  const o2pubPort = (o2pub.address() as AddressInfo).port;
  const o2admPort = (o2adm.address() as AddressInfo).port;
  // With port 0 the real ports are only known now; base URLs that were not configured follow them.
  if (!config.serve.public.base_url) ctx.rt.publicBaseUrl = `http://localhost:${pubPort}/`;
  if (!config.serve.admin.base_url) ctx.rt.adminBaseUrl = `http://localhost:${admPort}/`;
  if (!config.oauth2.serve.public.base_url) setPublicBase(oauth2.o2, `http://localhost:${o2pubPort}/`);
  if (!config.oauth2.serve.admin.base_url) oauth2.o2.adminBaseUrl = `http://localhost:${o2admPort}/`;
  ctx.log.info("identity core listening", {
    public: ctx.rt.publicBaseUrl,
    admin: ctx.rt.adminBaseUrl,
    oauth2_public: oauth2.o2.publicBaseUrl,
    oauth2_admin: oauth2.o2.adminBaseUrl,
  });
  let stopped: Promise<void> | undefined;
  return {
    ...apps,
    publicUrl: `http://127.0.0.1:${pubPort}`,
    adminUrl: `http://127.0.0.1:${admPort}`,
    oauth2,
    oauth2PublicUrl: `http://127.0.0.1:${o2pubPort}`,
    oauth2AdminUrl: `http://127.0.0.1:${o2admPort}`,
    stop(deadlineMs = 10_000) {
      stopped ??= (async () => {
        await Promise.all([pub, adm, o2pub, o2adm].map((server) => closeServer(server, deadlineMs)));
        for (const w of workers) await w.stop();
        await ctx.database.close();
      })();
      return stopped;
    },
  };
}

/** Background workers started with the core (the courier registers itself here). */
export const startHooks: ((ctx: CoreApps["ctx"]) => Promise<{ stop(): Promise<void> } | undefined>)[] = [
  courierStartHook,
  securityStartHook,
  janitorStartHook,
];
