#!/usr/bin/env node
// The compose stack's seed: applies seeds/<domain>/identities.json through the Kratos admin API and
// seeds/<domain>/clients.json through the Hydra admin API of each domain, with the rules of
// `octl seed` (packages/octl/src/seed/seed.ts): identities are matched by traits.email, clients by
// client_id, and what exists is left as it is, so running it again changes nothing. Plain Node (no
// dependencies), so it runs in the stock node image.
//
// Environment: SEEDS_DIR (default ./seeds), SEED_DOMAINS (default ciam,iam), and per domain the
// SDK's variable names <DOMAIN>_KRATOS_ADMIN_URL and <DOMAIN>_HYDRA_ADMIN_URL (defaults: the local
// ports of docs/deploying.md, which is what the compose stack's shared network namespace gives).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const LOCAL = {
  ciam: { kratosAdmin: "http://127.0.0.1:3101", hydraAdmin: "http://127.0.0.1:3103" },
  iam: { kratosAdmin: "http://127.0.0.1:4101", hydraAdmin: "http://127.0.0.1:4103" },
};

class SeedError extends Error {}

function readSeed(dir, file) {
  const path = join(dir, file);
  if (!existsSync(path)) return [];
  const parsed = JSON.parse(readFileSync(path, "utf8"));
  if (!Array.isArray(parsed)) throw new SeedError(`${path}: expected a JSON array`);
  return parsed;
}

async function call(url, init = {}) {
  try {
    return await fetch(url, {
      ...init,
      headers: { accept: "application/json", ...(init.body ? { "content-type": "application/json" } : {}) },
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    throw new SeedError(`${init.method ?? "GET"} ${url}: ${err.cause?.message ?? err.message}`);
  }
}

async function failure(res, what) {
  const body = await res.text().catch(() => "");
  return new SeedError(`${what}: HTTP ${res.status} ${body.slice(0, 500)}`);
}

/** Seeds one domain; returns what was created and what was already there. */
export async function seedDomain(seedsDir, domain, { kratosAdmin, hydraAdmin }) {
  const dir = join(seedsDir, domain);
  const report = {
    domain,
    identities: { created: [], existing: [] },
    clients: { created: [], existing: [] },
  };
  for (const identity of readSeed(dir, "identities.json")) {
    const email = String(identity?.traits?.email ?? "").toLowerCase();
    if (!email) throw new SeedError(`${domain}/identities.json: every identity needs traits.email`);
    const found = await call(
      `${kratosAdmin}/admin/identities?credentials_identifier=${encodeURIComponent(email)}`,
    );
    if (!found.ok) throw await failure(found, `looking up ${email}`);
    if ((await found.json()).length > 0) {
      report.identities.existing.push(email);
      continue;
    }
    const created = await call(`${kratosAdmin}/admin/identities`, {
      method: "POST",
      body: JSON.stringify(identity),
    });
    if (created.status === 409) report.identities.existing.push(email);
    else if (!created.ok) throw await failure(created, `creating ${email}`);
    else report.identities.created.push(email);
  }
  for (const client of readSeed(dir, "clients.json")) {
    const id = client?.client_id;
    if (!id) throw new SeedError(`${domain}/clients.json: every client needs a client_id`);
    const found = await call(`${hydraAdmin}/admin/clients/${encodeURIComponent(id)}`);
    if (found.ok) {
      report.clients.existing.push(id);
      continue;
    }
    if (found.status !== 404) throw await failure(found, `looking up client ${id}`);
    const created = await call(`${hydraAdmin}/admin/clients`, {
      method: "POST",
      body: JSON.stringify(client),
    });
    if (!created.ok) throw await failure(created, `creating client ${id}`);
    report.clients.created.push(id);
  }
  return report;
}

function describe(r) {
  const part = (what, x) =>
    `${what}: ${x.created.length} created${x.existing.length ? `, ${x.existing.length} already there` : ""}`;
  return `${r.domain.toUpperCase()}: ${part("identities", r.identities)}; ${part("OAuth2 clients", r.clients)}`;
}

async function main(env) {
  const seedsDir = env.SEEDS_DIR || "seeds";
  let ok = true;
  for (const domain of (env.SEED_DOMAINS || "ciam,iam")
    .split(",")
    .map((d) => d.trim())
    .filter(Boolean)) {
    const p = domain.toUpperCase();
    const target = {
      kratosAdmin: (env[`${p}_KRATOS_ADMIN_URL`] || LOCAL[domain]?.kratosAdmin || "").replace(/\/+$/, ""),
      hydraAdmin: (env[`${p}_HYDRA_ADMIN_URL`] || LOCAL[domain]?.hydraAdmin || "").replace(/\/+$/, ""),
    };
    try {
      if (!target.kratosAdmin || !target.hydraAdmin) {
        throw new SeedError(`set ${p}_KRATOS_ADMIN_URL and ${p}_HYDRA_ADMIN_URL`);
      }
      console.log(`Seeded ${describe(await seedDomain(seedsDir, domain, target))}`);
    } catch (err) {
      ok = false;
      console.error(`Seeding ${p} failed: ${err instanceof SeedError ? err.message : err}`);
    }
  }
  return ok ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.env);
}
