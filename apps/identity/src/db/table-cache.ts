import { type CacheStats, cacheStats, dropCacheStats } from "./cache-stats.ts";
import { watchTables } from "./changes.ts";
import type { Db, DbOrTx } from "./client.ts";

export interface TableCacheOptions {
  /** Tables whose changes can alter a cached value: any change clears the whole cache. */
  tables: readonly string[];
  /** Tables whose INSERTs cannot alter a cached value (new rows only). */
  ignoreInserts?: readonly string[];
  /** Upper bound on an entry's age, for the moments change notifications are down. */
  ttlMs?: number;
  max?: number;
  /** The name its hit rate is reported under (metrics); the first table by default. */
  name?: string;
}

/**
 * A read-through cache of values derived from a few tables, cleared whenever one of them changes in
 * this process or, by PostgreSQL notification, in any other (see changes.ts). One per database
 * handle; transactions never use it, as they must read their own writes.
 */
export class TableCache<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();
  private readonly unsubscribe: () => void;
  private readonly ttlMs: number;
  private readonly max: number;
  private readonly stats: CacheStats;

  constructor(
    private readonly db: Db,
    opts: TableCacheOptions,
  ) {
    this.ttlMs = opts.ttlMs ?? 30_000;
    this.max = opts.max ?? 10_000;
    this.stats = cacheStats(db, opts.name ?? opts.tables[0] ?? "cache", () => this.entries.size);
    this.unsubscribe = watchTables(db, new Set(opts.tables), () => this.clear(), {
      ignoreInserts: new Set(opts.ignoreInserts ?? []),
    });
  }

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) {
      this.stats.misses++;
      return undefined;
    }
    if (Date.now() - e.at > this.ttlMs) {
      this.entries.delete(key);
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    return e.value;
  }

  set(key: string, value: V): void {
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, at: Date.now() });
  }

  /**
   * The cached value, or `load()`'s, cached when defined. A change that lands while `load` runs
   * (its generation moved) leaves the cache alone: what `load` read may predate the change.
   */
  async through(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const generation = this.generation;
    const value = await load();
    if (value !== undefined && generation === this.generation) this.set(key, value);
    return value;
  }

  private generation = 0;

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  close(): void {
    this.unsubscribe();
    this.entries.clear();
    dropCacheStats(this.db, this.stats);
  }
}

/**
 * One cache per root database handle, kept by the handle (db/state.ts) and closed with it;
 * `undefined` inside transactions.
 */
export function cachePerDatabase<V>(opts: TableCacheOptions): (db: DbOrTx) => TableCache<V> | undefined {
  const key = Symbol(`table cache ${opts.name ?? opts.tables[0] ?? ""}`);
  return (db) => {
    if (!("$olympus" in db)) return undefined;
    const root: Db = db;
    return root.$olympus.service(
      key,
      () => new TableCache<V>(root, opts),
      (cache) => cache.close(),
    );
  };
}
