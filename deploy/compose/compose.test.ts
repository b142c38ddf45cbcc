// Static checks of compose.yml (no container engine runs in CI): it is read the way `docker compose`
// reads it — variables from the .env that init-env.mjs writes, YAML merge keys — and then held to
// the ports in docs/deploying.md, its own dependency graph, pinned images and the configuration keys the apps read.
import { existsSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  ADMIN_PORTS,
  DOMAINS,
  identityConfig,
  PORTS,
  readRepoFile,
  repoRoot,
  unknownAppEnv,
} from "../platform.ts";
import { parseEnv, renderEnv } from "./init-env.mjs";

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  command?: string[];
  restart?: string;
  network_mode?: string;
  ports?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
}

const composeDir = join(repoRoot, "deploy/compose");
const rawText = readRepoFile("deploy/compose/compose.yml");
const exampleText = readRepoFile("deploy/compose/.env.example");

/** Compose's variable syntax: $$, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}. */
function interpolate(text: string, env: Map<string, string>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (all, name, op, arg) => {
    if (all === "$$") return "$";
    const value = env.get(name);
    const set = value !== undefined && value !== "";
    if (op === ":-") return set ? value : arg;
    if (op === "-") return value ?? arg;
    if (op === ":?" && !set) throw new Error(`${name}: ${arg}`);
    return value ?? "";
  });
}

/** The .env init-env.mjs writes: .env.example with every secret filled in. */
const dotenv = parseEnv(renderEnv(exampleText));
const compose = parse(interpolate(rawText, dotenv), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const names = Object.keys(services);
const oneShot = (s: Service) => s.restart === "no";

/** host port -> container port of a "host:port:container" or "port:container" entry. */
function published(s: Service): { host: number; container: number; bind: string }[] {
  return (s.ports ?? []).map((p) => {
    const parts = p.split(":");
    const [container, host, bind] = [
      Number(parts.at(-1)),
      Number(parts.at(-2)),
      parts.length > 2 ? parts[0]! : "",
    ];
    return { host, container, bind };
  });
}

describe("compose.yml", () => {
  it("reads its secrets from .env, and stops with a pointer to init-env.mjs without one", () => {
    expect(() => interpolate(rawText, new Map())).toThrow(/init-env\.mjs/);
    const required = [...rawText.matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1]!);
    const optional = [...rawText.matchAll(/\$\{([A-Z0-9_]+):-/g)].map((m) => m[1]!);
    const example = parseEnv(exampleText);
    for (const name of required) expect(example.has(name), `${name} in .env.example`).toBe(true);
    // Optional settings are documented there too (as comments).
    for (const name of optional)
      expect(exampleText, `${name} in .env.example`).toMatch(new RegExp(`# ${name}=`));
  });

  it("runs PostgreSQL, MailSlurper, per domain a migration, an identity core, Hera and Athena, the seed and the Site", () => {
    expect(names.sort()).toEqual(
      [
        "net",
        "postgres",
        "mailslurper",
        "seed",
        "site",
        "identity-ciam-2",
        ...DOMAINS.flatMap((d) => [`identity-${d}-migrate`, `identity-${d}`, `hera-${d}`, `athena-${d}`]),
      ].sort(),
    );
    expect(services.mailslurper!.image).toMatch(/^oryd\/mailslurper[:@]/);
  });

  it("has a health check on every long-running service", () => {
    for (const [name, s] of Object.entries(services)) {
      if (oneShot(s)) continue;
      expect(s.healthcheck?.test?.length, `${name} healthcheck`).toBeGreaterThan(0);
      expect(s.healthcheck?.disable, name).not.toBe(true);
    }
  });

  it("orders start-up: depends_on names services, waits for health, and for one-shots to succeed", () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(s.depends_on ?? {})) {
        const t = services[target];
        expect(t, `${name} depends on ${target}`).toBeDefined();
        if (oneShot(t!)) expect(condition, `${name} -> ${target}`).toBe("service_completed_successfully");
        else expect(["service_healthy", "service_started"], `${name} -> ${target}`).toContain(condition);
        if (condition === "service_healthy")
          expect(t!.healthcheck, `${target} has a healthcheck`).toBeDefined();
      }
      const ns = /^service:(.+)$/.exec(s.network_mode ?? "")?.[1];
      if (s.network_mode) expect(ns && services[ns], `${name}: network_mode ${s.network_mode}`).toBeDefined();
    }
    for (const d of DOMAINS) {
      const core = services[`identity-${d}`]!;
      expect(core.depends_on?.[`identity-${d}-migrate`]?.condition).toBe("service_completed_successfully");
      expect(core.depends_on?.postgres?.condition).toBe("service_healthy");
      expect(core.command).toEqual(["serve", "--no-migrate"]);
      expect(services[`identity-${d}-migrate`]!.command).toEqual(["migrate"]);
      expect(services[`identity-${d}-migrate`]!.depends_on?.postgres?.condition).toBe("service_healthy");
      expect(services[`hera-${d}`]!.depends_on?.[`identity-${d}`]?.condition).toBe("service_healthy");
      expect(services[`athena-${d}`]!.depends_on?.[`identity-${d}`]?.condition).toBe("service_healthy");
      // Admins of both domains sign in through IAM's OAuth2 provider.
      expect(services[`athena-${d}`]!.depends_on?.["identity-iam"]?.condition).toBe("service_healthy");
      expect(services.seed!.depends_on?.[`identity-${d}`]?.condition).toBe("service_healthy");
    }
  });

  it("publishes the browser-facing ports of docs/deploying.md on loopback by default, and never an admin API", () => {
    const hostPorts = Object.values(services).flatMap((s) => published(s).map((p) => p.host));
    expect(new Set(hostPorts).size, "no host port twice").toBe(hostPorts.length);
    expect(hostPorts.sort()).toEqual(
      [
        PORTS.site,
        ...DOMAINS.flatMap((d) => [PORTS[d].hera, PORTS[d].athena, PORTS[d].oauth2Public]),
        PORTS.mailUi,
        4437, // MailSlurper's REST API, which its web UI calls from the browser
        PORTS.postgres,
      ].sort(),
    );
    for (const p of Object.values(services).flatMap(published)) {
      expect(p.bind, `${p.host} binds an address`).toBe("127.0.0.1");
      expect(ADMIN_PORTS).not.toContain(p.host);
      expect(ADMIN_PORTS).not.toContain(p.container);
    }
    // The apps share `net`'s namespace, which publishes their ports unchanged.
    for (const p of published(services.net!)) expect(p.container).toBe(p.host);
    expect(published(services.mailslurper!).find((p) => p.container === 4436)?.host).toBe(PORTS.mailUi);
  });

  it("runs every app in the shared namespace, read-only, without capabilities", () => {
    for (const name of names.filter((n) =>
      /^(identity-(ciam|ciam-2|iam)$|hera-|athena-|site$|seed$)/.test(n),
    )) {
      const s = services[name]!;
      expect(s.network_mode, name).toBe("service:net");
      expect(s.ports, `${name} publishes through net`).toBeUndefined();
      expect(s.read_only, name).toBe(true);
      expect(s.cap_drop, name).toEqual(["ALL"]);
      // Writable places: absolute paths, with mount options after a colon (uid=1000,gid=1000).
      for (const t of s.tmpfs ?? []) expect(t, `${name} tmpfs`).toMatch(/^\/[^\s:,]+(:[\w=,]+)?$/);
      expect(s.tmpfs, name).toContain("/tmp");
    }
  });

  it.each(DOMAINS)(
    "configures the %s identity core with valid keys, the ports in docs/deploying.md and only the OAuth2 public API exposed",
    (d) => {
      const core = services[`identity-${d}`]!;
      const { config, unknown } = identityConfig(
        join(repoRoot, "seeds", d, "identity.yml"),
        core.environment!,
      );
      expect(unknown).toEqual([]);
      expect(config.domain).toBe(d);
      expect(config.dsn).toBe(
        `postgres://olympus:${dotenv.get("POSTGRES_PASSWORD")}@postgres:5432/olympus_${d}`,
      );
      expect(config.serve.public.port).toBe(PORTS[d].public);
      expect(config.serve.admin.port).toBe(PORTS[d].admin);
      expect(config.oauth2.serve.public.port).toBe(PORTS[d].oauth2Public);
      expect(config.oauth2.serve.admin.port).toBe(PORTS[d].oauth2Admin);
      // Published ports must listen beyond loopback; the others stay on the namespace's loopback.
      expect(config.oauth2.serve.public.host).toBe("0.0.0.0");
      expect(config.serve.public.host).toBe("127.0.0.1");
      expect(config.serve.admin.host).toBe("127.0.0.1");
      expect(config.oauth2.serve.admin.host).toBe("127.0.0.1");
      expect(config.courier.smtp.connection_uri).toMatch(/^smtps?:\/\/([^@]+@)?mailslurper:1025\//);
      expect(config.secrets.cipher[0]).toHaveLength(32);
      expect(config.secrets.cookie[0]!.length).toBeGreaterThanOrEqual(16);
      // The migration uses the same database.
      expect(services[`identity-${d}-migrate`]!.environment!.DSN).toBe(core.environment!.DSN);
    },
  );

  it("runs a second CIAM replica on the same database, its four APIs on loopback only, behind Athena CIAM", () => {
    const first = services["identity-ciam"]!;
    const second = services["identity-ciam-2"]!;
    const { config, unknown } = identityConfig(
      join(repoRoot, "seeds", "ciam", "identity.yml"),
      second.environment!,
    );
    expect(unknown).toEqual([]);
    expect(config.dsn).toBe(first.environment!.DSN);
    expect(config.secrets).toEqual(
      identityConfig(join(repoRoot, "seeds", "ciam", "identity.yml"), first.environment!).config.secrets,
    );
    const ports = [
      config.serve.public.port,
      config.serve.admin.port,
      config.oauth2.serve.public.port,
      config.oauth2.serve.admin.port,
    ];
    expect(ports).toEqual([3200, 3201, 3202, 3203]);
    for (const host of [
      config.serve.public.host,
      config.serve.admin.host,
      config.oauth2.serve.public.host,
      config.oauth2.serve.admin.host,
    ]) {
      expect(host).toBe("127.0.0.1");
    }
    expect(second.command).toEqual(["serve", "--no-migrate"]);
    expect(second.depends_on?.["identity-ciam-migrate"]?.condition).toBe("service_completed_successfully");
    expect(second.healthcheck?.test).toContain("http://127.0.0.1:3201/health/ready");
    const athena = services["athena-ciam"]!;
    expect(athena.environment!.KRATOS_ADMIN_URL).toBe("http://127.0.0.1:3201");
    expect(athena.environment!.HYDRA_ADMIN_URL).toBe("http://127.0.0.1:3203");
    expect(athena.depends_on?.["identity-ciam-2"]?.condition).toBe("service_healthy");
  });

  it("gives Hera, Athena and the Site the ports in docs/deploying.md and only variables they read", () => {
    for (const d of DOMAINS) {
      for (const app of ["hera", "athena"] as const) {
        const env = services[`${app}-${d}`]!.environment!;
        expect(Number(env.PORT), `${app}-${d}`).toBe(PORTS[d][app]);
        expect(env.OLYMPUS_DOMAIN).toBe(d);
        expect(unknownAppEnv(app, Object.keys(env))).toEqual([]);
      }
      expect(services[`hera-${d}`]!.environment!.HERA_CSRF_SECRET!.length).toBeGreaterThanOrEqual(32);
      expect(services[`athena-${d}`]!.environment!.ATHENA_SESSION_SECRET!.length).toBeGreaterThanOrEqual(32);
    }
    expect(Number(services.site!.environment!.PORT)).toBe(PORTS.site);
    expect(unknownAppEnv("site", Object.keys(services.site!.environment!))).toEqual([]);
  });

  it("gives the CIAM cores and the seed one workforce client secret, from .env, not from seeds/", () => {
    const secret = dotenv.get("WORKFORCE_CLIENT_SECRET")!;
    expect(secret.length).toBeGreaterThanOrEqual(32);
    for (const core of ["identity-ciam", "identity-ciam-2"]) {
      expect(
        services[core]!.environment!.SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS_WORKFORCE_CLIENT_SECRET,
      ).toBe(secret);
    }
    expect(services.seed!.environment!.SEED_SECRET_WORKFORCE_CLIENT).toBe(secret);
    expect(readRepoFile("seeds/iam/clients.json")).toContain('"client_secret": "{secret.workforce-client}"');
  });

  it("builds its images from deploy/docker and pins every other image", () => {
    const dockerfileImage = /ARG NODE_IMAGE=(\S+)/.exec(
      readRepoFile("deploy/docker/identity.Dockerfile"),
    )![1];
    for (const [name, s] of Object.entries(services)) {
      const image = s.image!;
      expect(image, name).toMatch(/^[a-z0-9./-]+(:[\w.-]+|@sha256:[0-9a-f]{64})/);
      if (s.build) {
        expect(resolve(composeDir, s.build.context)).toBe(resolve(repoRoot));
        expect(existsSync(join(repoRoot, s.build.dockerfile)), s.build.dockerfile).toBe(true);
        const app = /^(hera|athena|site)/.exec(name)?.[1];
        if (app) {
          expect(s.build.dockerfile).toBe("deploy/docker/next.Dockerfile");
          expect(s.build.args).toEqual({ APP: app });
          expect(image).toBe(`olympus/${app}:0.1.0`);
        } else {
          expect(s.build.dockerfile).toBe("deploy/docker/identity.Dockerfile");
          expect(image).toBe("olympus/identity:0.1.0");
        }
      } else if (name !== "mailslurper") {
        // oryd publishes MailSlurper under floating tags only (MAILSLURPER_IMAGE pins a digest).
        expect(image, name).not.toMatch(/latest/);
      }
    }
    // The seed runs on the images' own base.
    expect(services.seed!.image).toBe(dockerfileImage);
  });

  it("mounts what exists, the seeds read-only", () => {
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        const [source, , mode] = v.split(":");
        if (!source!.startsWith(".")) continue; // a named volume
        const path = isAbsolute(source!) ? source! : resolve(composeDir, source!);
        expect(existsSync(path), `${name}: ${source}`).toBe(true);
        expect(mode, `${name}: ${v}`).toBe("ro");
      }
    }
    expect(services["identity-ciam"]!.volumes).toContain("../../seeds/ciam:/etc/olympus:ro");
    expect(services["identity-iam"]!.volumes).toContain("../../seeds/iam:/etc/olympus:ro");
    expect(readRepoFile("deploy/compose/postgres/init.sql")).toMatch(
      /CREATE DATABASE olympus_ciam;[\s\S]*CREATE DATABASE olympus_iam;/,
    );
  });
});

describe("init-env.mjs and .env.example", () => {
  it("commits no secret: every value in .env.example is empty", () => {
    for (const [key, value] of parseEnv(exampleText)) {
      // The project name is the one value that is not a secret (compose v1 cannot read `name:`).
      if (key === "COMPOSE_PROJECT_NAME") expect(value).toBe("olympus");
      else expect(value, key).toBe("");
    }
    expect(readRepoFile(".gitignore").split("\n")).toContain(".env");
  });

  it("fills secrets with random values of the lengths the apps require, and keeps existing ones", () => {
    const first = parseEnv(renderEnv(exampleText));
    const second = parseEnv(renderEnv(exampleText));
    for (const [key, value] of first) {
      if (key === "COMPOSE_PROJECT_NAME") continue;
      expect(value, key).toMatch(/^[0-9a-f]+$/);
      expect(value.length, key).toBe(key.endsWith("_SECRETS_CIPHER") ? 32 : 64);
      expect(second.get(key), `${key} is random`).not.toBe(value);
    }
    const kept = parseEnv(renderEnv(exampleText, new Map([["POSTGRES_PASSWORD", "chosen-by-hand"]])));
    expect(kept.get("POSTGRES_PASSWORD")).toBe("chosen-by-hand");
  });
});

describe("README.md ports table", () => {
  it("is the table these checks hold compose to (the ports in docs/deploying.md)", () => {
    const readme = readRepoFile("README.md");
    const row = (label: RegExp, ciam: string, iam: string) =>
      expect(readme).toMatch(
        new RegExp(`\\|\\s*${label.source}[^|\\n]*\\|\\s*${ciam}\\s*\\|\\s*${iam}\\s*\\|`),
      );
    row(/Hera/, `${PORTS.ciam.hera}`, `${PORTS.iam.hera}`);
    row(/Athena/, `${PORTS.ciam.athena}`, `${PORTS.iam.athena}`);
    row(
      /identity public \/ admin/,
      `${PORTS.ciam.public} / ${PORTS.ciam.admin}`,
      `${PORTS.iam.public} / ${PORTS.iam.admin}`,
    );
    row(
      /OAuth2 public \/ admin/,
      `${PORTS.ciam.oauth2Public} / ${PORTS.ciam.oauth2Admin}`,
      `${PORTS.iam.oauth2Public} / ${PORTS.iam.oauth2Admin}`,
    );
    expect(readme).toMatch(new RegExp(`Site ${PORTS.site}`));
  });
});
