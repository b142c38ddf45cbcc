import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

const SECRET = "x".repeat(32);

describe("Athena configuration", () => {
  it("defaults to the local ports of the chosen domain", () => {
    const iam = parseEnv({ OLYMPUS_DOMAIN: "iam" });
    expect(iam).toMatchObject({
      domain: "iam",
      publicUrl: "http://localhost:4001",
      kratosAdminUrl: "http://127.0.0.1:4101",
      hydraAdminUrl: "http://127.0.0.1:4103",
      auth: {
        issuerUrl: "http://localhost:4102",
        clientId: "athena-iam",
        redirectUri: "http://localhost:4001/api/auth/callback",
      },
      sessionSecretIsDefault: true,
      cookieSecure: false,
    });
    expect(parseEnv({}).auth.clientId).toBe("athena-ciam");
  });

  it("refuses to run in production without a session secret, with a short one, or with the dev default", () => {
    expect(() => parseEnv({ NODE_ENV: "production" })).toThrow(/ATHENA_SESSION_SECRET is required/);
    expect(() => parseEnv({ NODE_ENV: "production", ATHENA_SESSION_SECRET: "short" })).toThrow(
      /at least 32 bytes/,
    );
    expect(() => parseEnv({ ATHENA_SESSION_SECRET: "short" })).toThrow(/at least 32 bytes/);
    expect(parseEnv({ NODE_ENV: "production", ATHENA_SESSION_SECRET: SECRET }).sessionSecretIsDefault).toBe(
      false,
    );
  });

  it("names the variable that is wrong", () => {
    expect(() => parseEnv({ OLYMPUS_DOMAIN: "b2b" })).toThrow(/OLYMPUS_DOMAIN/);
    expect(() => parseEnv({ KRATOS_ADMIN_URL: "not a url" })).toThrow(/KRATOS_ADMIN_URL/);
    expect(() => parseEnv({ AUTH_SCOPE: "email profile" })).toThrow(/AUTH_SCOPE.*openid/);
  });

  it("wants https in production except on localhost, and marks cookies Secure over https", () => {
    expect(() =>
      parseEnv({
        NODE_ENV: "production",
        ATHENA_SESSION_SECRET: SECRET,
        ATHENA_PUBLIC_URL: "http://athena.example.com",
      }),
    ).toThrow(/ATHENA_PUBLIC_URL must be an https URL/);
    expect(
      parseEnv({
        NODE_ENV: "production",
        ATHENA_SESSION_SECRET: SECRET,
        ATHENA_PUBLIC_URL: "http://localhost:3001",
      }).cookieSecure,
    ).toBe(false);
    const https = parseEnv({
      NODE_ENV: "production",
      ATHENA_SESSION_SECRET: SECRET,
      ATHENA_PUBLIC_URL: "https://athena.example.com/",
    });
    expect(https).toMatchObject({
      cookieSecure: true,
      publicUrl: "https://athena.example.com",
      auth: { redirectUri: "https://athena.example.com/api/auth/callback" },
    });
  });
});
