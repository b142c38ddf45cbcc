import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@olympus/testdb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrationsFolder, openDatabase, type Database } from "./client.ts";
import * as schema from "./schema.ts";

// drizzle-kit's programmatic API is CommonJS.
const kit = (await import("drizzle-kit/api")) as unknown as typeof import("drizzle-kit/api") & {
  default?: typeof import("drizzle-kit/api");
};
const { generateDrizzleJson, generateMigration, pushSchema } = kit.default ?? kit;

/** pushSchema expects `execute()` to resolve to `{ rows }`; postgres.js resolves to the rows themselves. */
function introspectable(database: Database) {
  return {
    execute: async (query: unknown) => {
      const r = (await database.db.execute(query as never)) as unknown;
      return Array.isArray(r) ? { rows: r } : r;
    },
  } as never;
}

let testDb: TestDatabase;
let database: Database;

beforeAll(async () => {
  testDb = await createTestDatabase("olympus_migrations");
  database = await openDatabase(testDb.dsn);
});
afterAll(async () => {
  await database?.close();
  await testDb?.drop();
});

describe("migrations", () => {
  it("migrating an empty database yields exactly the schema files' schema", async () => {
    await database.migrate();
    const diff = await pushSchema(schema as Record<string, unknown>, introspectable(database));
    expect(diff.statementsToExecute).toEqual([]);
  });

  it("are idempotent: migrating twice changes nothing", async () => {
    await database.migrate();
    const diff = await pushSchema(schema as Record<string, unknown>, introspectable(database));
    expect(diff.statementsToExecute).toEqual([]);
  });

  it("the committed snapshot matches the schema files (no forgotten `db:generate`)", async () => {
    const metaDir = join(migrationsFolder, "meta");
    const latest = readdirSync(metaDir)
      .filter((f) => f.endsWith("_snapshot.json"))
      .sort()
      .at(-1)!;
    const snapshot = JSON.parse(readFileSync(join(metaDir, latest), "utf8"));
    const current = generateDrizzleJson(schema as Record<string, unknown>, snapshot.id);
    const statements = await generateMigration(snapshot, current as never);
    expect(statements).toEqual([]);
  });
});
