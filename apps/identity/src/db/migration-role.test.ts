import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@olympus/testdb";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrationsFolder, openDatabase, type Database } from "./client.ts";

/*
 * Migration 0010 (issue 16, finding 1): an IAM administrator's `role`/`roles` move from the
 * user-writable traits to `metadata_admin`. Run on PostgreSQL and on PGlite (TEST_DATABASE_URL unset).
 */

let testDb: TestDatabase;
let database: Database;

const rows = async (q: ReturnType<typeof sql>) => {
  const r = (await database.db.execute(q)) as unknown;
  return (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Record<string, unknown>[];
};

const migration = readFileSync(join(migrationsFolder, "0010_role_to_metadata_admin.sql"), "utf8");

beforeAll(async () => {
  testDb = await createTestDatabase("olympus_migration_role");
  database = await openDatabase(testDb.dsn);
  await database.migrate();
});
afterAll(async () => {
  await database?.close();
  await testDb?.drop();
});

async function insert(id: string, schema: string, traits: unknown, metadataAdmin: unknown) {
  await database.db.execute(
    sql`INSERT INTO identities (id, schema_id, traits, metadata_admin) VALUES (${id}, ${schema}, ${JSON.stringify(traits)}::jsonb, ${metadataAdmin === null ? null : JSON.stringify(metadataAdmin)}::jsonb)`,
  );
}

describe("migration 0010: the role leaves the traits", () => {
  it("moves traits.role and traits.roles of admin-schema identities to metadata_admin and strips them", async () => {
    const ids = {
      admin: "00000000-0000-4000-8000-000000000001",
      viewer: "00000000-0000-4000-8000-000000000002",
      kept: "00000000-0000-4000-8000-000000000003",
      customer: "00000000-0000-4000-8000-000000000004",
      plain: "00000000-0000-4000-8000-000000000005",
    };
    // Written as the pre-0010 code wrote them (the migration itself already ran on the empty database).
    await insert(ids.admin, "admin", { email: "a@x.test", role: "admin", roles: ["dba"] }, { demo: true });
    await insert(ids.viewer, "admin", { email: "v@x.test", role: "viewer" }, null);
    // An administrator already set a role in metadata_admin: that one wins over the trait.
    await insert(ids.kept, "admin", { email: "k@x.test", role: "admin" }, { role: "viewer" });
    // Other schemas keep their traits (the CIAM organizational schema has its own `role`).
    await insert(ids.customer, "organizational", { email: "o@x.test", role: "manager" }, null);
    await insert(ids.plain, "admin", { email: "p@x.test" }, { note: 1 });

    await database.db.execute(sql.raw(migration));

    const got = Object.fromEntries(
      (await rows(sql`SELECT id, traits, metadata_admin FROM identities ORDER BY id`)).map((r) => [
        r.id,
        {
          traits: typeof r.traits === "string" ? JSON.parse(r.traits) : r.traits,
          metadata_admin:
            typeof r.metadata_admin === "string" ? JSON.parse(r.metadata_admin) : r.metadata_admin,
        },
      ]),
    );
    expect(got[ids.admin]).toEqual({
      traits: { email: "a@x.test" },
      metadata_admin: { demo: true, role: "admin", roles: ["dba"] },
    });
    expect(got[ids.viewer]).toEqual({ traits: { email: "v@x.test" }, metadata_admin: { role: "viewer" } });
    expect(got[ids.kept]).toEqual({ traits: { email: "k@x.test" }, metadata_admin: { role: "viewer" } });
    expect(got[ids.customer]).toEqual({
      traits: { email: "o@x.test", role: "manager" },
      metadata_admin: null,
    });
    expect(got[ids.plain]).toEqual({ traits: { email: "p@x.test" }, metadata_admin: { note: 1 } });

    // Running it again changes nothing.
    await database.db.execute(sql.raw(migration));
    const again = await rows(sql`SELECT metadata_admin FROM identities WHERE id = ${ids.admin}`);
    const m = again[0]!.metadata_admin;
    expect(typeof m === "string" ? JSON.parse(m) : m).toEqual({ demo: true, role: "admin", roles: ["dba"] });
  });
});
