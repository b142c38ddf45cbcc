import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env";

describe("parseEnv", () => {
  it("gives CIAM its ports, sign-up and verification by default", () => {
    const env = parseEnv({});
    expect(env.domain).toBe("ciam");
    expect(env.publicUrl).toBe("http://localhost:3000");
    expect(env.kratosPublicUrl).toBe("http://127.0.0.1:3100");
    expect(env.kratosAdminUrl).toBe("http://127.0.0.1:3101");
    expect(env.hydraAdminUrl).toBe("http://127.0.0.1:3103");
    expect(env.registrationEnabled).toBe(true);
    expect(env.verificationEnabled).toBe(true);
    expect(env.recoveryEnabled).toBe(true);
    expect(env.captcha.enabled).toBe(false);
  });
  it("turns sign-up and verification off for IAM and uses its ports and brand", () => {
    const env = parseEnv({ OLYMPUS_DOMAIN: "iam" });
    expect(env.publicUrl).toBe("http://localhost:4000");
    expect(env.kratosPublicUrl).toBe("http://127.0.0.1:4100");
    expect(env.hydraAdminUrl).toBe("http://127.0.0.1:4103");
    expect(env.registrationEnabled).toBe(false);
    expect(env.verificationEnabled).toBe(false);
    expect(env.brand.name).toBe("Olympus IAM");
  });
  it("reads overrides, trims trailing slashes and treats empty values as unset", () => {
    const env = parseEnv({
      HERA_PUBLIC_URL: "https://id.example.com/",
      KRATOS_PUBLIC_URL: "http://core:3100/",
      REGISTRATION_ENABLED: "false",
      BRAND_NAME: "Acme",
      BRAND_ACCENT: "#123456",
      RECOVERY_ENABLED: "",
      NODE_ENV: "production",
    });
    expect(env.publicUrl).toBe("https://id.example.com");
    expect(env.kratosPublicUrl).toBe("http://core:3100");
    expect(env.registrationEnabled).toBe(false);
    expect(env.recoveryEnabled).toBe(true);
    expect(env.brand).toMatchObject({ name: "Acme", accent: "#123456", accentHover: "#123456" });
    expect(env.production).toBe(true);
  });
  it("names the variable when a value is invalid", () => {
    expect(() => parseEnv({ OLYMPUS_DOMAIN: "crm" })).toThrow(/OLYMPUS_DOMAIN/);
    expect(() => parseEnv({ BRAND_ACCENT: "red;background:url(x)" })).toThrow(/BRAND_ACCENT/);
    expect(() => parseEnv({ KRATOS_PUBLIC_URL: "not a url" })).toThrow(EnvError);
    expect(() => parseEnv({ CAPTCHA_ENABLED: "true" })).toThrow(/TURNSTILE_SITE_KEY/);
  });
  it("enables Turnstile with its site key", () => {
    expect(parseEnv({ CAPTCHA_ENABLED: "true", TURNSTILE_SITE_KEY: "0x4AAA" }).captcha).toEqual({
      enabled: true,
      siteKey: "0x4AAA",
    });
  });
  it("shares one generated form secret across the process unless one is configured", () => {
    expect(parseEnv({}).csrfSecret.equals(parseEnv({}).csrfSecret)).toBe(true);
    const configured = "x".repeat(40);
    expect(parseEnv({ HERA_CSRF_SECRET: configured }).csrfSecret.toString()).toBe(configured);
  });
});
