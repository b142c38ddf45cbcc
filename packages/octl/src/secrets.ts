import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function randomString(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! % ALPHABET.length];
  return out;
}

/**
 * A secret of this deployment (cookie keys, cipher keys, session secrets): generated once, on first
 * use, and kept in `<home>/secrets.json` (mode 0600) so restarts keep sessions and encrypted data
 * readable. `octl reset` removes it with the rest of the state.
 */
export function deploymentSecret(home: string, name: string, length = 32): string {
  mkdirSync(home, { recursive: true });
  const file = join(home, "secrets.json");
  const all: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  const existing = all[name];
  if (existing && existing.length === length) return existing;
  all[name] = randomString(length);
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return all[name]!;
}

/** The dsn of a domain database: a database on the given PostgreSQL server, or a PGlite directory. */
export function databaseDsn(name: string, dataDir: string, serverUrl?: string): string {
  if (!serverUrl) return dataDir;
  const url = new URL(serverUrl);
  url.pathname = `/olympus_${name.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}`;
  return url.toString();
}
