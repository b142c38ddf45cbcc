import type { WriteObserver } from "./writes.ts";

/**
 * What caches learn about changes to the tables they read from:
 * - in this process, synchronously, before a write is even sent (src/db/writes.ts);
 * - from every process (other replicas included), when the writing transaction commits: PostgreSQL
 *   triggers NOTIFY the table's name on `olympus_changes` (migration 0003) and each core LISTENs.
 *   A notification arrives after the commit, so a read that raced the write and cached the old row
 *   is cleared as well. PGlite serves one process only, which the first path covers.
 * When the LISTEN connection is (re)established, nothing can be known about what was missed: every
 * subscriber is told that everything changed.
 */
export interface ChangeFeed {
  /** `table` is a table name, or "*" when anything may have changed. */
  subscribe(listener: (table: string) => void): () => void;
  close(): void;
}

export const CHANGE_CHANNEL = "olympus_changes";

type Listener = (table: string) => void;

/** A feed fed by `start(publish)`: started with the first subscriber, stopped on close. */
export function createChangeFeed(
  start?: (publish: Listener) => { stop(): void },
): ChangeFeed & { publish: Listener } {
  const listeners = new Set<Listener>();
  let running: { stop(): void } | undefined;
  const publish: Listener = (table) => {
    for (const l of listeners) l(table);
  };
  return {
    publish,
    subscribe(listener) {
      listeners.add(listener);
      if (!running && start) running = start(publish);
      return () => listeners.delete(listener);
    },
    close() {
      listeners.clear();
      running?.stop();
      running = undefined;
    },
  };
}

/** A database handle as far as watching goes: the root handle's state (db/state.ts); a transaction has none. */
export interface WatchedHandle {
  readonly $olympus?: { readonly writes: Pick<WriteObserver, "onTableWrite">; readonly changes?: ChangeFeed };
}

/**
 * Calls `onChange` whenever one of `tables` may have changed: written in this process (INSERTs
 * excepted for `ignoreInserts`), or announced by the database after a commit from any process.
 */
export function watchTables(
  db: WatchedHandle,
  tables: ReadonlySet<string>,
  onChange: (table: string) => void,
  opts: { ignoreInserts?: ReadonlySet<string> } = {},
): () => void {
  // Both signals belong to the root handle (db/state.ts); a transaction's handle has neither.
  const state = db.$olympus;
  if (!state) return () => {};
  const local = state.writes.onTableWrite((table, op) => {
    if (!tables.has(table)) return;
    if (op === "insert" && opts.ignoreInserts?.has(table)) return;
    onChange(table);
  });
  const remote = state.changes?.subscribe((table) => {
    if (table === "*" || tables.has(table)) onChange(table);
  });
  return () => {
    local();
    remote?.();
  };
}
