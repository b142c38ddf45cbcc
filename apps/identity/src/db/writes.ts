/**
 * Every query a database handle sends passes through drizzle's logger hook; a `WriteObserver` (one
 * per handle, see db/state.ts) turns that into a synchronous signal of which tables are being
 * written, so in-process caches (the session cache) are invalidated before the write even reaches
 * the database. Other replicas learn of writes through PostgreSQL notifications (see db/changes.ts).
 */
export type WriteListener = (table: string, op: "insert" | "update" | "delete") => void;

// Every write a statement makes, data-modifying CTEs included (`with a as (insert into x …) update y
// set …`): INSERT INTO t, DELETE FROM t, UPDATE t SET (not ON CONFLICT's DO UPDATE SET, whose table is
// the INSERT's). The SQL is the core's own (values travel as parameters), so no user text is scanned.
const WRITES = /\b(insert\s+into|delete\s+from)\s+"?([a-z0-9_]+)"?|\bupdate\s+"?([a-z0-9_]+)"?\s+set\b/gi;

/**
 * The drizzle logger of one database handle: feeds `onTableWrite`, and counts statements and writes
 * for tests and benchmarks (transaction BEGIN/COMMIT are not statements drizzle logs; they are not
 * counted).
 */
export interface WriteObserver {
  readonly statements: number;
  readonly writes: number;
  logQuery(query: string): void;
  onTableWrite(listener: WriteListener): () => void;
}

export function createWriteObserver(): WriteObserver {
  const listeners = new Set<WriteListener>();
  const observer = {
    statements: 0,
    writes: 0,
    logQuery(query: string): void {
      observer.statements++;
      let wrote = false;
      for (const m of query.matchAll(WRITES)) {
        const verb = (m[1] ?? "update").toLowerCase();
        const table = (m[2] ?? m[3])!.toLowerCase();
        const op = verb.startsWith("insert") ? "insert" : verb.startsWith("update") ? "update" : "delete";
        wrote = true;
        for (const l of listeners) l(table, op);
      }
      if (wrote) observer.writes++;
    },
    onTableWrite(listener: WriteListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return observer;
}
