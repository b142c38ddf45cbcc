import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar } from "../../testing/index.ts";
import { sealFlow } from "../flow/challenge.ts";
import {
  authorizeUrl,
  createClient,
  location,
  type OAuth2TestCore,
  pkce,
  postForm,
  REDIRECT,
  startOAuth2Core,
  type TestClient,
} from "../test-helpers.ts";
import { PAR_URN } from "./par.ts";

/*
 * Pushed authorization requests (RFC 9126): openid-client pushes the request (authenticated) and
 * sends the browser with the request_uri; the login and consent that follow are the usual ones. A
 * client with require_pushed_authorization_requests can not start a flow any other way.
 */

let t: OAuth2TestCore;
let pushy: TestClient;
let other: TestClient;
let config: oidc.Configuration;

const basic = (c: TestClient) => ({
  authorization: `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString("base64")}`,
});

beforeAll(async () => {
  t = await startOAuth2Core();
  pushy = await createClient(t, { require_pushed_authorization_requests: true });
  other = await createClient(t);
  config = await oidc.discovery(
    new URL(t.issuer),
    pushy.client_id,
    undefined,
    oidc.ClientSecretBasic(pushy.client_secret!),
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
});
afterAll(() => t?.stop());

/** Follows the browser through login and consent (accepted over the admin API) to the callback. */
async function loginAndConsent(jar: CookieJar, res: Response, subject: string): Promise<URL> {
  expect(res.status, await res.clone().text()).toBe(302);
  const loginChallenge = location(res).searchParams.get("login_challenge")!;
  const login = await t.admin(`/admin/oauth2/auth/requests/login/accept?login_challenge=${loginChallenge}`, {
    method: "PUT",
    body: JSON.stringify({ subject }),
  });
  res = await jar.fetch(((await login.json()) as { redirect_to: string }).redirect_to);
  const consentChallenge = location(res).searchParams.get("consent_challenge")!;
  const consentReq = (await (
    await t.admin(`/admin/oauth2/auth/requests/consent?consent_challenge=${consentChallenge}`)
  ).json()) as { requested_scope: string[] };
  const consent = await t.admin(
    `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${consentChallenge}`,
    {
      method: "PUT",
      body: JSON.stringify({ grant_scope: consentReq.requested_scope }),
    },
  );
  res = await jar.fetch(((await consent.json()) as { redirect_to: string }).redirect_to);
  return location(res);
}

async function push(client: TestClient, extra: Record<string, string> = {}) {
  return postForm(
    t,
    "/oauth2/par",
    {
      response_type: "code",
      redirect_uri: REDIRECT,
      scope: "openid",
      state: "state-par-12345",
      code_challenge: pkce().challenge,
      code_challenge_method: "S256",
      ...extra,
    },
    basic(client),
  );
}

describe("pushed authorization requests with openid-client", () => {
  it("discovery advertises the PAR endpoint; the code flow runs through a pushed request", async () => {
    const meta = config.serverMetadata();
    expect(meta.pushed_authorization_request_endpoint).toBe(new URL("oauth2/par", t.issuer).href);
    expect(meta.require_pushed_authorization_requests).toBe(false);

    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = await oidc.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: REDIRECT,
      scope: "openid offline_access",
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
      nonce,
    });
    // Only client_id and request_uri travel in the browser.
    expect([...url.searchParams.keys()].sort()).toEqual(["client_id", "request_uri"]);
    expect(url.searchParams.get("request_uri")).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    const jar = new CookieJar();
    const callback = await loginAndConsent(jar, await jar.fetch(url.href), "par-user");
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    expect(tokens.claims()?.sub).toBe("par-user");
    expect(tokens.scope).toBe("openid offline_access");

    // One use only: the same request_uri again is refused (never at the redirect URI).
    const again = await new CookieJar().fetch(url.href, { headers: { accept: "application/json" } });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string; error_description: string }).error).toBe(
      "invalid_request_uri",
    );
  });
});

describe("pushed authorization requests: hostile input", () => {
  it("a client that must push can not start a flow with plain parameters (the error goes to its redirect URI)", async () => {
    const res = await new CookieJar().fetch(
      authorizeUrl(t, {
        client_id: pushy.client_id,
        response_type: "code",
        redirect_uri: REDIRECT,
        scope: "openid",
        state: "state-par-plain1",
        code_challenge: pkce().challenge,
        code_challenge_method: "S256",
      }),
    );
    const back = location(res);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get("error")).toBe("invalid_request");
    expect(back.searchParams.get("error_description")).toContain("must push");
  });

  it("a request_uri works only for the client that pushed it, and forged or foreign ones are refused", async () => {
    const res = await push(pushy);
    expect(res.status, await res.clone().text()).toBe(201);
    const { request_uri, expires_in } = (await res.json()) as { request_uri: string; expires_in: number };
    expect(expires_in).toBe(90);
    const tryIt = async (params: Record<string, string>) => {
      const r = await new CookieJar().fetch(authorizeUrl(t, params), {
        headers: { accept: "application/json" },
      });
      return { status: r.status, body: (await r.json()) as { error: string } };
    };
    expect(await tryIt({ client_id: other.client_id, request_uri })).toMatchObject({
      status: 400,
      body: { error: "invalid_request_uri" },
    });
    expect(await tryIt({ request_uri })).toMatchObject({
      status: 400,
      body: { error: "invalid_request_uri" },
    });
    const tampered = `${request_uri.slice(0, -4)}AAAA`;
    expect(await tryIt({ client_id: pushy.client_id, request_uri: tampered })).toMatchObject({
      status: 400,
      body: { error: "invalid_request_uri" },
    });
    // A JAR-style request_uri (a URL) the client did not register: answered at the client's redirect URI.
    const jar0 = new CookieJar();
    const jarStyle = location(
      await jar0.fetch(
        authorizeUrl(t, { client_id: pushy.client_id, request_uri: "https://rp.example/req.jwt" }),
      ),
    );
    expect(jarStyle.searchParams.get("error")).toBe("invalid_request_uri");
    // Parameters beside the request_uri do not count: the pushed ones do (scope stays "openid").
    const jar = new CookieJar();
    const started = await jar.fetch(
      authorizeUrl(t, { client_id: pushy.client_id, request_uri, scope: "openid offline_access email" }),
    );
    const loginChallenge = location(started).searchParams.get("login_challenge")!;
    const login = (await (
      await t.admin(`/admin/oauth2/auth/requests/login?login_challenge=${loginChallenge}`)
    ).json()) as { requested_scope: string[] };
    expect(login.requested_scope).toEqual(["openid"]);
  });

  it("the PAR endpoint authenticates the client and validates the request there (JSON errors, no redirects)", async () => {
    const wrong = await postForm(
      t,
      "/oauth2/par",
      { response_type: "code", redirect_uri: REDIRECT },
      {
        authorization: `Basic ${Buffer.from(`${pushy.client_id}:wrong`).toString("base64")}`,
      },
    );
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: string }).error).toBe("invalid_client");
    const cases: [Record<string, string>, string][] = [
      [{ redirect_uri: "https://evil.example/cb" }, "invalid_request"],
      [{ scope: "admin" }, "invalid_scope"],
      [{ request_uri: "urn:ietf:params:oauth:request_uri:x" }, "invalid_request"],
      [{ response_type: "token" }, "unsupported_response_type"],
      [{ state: "short" }, "invalid_state"],
    ];
    // A client_id beside Basic credentials of another client: authentication fails.
    const mixed = await push(pushy, { client_id: other.client_id });
    expect(mixed.status).toBe(401);
    expect(((await mixed.json()) as { error: string }).error).toBe("invalid_client");
    for (const [extra, error] of cases) {
      const res = await push(pushy, extra);
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect(res.headers.get("location")).toBeNull();
      expect(((await res.json()) as { error: string }).error, JSON.stringify(extra)).toBe(error);
    }
  });

  it("an expired request_uri is refused", async () => {
    // Time passing: a pushed request whose expiry lies in the past, sealed as the endpoint seals them.
    const sealed = await sealFlow(t.core.oauth2.o2, "pushed_request", {
      id: "expired-par-1",
      client_id: pushy.client_id,
      params: new URLSearchParams({ client_id: pushy.client_id, response_type: "code" }).toString(),
      expires_at: Math.floor(Date.now() / 1000) - 1,
    });
    const res = await new CookieJar().fetch(
      authorizeUrl(t, { client_id: pushy.client_id, request_uri: `${PAR_URN}${sealed}` }),
      { headers: { accept: "application/json" } },
    );
    expect(res.status).toBe(400);
    expect((await res.json()) as { error_description: string }).toMatchObject({
      error: "invalid_request_uri",
      error_description: expect.stringContaining("expired"),
    });
  });

  it("oauth2.pushed_authorization_requests.enforced: every client must push, and discovery says so", async () => {
    const strict = await startOAuth2Core({ oauth2: { pushed_authorization_requests: { enforced: true } } });
    try {
      const c = await createClient(strict);
      const meta = (await (
        await fetch(new URL(".well-known/openid-configuration", strict.issuer))
      ).json()) as {
        require_pushed_authorization_requests: boolean;
      };
      expect(meta.require_pushed_authorization_requests).toBe(true);
      const res = await new CookieJar().fetch(
        authorizeUrl(strict, {
          client_id: c.client_id,
          response_type: "code",
          redirect_uri: REDIRECT,
          scope: "openid",
          state: "state-par-strict",
          code_challenge: pkce().challenge,
          code_challenge_method: "S256",
        }),
      );
      expect(location(res).searchParams.get("error")).toBe("invalid_request");
    } finally {
      await strict.stop();
    }
  });
});
