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
 * is built on the transaction's handle and run unprepared. The prepared statement is kept by the
 * root handle (db/state.ts), not by this module: two cores never share one.
 */
export function preparedQuery<P extends Record<string, unknown>, R>(
  name: string,
  build: (db: DbOrTx) => Preparable<R>,
): (db: DbOrTx, values: P) => Promise<R> {
  const key = Symbol(`prepared ${name}`);
  return (db, values) => {
    if (!("$olympus" in db)) return build(db).execute(values);
    const root: Db = db;
    return root.$olympus.service(key, () => build(root).prepare(name)).execute(values);
  };
}
