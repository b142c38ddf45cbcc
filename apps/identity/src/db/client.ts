import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "./schema.ts";
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

export const migrationsFolder = fileURLToPath(new URL("../../drizzle", import.meta.url));

export interface OpenOptions {
  /** Maximum pool size for PostgreSQL. */
  max?: number;
  /** Seconds a PostgreSQL connection attempt may take. */
  connectTimeout?: number;
}

/** Opens the database named by a dsn: a postgres:// URL, memory://, or a PGlite data directory. */
export async function openDatabase(dsn: string, opts: OpenOptions = {}): Promise<Database> {
  if (/^postgres(ql)?:\/\//.test(dsn)) {
    const client = postgres(dsn, {
      max: opts.max ?? 10,
      connect_timeout: opts.connectTimeout ?? 5,
      idle_timeout: 60,
      onnotice: () => {},
    });
    const db = drizzlePostgres(client, { schema, logger: writeObserver }) as unknown as Db;
    return {
      db,
      kind: "postgres",
      migrate: () => migratePostgres(db as never, { migrationsFolder }),
      ping: async () => {
        await client`select 1`;
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  // PGlite (WebAssembly PostgreSQL) is loaded only when used: a PostgreSQL deployment never pays for it.
  const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("drizzle-orm/pglite"),
    import("drizzle-orm/pglite/migrator"),
  ]);
  const dataDir = dsn === "memory://" ? undefined : dsn.replace(/^(pglite|file):\/\//, "");
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pg = new PGlite(dataDir);
  await pg.waitReady;
  const db = drizzlePglite(pg, { schema, logger: writeObserver }) as unknown as Db;
  return {
    db,
    kind: "pglite",
    migrate: () => migratePglite(db as never, { migrationsFolder }),
    ping: async () => {
      await pg.query("select 1");
    },
    close: () => pg.close(),
  };
}
