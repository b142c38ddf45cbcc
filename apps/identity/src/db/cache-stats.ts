/**
 * Hit and miss counts of the read-through caches (sessions, OAuth2 clients, grants, CORS origins),
 * per root database handle, for the metrics endpoint (metrics/metrics.ts). Counting is two integer
 * increments on the hot path; nothing is exported unless someone scrapes.
 */
export interface CacheStats {
  /** What the cache holds, e.g. `sessions` or `oauth2_clients`. */
  readonly name: string;
  hits: number;
  misses: number;
  size(): number;
}

const perDatabase = new WeakMap<object, Set<CacheStats>>();

/** Registers a cache's counters under its database handle; returns them for the cache to bump. */
export function cacheStats(db: object, name: string, size: () => number): CacheStats {
  const stats: CacheStats = { name, hits: 0, misses: 0, size };
  let set = perDatabase.get(db);
  if (!set) {
    set = new Set();
    perDatabase.set(db, set);
  }
  set.add(stats);
  return stats;
}

/** Forgets a closed cache's counters. */
export function dropCacheStats(db: object, stats: CacheStats): void {
  perDatabase.get(db)?.delete(stats);
}

/** Every cache registered under this database handle. */
export function cacheStatsOf(db: object): CacheStats[] {
  return [...(perDatabase.get(db) ?? [])];
}
