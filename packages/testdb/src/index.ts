import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";

/** A database that belongs to one test file. `dsn` is what the identity core's `dsn` setting accepts. */
export interface TestDatabase {
  kind: "postgres" | "pglite";
  /** A `postgres://` URL, or a PGlite data directory. */
  dsn: string;
  /** Drops the database (PostgreSQL) or removes the data directory (PGlite). */
  drop(): Promise<void>;
}

/** The server tests run against, or undefined to use PGlite. */
export function testServerUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL?.trim();
  return url ? url : undefined;
}

/**
 * Creates a fresh, empty database: on the server named by TEST_DATABASE_URL when it is set,
 * else in a new PGlite data directory. Call `drop()` in afterAll.
 */
export async function createTestDatabase(prefix = "olympus_test"): Promise<TestDatabase> {
  const server = testServerUrl();
  if (!server) {
    const dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
    return { kind: "pglite", dsn: dir, drop: () => rm(dir, { recursive: true, force: true }) };
  }
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`.toLowerCase();
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    kind: "postgres",
    dsn: url.toString(),
    async drop() {
      const sql = postgres(server, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await sql.end();
      }
    },
  };
}
