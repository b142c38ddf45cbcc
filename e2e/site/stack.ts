/**
 * The Site playground's stack, started for real on the platform's ports: for each domain a fresh database
 * (PostgreSQL when TEST_DATABASE_URL is set, else PGlite), the identity core from the seeds' config
 * (Kratos API x100/x101, Hydra API x102/x103), Hera's production build (3000/4000); then the Site's
 * standalone build on 2000. It seeds one user per domain and the playground clients through the admin
 * APIs. Nothing is mocked: a piece that does not exist yet is reported by name (`Stack.blocked`) and
 * only the Site is started.
 */
import { type ChildProcess, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "@olympus/testdb";
import { portFree, startLogged, stopGroup, waitForHttp } from "@olympus/testkit";

const root = fileURLToPath(new URL("../..", import.meta.url));
export const logDir = join(root, "e2e", "test-results", "site-stack");

export type Domain = "ciam" | "iam";
export const DOMAINS: Domain[] = ["ciam", "iam"];
const base = (d: Domain) => (d === "ciam" ? 3000 : 4000);
export const ports = (d: Domain) => ({
  hera: base(d),
  kratosPublic: base(d) + 100,
  kratosAdmin: base(d) + 101,
  oauth2Public: base(d) + 102,
  oauth2Admin: base(d) + 103,
});
export const SITE_PORT = 2000;
export const SITE_URL = `http://localhost:${SITE_PORT}`;

/** A seeded account the specs sign in with. */
export interface SeededUser {
  domain: Domain;
  email: string;
  password: string;
  id: string;
}

/** A child in its own process group, its log in logDir (@olympus/testkit). */
function start(
  name: string,
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): ChildProcess {
  return startLogged(name, cmd, args, { cwd, env, logDir });
}

const stopChild = (child: ChildProcess) => stopGroup(child);

/** Polls `url` until it answers below 500; `ok` narrows what counts as ready. */
function waitFor(
  url: string,
  what: string,
  child: ChildProcess,
  timeoutMs: number,
  ok?: (res: Response) => boolean,
): Promise<Response> {
  return waitForHttp(url, { what, child, timeoutMs, logDir, ...(ok ? { ok } : {}) });
}

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** The identity the specs sign in with: the domain's schema, a verified address, a password. */
function identityBody(domain: Domain, email: string, password: string) {
  const traits =
    domain === "ciam"
      ? { email, first_name: "Site", last_name: "Playground" }
      : { email, name: { first: "Site", last: "Playground" } };
  return {
    schema_id: domain === "ciam" ? "default" : "admin",
    traits,
    ...(domain === "iam" ? { metadata_admin: { role: "viewer" } } : {}),
    verifiable_addresses: [{ value: email, via: "email", verified: true, status: "completed" }],
    credentials: { password: { config: { password } } },
  };
}

/** The playground clients exactly as seeds/<domain>/clients.json registers them. */
function playgroundClients(domain: Domain): Record<string, unknown>[] {
  const all = JSON.parse(readFileSync(join(root, "seeds", domain, "clients.json"), "utf8")) as {
    client_id: string;
  }[];
  return all.filter((c) => c.client_id.startsWith("site-playground-"));
}

/** Newest modification time of the files under `dir` (0 when it does not exist). */
function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
    const full = join(dir, e.name);
    return Math.max(max, e.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }, 0);
}

/** Builds a workspace app unless its production build is there and newer than every file in `sources`. */
function ensureBuild(pkg: string, marker: string, sources: string[] = []): void {
  if (existsSync(marker) && sources.every((d) => newest(d) < statSync(marker).mtimeMs)) return;
  const r = spawnSync("pnpm", ["--filter", pkg, "build"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`building ${pkg} failed (pnpm --filter ${pkg} build)`);
}

export interface Stack {
  /** The seeded user of every domain whose round trip can run. */
  users: Partial<Record<Domain, SeededUser>>;
  /** Per domain, what the platform is missing for its round trip; such a domain gets no Hera. */
  blocked: Partial<Record<Domain, string>>;
  stop(): Promise<void>;
}

/** Starts everything there is; throws when something that exists is broken. */
export async function startStack(): Promise<Stack> {
  const wanted = [SITE_PORT, ...DOMAINS.flatMap((d) => Object.values(ports(d)))];
  for (const port of wanted) {
    if (!(await portFree(port))) {
      throw new Error(
        `Port ${port} is in use. The Site's e2e suite runs both domains on their real ports: stop what listens there (octl down).`,
      );
    }
  }
  // e2e does not depend on the Site's package (turbo would not build it first), so a stale build is rebuilt here.
  ensureBuild("@olympus/site", join(root, "apps/site/.next/standalone/apps/site/server.js"), [
    join(root, "apps/site/src"),
    join(root, "docs"),
  ]);

  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  };
  try {
    const users: Partial<Record<Domain, SeededUser>> = {};
    // What each domain's round trip needs but the repository does not have yet, in the words the report shows.
    const missingBy = { ciam: new Set<string>(), iam: new Set<string>() };
    const heraExists = existsSync(join(root, "apps", "hera", "package.json"));
    for (const domain of DOMAINS) {
      const p = ports(domain);
      const missing = missingBy[domain];
      if (!heraExists) missing.add("apps/hera (the login and consent UI) does not exist");
      const database: TestDatabase = await createTestDatabase(`olympus_e2e_site_${domain}`);
      cleanups.push(() => database.drop());
      const core = start(
        `identity-${domain}`,
        "pnpm",
        ["exec", "tsx", "src/main.ts", "serve", "--config", `../../seeds/${domain}/identity.yml`],
        join(root, "apps", "identity"),
        {
          DSN: database.dsn,
          // The seeds leave the Hydra ports to the environment, as octl's manifest does.
          OAUTH2_SERVE_PUBLIC_PORT: String(p.oauth2Public),
          OAUTH2_SERVE_ADMIN_PORT: String(p.oauth2Admin),
          COURIER_WORKER_ENABLED: "false",
          LOG_LEVEL: "warn",
        },
      );
      cleanups.push(() => stopChild(core));
      await waitFor(
        `http://127.0.0.1:${p.kratosPublic}/health/ready`,
        `The ${domain} identity core`,
        core,
        90_000,
      );
      const discovery = `http://127.0.0.1:${p.oauth2Public}/.well-known/openid-configuration`;
      try {
        await waitFor(discovery, `The ${domain} OAuth2 public API`, core, 5_000, (r) => r.status === 200);
      } catch {
        missing.add(
          `the identity core serves no Hydra public API (nothing answers /.well-known/openid-configuration on port ${p.oauth2Public})`,
        );
      }

      const email = `site-e2e-${domain}-${randomBytes(4).toString("hex")}@demo.user`;
      const password = `Playground-${randomBytes(6).toString("hex")}!`;
      const created = await post(
        `http://127.0.0.1:${p.kratosAdmin}/admin/identities`,
        identityBody(domain, email, password),
      );
      if (created.status === 404 || created.status === 405) {
        missing.add(
          `the identity core has no Kratos admin API POST /admin/identities (port ${p.kratosAdmin}) to seed a user`,
        );
      } else if (created.status !== 201) {
        throw new Error(`creating the ${domain} user: HTTP ${created.status} ${await created.text()}`);
      } else {
        users[domain] = { domain, email, password, id: ((await created.json()) as { id: string }).id };
      }

      for (const client of playgroundClients(domain)) {
        const res = await post(`http://127.0.0.1:${p.oauth2Admin}/admin/clients`, client).catch(
          () => undefined,
        );
        if (!res || res.status === 404 || res.status === 405) {
          missing.add(
            `the identity core serves no Hydra admin API POST /admin/clients (port ${p.oauth2Admin}) to register the playground clients`,
          );
          continue;
        }
        // 409: `serve` may already seed the clients from seeds/; either way the client exists.
        if (res.status !== 201 && res.status !== 409) {
          throw new Error(`registering ${client.client_id}: HTTP ${res.status} ${await res.text()}`);
        }
      }
    }
    const blocked: Partial<Record<Domain, string>> = {};
    for (const d of DOMAINS) if (missingBy[d].size) blocked[d] = [...missingBy[d]].join("; ");
    const ready = DOMAINS.filter((d) => !blocked[d]);
    if (ready.length) {
      // Only now is Hera worth building (turbo builds it first when e2e depends on it).
      ensureBuild("@olympus/hera", join(root, "apps", "hera", ".next", "BUILD_ID"));
    } else {
      // No round trip can run; the Site's own pages still can, without cores behind them.
      for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
    }
    for (const domain of ready) {
      const p = ports(domain);
      const heraDir = join(root, "apps", "hera");
      const hera = start(
        `hera-${domain}`,
        join(heraDir, "node_modules", ".bin", "next"),
        ["start", "-p", String(p.hera)],
        heraDir,
        {
          NODE_ENV: "production",
          NEXT_TELEMETRY_DISABLED: "1",
          OLYMPUS_DOMAIN: domain,
          HERA_PUBLIC_URL: `http://localhost:${p.hera}`,
          KRATOS_PUBLIC_URL: `http://127.0.0.1:${p.kratosPublic}`,
          KRATOS_ADMIN_URL: `http://127.0.0.1:${p.kratosAdmin}`,
          HYDRA_ADMIN_URL: `http://127.0.0.1:${p.oauth2Admin}`,
          CAPTCHA_ENABLED: "false",
        },
      );
      cleanups.push(() => stopChild(hera));
      await waitFor(`http://127.0.0.1:${p.hera}/login`, `Hera ${domain}`, hera, 60_000);
    }

    const site = start("site", "node", ["scripts/start.mjs"], join(root, "apps", "site"), {
      PORT: String(SITE_PORT),
      SITE_HOST: "127.0.0.1",
      SITE_PUBLIC_URL: SITE_URL,
      CIAM_ISSUER_URL: `http://localhost:${ports("ciam").oauth2Public}`,
      IAM_ISSUER_URL: `http://localhost:${ports("iam").oauth2Public}`,
      CIAM_PLAYGROUND_CLIENT_ID: "site-playground-ciam",
      IAM_PLAYGROUND_CLIENT_ID: "site-playground-iam",
      CIAM_HYDRA_ADMIN_URL: `http://127.0.0.1:${ports("ciam").oauth2Admin}`,
      IAM_HYDRA_ADMIN_URL: `http://127.0.0.1:${ports("iam").oauth2Admin}`,
    });
    cleanups.push(() => stopChild(site));
    await waitFor(`http://127.0.0.1:${SITE_PORT}/api/health`, "The Site", site, 30_000);
    return { users, blocked, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

// Run by hand: `tsx site/stack.ts` keeps the stack up until interrupted.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const stack = await startStack();
  console.log(`Site ${SITE_URL} · users ${JSON.stringify(stack.users)} · logs in ${logDir}`);
  for (const [d, why] of Object.entries(stack.blocked)) console.log(`${d} round trip blocked: ${why}`);
  const shutdown = () => void stack.stop().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}
