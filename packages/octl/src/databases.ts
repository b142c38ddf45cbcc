import postgres from "postgres";
import type { ResolvedService } from "./plan.ts";

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(invalid URL)";
  }
}

/**
 * Creates, on the PostgreSQL server at `serverUrl`, every database the planned services point at
 * (their DSN env values on that server). Returns the names it created; existing ones are kept.
 */
export async function ensureDatabases(serverUrl: string, services: ResolvedService[]): Promise<string[]> {
  const server = new URL(serverUrl);
  if (!/^postgres(ql)?:$/.test(server.protocol)) throw new Error("--database-url must be a postgres:// URL");
  const wanted = new Set<string>();
  for (const s of services) {
    for (const value of Object.values(s.env)) {
      if (!/^postgres(ql)?:\/\//.test(value)) continue;
      const u = new URL(value);
      if (u.host === server.host) wanted.add(decodeURIComponent(u.pathname.slice(1)));
    }
  }
  const sql = postgres(serverUrl, { max: 1, connect_timeout: 5, onnotice: () => {} });
  const created: string[] = [];
  try {
    for (const name of wanted) {
      if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`refusing to create database with name "${name}"`);
      const exists = await sql`select 1 from pg_database where datname = ${name}`;
      if (exists.length) continue;
      await sql.unsafe(`CREATE DATABASE "${name}"`);
      created.push(name);
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
  return created;
}
