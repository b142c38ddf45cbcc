import type { Db, DbOrTx } from "./client.ts";

interface Executable<R> {
  execute(values?: Record<string, unknown>): Promise<R>;
}
interface Preparable<R> extends Executable<R> {
  prepare(name: string): Executable<R>;
}

/**
 * A hot-path query built once per database handle and run as a named prepared statement: drizzle
 * skips rebuilding the SQL and PostgreSQL skips parsing and planning it (postgres.js keeps it per
 * connection). Values go in through `sql.placeholder(name)`. Inside a transaction the same query
 * is built on the transaction's handle and run unprepared.
 */
export function preparedQuery<P extends Record<string, unknown>, R>(
  name: string,
  build: (db: DbOrTx) => Preparable<R>,
): (db: DbOrTx, values: P) => Promise<R> {
  const statements = new WeakMap<object, Executable<R>>();
  return (db, values) => {
    if ("rollback" in db) return build(db).execute(values);
    let statement = statements.get(db);
    if (!statement) {
      statement = build(db as Db).prepare(name);
      statements.set(db, statement);
    }
    return statement.execute(values);
  };
}
