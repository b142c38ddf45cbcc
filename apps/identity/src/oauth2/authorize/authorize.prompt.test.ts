import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar } from "../../testing/index.ts";
import {
  authorizeUrl,
  createClient,
  exchangeCode,
  location,
  type OAuth2TestCore,
  pkce,
  runAuthorization,
  startOAuth2Core,
  type TestClient,
} from "../test-helpers.ts";

/*
 * prompt=login (OpenID Connect Core §3.1.2.1): the provider must ask the user to sign in again even
 * when the browser has a remembered login; the new login replaces the remembered one.
 */

let t: OAuth2TestCore;
let client: TestClient;

beforeAll(async () => {
  t = await startOAuth2Core();
  client = await createClient(t);
});
afterAll(() => t?.stop());

/** Starts an authorization in `jar` and reads the login request it leads to. */
async function loginRequest(jar: CookieJar, extra: Record<string, string> = {}) {
  const res = await jar.fetch(
    authorizeUrl(t, {
      client_id: client.client_id,
      response_type: "code",
      redirect_uri: client.redirect_uris[0]!,
      scope: "openid offline_access",
      state: "prompt-login-state",
      code_challenge: pkce().challenge,
      code_challenge_method: "S256",
      ...extra,
    }),
  );
  expect(res.status).toBe(302);
  const challenge = location(res).searchParams.get("login_challenge")!;
  const req = await t.admin(
    `/admin/oauth2/auth/requests/login?login_challenge=${encodeURIComponent(challenge)}`,
  );
  expect(req.status).toBe(200);
  return (await req.json()) as { skip: boolean; subject: string; session_id: string };
}

async function idTokenOf(flow: Awaited<ReturnType<typeof runAuthorization>>) {
  const res = await exchangeCode(t, client, flow);
  expect(res.status).toBe(200);
  return decodeJwt(((await res.json()) as { id_token: string }).id_token);
}

describe("prompt=login", () => {
  it("asks for a login again despite a remembered one, and the new login replaces it", async () => {
    const jar = new CookieJar();
    const first = await idTokenOf(await runAuthorization(t, client, { jar, subject: "prompted-user" }));

    // Without prompt the remembered login is reused: the login UI is told to skip.
    const remembered = await loginRequest(jar);
    expect(remembered).toMatchObject({ skip: true, subject: "prompted-user", session_id: first.sid });

    // With prompt=login it is not: no skip, no subject, a new session id.
    const forced = await loginRequest(jar, { prompt: "login" });
    expect(forced.skip).toBe(false);
    expect(forced.subject).toBe("");
    expect(forced.session_id).not.toBe(first.sid);

    // Completing it yields an ID token of the new login, authenticated now.
    await new Promise((r) => setTimeout(r, 1100));
    const before = Math.floor(Date.now() / 1000);
    const again = await idTokenOf(
      await runAuthorization(t, client, { jar, subject: "prompted-user", params: { prompt: "login" } }),
    );
    expect(again.sid).not.toBe(first.sid);
    expect(again.auth_time as number).toBeGreaterThanOrEqual(before);
    expect(again.auth_time as number).toBeGreaterThan(first.auth_time as number);

    // The browser now remembers the new login.
    const after = await loginRequest(jar);
    expect(after).toMatchObject({ skip: true, session_id: again.sid });
  });

  it("prompt=login with a session older than max_age, and max_age=0, both ask again", async () => {
    const jar = new CookieJar();
    await runAuthorization(t, client, { jar, subject: "max-age-user" });
    expect((await loginRequest(jar)).skip).toBe(true);
    expect((await loginRequest(jar, { max_age: "0" })).skip).toBe(false);
    expect((await loginRequest(jar, { prompt: "login", max_age: "3600" })).skip).toBe(false);
  });

  it("prompt=login combined with none is refused at the redirect_uri (invalid_request)", async () => {
    const jar = new CookieJar();
    await runAuthorization(t, client, { jar, subject: "none-login-user" });
    const res = await jar.fetch(
      authorizeUrl(t, {
        client_id: client.client_id,
        response_type: "code",
        redirect_uri: client.redirect_uris[0]!,
        scope: "openid",
        state: "prompt-login-state",
        code_challenge: pkce().challenge,
        code_challenge_method: "S256",
        prompt: "none login",
      }),
    );
    const back = location(res);
    expect(back.origin + back.pathname).toBe(client.redirect_uris[0]);
    expect(back.searchParams.get("error")).toBe("invalid_request");
    expect(back.searchParams.get("state")).toBe("prompt-login-state");
  });
});
