/**
 * Every query this process sends passes through drizzle's logger hook; this module turns that into
 * a synchronous signal of which tables are being written, so in-process caches (the session cache)
 * are invalidated before the write even reaches the database. Other replicas learn of writes
 * through PostgreSQL notifications (see db/changes.ts).
 */
type WriteListener = (table: string, op: "insert" | "update" | "delete") => void;

const listeners = new Set<WriteListener>();
const WRITE = /^\s*(?:with\b[\s\S]*?\)\s*)?(update|delete\s+from|insert\s+into)\s+"?([a-z0-9_]+)"?/i;

export function onTableWrite(listener: WriteListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The drizzle logger that feeds `onTableWrite`; also counts writes for tests and benchmarks. */
export const writeObserver = {
  writes: 0,
  logQuery(query: string): void {
    const m = WRITE.exec(query);
    if (!m) return;
    writeObserver.writes++;
    const verb = m[1]!.toLowerCase();
    const op = verb.startsWith("insert") ? "insert" : verb.startsWith("update") ? "update" : "delete";
    for (const l of listeners) l(m[2]!.toLowerCase(), op);
  },
};
