import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { privateDir, privateTree } from "./private-dir.ts";
import * as schema from "./schema.ts";
import { CHANGE_CHANNEL, createChangeFeed, registerChangeFeed } from "./changes.ts";
import { watchedSocket } from "./socket-watchdog.ts";
import { writeObserver } from "./writes.ts";

export type Schema = typeof schema;
/** The drizzle database type shared by the PostgreSQL and PGlite drivers. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle; every repository function accepts either. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  kind: "postgres" | "pglite";
  /** Applies the committed migrations. */
  migrate(): Promise<void>;
  /** Cheap liveness query for /health/ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The committed migrations (`apps/identity/drizzle`), found from this module upwards: it is two levels
 * below the package in the sources (`src/db/`) and one in the bundle (`dist/`).
 */
export const migrationsFolder = findMigrations(dirname(fileURLToPath(import.meta.url)));

function findMigrations(from: string): string {
  for (let dir = from, i = 0; i < 4; i++, dir = dirname(dir)) {
    const candidate = join(dir, "drizzle");
    if (existsSync(join(candidate, "meta", "_journal.json"))) return candidate;
  }
  throw new Error(`the identity core's migrations (drizzle/meta/_journal.json) were not found above ${from}`);
}

export interface OpenOptions {
  /** Maximum pool size for PostgreSQL. */
  max?: number;
  /** Seconds a PostgreSQL connection attempt may take. */
  connectTimeout?: number;
  /**
   * Seconds the server may stay silent while it owes an answer before the connection is failed
   * (the request then answers 503 instead of hanging); 0 turns it off. Plain TCP only. Default 4.
   */
  queryTimeout?: number;
}

/** The watchdog's host and port, when the dsn is one plain-TCP host (no TLS, no unix socket, no list). */
function watchableHost(dsn: string): { host: string; port: number } | undefined {
  try {
    const url = new URL(dsn);
    const ssl = url.searchParams.get("sslmode") ?? url.searchParams.get("ssl");
    if ((ssl && ssl !== "disable" && ssl !== "false") || !url.hostname || url.hostname.includes("%2F")) {
      return undefined;
    }
    return { host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port || 5432) };
  } catch {
    return undefined;
  }
}

/** Opens the database named by a dsn: a postgres:// URL, memory://, or a PGlite data directory. */
export async function openDatabase(dsn: string, opts: OpenOptions = {}): Promise<Database> {
  if (/^postgres(ql)?:\/\//.test(dsn)) {
    const watch = watchableHost(dsn);
    const queryTimeoutMs = (opts.queryTimeout ?? 4) * 1000;
    let migrating = 0;
    const client = postgres(dsn, {
      max: opts.max ?? 10,
      connect_timeout: opts.connectTimeout ?? 5,
      idle_timeout: 60,
      onnotice: () => {},
      ...(watch && queryTimeoutMs > 0
        ? { socket: () => watchedSocket(watch.host, watch.port, queryTimeoutMs, () => migrating > 0) }
        : {}),
    });
    const db = drizzlePostgres(client, { schema, logger: writeObserver }) as unknown as Db;
    // Other replicas' commits reach this process's caches through LISTEN (see changes.ts). postgres.js
    // keeps the listening connection up and calls onlisten after every (re)connect.
    const feed = createChangeFeed((publish) => {
      let stopped = false;
      let unlisten: (() => Promise<void>) | undefined;
      let retry: NodeJS.Timeout | undefined;
      const listen = () => {
        client
          .listen(
            CHANGE_CHANNEL,
            (table) => publish(table),
            () => publish("*"),
          )
          .then(
            (l) => {
              if (stopped) void l.unlisten().catch(() => {});
              else unlisten = l.unlisten;
            },
            // The database is down: caches fall back to their TTL meanwhile; try again shortly.
            () => {
              if (stopped) return;
              retry = setTimeout(listen, 5_000);
              retry.unref();
            },
          );
      };
      listen();
      return {
        stop() {
          stopped = true;
          clearTimeout(retry);
          void unlisten?.().catch(() => {});
        },
      };
    });
    registerChangeFeed(db, feed);
    return {
      db,
      kind: "postgres",
      migrate: async () => {
        migrating++;
        try {
          await migratePostgres(db as never, { migrationsFolder });
        } finally {
          migrating--;
        }
      },
      ping: async () => {
        await client`select 1`;
      },
      close: () => {
        feed.close();
        return client.end({ timeout: 5 });
      },
    };
  }
  // PGlite (WebAssembly PostgreSQL) is loaded only when used: a PostgreSQL deployment never pays for it.
  const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("drizzle-orm/pglite"),
    import("drizzle-orm/pglite/migrator"),
  ]);
  const dataDir = dsn === "memory://" ? undefined : dsn.replace(/^(pglite|file):\/\//, "");
  // Folders 0700, files 0600 (db/private-dir.ts). The umask covers what PostgreSQL creates while it
  // runs (WAL segments, relations); PGlite sets explicit modes on what it unpacks or rewrites at
  // start and stop (0666/0644), so the tree is fixed again after both. The root folder is 0700
  // throughout, so no other account can reach any file in between.
  if (dataDir) privateDir(dataDir);
  const pg = new PGlite(dataDir);
  await pg.waitReady;
  if (dataDir) privateTree(dataDir);
  const db = drizzlePglite(pg, { schema, logger: writeObserver }) as unknown as Db;
  return {
    db,
    kind: "pglite",
    migrate: () => migratePglite(db as never, { migrationsFolder }),
    ping: async () => {
      await pg.query("select 1");
    },
    close: async () => {
      await pg.close();
      if (dataDir) privateTree(dataDir);
    },
  };
}
