import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createClient,
  exchangeCode,
  type OAuth2TestCore,
  runAuthorization,
  startOAuth2Core,
  type TestClient,
  tokenRequest,
} from "./test-helpers.ts";

const GLOBAL = "https://global.example";
const SPA = "https://spa.example";
const OTHER = "https://other-spa.example";
const NOBODY = "https://evil.example";

let t: OAuth2TestCore;
let off: OAuth2TestCore;
let spa: TestClient;
let other: TestClient;

beforeAll(async () => {
  t = await startOAuth2Core({ oauth2: { serve: { cors: { enabled: true, allowed_origins: [GLOBAL] } } } });
  off = await startOAuth2Core();
  spa = await createClient(t, {
    grant_types: ["authorization_code", "refresh_token", "client_credentials"],
    allowed_cors_origins: [SPA],
  });
  other = await createClient(t, { grant_types: ["client_credentials"], allowed_cors_origins: [OTHER] });
}, 120_000);
afterAll(async () => {
  await Promise.all([t?.stop(), off?.stop()]);
});

const preflight = (core: OAuth2TestCore, path: string, origin: string) =>
  fetch(`${core.oauth2PublicUrl}${path}`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type",
    },
  });

const withOrigin = (origin: string) => ({ headers: { origin } });

async function clientCredentials(client: TestClient, origin: string): Promise<Response> {
  const headers = {
    "content-type": "application/x-www-form-urlencoded",
    authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString("base64")}`,
    origin,
  };
  return fetch(`${t.oauth2PublicUrl}/oauth2/token`, {
    method: "POST",
    headers,
    body: new URLSearchParams({ grant_type: "client_credentials" }),
  });
}

describe("CORS per client on the public endpoints", () => {
  it("a preflight from an origin no client and no setting allows gets no CORS headers", async () => {
    for (const path of ["/oauth2/token", "/oauth2/revoke", "/userinfo", "/oauth2/par"]) {
      const res = await preflight(t, path, NOBODY);
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin"), path).toBeNull();
      expect(res.headers.get("access-control-allow-methods")).toBeNull();
    }
  });

  it("a preflight from a client's allowed origin passes on the client endpoints, not on others", async () => {
    const res = await preflight(t, "/oauth2/token", SPA);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(SPA);
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    expect(res.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
    expect(
      (await preflight(t, "/.well-known/openid-configuration", SPA)).headers.get(
        "access-control-allow-origin",
      ),
    ).toBeNull();
  });

  it("the token answer is readable by the client's own origin only", async () => {
    const own = await clientCredentials(spa, SPA);
    expect(own.status).toBe(200);
    expect(own.headers.get("access-control-allow-origin")).toBe(SPA);
    // The other client's origin passes a preflight (that client allows it) but can not read this client's answer.
    const foreign = await clientCredentials(spa, OTHER);
    expect(foreign.status).toBe(200);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    const theirs = await clientCredentials(other, OTHER);
    expect(theirs.headers.get("access-control-allow-origin")).toBe(OTHER);
  });

  it("a failed authentication of a known client is still readable by its origin (the error, not a CORS failure)", async () => {
    const res = await clientCredentials({ ...spa, client_secret: "wrong" }, SPA);
    expect(res.status).toBe(401);
    expect(res.headers.get("access-control-allow-origin")).toBe(SPA);
  });

  it("userinfo answers the origin of the client the access token was issued to", async () => {
    const tokens = (await (await exchangeCode(t, spa, await runAuthorization(t, spa))).json()) as {
      access_token: string;
    };
    const call = (origin: string) =>
      fetch(`${t.oauth2PublicUrl}/userinfo`, {
        headers: { authorization: `Bearer ${tokens.access_token}`, origin },
      });
    const own = await call(SPA);
    expect(own.status).toBe(200);
    expect(own.headers.get("access-control-allow-origin")).toBe(SPA);
    expect((await call(OTHER)).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("the global allowed_origins open every public endpoint, discovery and JWKS included", async () => {
    for (const path of ["/.well-known/openid-configuration", "/.well-known/jwks.json"]) {
      const res = await fetch(`${t.oauth2PublicUrl}${path}`, withOrigin(GLOBAL));
      expect(res.headers.get("access-control-allow-origin"), path).toBe(GLOBAL);
      const spaRes = await fetch(`${t.oauth2PublicUrl}${path}`, withOrigin(SPA));
      expect(spaRes.headers.get("access-control-allow-origin"), path).toBeNull();
    }
    expect((await clientCredentials(other, GLOBAL)).headers.get("access-control-allow-origin")).toBe(GLOBAL);
  });

  it("a client's new origin works at once, and a removed one stops working", async () => {
    const late = "https://late.example";
    expect((await preflight(t, "/oauth2/token", late)).headers.get("access-control-allow-origin")).toBeNull();
    const res = await t.admin(`/admin/clients/${other.client_id}`, {
      method: "PATCH",
      body: JSON.stringify([{ op: "replace", path: "/allowed_cors_origins", value: [late] }]),
    });
    expect(res.status).toBe(200);
    expect((await preflight(t, "/oauth2/token", late)).headers.get("access-control-allow-origin")).toBe(late);
    expect(
      (await preflight(t, "/oauth2/token", OTHER)).headers.get("access-control-allow-origin"),
    ).toBeNull();
  });

  it("without oauth2.serve.cors.enabled (the default), clients' origins get no CORS headers, as in Hydra", async () => {
    const client = await createClient(off, {
      grant_types: ["client_credentials"],
      allowed_cors_origins: [SPA],
    });
    expect(
      (await preflight(off, "/oauth2/token", SPA)).headers.get("access-control-allow-origin"),
    ).toBeNull();
    const res = await tokenRequest(off, client, { grant_type: "client_credentials" });
    expect(res.status).toBe(200);
    const withHeader = await fetch(`${off.oauth2PublicUrl}/oauth2/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString("base64")}`,
        origin: SPA,
      },
      body: "grant_type=client_credentials",
    });
    expect(withHeader.headers.get("access-control-allow-origin")).toBeNull();
  });
});
