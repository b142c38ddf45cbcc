import type { CacheStats } from "./cache-stats.ts";
import type { ChangeFeed } from "./changes.ts";
import { createWriteObserver, type WriteObserver } from "./writes.ts";

/**
 * What one database handle keeps beside its connections: built by `openDatabase` (called once per
 * core by the composition root, app/create.ts) and reachable from the root handle as `db.$olympus`,
 * so two cores in one process share none of it and nothing lives in a module-level registry.
 * - `writes`: this handle's drizzle logger, the in-process signal of which tables are written;
 * - `changes`: the LISTEN feed of other processes' commits (PostgreSQL only);
 * - `cacheStats`: the hit/miss counters of the read-through caches on this handle (metrics);
 * - per-handle services built on first use by the modules that define them (prepared statements,
 *   table caches, the session cache, the grant writer), each under its own key: `service(key, build)`.
 * Transactions have none of it (their handle has no `$olympus`): they read their own writes uncached.
 */
export class DatabaseState {
  readonly writes: WriteObserver = createWriteObserver();
  changes: ChangeFeed | undefined;
  readonly cacheStats = new Set<CacheStats>();
  private readonly services = new Map<symbol, { value: unknown; close?: () => void }>();

  /** The service registered under `key`, built by `build` the first time it is asked for. */
  service<T>(key: symbol, build: () => T, close?: (value: T) => void): T {
    const found = this.services.get(key);
    if (found) return found.value as T;
    const value = build();
    this.services.set(key, { value, ...(close ? { close: () => close(value) } : {}) });
    return value;
  }

  /** Closes every service (caches stop listening), the change feed, and forgets them. */
  close(): void {
    for (const s of this.services.values()) s.close?.();
    this.services.clear();
    this.changes?.close();
    this.cacheStats.clear();
  }
}
