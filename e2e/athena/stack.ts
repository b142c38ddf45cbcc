/**
 * The stack Athena's specs walk through, started for real on the platform's ports: MailDev, both
 * identity cores (fresh databases: PostgreSQL when TEST_DATABASE_URL is set, else PGlite), Hera IAM
 * (4000) for the sign-in, and the production build of Athena twice, IAM on 4001 and CIAM on 3001.
 * It seeds the IAM demo administrators and Athena's OAuth2 clients through the admin APIs.
 * Nothing is faked: the stack fails to start, naming what is missing, when the IAM sign-in cannot
 * run (the specs sign in through it and nothing else). `tsx athena/stack.ts` runs it by hand.
 */
import { type ChildProcess, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "@olympus/testdb";
import { freePort, portFree, startLogged, stopGroup, waitForHttp } from "@olympus/testkit";
import { MailDev } from "maildev";

const root = fileURLToPath(new URL("../..", import.meta.url));
export const logDir = join(root, "e2e", "test-results", "athena-stack");

export type Domain = "ciam" | "iam";
const base = (d: Domain) => (d === "ciam" ? 3000 : 4000);
export const ports = (d: Domain) => ({
  hera: base(d),
  athena: base(d) + 1,
  kratosPublic: base(d) + 100,
  kratosAdmin: base(d) + 101,
  oauth2Public: base(d) + 102,
  oauth2Admin: base(d) + 103,
});
export const athenaUrl = (d: Domain) => `http://localhost:${ports(d).athena}`;
export const kratosAdminUrl = (d: Domain) => `http://127.0.0.1:${ports(d).kratosAdmin}`;
export const kratosPublicUrl = (d: Domain) => `http://127.0.0.1:${ports(d).kratosPublic}`;
export const oauth2AdminUrl = (d: Domain) => `http://127.0.0.1:${ports(d).oauth2Admin}`;
/** Both Athenas sign administrators in through the IAM provider. */
export const ISSUER = `http://localhost:${ports("iam").oauth2Public}`;
export const PASSWORD = "admin123!";

/** What the specs need to know about the running stack (passed to workers as JSON in the env). */
export interface StackInfo {
  secret: string;
  /** CIAM's workforce client secret (e2e/athena/providers.spec.ts checks it never shows). */
  workforceSecret: string;
  users: { admin: string; viewer: string };
  /** Why the OAuth2 client pages cannot run (the domain's Hydra admin API), if they cannot. */
  clientsMissing?: Partial<Record<Domain, string>>;
}

export interface Stack extends StackInfo {
  stop(): Promise<void>;
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

async function waitFor(
  url: string,
  what: string,
  child: ChildProcess,
  timeoutMs: number,
  ok?: (res: Response) => boolean,
): Promise<void> {
  await waitForHttp(url, { what, child, timeoutMs, logDir, ...(ok ? { ok } : {}) });
}

/** POSTs JSON; a refused connection comes back as undefined (the API is not served). */
async function post(url: string, body: unknown): Promise<Response | undefined> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  }).catch(() => undefined);
}

function ensureBuild(pkg: string, marker: string): void {
  if (existsSync(marker)) return;
  const r = spawnSync("pnpm", ["--filter", pkg, "build"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`building ${pkg} failed (pnpm --filter ${pkg} build)`);
}

/** Starts everything; throws when something that exists is broken or a port is taken. */
export async function startStack(): Promise<Stack> {
  const wanted = (["iam", "ciam"] as Domain[]).flatMap((d) =>
    Object.values(ports(d)).filter((p) => p !== ports("ciam").hera),
  );
  for (const port of wanted) {
    if (!(await portFree(port))) {
      throw new Error(
        `Port ${port} is in use. Athena's e2e suite runs the platform on its real ports: stop what listens there (octl down).`,
      );
    }
  }
  ensureBuild("@olympus/athena", join(root, "apps/athena/.next/standalone/apps/athena/server.js"));

  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  };
  try {
    const mailDir = await mkdtemp(join(tmpdir(), "olympus-e2e-athena-mail-"));
    const smtpPort = await freePort();
    const webPort = await freePort();
    const maildev = new MailDev({
      smtp: smtpPort,
      web: webPort,
      ip: "127.0.0.1",
      webIp: "127.0.0.1",
      mailDirectory: mailDir,
      silent: true,
    } as never);
    await maildev.start();
    cleanups.push(async () => {
      await maildev.stop();
      await rm(mailDir, { recursive: true, force: true });
    });

    const workforceSecret = `workforce-${randomBytes(12).toString("hex")}`;
    const clientsMissing: Partial<Record<Domain, string>> = {};
    for (const domain of ["iam", "ciam"] as Domain[]) {
      const p = ports(domain);
      const database: TestDatabase = await createTestDatabase(`olympus_e2e_athena_${domain}`);
      cleanups.push(() => database.drop());
      const core = start(
        `identity-${domain}`,
        "pnpm",
        ["exec", "tsx", "src/main.ts", "serve", "--config", `../../seeds/${domain}/identity.yml`],
        join(root, "apps", "identity"),
        {
          DSN: database.dsn,
          COURIER_SMTP_CONNECTION_URI: `smtp://127.0.0.1:${smtpPort}/?disable_starttls=true`,
          COURIER_WORKER_POLL_INTERVAL: "200ms",
          LOG_LEVEL: "warn",
          // The settings vault encrypts secret values with it (octl sets one per domain the same way).
          SECRETS_CIPHER: JSON.stringify([randomBytes(16).toString("hex")]),
          // The OAuth2 (Hydra) ports of the domain, as octl sets them; the issuer is what Athena expects.
          OAUTH2_SERVE_PUBLIC_PORT: String(p.oauth2Public),
          OAUTH2_SERVE_ADMIN_PORT: String(p.oauth2Admin),
          OAUTH2_URLS_SELF_ISSUER: `http://localhost:${p.oauth2Public}`,
          // seeds/ciam/identity.yml's "Olympus Workforce" provider, with a secret as a deployment gives it:
          // the providers page must say one is set and never show it.
          ...(domain === "ciam"
            ? { SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS_WORKFORCE_CLIENT_SECRET: workforceSecret }
            : {}),
        },
      );
      cleanups.push(() => stopChild(core));
      await waitFor(`${kratosPublicUrl(domain)}/health/ready`, `The ${domain} identity core`, core, 90_000);
      const probe = await fetch(`${oauth2AdminUrl(domain)}/admin/clients`).catch(() => undefined);
      if (!probe || probe.status === 404 || probe.status === 405) {
        clientsMissing[domain] =
          `the ${domain.toUpperCase()} identity core serves no Hydra admin API (GET ${oauth2AdminUrl(domain)}/admin/clients: ${probe ? `HTTP ${probe.status}` : "connection refused"})`;
      }
    }

    // The IAM demo administrators, exactly as seeds/iam/identities.json has them.
    const users = {} as StackInfo["users"];
    for (const body of JSON.parse(readFileSync(join(root, "seeds/iam/identities.json"), "utf8")) as {
      traits: { email: string };
      metadata_admin: { role: string };
    }[]) {
      const res = await post(`${kratosAdminUrl("iam")}/admin/identities`, body);
      if (res?.status !== 201) {
        throw new Error(
          `seeding ${body.traits.email}: ${res ? `HTTP ${res.status} ${await res.text()}` : "the IAM admin API is not served"}`,
        );
      }
      users[body.metadata_admin.role as "admin" | "viewer"] = ((await res.json()) as { id: string }).id;
    }

    // Athena's OAuth2 clients live in IAM for both instances.
    // Every spec signs in through IAM: without its OAuth2 provider the stack does not start.
    if (clientsMissing.iam) throw new Error(`the IAM sign-in cannot run: ${clientsMissing.iam}`);
    {
      const clients = (
        JSON.parse(readFileSync(join(root, "seeds/iam/clients.json"), "utf8")) as { client_id: string }[]
      ).filter((c) => c.client_id.startsWith("athena-"));
      for (const client of clients) {
        const res = await post(`${oauth2AdminUrl("iam")}/admin/clients`, client);
        // 409: `serve` may seed the clients itself; either way the client exists.
        if (!res || (res.status !== 201 && res.status !== 409)) {
          throw new Error(
            `registering ${client.client_id}: ${res ? `HTTP ${res.status} ${await res.text()}` : "no answer"}`,
          );
        }
      }
      const discovery = await fetch(`${ISSUER}/.well-known/openid-configuration`).catch(() => undefined);
      if (!discovery?.ok) {
        throw new Error(
          `the IAM sign-in cannot run: the IAM identity core serves no OpenID discovery (${ISSUER}/.well-known/openid-configuration: ${discovery ? `HTTP ${discovery.status}` : "connection refused"})`,
        );
      }
    }

    {
      ensureBuild("@olympus/hera", join(root, "apps/hera/.next/BUILD_ID"));
      const p = ports("iam");
      const heraDir = join(root, "apps", "hera");
      const hera = start(
        "hera-iam",
        join(heraDir, "node_modules", ".bin", "next"),
        ["start", "-p", String(p.hera)],
        heraDir,
        {
          NODE_ENV: "production",
          NEXT_TELEMETRY_DISABLED: "1",
          OLYMPUS_DOMAIN: "iam",
          HERA_PUBLIC_URL: `http://localhost:${p.hera}`,
          KRATOS_PUBLIC_URL: kratosPublicUrl("iam"),
          KRATOS_ADMIN_URL: kratosAdminUrl("iam"),
          HYDRA_ADMIN_URL: oauth2AdminUrl("iam"),
          CAPTCHA_ENABLED: "false",
        },
      );
      cleanups.push(() => stopChild(hera));
      await waitFor(`http://127.0.0.1:${p.hera}/login`, "Hera IAM", hera, 60_000);
    }

    // One secret for both instances: the domain separation must come from the key derivation itself.
    const secret = randomBytes(32).toString("base64url");
    for (const domain of ["iam", "ciam"] as Domain[]) {
      const p = ports(domain);
      const athena = start(`athena-${domain}`, "node", ["scripts/start.mjs"], join(root, "apps", "athena"), {
        PORT: String(p.athena),
        ATHENA_HOST: "127.0.0.1",
        OLYMPUS_DOMAIN: domain,
        ATHENA_PUBLIC_URL: athenaUrl(domain),
        ATHENA_SESSION_SECRET: secret,
        KRATOS_ADMIN_URL: kratosAdminUrl(domain),
        KRATOS_PUBLIC_URL: kratosPublicUrl(domain),
        HYDRA_ADMIN_URL: oauth2AdminUrl(domain),
        HYDRA_PUBLIC_URL: `http://localhost:${p.oauth2Public}`,
        IAM_KRATOS_ADMIN_URL: kratosAdminUrl("iam"),
        AUTH_ISSUER_URL: ISSUER,
        AUTH_CLIENT_ID: `athena-${domain}`,
        AUTH_REDIRECT_URI: `${athenaUrl(domain)}/api/auth/callback`,
      });
      cleanups.push(() => stopChild(athena));
      await waitFor(
        `http://127.0.0.1:${p.athena}/api/health`,
        `Athena ${domain}`,
        athena,
        60_000,
        (r) => r.status === 200,
      );
    }

    return {
      secret,
      workforceSecret,
      users,
      clientsMissing,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

// Run by hand: keep the stack up until interrupted.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const stack = await startStack();
  const { stop, ...info } = stack;
  console.log(
    `Athena IAM ${athenaUrl("iam")} · CIAM ${athenaUrl("ciam")} · ${JSON.stringify(info)} · logs in ${logDir}`,
  );
  const shutdown = () => void stop().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}
