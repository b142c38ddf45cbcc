import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "./client.ts";

/**
 * Red-team finding 5: the PGlite data folder was world-readable (files 0666, folders 0755), and
 * another local account read argon2 hashes out of pg_wal. The folder is private now: folders 0700,
 * files 0600 — what PGlite creates, what it writes later, and what an older version left behind.
 */

const root = mkdtempSync(join(tmpdir(), "olympus-modes-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every path under `dir` (itself included) whose permission bits are not the private ones. */
function notPrivate(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    const st = statSync(path);
    const mode = st.mode & 0o777;
    if (st.isDirectory()) {
      if (mode !== 0o700) out.push(`${path} ${mode.toString(8)}`);
      for (const e of readdirSync(path)) walk(join(path, e));
    } else if (mode !== 0o600) out.push(`${path} ${mode.toString(8)}`);
  };
  walk(dir);
  return out;
}

function countFiles(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    n += e.isDirectory() ? countFiles(join(dir, e.name)) : 1;
  }
  return n;
}

describe.skipIf(process.platform === "win32")("PGlite data folder modes", () => {
  it("creates the data folder private, and keeps what PGlite writes private (pg_wal included)", async () => {
    // A permissive umask, as on many desktops: the core must not depend on the caller's.
    process.umask(0o000);
    const dir = join(root, "fresh", "data");
    const db = await openDatabase(`pglite://${dir}`);
    try {
      await db.migrate();
      await db.db.execute(sql`create table secrets_probe (v text)`);
      await db.db.execute(sql`insert into secrets_probe select md5(g::text) from generate_series(1, 5000) g`);
      await db.db.execute(sql`checkpoint`);
      // While the core runs: nobody else can enter the folder, and the WAL holding the rows is private.
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(notPrivate(join(dir, "pg_wal"))).toEqual([]);
      expect(notPrivate(join(dir, "base"))).toEqual([]);
    } finally {
      await db.close();
    }
    expect(countFiles(dir)).toBeGreaterThan(100);
    expect(readdirSync(dir)).toContain("pg_wal");
    expect(notPrivate(dir)).toEqual([]);
  }, 60_000);

  it("takes over a data folder left world-readable by an older version", async () => {
    process.umask(0o000);
    const dir = join(root, "old");
    mkdirSync(join(dir, "pg_wal"), { recursive: true, mode: 0o777 });
    chmodSync(dir, 0o755);
    chmodSync(join(dir, "pg_wal"), 0o777);
    writeFileSync(join(dir, "pg_wal", "leftover"), "argon2id$…", { mode: 0o666 });
    chmodSync(join(dir, "pg_wal", "leftover"), 0o666);
    const db = await openDatabase(`pglite://${dir}`);
    await db.close();
    expect(notPrivate(dir)).toEqual([]);
  }, 60_000);
});
