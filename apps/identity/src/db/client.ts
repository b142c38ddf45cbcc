import { existsSync } from "node:fs";
import type net from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { privateDir, privateTree } from "./private-dir.ts";
import * as schema from "./schema.ts";
import { Availability, type AvailabilityOptions, DatabaseUnavailableError } from "./availability.ts";
import { CHANGE_CHANNEL, createChangeFeed } from "./changes.ts";
import { watchedSocket } from "./socket-watchdog.ts";
import { DatabaseState } from "./state.ts";

export type Schema = typeof schema;
/** The drizzle database type shared by the PostgreSQL and PGlite drivers. */
export type Db = PgDatabase<PgQueryResultHKT, Schema> & {
  /** This handle's caches, write signal and change feed (db/state.ts); transactions have none. */
  readonly $olympus: DatabaseState;
};
/** A transaction handle; every repository function accepts either. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  /** The handle's own state (the same object as `db.$olympus`). */
  state: DatabaseState;
  kind: "postgres" | "pglite";
  /** Applies the committed migrations. */
  migrate(): Promise<void>;
  /** Cheap liveness query for /health/ready. */
  ping(): Promise<void>;
  /**
   * PostgreSQL only: the availability gate (see availability.ts). Requests run under it so that they
   * fail fast with 503 while the database is unreachable; PGlite runs in-process and has none.
   */
  availability?: Availability;
  /** PostgreSQL only: the pool's open connections and its maximum (metrics). */
  pool?: { max: number; open(): number };
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
  /**
   * Seconds a PostgreSQL connection attempt (TCP, start-up and authentication) may take. Default 3:
   * the availability gate, not this, answers requests within its bound while the database is away,
   * and a loaded machine can take over a second to fork and authenticate a backend.
   */
  connectTimeout?: number;
  /**
   * Seconds the server may stay silent while it owes an answer before the connection is failed
   * (the request then answers 503 instead of hanging); 0 turns it off. Plain TCP only. Default 4.
   */
  queryTimeout?: number;
  /** Seconds an unused pooled connection is kept. Default 30. */
  idleTimeout?: number;
  /** Time-outs of the availability gate (probe, slow-request threshold, retry pause). */
  availability?: AvailabilityOptions;
  /** Where the gate reports going down and coming back. */
  log?: {
    warn(msg: string, fields?: Record<string, unknown>): void;
    info(msg: string, fields?: Record<string, unknown>): void;
  };
}

/**
 * postgres.js' reconnect back-off, in seconds, by the number of failed connections since the last
 * success. Its default grows to 10–20 s, so a pool that lost its connections in a blip stayed away for
 * that long after the database was back; the gate already keeps requests away while the database is
 * down, so a short, capped back-off is enough: 50 ms, 100 ms, … at most 250 ms (with jitter).
 */
export const reconnectBackoff = (failures: number) =>
  Math.min(0.25, 0.05 * failures) * (0.8 + Math.random() * 0.4);

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

/** The root handle with its state attached (read-only, not enumerable). */
function withState(db: object, state: DatabaseState): Db {
  Object.defineProperty(db, "$olympus", { value: state, enumerable: false, writable: false });
  return db as Db;
}

/** Opens the database named by a dsn: a postgres:// URL, memory://, or a PGlite data directory. */
export async function openDatabase(dsn: string, opts: OpenOptions = {}): Promise<Database> {
  if (/^postgres(ql)?:\/\//.test(dsn)) {
    const watch = watchableHost(dsn);
    const queryTimeoutMs = (opts.queryTimeout ?? 4) * 1000;
    const connectTimeout = opts.connectTimeout ?? 3;
    let migrating = 0;
    // The pool's sockets, so that going down can drop them all: a connection left half-open by the
    // outage would otherwise take the first request after it until the watchdog fires.
    const sockets = new Set<net.Socket>();
    const client = postgres(dsn, {
      max: opts.max ?? 10,
      connect_timeout: connectTimeout,
      idle_timeout: opts.idleTimeout ?? 30,
      backoff: reconnectBackoff,
      onnotice: () => {},
      ...(watch && queryTimeoutMs > 0
        ? {
            socket: () => {
              const socket = watchedSocket(watch.host, watch.port, queryTimeoutMs, () => migrating > 0);
              sockets.add(socket);
              socket.once("close", () => sockets.delete(socket));
              return socket;
            },
          }
        : {}),
    });
    // The gate's probe runs on its own connection: it must not queue behind the pool's requests.
    const probeTimeoutMs = opts.availability?.probeTimeoutMs ?? 1_250;
    const probeClient = postgres(dsn, {
      max: 1,
      // Longer than the probe's own (lag-tolerant) deadline, which is what decides: postgres.js'
      // connect timer would otherwise fail a probe on a merely starved process.
      connect_timeout: Math.max(connectTimeout, Math.ceil((3 * probeTimeoutMs) / 1000) + 1),
      idle_timeout: 10,
      backoff: () => 0,
      fetch_types: false,
      prepare: false,
      onnotice: () => {},
      ...(watch ? { socket: () => watchedSocket(watch.host, watch.port, probeTimeoutMs) } : {}),
    });
    const availability = new Availability(
      async () => {
        await probeClient`select 1`;
      },
      {
        ...opts.availability,
        onDown: (cause) => {
          let code: unknown = (cause as { code?: unknown })?.code;
          for (let c = cause as { cause?: unknown; code?: unknown }; c?.cause; c = c.cause as typeof c) {
            code = (c.cause as { code?: unknown }).code ?? code;
          }
          opts.log?.warn("database unavailable: answering 503 until it is back", { code: code ?? "unknown" });
          if (migrating > 0) return;
          const err = new DatabaseUnavailableError(
            "The database is unavailable; the connection was dropped.",
          );
          for (const s of sockets) s.destroy(err);
        },
        onUp: (ms) => opts.log?.info("database available again", { down_ms: ms }),
      },
    );
    const state = new DatabaseState();
    const db = withState(drizzlePostgres(client, { schema, logger: state.writes }), state);
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
    state.changes = feed;
    const max = opts.max ?? 10;
    return {
      db,
      state,
      kind: "postgres",
      // The watched sockets are every connection the client opens (the LISTEN one included).
      ...(watch && queryTimeoutMs > 0 ? { pool: { max, open: () => sockets.size } } : {}),
      migrate: async () => {
        migrating++;
        try {
          await migratePostgres(db as never, { migrationsFolder });
        } finally {
          migrating--;
        }
      },
      // Readiness: not ready at once while the gate is down; else a fresh probe (or one a moment old).
      ping: async () => {
        if (!availability.up || !(await availability.check(true))) throw new DatabaseUnavailableError();
      },
      availability,
      close: async () => {
        availability.stop();
        state.close();
        await Promise.all([client.end({ timeout: 5 }), probeClient.end({ timeout: 1 })]);
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
  const state = new DatabaseState();
  const db = withState(drizzlePglite(pg, { schema, logger: state.writes }), state);
  return {
    db,
    state,
    kind: "pglite",
    migrate: () => migratePglite(db as never, { migrationsFolder }),
    ping: async () => {
      await pg.query("select 1");
    },
    close: async () => {
      state.close();
      await pg.close();
      if (dataDir) privateTree(dataDir);
    },
  };
}
