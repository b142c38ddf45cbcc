import { afterEach, describe, expect, it } from "vitest";
import { createWriteObserver } from "./writes.ts";

// The write signal the session cache and the change feed hang on: every table a statement writes.
describe("writeObserver", () => {
  const writeObserver = createWriteObserver();
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  function seen(query: string): { tables: string[]; writes: number; statements: number } {
    const tables: string[] = [];
    stop = writeObserver.onTableWrite((table, op) => tables.push(`${op} ${table}`));
    const before = { writes: writeObserver.writes, statements: writeObserver.statements };
    writeObserver.logQuery(query);
    stop();
    return {
      tables,
      writes: writeObserver.writes - before.writes,
      statements: writeObserver.statements - before.statements,
    };
  }

  it("sees the plain writes drizzle sends", () => {
    expect(seen(`insert into "sessions" ("id") values ($1) returning "id"`).tables).toEqual([
      "insert sessions",
    ]);
    expect(seen(`update "selfservice_flows" set "data" = $1 where "id" = $2`).tables).toEqual([
      "update selfservice_flows",
    ]);
    expect(seen(`delete from "sessions" where "id" = $1`).tables).toEqual(["delete sessions"]);
  });

  it("sees every table of a statement with data-modifying CTEs, as one write statement", () => {
    const r = seen(
      `with alongside_0 as (update "selfservice_flows" set "session_id" = $1 where "id" = $2), alongside_1 as (insert into "security_audit_log" ("id") values ($3)) insert into "sessions" ("id") values ($4) returning *`,
    );
    expect(r.tables).toEqual(["update selfservice_flows", "insert security_audit_log", "insert sessions"]);
    expect(r).toMatchObject({ writes: 1, statements: 1 });
    expect(
      seen(
        `with marks as (insert into "oauth2_handled_requests" (id) select 'login:' from "oauth2_login_sessions" on conflict do nothing) delete from "oauth2_login_sessions" where id = $1`,
      ).tables,
    ).toEqual(["insert oauth2_handled_requests", "delete oauth2_login_sessions"]);
  });

  it("takes an upsert's DO UPDATE for its own table, and reads for no write", () => {
    expect(
      seen(
        `insert into "security_login_throttles" ("id") values ($1), ($2) on conflict ("kind", "key") do update set "attempts" = 1 returning *`,
      ).tables,
    ).toEqual(["insert security_login_throttles"]);
    const read = seen(`select "id" from "sessions" where "id" = $1 for update`);
    expect(read).toMatchObject({ tables: [], writes: 0, statements: 1 });
  });
});
