import { onTableWrite } from "../db/writes.ts";
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
 * whoami is the hottest endpoint: sessions are cached by token hash. Any write in this process to a
 * table that shapes a session (revocation, identity change, address verification, …) clears the
 * cache synchronously, before the write is sent; a new session (an insert) does not. Entries also
 * expire after `ttlMs`, which bounds staleness for writes made by other replicas.
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly ttlMs = 5_000,
    private readonly max = 10_000,
  ) {
    this.unsubscribe = onTableWrite((table, op) => {
      if (WATCHED.has(table) && !(table === "sessions" && op === "insert")) this.entries.clear();
    });
  }

  get(tokenHash: string): Entry | undefined {
    const e = this.entries.get(tokenHash);
    if (!e) return undefined;
    const now = Date.now();
    if (now - e.cachedAt > this.ttlMs || e.row.expiresAt.getTime() <= now) {
      this.entries.delete(tokenHash);
      return undefined;
    }
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

  clear(): void {
    this.entries.clear();
  }

  close(): void {
    this.unsubscribe();
    this.entries.clear();
  }
}
