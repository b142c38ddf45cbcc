import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "@olympus/testdb";
import { startCore, type RunningCore } from "../app/server.ts";
import { parseConfig } from "../config/index.ts";
import type { ConfigInput } from "../config/schema.ts";
import { createLogger } from "../app/logger.ts";
import type { Hydra } from "../hydra/hydra.ts";
import type { MailCatcher } from "./mailcatcher.ts";

export const fixtureSchemaPath = fileURLToPath(new URL("./fixtures/default.schema.json", import.meta.url));

export interface TestCore {
  core: RunningCore;
  database: TestDatabase;
  publicUrl: string;
  adminUrl: string;
  /** The OAuth2 provider's public (Hydra public API) and admin (Hydra admin API) URLs. */
  oauth2PublicUrl: string;
  oauth2AdminUrl: string;
  stop(): Promise<void>;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      v &&
      typeof v === "object" &&
      !Array.isArray(v) &&
      prev &&
      typeof prev === "object" &&
      !Array.isArray(prev)
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** The configuration tests start from: ephemeral ports, the fixture schema, HIBP off, mail to `mail`. */
export function testConfig(opts: {
  dsn: string;
  mail?: MailCatcher;
  overrides?: Record<string, unknown>;
}): ConfigInput {
  const base: Record<string, unknown> = {
    domain: "test",
    dsn: opts.dsn,
    serve: { public: { port: 0 }, admin: { port: 0 } },
    oauth2: { serve: { public: { port: 0 }, admin: { port: 0 } } },
    selfservice: {
      default_browser_return_url: "http://localhost:4455/",
      allowed_return_urls: ["http://localhost:4455/"],
      flows: {
        registration: { after: { password: { hooks: [{ hook: "session" }] } } },
      },
      methods: { password: { config: { haveibeenpwned_enabled: false } } },
    },
    identity: { default_schema_id: "default", schemas: [{ id: "default", url: fixtureSchemaPath }] },
    courier: {
      smtp: { connection_uri: `smtp://127.0.0.1:${opts.mail?.smtpPort ?? 1}/?disable_starttls=true` },
      worker: { poll_interval: "200ms", enabled: Boolean(opts.mail) },
    },
    log: { level: process.env.OLYMPUS_TEST_LOG ?? "error" },
    // Tests call from loopback as Hera does, and pass X-Forwarded-For to stand for other clients.
    security: { trusted_proxies: ["127.0.0.1/32", "::1/128"] },
  };
  return deepMerge(base, opts.overrides ?? {}) as ConfigInput;
}

/** Starts an identity core on a fresh database (PostgreSQL when TEST_DATABASE_URL is set, else PGlite). */
export async function startTestCore(
  opts: { mail?: MailCatcher; overrides?: Record<string, unknown>; hydra?: Hydra } = {},
): Promise<TestCore> {
  const database = await createTestDatabase("olympus_identity");
  const config = parseConfig(testConfig({ dsn: database.dsn, mail: opts.mail, overrides: opts.overrides }));
  const core = await startCore(config, {
    log: createLogger(config.log.level, { domain: "test" }),
    ...(opts.hydra ? { hydra: opts.hydra } : {}),
  });
  return {
    core,
    database,
    publicUrl: core.publicUrl,
    adminUrl: core.adminUrl,
    oauth2PublicUrl: core.oauth2PublicUrl,
    oauth2AdminUrl: core.oauth2AdminUrl,
    async stop() {
      await core.stop(2000);
      await database.drop();
    },
  };
}
