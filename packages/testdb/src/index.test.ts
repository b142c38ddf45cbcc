import { afterEach, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import postgres from "postgres";
import { createTestDatabase, type TestDatabase } from "./index.ts";

describe("createTestDatabase", () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it("gives a fresh, writable database and removes it on drop", async () => {
    db = await createTestDatabase();
    if (db.kind === "postgres") {
      const sql = postgres(db.dsn, { max: 1, onnotice: () => {} });
      await sql`create table t (id int)`;
      await sql`insert into t values (1)`;
      const rows = await sql`select count(*)::int as n from t`;
      expect(rows[0]?.n).toBe(1);
      await sql.end();
      const name = new URL(db.dsn).pathname.slice(1);
      await db.drop();
      const server = postgres(process.env.TEST_DATABASE_URL!, { max: 1 });
      const left = await server`select 1 from pg_database where datname = ${name}`;
      await server.end();
      expect(left.length).toBe(0);
    } else {
      const { PGlite } = await import("@electric-sql/pglite");
      const pg = new PGlite(db.dsn);
      await pg.exec("create table t (id int); insert into t values (1);");
      const r = await pg.query<{ n: number }>("select count(*)::int as n from t");
      expect(r.rows[0]?.n).toBe(1);
      await pg.close();
      const dir = db.dsn;
      await db.drop();
      expect(existsSync(dir)).toBe(false);
    }
    db = undefined;
  });

  it("gives two calls two different databases", async () => {
    const a = await createTestDatabase();
    const b = await createTestDatabase();
    expect(a.dsn).not.toBe(b.dsn);
    await a.drop();
    await b.drop();
  });
});
