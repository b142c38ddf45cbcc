import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The recorded fix of postgres.js 3.4.9 (`patches/postgres@3.4.9.patch`, root package.json
 * `pnpm.patchedDependencies`): a connection whose backend is gone must reject what is sent on it
 * (`CONNECTION_CLOSED`), never throw from `nextWrite` on a null socket (an uncaught TypeError that
 * kills the process — porsager/postgres #1066, #1154, #1208), never leave a query pending, never run
 * a transaction's later statement on another session, and stay usable by the pool. Without the
 * patch this file fails with the uncaught `Cannot read properties of null (reading 'write')`.
 * PostgreSQL only: PGlite has no sockets.
 */
const pg = process.env.TEST_DATABASE_URL;

describe.skipIf(!pg)("postgres.js driver: a connection lost under use (PostgreSQL)", () => {
  let sql: postgres.Sql;
  let killer: postgres.Sql;
  beforeAll(() => {
    sql = postgres(pg!, { max: 2, onnotice: () => {} });
    killer = postgres(pg!, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end({ timeout: 5 });
    await killer?.end({ timeout: 5 });
  });

  const settle = <T>(p: Promise<T>) =>
    Promise.race([
      p.then(
        () => "resolved",
        (e: { code?: string }) => e.code ?? String(e),
      ),
      new Promise<string>((r) => setTimeout(() => r("pending"), 3_000)),
    ]);

  it("a transaction whose backend dies: later statements reject, none runs outside the transaction", async () => {
    await sql`create table if not exists driver_close_probe (id int)`;
    await sql`delete from driver_close_probe`;
    const later: string[] = [];
    const tx = sql.begin(async (t) => {
      const [row] = await t`select pg_backend_pid() as pid`;
      await killer`select pg_terminate_backend(${row!.pid})`;
      await new Promise((r) => setTimeout(r, 100));
      // Statements after the loss: each must be rejected, and none may land (autocommit on a new session).
      later.push(await settle(t`insert into driver_close_probe values (1)`));
      later.push(await settle(t`insert into driver_close_probe values (2)`));
    });
    expect(await settle(tx)).toBe("CONNECTION_CLOSED");
    await new Promise((r) => setTimeout(r, 300));
    expect(later).toEqual(["CONNECTION_CLOSED", "CONNECTION_CLOSED"]);
    const [count] = await sql`select count(*)::int as n from driver_close_probe`;
    expect(count!.n).toBe(0);
    await sql`drop table driver_close_probe`;
  });

  it("a reserved connection whose backend dies: every later query rejects, the pool keeps working", async () => {
    const reserved = await sql.reserve();
    const [row] = await reserved`select pg_backend_pid() as pid`;
    await killer`select pg_terminate_backend(${row!.pid})`;
    const first = await settle(reserved`select 1`);
    expect(["CONNECTION_CLOSED", "ECONNRESET", "57P01"]).toContain(first);
    expect(await settle(reserved`select 2`)).toBe("CONNECTION_CLOSED");
    reserved.release();
    const rows = await Promise.all([1, 2, 3, 4].map((n) => sql`select ${n}::int as n`));
    expect(rows.map((r) => r[0]!.n)).toEqual([1, 2, 3, 4]);
  });
});
