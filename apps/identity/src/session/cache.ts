import { type CacheStats, cacheStats, dropCacheStats } from "../db/cache-stats.ts";
import { watchTables } from "../db/changes.ts";
import type { Db } from "../db/client.ts";
import type { FullIdentity } from "../identity/repository.ts";
import type { SessionRow } from "./session.ts";

/** Tables whose changes can alter what a cached session answers. */
const WATCHED = new Set([
  "sessions",
  "identities",
  "identity_credentials",
  "identity_credential_identifiers",
  "identity_verifiable_addresses",
  "identity_recovery_addresses",
]);

interface Entry {
  row: SessionRow;
  identity: FullIdentity;
  cachedAt: number;
  /** The serialized whoami body, built once per entry. */
  body?: string;
}

/**
 * whoami is the hottest endpoint: sessions are cached by token hash. Any change to a table that
 * shapes a session (revocation, identity change, address verification, …) clears the cache: at once
 * when this process writes it (before the write is sent), and again when any process's transaction
 * commits it (PostgreSQL NOTIFY, see db/changes.ts) — so a revocation through another replica holds
 * here too. A new session (an insert) clears nothing. Entries also expire after `ttlMs`, a bound for
 * the moments the notification connection is down.
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly unsubscribe: () => void;
  private readonly stats: CacheStats;

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 30_000,
    private readonly max = 10_000,
  ) {
    this.stats = cacheStats(db, "sessions", () => this.entries.size);
    this.unsubscribe = watchTables(db, WATCHED, () => this.clear(), {
      ignoreInserts: new Set(["sessions"]),
    });
  }

  get(tokenHash: string): Entry | undefined {
    const e = this.entries.get(tokenHash);
    if (!e) {
      this.stats.misses++;
      return undefined;
    }
    const now = Date.now();
    if (now - e.cachedAt > this.ttlMs || e.row.expiresAt.getTime() <= now) {
      this.entries.delete(tokenHash);
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    return e;
  }

  set(tokenHash: string, row: SessionRow, identity: FullIdentity): void {
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(tokenHash, { row, identity, cachedAt: Date.now() });
  }

  /** The entry's whoami body, serialized on first use. */
  body(tokenHash: string, build: () => string): string {
    const e = this.entries.get(tokenHash);
    if (!e) return build();
    e.body ??= build();
    return e.body;
  }

  /** Moves on every clear: a read that started before a change must not be cached after it. */
  generation = 0;

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
