import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GuideCore, startGuideCore } from "../../src/core";
import { accessToken, connect, verify } from "./client";

let t: GuideCore;
let client: { client_id: string; client_secret: string };

beforeAll(async () => {
  t = await startGuideCore();
  // What `octl client create` or Athena does: a confidential client allowed the client credentials grant.
  const res = await fetch(`${t.oauth2AdminUrl}/admin/clients`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "nightly report",
      grant_types: ["client_credentials"],
      response_types: [],
      scope: "reports:read reports:write",
      token_endpoint_auth_method: "client_secret_basic",
    }),
  });
  expect(res.status).toBe(201);
  client = (await res.json()) as typeof client;
});
afterAll(() => t?.stop());

describe("guide: a machine client with client credentials", () => {
  it("gets an access token for a scope and the API finds it active", async () => {
    const config = await connect({
      issuer: t.issuer,
      clientId: client.client_id,
      clientSecret: client.client_secret,
    });
    const token = await accessToken(config, "reports:read");
    expect(token.accessToken).toMatch(/^ory_at_/);
    expect(token.scope).toBe("reports:read");
    expect(token.expiresIn).toBeGreaterThan(0);
    const seen = await verify(t.oauth2AdminUrl, token.accessToken);
    expect(seen).toMatchObject({ active: true, clientId: client.client_id, scope: "reports:read" });
  });

  it("is refused with a wrong secret or a scope it was not given; a made-up token is inactive", async () => {
    const wrong = await connect({ issuer: t.issuer, clientId: client.client_id, clientSecret: "wrong" });
    await expect(accessToken(wrong, "reports:read")).rejects.toMatchObject({ status: 401 });
    const config = await connect({
      issuer: t.issuer,
      clientId: client.client_id,
      clientSecret: client.client_secret,
    });
    await expect(accessToken(config, "admin")).rejects.toMatchObject({ error: "invalid_scope" });
    expect((await verify(t.oauth2AdminUrl, "ory_at_made.up")).active).toBe(false);
  });
});
