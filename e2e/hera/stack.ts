/**
 * Starts what Hera's specs walk through: MailDev, the SMS sink, the CIAM identity core (fresh
 * database) and the production build of Hera, on the domain's real ports (3000/3100/3101) so cookies,
 * base URLs and the seeds' UI URLs are the ones users get. The core runs the CIAM seed with two
 * additions the seed leaves to the deployment: the courier's `sms` channel (pointed at the sink, as
 * octl does) and an identity schema `phone` whose phone number takes sign-in codes by SMS
 * (hera/schemas/phone.schema.json). `tsx hera/stack.ts` runs it by hand until Ctrl-C.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadConfig } from "@olympus/identity/config";
import { startSmsSink } from "@olympus/identity/sms-sink";
import { localCoreUrls, PORTS as PLATFORM_PORTS } from "@olympus/platform";
import { createTestDatabase, type TestDatabase } from "@olympus/testdb";
import { freePort, portFree, startLogged, stopGroup, waitForHttp } from "@olympus/testkit";
import { MailDev } from "maildev";

const root = fileURLToPath(new URL("../..", import.meta.url));
export const logDir = join(root, "e2e", "test-results", "hera-stack");

/** The CIAM ports the seeds and Hera's defaults use (@olympus/platform). */
export const PORTS = {
  hera: PLATFORM_PORTS.ciam.hera,
  identityPublic: PLATFORM_PORTS.ciam.public,
  identityAdmin: PLATFORM_PORTS.ciam.admin,
} as const;
const core = localCoreUrls("ciam");
export const HERA_URL = `http://localhost:${PORTS.hera}`;
export const IDENTITY_PUBLIC_URL = core.kratosPublic;
export const IDENTITY_ADMIN_URL = core.kratosAdmin;
/** The Hydra-compatible APIs of the CIAM core. */
export const OAUTH2_PUBLIC_URL = core.hydraPublic;
export const OAUTH2_ADMIN_URL = core.hydraAdmin;

export interface Stack {
  mailApiUrl: string;
  /** The SMS sink's message list (`GET` lists the texts the core sent). */
  smsApiUrl: string;
  stop(): Promise<void>;
}

async function waitFor(url: string, what: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  await waitForHttp(url, { what, child, timeoutMs, logDir });
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

/** Cloudflare Turnstile on the core (verification) and in Hera (the widget). */
export interface CaptchaOptions {
  siteKey: string;
  secretKey: string;
  /** Where the core verifies tokens: a local stand-in in the specs (there is no internet here). */
  siteverifyUrl: string;
}

export interface StackOptions {
  /** Start the core and Hera with captcha on login, registration and recovery. */
  captcha?: CaptchaOptions;
  /** Name of the database and of the log files (several configs share the ports, one at a time). */
  name?: string;
  /** More of the core's configuration, as Kratos-style environment overrides. */
  coreEnv?: Record<string, string>;
}

/** Starts MailDev, the CIAM core and Hera; throws with a clear message when something is in the way. */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const name = opts.name ?? "ciam";
  const captchaCore: Record<string, string> = opts.captcha
    ? {
        CAPTCHA_ENABLED: "true",
        CAPTCHA_SITE_KEY: opts.captcha.siteKey,
        CAPTCHA_SECRET_KEY: opts.captcha.secretKey,
        CAPTCHA_SITEVERIFY_URL: opts.captcha.siteverifyUrl,
      }
    : { CAPTCHA_ENABLED: "false" };
  const captchaHera: Record<string, string> = opts.captcha
    ? { CAPTCHA_ENABLED: "true", TURNSTILE_SITE_KEY: opts.captcha.siteKey }
    : { CAPTCHA_ENABLED: "false" };
  for (const [name, port] of Object.entries(PORTS)) {
    if (!(await portFree(port))) {
      throw new Error(
        `Port ${port} (${name}) is already in use. Hera's e2e suite runs the CIAM domain on its real ports: ` +
          "stop whatever listens there (e.g. `octl down`) and run again.",
      );
    }
  }
  const heraBuild = join(root, "apps", "hera", ".next", "BUILD_ID");
  if (!existsSync(heraBuild)) {
    throw new Error("Hera has no production build: run `pnpm --filter @olympus/hera build` first.");
  }

  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  };
  try {
    const mailDir = await mkdtemp(join(tmpdir(), "olympus-e2e-mail-"));
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

    const sms = await startSmsSink({ host: "127.0.0.1" });
    cleanups.push(() => sms.close());

    // The seed's schemas (their file URLs resolved) plus the e2e schema with a phone number for codes.
    const seedConfig = join(root, "seeds", "ciam", "identity.yml");
    const schemas = [
      ...loadConfig(seedConfig, {}).identity.schemas,
      { id: "phone", url: pathToFileURL(join(root, "e2e", "hera", "schemas", "phone.schema.json")).href },
    ];

    const database: TestDatabase = await createTestDatabase(`olympus_e2e_${name.replace(/\W/g, "_")}`);
    cleanups.push(() => database.drop());

    const identityDir = join(root, "apps", "identity");
    const core = start(
      `identity-${name}`,
      "pnpm",
      ["exec", "tsx", "src/main.ts", "serve", "--config", "../../seeds/ciam/identity.yml"],
      identityDir,
      {
        DSN: database.dsn,
        COURIER_SMTP_CONNECTION_URI: `smtp://127.0.0.1:${smtpPort}/?disable_starttls=true`,
        COURIER_WORKER_POLL_INTERVAL: "200ms",
        COURIER_CHANNELS: JSON.stringify([
          { id: "sms", type: "http", request_config: { url: `${sms.url}/api/sms`, method: "POST" } },
        ]),
        IDENTITY_SCHEMAS: JSON.stringify(schemas),
        ...captchaCore,
        ...opts.coreEnv,
      },
    );
    cleanups.push(() => stopChild(core));
    await waitFor(`${IDENTITY_PUBLIC_URL}/health/ready`, "The CIAM identity core", core, 90_000);

    const heraDir = join(root, "apps", "hera");
    const hera = start(
      `hera-${name}`,
      join(heraDir, "node_modules", ".bin", "next"),
      ["start", "-p", String(PORTS.hera)],
      heraDir,
      {
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        OLYMPUS_DOMAIN: "ciam",
        HERA_PUBLIC_URL: HERA_URL,
        KRATOS_PUBLIC_URL: IDENTITY_PUBLIC_URL,
        KRATOS_ADMIN_URL: IDENTITY_ADMIN_URL,
        HYDRA_ADMIN_URL: OAUTH2_ADMIN_URL,
        ...captchaHera,
      },
    );
    cleanups.push(() => stopChild(hera));
    await waitFor(`http://127.0.0.1:${PORTS.hera}/login`, "Hera", hera, 60_000);

    return { mailApiUrl: `http://127.0.0.1:${webPort}/api`, smsApiUrl: `${sms.url}/api/sms`, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

// Run by hand: keep the stack up until interrupted.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const stack = await startStack();
  console.log(
    `Hera ${HERA_URL} · identity ${IDENTITY_PUBLIC_URL} · mail API ${stack.mailApiUrl} · SMS ${stack.smsApiUrl} (logs in ${logDir})`,
  );
  const shutdown = () => void stack.stop().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}
