import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createClient,
  exchangeCode,
  introspect,
  type OAuth2TestCore,
  runAuthorization,
  startOAuth2Core,
  type TestClient,
  tokenRequest,
} from "../test-helpers.ts";

/*
 * POST /oauth2/revoke (RFC 7009 §2.1): the server "verifies whether the token was issued to the client
 * making the revocation request. If this validation fails, the request is refused". A client must not
 * be able to end another client's tokens (a denial of service against that client's users).
 */

let t: OAuth2TestCore;
let owner: TestClient;
let other: TestClient;

beforeAll(async () => {
  t = await startOAuth2Core({ security: { rate_limit: { enabled: false } } });
  owner = await createClient(t, { client_name: "owner" });
  other = await createClient(t, { client_name: "other" });
});
afterAll(() => t?.stop());

const basic = (c: TestClient) =>
  `Basic ${Buffer.from(`${encodeURIComponent(c.client_id)}:${encodeURIComponent(c.client_secret!)}`).toString("base64")}`;

function revoke(client: TestClient, token: string, hint?: string): Promise<Response> {
  return fetch(`${t.oauth2PublicUrl}/oauth2/revoke`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic(client) },
    body: new URLSearchParams({ token, ...(hint ? { token_type_hint: hint } : {}) }),
  });
}

async function tokens(): Promise<{ access_token: string; refresh_token: string }> {
  const res = await exchangeCode(t, owner, await runAuthorization(t, owner));
  expect(res.status).toBe(200);
  return (await res.json()) as { access_token: string; refresh_token: string };
}

describe("POST /oauth2/revoke", () => {
  it("refuses to revoke another client's access or refresh token (400 unauthorized_client), which stay valid", async () => {
    const issued = await tokens();
    for (const [token, hint] of [
      [issued.access_token, undefined],
      [issued.access_token, "access_token"],
      [issued.refresh_token, undefined],
      [issued.refresh_token, "refresh_token"],
      // A wrong hint does not get around the check.
      [issued.refresh_token, "access_token"],
    ] as const) {
      const res = await revoke(other, token, hint);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: "unauthorized_client" });
    }
    expect((await introspect(t, issued.access_token)).active).toBe(true);
    expect((await introspect(t, issued.refresh_token)).active).toBe(true);
    const refreshed = await tokenRequest(t, owner, {
      grant_type: "refresh_token",
      refresh_token: issued.refresh_token,
    });
    expect(refreshed.status).toBe(200);
  });

  it("lets the owning client revoke its access token, and its refresh token with the whole grant", async () => {
    const issued = await tokens();
    expect((await revoke(owner, issued.access_token)).status).toBe(200);
    expect((await introspect(t, issued.access_token)).active).toBe(false);
    expect((await introspect(t, issued.refresh_token)).active).toBe(true);

    const again = await tokens();
    expect((await revoke(owner, again.refresh_token, "refresh_token")).status).toBe(200);
    expect((await introspect(t, again.refresh_token)).active).toBe(false);
    expect((await introspect(t, again.access_token)).active).toBe(false);
    const refreshed = await tokenRequest(t, owner, {
      grant_type: "refresh_token",
      refresh_token: again.refresh_token,
    });
    expect(refreshed.status).toBe(400);
  });

  it("answers 200 for an unknown token and 401 invalid_client to a client that cannot authenticate", async () => {
    expect((await revoke(other, "ory_at_not-a-token")).status).toBe(200);
    const issued = await tokens();
    const res = await revoke({ ...owner, client_secret: "wrong secret" }, issued.access_token);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: "invalid_client" });
    expect((await introspect(t, issued.access_token)).active).toBe(true);
  });
});
