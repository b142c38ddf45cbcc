import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCore, type TestCore } from "../../testing/index.ts";

/*
 * GET /admin/olympus/oidc/providers: what Athena's providers page shows — each configured provider's
 * id, kind, label, issuer, scopes, client id and callback — and never a client secret or signing key.
 */

const SECRET = "workforce-client-secret-never-shown-0123";
const APPLE_KEY = "-----BEGIN PRIVATE KEY-----\nnot-a-real-key-but-never-shown\n-----END PRIVATE KEY-----";

describe("admin: configured social sign-in providers", () => {
  let t: TestCore;
  let off: TestCore;
  beforeAll(async () => {
    t = await startTestCore({
      overrides: {
        selfservice: {
          methods: {
            oidc: {
              enabled: true,
              config: {
                providers: [
                  {
                    id: "workforce",
                    provider: "generic",
                    label: "Olympus Workforce",
                    client_id: "ciam-workforce",
                    client_secret: SECRET,
                    issuer_url: "http://localhost:4102/",
                    scope: ["openid", "email", "profile"],
                    mapping: { traits: { email: "email" }, verified: { email: "email_verified" } },
                  },
                  { id: "github", provider: "github", client_id: "gh-client" },
                  {
                    id: "apple",
                    provider: "apple",
                    client_id: "com.example.web",
                    apple_team_id: "TEAM123456",
                    apple_private_key_id: "KEY1234567",
                    apple_private_key: APPLE_KEY,
                  },
                ],
              },
            },
          },
        },
      },
    });
    off = await startTestCore();
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    await off?.stop();
  });

  it("lists each provider with its issuer, scopes, client id and callback, and no secret", async () => {
    const res = await fetch(`${t.adminUrl}/admin/olympus/oidc/providers`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const text = await res.text();
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain("never-shown");
    expect(text).not.toMatch(/client_secret"|apple_private_key/);
    const body = JSON.parse(text) as { enabled: boolean; providers: Record<string, unknown>[] };
    expect(body.enabled).toBe(true);
    expect(body.providers).toEqual([
      {
        id: "workforce",
        provider: "generic",
        label: "Olympus Workforce",
        issuer_url: "http://localhost:4102/",
        scope: ["openid", "email", "profile"],
        client_id: "ciam-workforce",
        client_secret_set: true,
        redirect_uri: expect.stringMatching(/\/self-service\/methods\/oidc\/callback\/workforce$/),
        mapping: { traits: { email: "email" }, verified: { email: "email_verified" } },
      },
      expect.objectContaining({
        id: "github",
        provider: "github",
        label: "GitHub",
        issuer_url: null,
        client_id: "gh-client",
        client_secret_set: false,
      }),
      expect.objectContaining({
        id: "apple",
        provider: "apple",
        issuer_url: "https://appleid.apple.com",
        client_secret_set: true,
      }),
    ]);
  });

  it("answers an empty list, saying the method is off, where no provider is configured", async () => {
    const res = await fetch(`${off.adminUrl}/admin/olympus/oidc/providers`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ enabled: false, providers: [] });
  });

  it("is served on the admin port only", async () => {
    const res = await fetch(`${t.publicUrl}/admin/olympus/oidc/providers`);
    expect(res.status).toBe(404);
  });
});
