// Seeds each domain from seeds/<domain>/: demo identities through the Kratos admin API and OAuth2
// clients through the Hydra admin API. Idempotent: identities are matched by their first password
// identifier, clients by client_id; what exists is left as it is (an admin's later edits survive).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface SeedTarget {
  domain: string;
  /** Kratos admin API base URL. */
  kratosAdmin: string;
  /** Hydra admin API base URL, when the domain's OAuth2 API is up. */
  hydraAdmin?: string;
}

export interface SeedReport {
  domain: string;
  identities: { created: string[]; existing: string[] };
  clients: { created: string[]; existing: string[] };
}

export class SeedError extends Error {
  override name = "SeedError";
}

function readJson<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, "utf8")) as unknown;
  if (!Array.isArray(parsed)) throw new SeedError(`${file}: expected a JSON array`);
  return parsed as T[];
}

async function call(url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, {
      ...init,
      headers: {
        accept: "application/json",
        ...(init.body ? { "content-type": "application/json" } : {}),
        ...init.headers,
      },
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    throw new SeedError(`${init.method ?? "GET"} ${url}: ${(err as Error).message}`);
  }
}

async function failure(res: Response, what: string): Promise<SeedError> {
  const body = await res.text().catch(() => "");
  return new SeedError(`${what}: HTTP ${res.status} ${body.slice(0, 500)}`);
}

interface IdentitySeed {
  schema_id: string;
  traits: Record<string, unknown>;
}

interface ClientSeed {
  client_id: string;
}

/** Applies seeds/<domain>/identities.json and clients.json to one domain. */
export async function seedDomain(root: string, target: SeedTarget): Promise<SeedReport> {
  const dir = join(root, "seeds", target.domain);
  const report: SeedReport = {
    domain: target.domain,
    identities: { created: [], existing: [] },
    clients: { created: [], existing: [] },
  };
  for (const identity of readJson<IdentitySeed>(join(dir, "identities.json"))) {
    const email = String(identity.traits.email ?? "").toLowerCase();
    if (!email)
      throw new SeedError(`seeds/${target.domain}/identities.json: every identity needs traits.email`);
    const found = await call(
      `${target.kratosAdmin}/admin/identities?credentials_identifier=${encodeURIComponent(email)}`,
    );
    if (!found.ok) throw await failure(found, `looking up ${email}`);
    if (((await found.json()) as unknown[]).length > 0) {
      report.identities.existing.push(email);
      continue;
    }
    const created = await call(`${target.kratosAdmin}/admin/identities`, {
      method: "POST",
      body: JSON.stringify(identity),
    });
    if (created.status === 409) {
      report.identities.existing.push(email);
      continue;
    }
    if (!created.ok) throw await failure(created, `creating ${email}`);
    report.identities.created.push(email);
  }
  const clients = readJson<ClientSeed>(join(dir, "clients.json"));
  if (clients.length && target.hydraAdmin) {
    for (const client of clients) {
      const found = await call(`${target.hydraAdmin}/admin/clients/${encodeURIComponent(client.client_id)}`);
      if (found.ok) {
        report.clients.existing.push(client.client_id);
        continue;
      }
      if (found.status !== 404) throw await failure(found, `looking up client ${client.client_id}`);
      const created = await call(`${target.hydraAdmin}/admin/clients`, {
        method: "POST",
        body: JSON.stringify(client),
      });
      if (!created.ok) throw await failure(created, `creating client ${client.client_id}`);
      report.clients.created.push(client.client_id);
    }
  }
  return report;
}

/** One line per domain, for the deploy summary. */
export function describeSeed(r: SeedReport): string {
  const part = (what: string, x: { created: string[]; existing: string[] }) =>
    `${what}: ${x.created.length} created${x.existing.length ? `, ${x.existing.length} already there` : ""}`;
  return `${r.domain.toUpperCase()}: ${part("identities", r.identities)}; ${part("OAuth2 clients", r.clients)}`;
}
