// The platform's services, as data. `octl deploy` starts every entry here (in dependency order) as a
// supervised child process. To add a service, add an entry: nothing else in octl needs to change.
//
// Strings in `command`, `cwd`, `env`, `health.url`, `urls` and `credentials` may use placeholders,
// filled in when a deploy is planned (so port overrides and OLYMPUS_HOME reach every place a port
// or a path appears):
//   {port.NAME}    the (possibly overridden) port named NAME in this entry's `ports`
//   {data}         this service's data directory: <OLYMPUS_HOME>/data/<name> (created before start)
//   {home}         the state directory (.olympus/ or OLYMPUS_HOME)
//   {root}         the monorepo root
//   {node}         the running Node.js binary (process.execPath)
//   {manifestDir}  the folder of the manifest file (the repo root for this built-in manifest)
//   {peer.SVC:PORT} the (possibly overridden) port named PORT of service SVC
//   {secret.NAME}  a random secret of this deployment, generated once and kept in <home>/secrets.json
//                  ({secret.NAME:LEN} for LEN characters; default 32)
//   {database.NAME} the dsn of database NAME: a PGlite directory ({data}) by default, or database
//                  olympus_NAME on the server given by `octl deploy --database-url`
//   {bin.PKG}      absolute path of npm package PKG's bin script, resolved from octl's node_modules
//                  ({bin.PKG:NAME} for a bin of another name); start Node programs as ["{node}", "{bin.x}"]
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type Domain, PORTS } from "@olympus/platform";
import type { BuildSpec } from "./build.ts";

export interface PortSpec {
  /** Short name, used in `{port.NAME}` placeholders and in `--port service.NAME=1234` overrides. */
  name: string;
  port: number;
}

/**
 * How octl knows a service is up: an HTTP GET answering 2xx, or a TCP port accepting connections
 * (a number: the port as declared in `ports`, remapped when overridden; or a port's name).
 */
export type HealthCheck = { url: string; timeoutMs?: number } | { tcp: number | string; timeoutMs?: number };

/** What the supervisor does when a service exits on its own. */
export interface RestartPolicy {
  /** First delay before a restart; doubles after every quick crash (default 250 ms). */
  initialDelayMs?: number;
  /** Upper bound of the delay (default 10 s). */
  maxDelayMs?: number;
  /** A run shorter than this is a quick crash (default 10 s). */
  minUptimeMs?: number;
  /** Give up (status "failed") after this many quick crashes in a row (default 5). */
  maxQuickCrashes?: number;
}

export interface ServiceManifest {
  /** Lower-case letters, digits and dashes: used for log file names and `--only`. */
  name: string;
  description: string;
  /** argv; `command[0]` is the program (use `{node}` and an absolute script path for Node programs). */
  command: string[];
  /** Working directory, relative to the manifest's folder (the repo root here). Default: that folder. */
  cwd?: string;
  /** Added to octl's own environment. */
  env?: Record<string, string>;
  ports: PortSpec[];
  health: HealthCheck;
  /** Names of services that must be healthy before this one starts. */
  dependsOn: string[];
  /** Printed after a deploy; the first one is the service's URL in `octl status`. */
  urls: { label: string; url: string }[];
  /** Demo credentials printed after a deploy. */
  credentials?: { label: string; value: string }[];
  restart?: RestartPolicy;
  /** How long a stopping service gets between SIGTERM and SIGKILL (default 5 s). */
  stopTimeoutMs?: number;
  /** A production build to run (once, until its sources change) before the service can start. */
  build?: BuildSpec;
}

const require = createRequire(import.meta.url);

/**
 * Absolute path of a package's bin script, found the way Node's `require` finds packages from here
 * (works for packages whose `exports` hide package.json, as MailDev 3's do).
 */
export function resolveBin(pkg: string, bin = pkg): string {
  for (const dir of require.resolve.paths(pkg) ?? []) {
    const pkgJson = join(dir, pkg, "package.json");
    if (!existsSync(pkgJson)) continue;
    const meta = JSON.parse(readFileSync(pkgJson, "utf8")) as { bin?: string | Record<string, string> };
    const rel = typeof meta.bin === "string" ? meta.bin : meta.bin?.[bin];
    if (!rel) throw new Error(`package ${pkg} has no bin named ${bin}`);
    return join(dirname(pkgJson), rel);
  }
  throw new Error(`package ${pkg} is not installed (run pnpm install)`);
}

/** The mail catcher: MailDev from npm. Web UI and REST API (under /api) on 5434, SMTP on 1025. */
export const mailcatcher: ServiceManifest = {
  name: "mailcatcher",
  description: "MailDev: catches every mail the platform sends (web UI, REST API, SMTP)",
  command: [
    "{node}",
    "{bin.maildev}",
    "--web",
    "{port.http}",
    "--smtp",
    "{port.smtp}",
    "--web-ip",
    "127.0.0.1",
    "--ip",
    "127.0.0.1",
    "--mail-directory",
    "{data}",
  ],
  ports: [
    { name: "http", port: PORTS.mailUi },
    { name: "smtp", port: PORTS.smtp },
  ],
  health: { url: "http://127.0.0.1:{port.http}/api/healthz" },
  dependsOn: [],
  urls: [
    { label: "Mail catcher (web UI)", url: "http://localhost:{port.http}" },
    { label: "Mail catcher REST API", url: "http://localhost:{port.http}/api/email" },
    { label: "SMTP", url: "smtp://localhost:{port.smtp}" },
  ],
  credentials: [{ label: "Mail catcher", value: "no login; SMTP without authentication or TLS" }],
};

/**
 * The identity core runs from its production bundle (`apps/identity/dist/main.mjs`, built by esbuild in
 * about a second): no transpiling at start, no loader thread — it is ready in about half a second.
 */
/** Node flags and environment the core runs with everywhere (apps/identity/runtime.json). */
const identityRuntime = JSON.parse(
  readFileSync(new URL("../../../apps/identity/runtime.json", import.meta.url), "utf8"),
) as { nodeArgs: string[]; env: Record<string, string> };

const identityBuild: BuildSpec = {
  key: "identity",
  command: ["pnpm", "--filter", "@olympus/identity", "build"],
  inputs: [
    "apps/identity/src",
    "apps/identity/drizzle",
    "apps/identity/build.mjs",
    "apps/identity/package.json",
    "pnpm-lock.yaml",
  ],
  output: "apps/identity/dist/main.mjs",
};

/**
 * The SMS sink: what the mail catcher is for email, for text messages. The cores' courier channel
 * `sms` (courier.channels) posts every text here; its REST API lists them (the core's `sms-sink`
 * command, from the same bundle as the core).
 */
export const smsSink: ServiceManifest = {
  name: "sms-sink",
  description: "SMS sink: catches every text message the platform sends (REST API)",
  command: [
    "{node}",
    "apps/identity/dist/main.mjs",
    "sms-sink",
    "--port",
    "{port.http}",
    "--data",
    "{data}/messages.jsonl",
  ],
  ports: [{ name: "http", port: 5435 }],
  health: { url: "http://127.0.0.1:{port.http}/api/healthz" },
  dependsOn: [],
  urls: [{ label: "SMS sink REST API", url: "http://localhost:{port.http}/api/sms" }],
  credentials: [{ label: "SMS sink", value: "no login; every text message the cores send" }],
  // The core's bundle: one build serves the sink and both cores.
  build: identityBuild,
};

/**
 * One identity core per domain: the Kratos API (public, admin) and the Hydra API (OAuth2 public,
 * admin) of that domain, configured by `seeds/<domain>/identity.yml`. Ports follow docs/deploying.md.
 */
function identityCore(domain: Domain, credentials: { label: string; value: string }[]): ServiceManifest {
  return {
    name: `identity-${domain}`,
    description: `${domain.toUpperCase()} identity core (Ory Kratos + Hydra APIs)`,
    command: [
      "{node}",
      ...identityRuntime.nodeArgs,
      "apps/identity/dist/main.mjs",
      "serve",
      "--config",
      `seeds/${domain}/identity.yml`,
    ],
    env: {
      ...identityRuntime.env,
      DSN: `{database.${domain}}`,
      SERVE_PUBLIC_PORT: "{port.public}",
      SERVE_ADMIN_PORT: "{port.admin}",
      SERVE_ADMIN_BASE_URL: "http://localhost:{port.admin}/",
      OAUTH2_SERVE_PUBLIC_PORT: "{port.oauth2-public}",
      OAUTH2_SERVE_ADMIN_PORT: "{port.oauth2-admin}",
      COURIER_SMTP_CONNECTION_URI: "smtp://127.0.0.1:{peer.mailcatcher:smtp}/?disable_starttls=true",
      // Text messages (the `code` method by SMS) go to the SMS sink.
      COURIER_CHANNELS: JSON.stringify([
        {
          id: "sms",
          type: "http",
          request_config: { url: "http://127.0.0.1:{peer.sms-sink:http}/api/sms", method: "POST" },
        },
      ]),
      SECRETS_COOKIE: `["{secret.${domain}-cookie}"]`,
      SECRETS_CIPHER: `["{secret.${domain}-cipher}"]`,
      // "Sign in with Olympus Workforce": CIAM's client secret at IAM, the same deployment secret the
      // seed gives the `ciam-workforce` client (seeds/iam/clients.json: {secret.workforce-client}).
      ...(domain === "ciam"
        ? { SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS_WORKFORCE_CLIENT_SECRET: "{secret.workforce-client}" }
        : {}),
    },
    ports: [
      { name: "public", port: PORTS[domain].public },
      { name: "admin", port: PORTS[domain].admin },
      { name: "oauth2-public", port: PORTS[domain].oauth2Public },
      { name: "oauth2-admin", port: PORTS[domain].oauth2Admin },
    ],
    health: { url: "http://127.0.0.1:{port.admin}/health/ready" },
    dependsOn: ["mailcatcher", "sms-sink"],
    urls: [
      {
        label: `${domain.toUpperCase()} identity public API (Kratos)`,
        url: "http://localhost:{port.public}",
      },
      { label: `${domain.toUpperCase()} identity admin API (Kratos)`, url: "http://localhost:{port.admin}" },
    ],
    credentials,
    stopTimeoutMs: 15_000,
    build: identityBuild,
  };
}

export const identityCiam = identityCore("ciam", [
  { label: "CIAM demo customer", value: "demo@demo.user / admin123!" },
]);
export const identityIam = identityCore("iam", [
  { label: "IAM admin", value: "admin@demo.user / admin123!" },
  { label: "IAM viewer", value: "viewer@demo.user / admin123!" },
]);

/** The workspace packages the Next apps build in. */
const sharedSources = ["packages/sdk/src", "packages/platform/src", "packages/web/src"];

/** Next.js production builds, shared by both domains' instances of an app. */
const nextBuild = (app: string): BuildSpec => ({
  key: app,
  command: ["pnpm", "--filter", `@olympus/${app}`, "build"],
  inputs: [`apps/${app}`, ...sharedSources, "pnpm-lock.yaml"],
  output: `apps/${app}/.next/BUILD_ID`,
});

const nextStart = (app: string): string[] => [
  "{node}",
  `{root}/apps/${app}/node_modules/next/dist/bin/next`,
  "start",
  "-p",
  "{port.http}",
  "-H",
  "127.0.0.1",
];

/** Hera, the login UI, once per domain (one build). It reaches its core through a same-origin proxy. */
function hera(domain: Domain, brand: { name: string; accent: string }): ServiceManifest {
  const core = `identity-${domain}`;
  return {
    name: `hera-${domain}`,
    description: `${domain.toUpperCase()} login, registration, recovery, settings and consent UI`,
    command: nextStart("hera"),
    cwd: "apps/hera",
    env: {
      NODE_ENV: "production",
      OLYMPUS_DOMAIN: domain,
      HERA_PUBLIC_URL: `http://localhost:{port.http}`,
      KRATOS_PUBLIC_URL: `http://127.0.0.1:{peer.${core}:public}`,
      KRATOS_ADMIN_URL: `http://127.0.0.1:{peer.${core}:admin}`,
      HYDRA_ADMIN_URL: `http://127.0.0.1:{peer.${core}:oauth2-admin}`,
      HERA_CSRF_SECRET: `{secret.hera-${domain}-csrf}`,
      BRAND_NAME: brand.name,
      BRAND_ACCENT: brand.accent,
    },
    ports: [{ name: "http", port: PORTS[domain].hera }],
    health: { url: "http://127.0.0.1:{port.http}/api/health" },
    dependsOn: [core],
    urls: [{ label: `Hera ${domain.toUpperCase()} (sign in)`, url: "http://localhost:{port.http}" }],
    build: nextBuild("hera"),
    stopTimeoutMs: 10_000,
  };
}

export const heraCiam = hera("ciam", { name: "Olympus", accent: "#0f766e" });
export const heraIam = hera("iam", { name: "Olympus IAM", accent: "#4338ca" });

/**
 * Athena, the admin dashboard, once per domain (one build). Admins of both domains sign in through
 * IAM: the IAM OAuth2 provider and Hera IAM, with the `athena-<domain>` client seeded in IAM.
 */
function athena(domain: Domain): ServiceManifest {
  const core = `identity-${domain}`;
  return {
    name: `athena-${domain}`,
    description: `${domain.toUpperCase()} admin dashboard`,
    command: ["{node}", "{root}/apps/athena/scripts/start.mjs"],
    cwd: "apps/athena",
    env: {
      OLYMPUS_DOMAIN: domain,
      PORT: "{port.http}",
      ATHENA_PUBLIC_URL: "http://localhost:{port.http}",
      KRATOS_PUBLIC_URL: `http://127.0.0.1:{peer.${core}:public}`,
      KRATOS_ADMIN_URL: `http://127.0.0.1:{peer.${core}:admin}`,
      HYDRA_PUBLIC_URL: `http://localhost:{peer.${core}:oauth2-public}`,
      HYDRA_ADMIN_URL: `http://127.0.0.1:{peer.${core}:oauth2-admin}`,
      IAM_KRATOS_ADMIN_URL: "http://127.0.0.1:{peer.identity-iam:admin}",
      AUTH_ISSUER_URL: "http://localhost:{peer.identity-iam:oauth2-public}",
      AUTH_CLIENT_ID: `athena-${domain}`,
      AUTH_REDIRECT_URI: "http://localhost:{port.http}/api/auth/callback",
      ATHENA_SESSION_SECRET: `{secret.athena-${domain}-session:48}`,
    },
    ports: [{ name: "http", port: PORTS[domain].athena }],
    health: { url: "http://127.0.0.1:{port.http}/api/health" },
    dependsOn: [core, "identity-iam", "hera-iam"],
    urls: [{ label: `Athena ${domain.toUpperCase()} (admin)`, url: "http://localhost:{port.http}" }],
    credentials:
      domain === "iam"
        ? [{ label: "Athena (both domains): sign in through IAM", value: "admin@demo.user / admin123!" }]
        : [],
    build: nextBuild("athena"),
    stopTimeoutMs: 10_000,
  };
}

export const athenaCiam = athena("ciam");
export const athenaIam = athena("iam");

/** The Site: landing page, docs and the OAuth2 PKCE playground (public clients in both domains). */
export const site: ServiceManifest = {
  name: "site",
  description: "Olympus site: landing page, docs, OAuth2 PKCE playground",
  command: ["{node}", "{root}/apps/site/scripts/start.mjs"],
  cwd: "apps/site",
  env: {
    PORT: "{port.http}",
    SITE_PUBLIC_URL: "http://localhost:{port.http}",
    CIAM_ISSUER_URL: "http://localhost:{peer.identity-ciam:oauth2-public}",
    IAM_ISSUER_URL: "http://localhost:{peer.identity-iam:oauth2-public}",
    CIAM_PLAYGROUND_CLIENT_ID: "site-playground-ciam",
    IAM_PLAYGROUND_CLIENT_ID: "site-playground-iam",
    CIAM_HYDRA_ADMIN_URL: "http://127.0.0.1:{peer.identity-ciam:oauth2-admin}",
    IAM_HYDRA_ADMIN_URL: "http://127.0.0.1:{peer.identity-iam:oauth2-admin}",
    OLYMPUS_DOCS_DIR: "{root}/docs",
  },
  ports: [{ name: "http", port: PORTS.site }],
  health: { url: "http://127.0.0.1:{port.http}/api/health" },
  dependsOn: ["identity-ciam", "identity-iam"],
  urls: [
    { label: "Site (docs, playground)", url: "http://localhost:{port.http}" },
    { label: "OAuth2 playground", url: "http://localhost:{port.http}/playground" },
  ],
  build: { ...nextBuild("site"), inputs: ["apps/site", "docs", ...sharedSources, "pnpm-lock.yaml"] },
  stopTimeoutMs: 10_000,
};

/** Every service `octl deploy` starts, in any order (dependencies decide the start order). */
export const services: ServiceManifest[] = [
  mailcatcher,
  smsSink,
  identityCiam,
  identityIam,
  heraCiam,
  heraIam,
  athenaCiam,
  athenaIam,
  site,
];
