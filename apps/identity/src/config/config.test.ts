import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfig } from "./index.ts";

const seeds = fileURLToPath(new URL("../../../../seeds/", import.meta.url));
const minimal = { identity: { schemas: [{ id: "default", url: "base64://e30=" }] } };

describe("configuration", () => {
  it("loads both seed configs with their schemas resolved next to the file", () => {
    for (const domain of ["ciam", "iam"]) {
      const c = loadConfig(join(seeds, domain, "identity.yml"), {});
      expect(c.domain).toBe(domain);
      expect(c.identity.schemas.every((s) => s.url.startsWith(`file://${seeds}${domain}/schemas/`))).toBe(
        true,
      );
    }
  });

  it("fills kratos-like defaults", () => {
    const c = parseConfig(minimal);
    expect(c.session.lifespan).toBe(24 * 3600_000);
    expect(c.selfservice.flows.login.lifespan).toBe(3600_000);
    expect(c.selfservice.methods.password.config.min_password_length).toBe(8);
    expect(c.hashers.argon2).toMatchObject({ memory: 19456, iterations: 2, parallelism: 1 });
    expect(c.courier.message_retries).toBe(5);
  });

  it("applies Kratos-style environment overrides by key path", () => {
    const dir = mkdtempSync(join(tmpdir(), "olympus-config-"));
    const file = join(dir, "identity.yml");
    writeFileSync(file, "identity:\n  schemas:\n    - id: default\n      url: base64://e30=\n");
    const c = loadConfig(file, {
      SELFSERVICE_FLOWS_LOGIN_UI_URL: "http://localhost:3000/login",
      SERVE_PUBLIC_PORT: "5100",
      SELFSERVICE_FLOWS_REGISTRATION_ENABLED: "false",
      SELFSERVICE_ALLOWED_RETURN_URLS: '["http://localhost:3000/"]',
      SESSION_LIFESPAN: "2h",
    });
    expect(c.selfservice.flows.login.ui_url).toBe("http://localhost:3000/login");
    expect(c.serve.public.port).toBe(5100);
    expect(c.selfservice.flows.registration.enabled).toBe(false);
    expect(c.selfservice.allowed_return_urls).toEqual(["http://localhost:3000/"]);
    expect(c.session.lifespan).toBe(2 * 3600_000);
  });

  it("takes a provider's client secret from SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS_<ID>_CLIENT_SECRET", () => {
    const file = join(seeds, "ciam", "identity.yml");
    const plain = loadConfig(file, {});
    const workforce = plain.selfservice.methods.oidc.config.providers.find((p) => p.id === "workforce");
    // The seed names the provider but carries no secret: the deployment supplies it.
    expect(workforce).toMatchObject({ provider: "generic", issuer_url: "http://localhost:4102/" });
    expect(workforce?.client_secret).toBeUndefined();
    const c = loadConfig(file, {
      SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS_WORKFORCE_CLIENT_SECRET: "s3cret-from-the-deployment",
      SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS_OTHER_CLIENT_SECRET: "for a provider that is not there",
    });
    const providers = c.selfservice.methods.oidc.config.providers;
    expect(providers.map((p) => [p.id, p.client_secret])).toEqual([
      ["workforce", "s3cret-from-the-deployment"],
    ]);
  });

  it("stops on a bad value, naming the key path and what was expected", () => {
    const bad = () =>
      parseConfig({ ...minimal, session: { lifespan: "forever" }, serve: { public: { port: 99999 } } });
    expect(bad).toThrow(ConfigError);
    try {
      bad();
    } catch (e) {
      expect((e as Error).message).toContain("session.lifespan");
      expect((e as Error).message).toContain('expected a duration such as "10m"');
      expect((e as Error).message).toContain("serve.public.port");
    }
  });

  it("rejects a default schema id that is not among the schemas", () => {
    expect(() =>
      parseConfig({ identity: { default_schema_id: "nope", schemas: minimal.identity.schemas } }),
    ).toThrow(/identity.default_schema_id/);
  });

  it("requires at least one identity schema", () => {
    expect(() => parseConfig({})).toThrow(/identity/);
  });
});
