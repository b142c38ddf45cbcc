import type { JWK } from "jose";
import { publicPart } from "../keys/store.ts";
import { type FetchPolicy, fetchRemote, RemoteError } from "./fetch.ts";

/** A refetch forced by an unknown `kid` happens at most this often per URL. */
const REFRESH_COOLDOWN_MS = 10_000;

/** The verification keys of a JWK Set document (public parts of the keys not meant for encryption). */
export function parseKeySet(text: string): JWK[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new RemoteError("The document is not JSON.");
  }
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new RemoteError('The document is not a JWK Set (no "keys" array).');
  return keys
    .filter((k): k is JWK => typeof k === "object" && k !== null && typeof (k as JWK).kty === "string")
    .filter((k) => k.use !== "enc")
    .map(publicPart);
}

/**
 * Clients' `jwks_uri` documents, fetched on first use and reused for `ttlMs`. An assertion signed
 * with a key the cached set does not have forces a refetch (key rotation), at most once per
 * cooldown, so random `kid`s can not make the server fetch on every request. Concurrent requests
 * share one fetch.
 */
export class RemoteKeySets {
  private readonly entries = new Map<string, { keys: JWK[]; at: number }>();
  private readonly inflight = new Map<string, Promise<JWK[]>>();

  constructor(
    private readonly policy: FetchPolicy,
    private readonly ttlMs: number,
    private readonly max = 1000,
  ) {}

  async get(url: string, opts: { refresh?: boolean } = {}): Promise<JWK[]> {
    const hit = this.entries.get(url);
    const age = hit ? Date.now() - hit.at : Number.POSITIVE_INFINITY;
    if (hit && age < this.ttlMs && !(opts.refresh && age >= REFRESH_COOLDOWN_MS)) return hit.keys;
    const running = this.inflight.get(url);
    if (running) return running;
    const load = fetchRemote(url, this.policy)
      .then((doc) => {
        const keys = parseKeySet(doc.body);
        if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
        this.entries.set(url, { keys, at: Date.now() });
        return keys;
      })
      .finally(() => this.inflight.delete(url));
    this.inflight.set(url, load);
    return load;
  }
}
