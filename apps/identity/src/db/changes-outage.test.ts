import { createTestDatabase, type TestDatabase } from "@olympus/testdb";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaultProxy } from "../reliability/fault-proxy.ts";
import { CHANGE_CHANNEL, watchTables } from "./changes.ts";
import { type Database, openDatabase } from "./client.ts";

/**
 * Caches hear about other replicas' commits through LISTEN (changes.ts). After the database was away
 * (cut, then back), the core must listen again by itself: else every cache would silently fall back
 * to its TTL until a restart. PostgreSQL only (PGlite has no connection to cut).
 */
const pg = process.env.TEST_DATABASE_URL;

describe.skipIf(!pg)("change feed across a database outage (PostgreSQL)", () => {
  let database: TestDatabase;
  let proxy: FaultProxy;
  let handle: Database;
  let direct: postgres.Sql;

  beforeAll(async () => {
    database = await createTestDatabase("olympus_identity");
    const target = new URL(database.dsn);
    proxy = new FaultProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const via = new URL(database.dsn);
    via.hostname = "127.0.0.1";
    via.port = String(await proxy.listen());
    handle = await openDatabase(via.toString());
    direct = postgres(database.dsn, { max: 1, onnotice: () => {} });
  }, 60_000);

  afterAll(async () => {
    await handle?.close().catch(() => {});
    await proxy?.close();
    await direct?.end({ timeout: 2 });
    await database?.drop();
  });

  const heard = async (seen: string[], table: string, ms: number) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      await direct`select pg_notify(${CHANGE_CHANNEL}, ${table})`;
      await new Promise((r) => setTimeout(r, 100));
      if (seen.includes(table)) return true;
    }
    return false;
  };

  it.each(["cut", "refuse", "reset", "stall", "half-open"] as const)(
    "listens again after %s, and tells subscribers everything may have changed",
    async (fault) => {
      const seen: string[] = [];
      const stop = watchTables(handle.db, new Set(["identities", "sessions"]), (t) => seen.push(t));
      try {
        expect(await heard(seen, "identities", 5_000)).toBe(true);
        proxy.inject(fault);
        // Readiness checks keep coming during the outage (as from an orchestrator): the gate notices.
        const end = Date.now() + 1_500;
        while (Date.now() < end) {
          await handle.ping().catch(() => {});
          await new Promise((r) => setTimeout(r, 200));
        }
        seen.length = 0;
        await proxy.restore();
        // Within a few seconds of the database's return the feed hears commits again.
        expect(await heard(seen, "sessions", 8_000)).toBe(true);
        expect(seen).toContain("*");
      } finally {
        stop();
      }
    },
  );
});
