#!/usr/bin/env node
// @ts-check
// Seeds each domain from seeds/<domain>/: demo identities through the Kratos admin API and OAuth2
// clients through the Hydra admin API. Idempotent: identities are matched by traits.email, clients by
// client_id, and what exists is left as it is (an admin's later edits survive), so running it again
// changes nothing, but for client secrets the deployment owns (`{secret.NAME}`), which are set to the
// deployment's value each time. `octl seed` and `octl deploy` import seedDomain; the compose stack runs this file
// as a program in the stock Node image (it has no dependencies but ./index.mjs).
//
// As a program: SEEDS_DIR (default ./seeds), SEED_DOMAINS (default ciam,iam), and per domain the
// variables <DOMAIN>_KRATOS_ADMIN_URL and <DOMAIN>_HYDRA_ADMIN_URL (defaults: the local ports of
// docs/deploying.md, which is what the compose stack's shared network namespace gives); a client
// secret written `{secret.NAME}` in clients.json comes from SEED_SECRET_<NAME>.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CORE_URL_ENV, isDomain, localCoreUrls } from "./index.mjs";

export class SeedError extends Error {
  name = "SeedError";
}

/** @param {string} dir @param {string} domain @param {string} file @returns {any[]} */
function readSeed(dir, domain, file) {
  const path = join(dir, file);
  if (!existsSync(path)) return [];
  const parsed = JSON.parse(readFileSync(path, "utf8"));
  if (!Array.isArray(parsed)) throw new SeedError(`${domain}/${file}: expected a JSON array`);
  return parsed;
}

/** @param {string} url @param {RequestInit} [init] */
async function call(url, init = {}) {
  try {
    return await fetch(url, {
      ...init,
      headers: { accept: "application/json", ...(init.body ? { "content-type": "application/json" } : {}) },
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    const e = /** @type {Error & { cause?: Error }} */ (err);
    throw new SeedError(`${init.method ?? "GET"} ${url}: ${e.cause?.message ?? e.message}`);
  }
}

/** @param {Response} res @param {string} what */
async function failure(res, what) {
  const body = await res.text().catch(() => "");
  return new SeedError(`${what}: HTTP ${res.status} ${body.slice(0, 500)}`);
}

/**
 * A client whose `client_secret` is `{secret.NAME}` gets the deployment's secret NAME (the value the
 * other side of the deployment is given too, e.g. the CIAM core that signs in with this client), so
 * no secret is written in seeds/. Without a way to look secrets up, seeding such a client fails.
 * @param {Record<string, unknown>} client
 * @param {((name: string) => string | undefined) | undefined} secret
 * @param {string} domain
 */
function withSecret(client, secret, domain) {
  const m = typeof client.client_secret === "string" ? SECRET_REF.exec(client.client_secret) : null;
  if (!m) return client;
  const value = secret?.(m[1] ?? "");
  if (!value) {
    throw new SeedError(
      `${domain}/clients.json: client ${client.client_id} needs the deployment secret ${m[1]} (as a program: ${secretEnvName(m[1] ?? "")})`,
    );
  }
  return { ...client, client_secret: value };
}

const SECRET_REF = /^\{secret\.([a-z0-9][a-z0-9-]*)\}$/;

/**
 * The variable through which the seed program receives deployment secret NAME:
 * `secretEnvName("workforce-client")` is `SEED_SECRET_WORKFORCE_CLIENT`.
 * @param {string} name
 */
export function secretEnvName(name) {
  return `SEED_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/**
 * Applies <seedsDir>/<domain>/identities.json and clients.json to one domain. Clients are skipped
 * when the target has no Hydra admin URL (the domain's OAuth2 API is not up).
 * @param {string} seedsDir
 * @param {import("./seed.d.mts").SeedTarget} target
 * @returns {Promise<import("./seed.d.mts").SeedReport>}
 */
export async function seedDomain(seedsDir, target) {
  const { domain, kratosAdmin, hydraAdmin } = target;
  const dir = join(seedsDir, domain);
  /** @type {import("./seed.d.mts").SeedReport} */
  const report = {
    domain,
    identities: { created: [], existing: [] },
    clients: { created: [], existing: [] },
  };
  for (const identity of readSeed(dir, domain, "identities.json")) {
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
  if (!hydraAdmin) return report;
  for (const client of readSeed(dir, domain, "clients.json")) {
    const id = client?.client_id;
    if (!id) throw new SeedError(`${domain}/clients.json: every client needs a client_id`);
    const found = await call(`${hydraAdmin}/admin/clients/${encodeURIComponent(id)}`);
    if (found.ok) {
      report.clients.existing.push(id);
      // A secret the deployment owns is the one the other side was given (the CIAM core signing in
      // with this client): a client left by an earlier deployment on the same database gets this
      // deployment's. Only the secret: an admin's other edits survive.
      const secretRef = typeof client.client_secret === "string" && SECRET_REF.test(client.client_secret);
      if (secretRef) {
        const { client_secret } = withSecret(client, target.secret, domain);
        const patched = await call(`${hydraAdmin}/admin/clients/${encodeURIComponent(id)}`, {
          method: "PATCH",
          body: JSON.stringify([{ op: "add", path: "/client_secret", value: client_secret }]),
        });
        if (!patched.ok) throw await failure(patched, `setting the deployment's secret of client ${id}`);
      }
      continue;
    }
    if (found.status !== 404) throw await failure(found, `looking up client ${id}`);
    const created = await call(`${hydraAdmin}/admin/clients`, {
      method: "POST",
      body: JSON.stringify(withSecret(client, target.secret, domain)),
    });
    if (!created.ok) throw await failure(created, `creating client ${id}`);
    report.clients.created.push(id);
  }
  return report;
}

/**
 * One line per domain, for the deploy summary.
 * @param {import("./seed.d.mts").SeedReport} r
 */
export function describeSeed(r) {
  /** @param {string} what @param {{ created: string[]; existing: string[] }} x */
  const part = (what, x) =>
    `${what}: ${x.created.length} created${x.existing.length ? `, ${x.existing.length} already there` : ""}`;
  return `${r.domain.toUpperCase()}: ${part("identities", r.identities)}; ${part("OAuth2 clients", r.clients)}`;
}

/**
 * The program: seeds SEED_DOMAINS from SEEDS_DIR; returns the exit code.
 * @param {Record<string, string | undefined>} env
 */
export async function main(env) {
  const seedsDir = env.SEEDS_DIR || "seeds";
  let ok = true;
  for (const domain of (env.SEED_DOMAINS || "ciam,iam")
    .split(",")
    .map((d) => d.trim())
    .filter(Boolean)) {
    const p = domain.toUpperCase();
    const local = isDomain(domain) ? localCoreUrls(domain) : undefined;
    /** @param {"kratosAdmin" | "hydraAdmin"} key */
    const url = (key) => (env[`${p}_${CORE_URL_ENV[key]}`] || local?.[key] || "").replace(/\/+$/, "");
    try {
      const target = {
        domain,
        kratosAdmin: url("kratosAdmin"),
        hydraAdmin: url("hydraAdmin"),
        /** @param {string} name */
        secret: (name) => env[secretEnvName(name)] || undefined,
      };
      if (!target.kratosAdmin || !target.hydraAdmin) {
        throw new SeedError(`set ${p}_KRATOS_ADMIN_URL and ${p}_HYDRA_ADMIN_URL`);
      }
      console.log(`Seeded ${describeSeed(await seedDomain(seedsDir, target))}`);
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
