/**
 * Hit and miss counts of the read-through caches (sessions, OAuth2 clients, grants, CORS origins),
 * per root database handle (kept by the handle, db/state.ts), for the metrics endpoint (metrics/metrics.ts). Counting is two integer
 * increments on the hot path; nothing is exported unless someone scrapes.
 */
export interface CacheStats {
  /** What the cache holds, e.g. `sessions` or `oauth2_clients`. */
  readonly name: string;
  hits: number;
  misses: number;
  size(): number;
}

type Handle = object & { $olympus?: { readonly cacheStats: Set<CacheStats> } };

/**
 * Registers a cache's counters under its database handle; returns them for the cache to bump
 * (a transaction's handle registers nothing: its counters are counted and forgotten).
 */
export function cacheStats(db: Handle, name: string, size: () => number): CacheStats {
  const stats: CacheStats = { name, hits: 0, misses: 0, size };
  db.$olympus?.cacheStats.add(stats);
  return stats;
}

/** Forgets a closed cache's counters. */
export function dropCacheStats(db: Handle, stats: CacheStats): void {
  db.$olympus?.cacheStats.delete(stats);
}

/** Every cache registered under this database handle. */
export function cacheStatsOf(db: Handle): CacheStats[] {
  return [...(db.$olympus?.cacheStats ?? [])];
}
