import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar } from "../../testing/index.ts";
import {
  createClient,
  location,
  type OAuth2TestCore,
  REDIRECT,
  startOAuth2Core,
  type TestClient,
} from "../test-helpers.ts";

/*
 * The OpenID Connect `claims` request parameter (Core §5.5), `acr_values` and `max_age` end to end
 * with openid-client as the relying party: the requests reach the login and consent apps in
 * `oidc_context`, the consent's claims land in the ID token and at userinfo, an essential `acr` the
 * login does not meet fails with `unmet_authentication_requirements`, a requested `sub` must be the
 * user's, and `max_age=0` forces a fresh login whose `auth_time` openid-client checks.
 */

let t: OAuth2TestCore;
let client: TestClient;
let config: oidc.Configuration;

beforeAll(async () => {
  t = await startOAuth2Core();
  client = await createClient(t, { scope: "openid offline_access email profile" });
  config = await oidc.discovery(
    new URL(t.issuer),
    client.client_id,
    undefined,
    oidc.ClientSecretBasic(client.client_secret!),
    { execute: [oidc.allowInsecureRequests] },
  );
});
afterAll(() => t?.stop());

interface Step {
  jar: CookieJar;
  verifier: string;
  state: string;
  nonce: string;
  loginRequest: Record<string, unknown> & { skip: boolean; subject: string };
  loginChallenge: string;
}

/** openid-client builds the URL; the browser follows it to the login challenge. */
async function begin(params: Record<string, string>, jar = new CookieJar()): Promise<Step> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: "openid email",
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
    ...params,
  });
  const res = await jar.fetch(url.toString());
  expect(res.status, await res.clone().text()).toBe(302);
  const loginChallenge = location(res).searchParams.get("login_challenge")!;
  expect(loginChallenge).toBeTruthy();
  const loginRequest = (await (
    await t.admin(`/admin/oauth2/auth/requests/login?login_challenge=${loginChallenge}`)
  ).json()) as Step["loginRequest"];
  return { jar, verifier, state, nonce, loginRequest, loginChallenge };
}

/** Accepts the login; answers the response at the next step (a consent challenge or the client's redirect). */
async function login(s: Step, body: Record<string, unknown> = {}): Promise<Response> {
  const accepted = await t.admin(
    `/admin/oauth2/auth/requests/login/accept?login_challenge=${s.loginChallenge}`,
    {
      method: "PUT",
      body: JSON.stringify({
        subject: s.loginRequest.skip ? s.loginRequest.subject : "user-7",
        remember: true,
        remember_for: 3600,
        ...body,
      }),
    },
  );
  expect(accepted.status, await accepted.clone().text()).toBe(200);
  return s.jar.fetch(((await accepted.json()) as { redirect_to: string }).redirect_to);
}

async function consent(s: Step, res: Response, idTokenClaims: Record<string, unknown> = {}) {
  const consentChallenge = location(res).searchParams.get("consent_challenge")!;
  expect(consentChallenge).toBeTruthy();
  const consentRequest = (await (
    await t.admin(`/admin/oauth2/auth/requests/consent?consent_challenge=${consentChallenge}`)
  ).json()) as Record<string, unknown> & { requested_scope: string[] };
  const accepted = await t.admin(
    `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${consentChallenge}`,
    {
      method: "PUT",
      body: JSON.stringify({
        grant_scope: consentRequest.requested_scope,
        session: { id_token: idTokenClaims },
      }),
    },
  );
  const back = await s.jar.fetch(((await accepted.json()) as { redirect_to: string }).redirect_to);
  return { consentRequest, callback: location(back) };
}

function redeem(s: Step, callback: URL, checks: { maxAge?: number } = {}) {
  return oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: s.verifier,
    expectedState: s.state,
    expectedNonce: s.nonce,
    ...(checks.maxAge !== undefined ? { maxAge: checks.maxAge } : {}),
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the claims request parameter (OpenID Connect Core §5.5)", () => {
  it("discovery says it is supported", () => {
    expect(config.serverMetadata().claims_parameter_supported).toBe(true);
  });

  it("reaches the login and consent apps in oidc_context.claims; the consent's claims reach the ID token and userinfo", async () => {
    const claims = {
      id_token: { email: { essential: true }, email_verified: null },
      userinfo: { name: null, locale: { values: ["de", "en"] } },
    };
    const s = await begin({ claims: JSON.stringify(claims) });
    expect((s.loginRequest.oidc_context as Record<string, unknown>).claims).toEqual(claims);
    const { consentRequest, callback } = await consent(s, await login(s), {
      email: "ada@example.com",
      email_verified: true,
      name: "Ada",
    });
    expect((consentRequest.oidc_context as Record<string, unknown>).claims).toEqual(claims);
    const tokens = await redeem(s, callback);
    expect(tokens.claims()).toMatchObject({ sub: "user-7", email: "ada@example.com", email_verified: true });
    expect(await oidc.fetchUserInfo(config, tokens.access_token, "user-7")).toMatchObject({
      sub: "user-7",
      name: "Ada",
      email: "ada@example.com",
    });
  });

  const malformed: [string, string][] = [
    ["not JSON", "{"],
    ["an array", "[]"],
    ["a string", '"id_token"'],
    ["a userinfo string", JSON.stringify({ userinfo: "email" })],
    ["an id_token array", JSON.stringify({ id_token: ["email"] })],
    ["a claim request that is a string", JSON.stringify({ id_token: { email: "yes" } })],
    ["essential not a boolean", JSON.stringify({ id_token: { acr: { essential: "true" } } })],
    ["values not an array", JSON.stringify({ id_token: { acr: { values: "aal2" } } })],
    ["value and values", JSON.stringify({ id_token: { acr: { value: "aal2", values: ["aal2"] } } })],
    ["too long", JSON.stringify({ id_token: { email: { value: "x".repeat(5000) } } })],
    [
      "too many claims",
      JSON.stringify({ userinfo: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`c${i}`, null])) }),
    ],
  ];
  for (const [name, value] of malformed) {
    it(`refuses ${name} with invalid_request at the redirect URI`, async () => {
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: "openid",
        state: oidc.randomState(),
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: "S256",
        claims: value,
      });
      const back = location(await new CookieJar().fetch(url.toString()));
      expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
      expect(back.searchParams.get("error")).toBe("invalid_request");
      expect(back.searchParams.get("error_description")).toMatch(/claim/i);
    });
  }

  it("pushed with PAR: the claims reach oidc_context; malformed ones are refused at PAR as JSON", async () => {
    const claims = { id_token: { acr: { essential: true, values: ["aal2"] } } };
    const verifier = oidc.randomPKCECodeVerifier();
    const url = await oidc.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: REDIRECT,
      scope: "openid",
      state: oidc.randomState(),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      claims: JSON.stringify(claims),
    });
    const jar = new CookieJar();
    const res = await jar.fetch(url.toString());
    const challenge = location(res).searchParams.get("login_challenge")!;
    const loginRequest = (await (
      await t.admin(`/admin/oauth2/auth/requests/login?login_challenge=${challenge}`)
    ).json()) as { oidc_context: Record<string, unknown> };
    expect(loginRequest.oidc_context.claims).toEqual(claims);

    await expect(
      oidc.buildAuthorizationUrlWithPAR(config, {
        redirect_uri: REDIRECT,
        scope: "openid",
        state: oidc.randomState(),
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        claims: JSON.stringify({ id_token: { acr: { essential: 1 } } }),
      }),
    ).rejects.toMatchObject({ error: "invalid_request" });
  });

  it("a requested sub must be the user who logs in", async () => {
    const other = await begin({ claims: JSON.stringify({ id_token: { sub: { value: "someone-else" } } }) });
    const refused = location(await login(other));
    expect(refused.searchParams.get("error")).toBe("access_denied");
    await expect(redeem(other, refused)).rejects.toMatchObject({ error: "access_denied" });

    const same = await begin({ claims: JSON.stringify({ id_token: { sub: { value: "user-7" } } }) });
    const { callback } = await consent(same, await login(same));
    expect((await redeem(same, callback)).claims()?.sub).toBe("user-7");
  });
});

describe("acr_values, an essential acr and max_age", () => {
  it("acr_values reach the login app; the acr it states is the ID token's", async () => {
    const s = await begin({ acr_values: "aal2 aal1" });
    expect((s.loginRequest.oidc_context as Record<string, unknown>).acr_values).toEqual(["aal2", "aal1"]);
    const { callback } = await consent(s, await login(s, { acr: "aal1", amr: ["password"] }));
    // Voluntary: a weaker acr than asked is still answered, and says so.
    expect((await redeem(s, callback)).claims()).toMatchObject({ acr: "aal1", amr: ["password"] });
  });

  it("an essential acr the login does not meet fails with unmet_authentication_requirements", async () => {
    const claims = JSON.stringify({ id_token: { acr: { essential: true, values: ["aal2"] } } });
    const weak = await begin({ claims });
    const refused = location(await login(weak, { acr: "aal1" }));
    expect(`${refused.origin}${refused.pathname}`).toBe(REDIRECT);
    expect(refused.searchParams.get("error")).toBe("unmet_authentication_requirements");
    await expect(redeem(weak, refused)).rejects.toMatchObject({
      error: "unmet_authentication_requirements",
    });
    // Nothing was stored for that login: the browser has no remembered login to reuse.
    const again = await begin({}, weak.jar);
    expect(again.loginRequest.skip).toBe(false);

    // A login that states no acr does not meet an essential one either.
    const none = await begin({ claims: JSON.stringify({ id_token: { acr: { essential: true } } }) });
    expect(location(await login(none)).searchParams.get("error")).toBe("unmet_authentication_requirements");

    const strong = await begin({ claims });
    const { callback } = await consent(strong, await login(strong, { acr: "aal2" }));
    expect((await redeem(strong, callback)).claims()?.acr).toBe("aal2");
  });

  it("a remembered login is not reused for an essential acr: the login app must state it again", async () => {
    const first = await begin({});
    const { callback } = await consent(first, await login(first, { acr: "aal2" }));
    await redeem(first, callback);
    const plain = await begin({}, first.jar);
    expect(plain.loginRequest.skip).toBe(true);
    const essential = await begin(
      { claims: JSON.stringify({ id_token: { acr: { essential: true, values: ["aal2"] } } }) },
      first.jar,
    );
    expect(essential.loginRequest.skip).toBe(false);
  });

  it("max_age=0 forces a fresh login; auth_time is that login's and openid-client accepts it", async () => {
    const first = await begin({});
    const firstTokens = await redeem(first, (await consent(first, await login(first))).callback);
    const firstAuth = firstTokens.claims()!.auth_time!;
    expect(typeof firstAuth).toBe("number");
    await sleep(1100);

    // Without max_age the remembered login is reused: the same auth_time.
    const reused = await begin({}, first.jar);
    expect(reused.loginRequest.skip).toBe(true);
    const reusedTokens = await redeem(reused, (await consent(reused, await login(reused))).callback);
    expect(reusedTokens.claims()!.auth_time).toBe(firstAuth);

    // max_age=0: never reused, the login app is asked (skip false), and auth_time is the new login's.
    const started = Math.floor(Date.now() / 1000);
    const fresh = await begin({ max_age: "0" }, first.jar);
    expect(fresh.loginRequest.skip).toBe(false);
    const freshTokens = await redeem(fresh, (await consent(fresh, await login(fresh))).callback, {
      maxAge: 0,
    });
    expect(freshTokens.claims()!.auth_time).toBeGreaterThanOrEqual(started);
    expect(freshTokens.claims()!.auth_time).toBeGreaterThan(firstAuth);

    // prompt=none with max_age=0 can not be answered without a login.
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: "openid",
      state: oidc.randomState(),
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: "S256",
      prompt: "none",
      max_age: "0",
    });
    const back = location(await first.jar.fetch(url.toString()));
    expect(back.searchParams.get("error")).toBe("login_required");
  });
});
