import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type OAuth2TestCore, startOAuth2Core, tokenRequest } from "../test-helpers.ts";

let t: OAuth2TestCore;

beforeAll(async () => {
  t = await startOAuth2Core();
});
afterAll(() => t?.stop());

const post = (headers: Record<string, string>, form: Record<string, string>) =>
  fetch(`${t.oauth2PublicUrl}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form),
  });

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

describe("client authentication at the token endpoint", () => {
  it("a wrong secret is 401 invalid_client in the RFC 6749 shape, with WWW-Authenticate for Basic", async () => {
    const client = await createClient(t, { grant_types: ["client_credentials"], scope: "read" });
    const res = await post(
      { authorization: basic(client.client_id, "not-the-secret") },
      { grant_type: "client_credentials" },
    );
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["error", "error_description"]);
    expect(body.error).toBe("invalid_client");
  });

  it("an unknown client and a missing authentication are 401 invalid_client", async () => {
    const unknown = await post(
      { authorization: basic("nobody", "secret") },
      { grant_type: "client_credentials" },
    );
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { error: string }).error).toBe("invalid_client");
    const none = await post({}, { grant_type: "client_credentials" });
    expect(none.status).toBe(401);
  });

  it("client_secret_post works for clients registered with it, and only for them", async () => {
    const post_ = await createClient(t, {
      grant_types: ["client_credentials"],
      scope: "read",
      token_endpoint_auth_method: "client_secret_post",
    });
    const ok = await post(
      {},
      {
        grant_type: "client_credentials",
        client_id: post_.client_id,
        client_secret: post_.client_secret!,
      },
    );
    expect(ok.status).toBe(200);
    // The same credentials over Basic: the client did not register that method.
    const wrongMethod = await post(
      { authorization: basic(post_.client_id, post_.client_secret!) },
      { grant_type: "client_credentials" },
    );
    expect(wrongMethod.status).toBe(401);
  });

  it("a public client may not skip authentication for a confidential one, nor use client_credentials", async () => {
    const confidential = await createClient(t, { grant_types: ["client_credentials"], scope: "read" });
    const asPublic = await post({}, { grant_type: "client_credentials", client_id: confidential.client_id });
    expect(asPublic.status).toBe(401);
    const publicClient = await createClient(t, {
      token_endpoint_auth_method: "none",
      grant_types: ["client_credentials"],
    });
    const res = await tokenRequest(t, publicClient, { grant_type: "client_credentials" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("unauthorized_client");
  });

  it("form-encoded Basic credentials are decoded (RFC 6749 §2.3.1)", async () => {
    const client = await createClient(t, {
      grant_types: ["client_credentials"],
      client_secret: "a secret with spaces & symbols",
    });
    const header = `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent("a secret with spaces & symbols")}`).toString("base64")}`;
    expect((await post({ authorization: header }, { grant_type: "client_credentials" })).status).toBe(200);
  });

  it("answers bad requests with RFC 6749 errors, never 500", async () => {
    const client = await createClient(t, { grant_types: ["client_credentials"] });
    const auth = { authorization: basic(client.client_id, client.client_secret!) };
    const cases: [Record<string, string>, string][] = [
      [{}, "invalid_request"],
      [{ grant_type: "password" }, "unsupported_grant_type"],
      [{ grant_type: "authorization_code" }, "unauthorized_client"],
      [{ grant_type: "refresh_token", refresh_token: "x" }, "unauthorized_client"],
    ];
    for (const [form, error] of cases) {
      const res = await post(auth, form);
      expect(res.status, JSON.stringify(form)).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe(error);
    }
    const json = await fetch(`${t.oauth2PublicUrl}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify({ grant_type: "client_credentials" }),
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe("invalid_request");
    const twice = await fetch(`${t.oauth2PublicUrl}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...auth },
      body: "grant_type=client_credentials&grant_type=client_credentials",
    });
    expect(twice.status).toBe(400);
  });
});
