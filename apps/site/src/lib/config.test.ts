import { describe, expect, it } from "vitest";
import { parseSiteConfig, SiteConfigError } from "./config";

describe("Site configuration", () => {
  it("defaults to the local ports and the seeded playground clients", () => {
    const c = parseSiteConfig({});
    expect(c.publicUrl).toBe("http://localhost:2000");
    expect(c.domains.ciam).toMatchObject({
      issuerUrl: "http://localhost:3102",
      clientId: "site-playground-ciam",
      redirectUri: "http://localhost:2000/playground/callback/ciam",
      postLogoutRedirectUri: "http://localhost:2000/playground",
      scope: "openid offline_access email profile",
    });
    expect(c.domains.iam).toMatchObject({
      issuerUrl: "http://localhost:4102",
      clientId: "site-playground-iam",
    });
  });

  it("reads every value from the environment; empty values count as unset", () => {
    const c = parseSiteConfig({
      SITE_PUBLIC_URL: "https://olympus.example/",
      CIAM_ISSUER_URL: "https://auth.example/",
      IAM_PLAYGROUND_CLIENT_ID: " my-iam-client ",
      CIAM_PLAYGROUND_CLIENT_ID: "",
    });
    expect(c.domains.ciam.redirectUri).toBe("https://olympus.example/playground/callback/ciam");
    // The issuer is kept as written: discovery compares it as a URL, the ID token against discovery's value.
    expect(c.domains.ciam.issuerUrl).toBe("https://auth.example/");
    expect(c.domains.ciam.clientId).toBe("site-playground-ciam");
    expect(c.domains.iam.clientId).toBe("my-iam-client");
  });

  it("refuses a bad value, naming the variable", () => {
    expect(() => parseSiteConfig({ IAM_ISSUER_URL: "ftp://nope" })).toThrow(SiteConfigError);
    expect(() => parseSiteConfig({ IAM_ISSUER_URL: "ftp://nope" })).toThrow(/IAM_ISSUER_URL/);
  });
});
