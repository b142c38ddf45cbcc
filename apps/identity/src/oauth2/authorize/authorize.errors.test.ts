import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar } from "../../testing/index.ts";
import {
  authorizeUrl,
  createClient,
  location,
  type OAuth2TestCore,
  pkce,
  REDIRECT,
  startOAuth2Core,
  type TestClient,
} from "../test-helpers.ts";

let t: OAuth2TestCore;
let client: TestClient;
let publicClient: TestClient;
const ERROR_UI = "http://localhost:4455/error";

beforeAll(async () => {
  t = await startOAuth2Core({ oauth2: { urls: { error: ERROR_UI } } });
  client = await createClient(t);
  publicClient = await createClient(t, { token_endpoint_auth_method: "none" });
});
afterAll(() => t?.stop());

function params(c: TestClient, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const { challenge } = pkce();
  const all: Record<string, string | undefined> = {
    client_id: c.client_id,
    response_type: "code",
    redirect_uri: REDIRECT,
    scope: "openid",
    state: "state-12345678",
    code_challenge: challenge,
    code_challenge_method: "S256",
    ...extra,
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

const get = (p: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(authorizeUrl(t, p), { redirect: "manual", headers });

describe("errors that must never reach a redirect URI", () => {
  it("an unregistered redirect_uri is shown by the error UI (browser) or answered as JSON, never redirected", async () => {
    const evil = "http://evil.example/callback";
    const browser = await get(params(client, { redirect_uri: evil }));
    expect(browser.status).toBe(302);
    const shown = location(browser);
    expect(shown.origin + shown.pathname).toBe(ERROR_UI);
    expect(shown.searchParams.get("error")).toBe("invalid_request");
    expect(browser.headers.get("location")).not.toContain("evil.example");

    const api = await get(params(client, { redirect_uri: evil }), { accept: "application/json" });
    expect(api.status).toBe(400);
    expect(api.headers.get("location")).toBeNull();
    expect(await api.json()).toMatchObject({ error: "invalid_request" });

    const prefix = await get(params(client, { redirect_uri: `${REDIRECT}/more` }), {
      accept: "application/json",
    });
    expect(prefix.status).toBe(400);
  });

  it("an unknown client is invalid_client, shown and not redirected", async () => {
    const res = await get(params(client, { client_id: "no-such-client" }), { accept: "application/json" });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: "invalid_client" });
  });

  it("a tampered or foreign verifier is shown, not redirected", async () => {
    const res = await fetch(`${t.oauth2PublicUrl}/oauth2/auth?login_verifier=abc.def.ghi.jkl.mno`, {
      redirect: "manual",
      headers: { accept: "application/json" },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_request" });
  });
});

describe("errors sent back to the client", () => {
  async function clientError(p: Record<string, string>): Promise<URLSearchParams> {
    const res = await get(p);
    expect(res.status).toBe(302);
    const back = location(res);
    expect(back.origin + back.pathname).toBe(REDIRECT);
    return back.searchParams;
  }

  it("a public client without PKCE is refused", async () => {
    const back = await clientError(
      params(publicClient, { code_challenge: undefined, code_challenge_method: undefined }),
    );
    expect(back.get("error")).toBe("invalid_request");
    expect(back.get("error_description")).toContain("code_challenge");
    expect(back.get("state")).toBe("state-12345678");
  });

  it("PKCE plain is refused", async () => {
    const back = await clientError(params(publicClient, { code_challenge_method: "plain" }));
    expect(back.get("error")).toBe("invalid_request");
    expect(back.get("error_description")).toContain("S256");
  });

  it("a state shorter than 8 characters is invalid_state", async () => {
    expect((await clientError(params(client, { state: "short" }))).get("error")).toBe("invalid_state");
    expect((await clientError(params(client, { state: undefined }))).get("error")).toBe("invalid_state");
  });

  it("scopes the client may not request are invalid_scope", async () => {
    expect((await clientError(params(client, { scope: "openid admin" }))).get("error")).toBe("invalid_scope");
  });

  it("only response_type=code is supported", async () => {
    expect((await clientError(params(client, { response_type: "token" }))).get("error")).toBe(
      "unsupported_response_type",
    );
    expect((await clientError(params(client, { response_mode: "jwt" }))).get("error")).toBe(
      "unsupported_response_mode",
    );
  });

  it("a request object that is not a signed JWT is invalid_request_object", async () => {
    expect((await clientError(params(client, { request: "eyJ.x.y" }))).get("error")).toBe(
      "invalid_request_object",
    );
  });

  it("a verifier used in another browser is refused (CSRF binding)", async () => {
    const victim = new CookieJar();
    const res = await victim.fetch(authorizeUrl(t, params(client)));
    const challenge = location(res).searchParams.get("login_challenge")!;
    const accepted = (await (
      await t.admin(`/admin/oauth2/auth/requests/login/accept?login_challenge=${challenge}`, {
        method: "PUT",
        body: JSON.stringify({ subject: "victim" }),
      })
    ).json()) as { redirect_to: string };
    const attacker = new CookieJar();
    const stolen = await attacker.fetch(accepted.redirect_to);
    const back = location(stolen);
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get("error")).toBe("request_forbidden");
    // The right browser still gets on.
    const own = await victim.fetch(accepted.redirect_to);
    expect(location(own).searchParams.get("consent_challenge")).toBeTruthy();
  });
});
