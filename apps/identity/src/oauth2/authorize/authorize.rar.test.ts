import { randomUUID } from "node:crypto";
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify } from "jose";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar } from "../../testing/index.ts";
import {
  createClient,
  introspect,
  location,
  type OAuth2TestCore,
  postForm,
  REDIRECT,
  startOAuth2Core,
  type TestClient,
} from "../test-helpers.ts";

/*
 * Rich Authorization Requests (RFC 9396) end to end with openid-client as the client: the
 * `authorization_details` parameter at the authorization endpoint and at PAR, the consent request
 * showing them and `grant_authorization_details` narrowing them, the token response, introspection and
 * JWT access tokens carrying them, narrowing at a refresh, client_credentials, and every malformed,
 * unknown or disallowed value refused with `invalid_authorization_details`.
 */

type Detail = Record<string, unknown> & { type: string };

const PAYMENT: Detail = {
  type: "payment_initiation",
  actions: ["initiate", "status", "cancel"],
  locations: ["https://bank.example.com/payments"],
  instructedAmount: { currency: "EUR", amount: "123.50" },
  creditorName: "Merchant A",
};
const ACCOUNTS: Detail = {
  type: "account_information",
  actions: ["list_accounts", "read_balances", "read_transactions"],
  datatypes: ["balances", "transactions"],
  identifier: "account-42",
};

let t: OAuth2TestCore;
let client: TestClient;
let config: oidc.Configuration;

beforeAll(async () => {
  t = await startOAuth2Core();
  client = await createClient(t, {
    grant_types: ["authorization_code", "refresh_token", "client_credentials"],
    scope: "openid offline_access read",
    authorization_details_types: ["payment_initiation", "account_information"],
    access_token_strategy: "jwt",
  });
  config = await rp(client);
});
afterAll(() => t?.stop());

function rp(c: TestClient): Promise<oidc.Configuration> {
  return oidc.discovery(
    new URL(t.issuer),
    c.client_id,
    undefined,
    c.client_secret ? oidc.ClientSecretBasic(c.client_secret) : oidc.None(),
    { execute: [oidc.allowInsecureRequests] },
  );
}

interface Started {
  jar: CookieJar;
  consentChallenge: string;
  consentRequest: Record<string, unknown>;
  verifier: string;
  state: string;
  nonce: string;
}

/** openid-client builds the authorization URL; the login is accepted over the admin API. */
async function startFlow(
  details: Detail[] | string | undefined,
  opts: { jar?: CookieJar; par?: boolean; c?: TestClient; cfg?: oidc.Configuration } = {},
): Promise<Started> {
  const jar = opts.jar ?? new CookieJar();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const params: Record<string, string> = {
    redirect_uri: REDIRECT,
    scope: "openid offline_access",
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
    ...(details !== undefined
      ? { authorization_details: typeof details === "string" ? details : JSON.stringify(details) }
      : {}),
  };
  const cfg = opts.cfg ?? config;
  const url = opts.par
    ? await oidc.buildAuthorizationUrlWithPAR(cfg, params)
    : oidc.buildAuthorizationUrl(cfg, params);
  let res = await jar.fetch(url.toString());
  expect(res.status, await res.clone().text()).toBe(302);
  const loginChallenge = location(res).searchParams.get("login_challenge")!;
  expect(loginChallenge).toBeTruthy();
  const login = await t.admin(`/admin/oauth2/auth/requests/login/accept?login_challenge=${loginChallenge}`, {
    method: "PUT",
    body: JSON.stringify({ subject: "payer-1", remember: true, remember_for: 3600 }),
  });
  res = await jar.fetch(((await login.json()) as { redirect_to: string }).redirect_to);
  const consentChallenge = location(res).searchParams.get("consent_challenge")!;
  expect(consentChallenge).toBeTruthy();
  const consentRequest = (await (
    await t.admin(`/admin/oauth2/auth/requests/consent?consent_challenge=${consentChallenge}`)
  ).json()) as Record<string, unknown>;
  return { jar, consentChallenge, consentRequest, verifier, state, nonce };
}

function acceptConsent(s: Started, body: Record<string, unknown>): Promise<Response> {
  return t.admin(`/admin/oauth2/auth/requests/consent/accept?consent_challenge=${s.consentChallenge}`, {
    method: "PUT",
    body: JSON.stringify({ grant_scope: ["openid", "offline_access"], ...body }),
  });
}

/** Accepts the consent and redeems the code with openid-client. */
async function finish(s: Started, body: Record<string, unknown> = {}, cfg: oidc.Configuration = config) {
  const accepted = await acceptConsent(s, body);
  expect(accepted.status, await accepted.clone().text()).toBe(200);
  const res = await s.jar.fetch(((await accepted.json()) as { redirect_to: string }).redirect_to);
  return oidc.authorizationCodeGrant(cfg, location(res), {
    pkceCodeVerifier: s.verifier,
    expectedState: s.state,
    expectedNonce: s.nonce,
  });
}

/** The error an authorization request was refused with at the redirect URI. */
async function refusedAt(details: string): Promise<URLSearchParams> {
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: "openid",
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
    code_challenge_method: "S256",
    authorization_details: details,
  });
  const res = await new CookieJar().fetch(url.toString());
  expect(res.status).toBe(302);
  const back = location(res);
  expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
  // The client's own state comes back with the error (RFC 6749 §4.1.2.1).
  expect(back.searchParams.get("state")).toBe(state);
  return back.searchParams;
}

async function verifyJwt(token: string) {
  const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
  return (await jwtVerify(token, jwks, { issuer: t.issuer })).payload;
}

describe("Rich Authorization Requests (RFC 9396) with openid-client", () => {
  it("discovery advertises the types clients registered; the client shows its own", async () => {
    const meta = config.serverMetadata() as Record<string, unknown>;
    expect(meta.authorization_details_types_supported).toEqual(
      expect.arrayContaining(["account_information", "payment_initiation"]),
    );
    const wire = (await (await t.admin(`/admin/clients/${client.client_id}`)).json()) as Record<
      string,
      unknown
    >;
    expect(wire.authorization_details_types).toEqual(["payment_initiation", "account_information"]);
    // A new type shows up once a client registers it (the cache follows client changes).
    await createClient(t, { authorization_details_types: ["signing_service"] });
    const doc = (await (
      await fetch(`${t.oauth2PublicUrl}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(doc.authorization_details_types_supported).toContain("signing_service");
  });

  it("authorization code: the consent request shows the details, the tokens carry what was granted", async () => {
    const s = await startFlow([PAYMENT, ACCOUNTS]);
    expect(s.consentRequest.authorization_details).toEqual([PAYMENT, ACCOUNTS]);
    const tokens = await finish(s);
    expect(tokens.authorization_details).toEqual([PAYMENT, ACCOUNTS]);
    // RFC 9396 §9.1: the JWT access token has the claim; §9.2: introspection answers it.
    expect((await verifyJwt(tokens.access_token)).authorization_details).toEqual([PAYMENT, ACCOUNTS]);
    expect(await introspect(t, tokens.access_token)).toMatchObject({
      active: true,
      authorization_details: [PAYMENT, ACCOUNTS],
    });
    expect(await introspect(t, tokens.refresh_token!)).toMatchObject({
      active: true,
      authorization_details: [PAYMENT, ACCOUNTS],
    });
  });

  it("the consent narrows them with grant_authorization_details; it can not widen them", async () => {
    const s = await startFlow([PAYMENT, ACCOUNTS]);
    const narrowAccounts = { ...ACCOUNTS, actions: ["list_accounts"], datatypes: ["balances"] };
    // Refusals first (the request stays open): another type, a wider action, a dropped field, junk.
    for (const bad of [
      [{ type: "signing_service" }],
      [{ ...ACCOUNTS, actions: ["list_accounts", "transfer"] }],
      [{ type: ACCOUNTS.type, actions: ["list_accounts"] }],
      [{ ...PAYMENT, instructedAmount: { currency: "EUR", amount: "99999" } }],
      [{ ...PAYMENT, creditorName: "Attacker" }],
      [{ ...ACCOUNTS, extra: "field" }],
      ["not-an-object"],
      [{ actions: ["list_accounts"] }],
      "not-an-array",
    ]) {
      const res = await acceptConsent(s, { grant_authorization_details: bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      const body = (await res.json()) as { error: { message: string; reason?: string } };
      expect(JSON.stringify(body)).toMatch(/grant_authorization_details/);
    }
    const tokens = await finish(s, { grant_authorization_details: [narrowAccounts] });
    expect(tokens.authorization_details).toEqual([narrowAccounts]);
    expect(await introspect(t, tokens.access_token)).toMatchObject({
      authorization_details: [narrowAccounts],
    });

    // An empty list grants none of them: the token response says so.
    const none = await finish(await startFlow([PAYMENT]), { grant_authorization_details: [] });
    expect(none.authorization_details).toEqual([]);
  });

  it("PAR: pushed details reach the consent and the tokens; malformed ones are refused at PAR as JSON", async () => {
    const s = await startFlow([ACCOUNTS], { par: true });
    expect(s.consentRequest.authorization_details).toEqual([ACCOUNTS]);
    expect((await finish(s)).authorization_details).toEqual([ACCOUNTS]);

    const auth = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString("base64")}`;
    for (const bad of ["{", JSON.stringify([{ type: "unknown_type" }]), JSON.stringify({ type: "x" })]) {
      const res = await postForm(
        t,
        "/oauth2/par",
        {
          response_type: "code",
          redirect_uri: REDIRECT,
          scope: "openid",
          state: oidc.randomState(),
          authorization_details: bad,
        },
        { authorization: auth },
      );
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: "invalid_authorization_details" });
    }
    // openid-client surfaces the same refusal.
    await expect(
      oidc.buildAuthorizationUrlWithPAR(config, {
        redirect_uri: REDIRECT,
        scope: "openid",
        state: oidc.randomState(),
        authorization_details: JSON.stringify([{ type: "signing_service" }]),
      }),
    ).rejects.toMatchObject({ error: "invalid_authorization_details" });
  });

  it("inside a signed request object (JAR): the details arrive as JSON and reach the consent and the tokens", async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
    const kid = randomUUID();
    const signer = await createClient(t, {
      token_endpoint_auth_method: "private_key_jwt",
      jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" }] },
      authorization_details_types: ["account_information"],
    });
    const cfg = await oidc.discovery(
      new URL(t.issuer),
      signer.client_id,
      {},
      oidc.PrivateKeyJwt({ key: privateKey, kid }),
      { execute: [oidc.allowInsecureRequests] },
    );
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    // openid-client puts authorization_details into the request object as a JSON array.
    const url = await oidc.buildAuthorizationUrlWithJAR(
      cfg,
      {
        redirect_uri: REDIRECT,
        scope: "openid offline_access",
        response_type: "code",
        state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        authorization_details: JSON.stringify([ACCOUNTS]),
      },
      { key: privateKey, kid },
    );
    const jar = new CookieJar();
    let res = await jar.fetch(url.toString());
    const loginChallenge = location(res).searchParams.get("login_challenge")!;
    const login = await t.admin(
      `/admin/oauth2/auth/requests/login/accept?login_challenge=${loginChallenge}`,
      {
        method: "PUT",
        body: JSON.stringify({ subject: "payer-2" }),
      },
    );
    res = await jar.fetch(((await login.json()) as { redirect_to: string }).redirect_to);
    const consentChallenge = location(res).searchParams.get("consent_challenge")!;
    const consentRequest = (await (
      await t.admin(`/admin/oauth2/auth/requests/consent?consent_challenge=${consentChallenge}`)
    ).json()) as Record<string, unknown>;
    expect(consentRequest.authorization_details).toEqual([ACCOUNTS]);
    const tokens = await finish({ jar, consentChallenge, consentRequest, verifier, state, nonce }, {}, cfg);
    expect(tokens.authorization_details).toEqual([ACCOUNTS]);

    // A type this client may not use, signed just as well, is refused at its redirect URI.
    const refused = await oidc.buildAuthorizationUrlWithJAR(
      cfg,
      {
        redirect_uri: REDIRECT,
        scope: "openid",
        response_type: "code",
        state: oidc.randomState(),
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        authorization_details: JSON.stringify([PAYMENT]),
      },
      { key: privateKey, kid },
    );
    const back = location(await new CookieJar().fetch(refused.toString()));
    expect(back.searchParams.get("error")).toBe("invalid_authorization_details");
  });

  it("refresh narrows the access token's details; the refresh token keeps all granted; wider is refused", async () => {
    const tokens = await finish(await startFlow([PAYMENT, ACCOUNTS]));
    const onlyStatus = { ...PAYMENT, actions: ["status"] };
    const narrowed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, {
      authorization_details: JSON.stringify([onlyStatus]),
    });
    expect(narrowed.authorization_details).toEqual([onlyStatus]);
    expect(await introspect(t, narrowed.access_token)).toMatchObject({ authorization_details: [onlyStatus] });
    expect((await verifyJwt(narrowed.access_token)).authorization_details).toEqual([onlyStatus]);
    expect(await introspect(t, narrowed.refresh_token!)).toMatchObject({
      authorization_details: [PAYMENT, ACCOUNTS],
    });

    // Wider than granted, another type, or malformed: invalid_authorization_details (the token stays usable).
    for (const bad of [
      [{ ...PAYMENT, actions: ["initiate", "refund"] }],
      [{ type: "signing_service" }],
      "[",
      [{ ...ACCOUNTS, identifier: "account-43" }],
    ]) {
      await expect(
        oidc.refreshTokenGrant(config, narrowed.refresh_token!, {
          authorization_details: typeof bad === "string" ? bad : JSON.stringify(bad),
        }),
        JSON.stringify(bad),
      ).rejects.toMatchObject({ error: "invalid_authorization_details" });
    }

    // Without the parameter the next access token has everything granted again.
    const full = await oidc.refreshTokenGrant(config, narrowed.refresh_token!);
    expect(full.authorization_details).toEqual([PAYMENT, ACCOUNTS]);
    expect(await introspect(t, full.access_token)).toMatchObject({
      authorization_details: [PAYMENT, ACCOUNTS],
    });
  });

  it("client_credentials: the client asks for details of its types; others are refused", async () => {
    const tokens = await oidc.clientCredentialsGrant(config, {
      scope: "read",
      authorization_details: JSON.stringify([ACCOUNTS]),
    });
    expect(tokens.authorization_details).toEqual([ACCOUNTS]);
    expect(await introspect(t, tokens.access_token)).toMatchObject({
      sub: client.client_id,
      authorization_details: [ACCOUNTS],
    });
    await expect(
      oidc.clientCredentialsGrant(config, {
        authorization_details: JSON.stringify([{ type: "signing_service" }]),
      }),
    ).rejects.toMatchObject({ error: "invalid_authorization_details" });
    // Without the parameter nothing is added.
    const plain = await oidc.clientCredentialsGrant(config, { scope: "read" });
    expect(plain.authorization_details).toBeUndefined();
    expect(await introspect(t, plain.access_token)).not.toHaveProperty("authorization_details");
  });

  it("a client without registered types may request none", async () => {
    const other = await createClient(t);
    const cfg = await rp(other);
    const url = oidc.buildAuthorizationUrl(cfg, {
      redirect_uri: REDIRECT,
      scope: "openid",
      state: oidc.randomState(),
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: "S256",
      authorization_details: JSON.stringify([PAYMENT]),
    });
    const back = location(await new CookieJar().fetch(url.toString()));
    expect(back.searchParams.get("error")).toBe("invalid_authorization_details");
    expect(back.searchParams.get("error_description")).toMatch(/payment_initiation/);
  });

  it("a remembered consent is reused only when it covers the requested details", async () => {
    const jar = new CookieJar();
    await finish(await startFlow([ACCOUNTS], { jar }), { remember: true, remember_for: 3600 });
    // The same details: consent is skipped.
    const same = await startFlow([ACCOUNTS], { jar });
    expect(same.consentRequest.skip).toBe(true);
    // Details the remembered consent does not cover: the user is asked again.
    const more = await startFlow([PAYMENT], { jar });
    expect(more.consentRequest.skip).toBe(false);
    expect(more.consentRequest.authorization_details).toEqual([PAYMENT]);
  });
});

describe("hostile authorization_details at the authorization endpoint", () => {
  const cases: [string, string][] = [
    ["not JSON", "{not json"],
    ["an object, not an array", JSON.stringify(PAYMENT)],
    ["an empty array", "[]"],
    ["a string element", JSON.stringify(["payment_initiation"])],
    ["null element", "[null]"],
    ["an array element", "[[]]"],
    ["no type", JSON.stringify([{ actions: ["read"] }])],
    ["a numeric type", JSON.stringify([{ type: 7 }])],
    ["an empty type", JSON.stringify([{ type: "" }])],
    ["an unknown type", JSON.stringify([{ type: "admin_everything" }])],
    ["a type differing in case", JSON.stringify([{ type: "Payment_Initiation" }])],
    ["actions not strings", JSON.stringify([{ type: "payment_initiation", actions: [1, 2] }])],
    ["locations a string", JSON.stringify([{ type: "payment_initiation", locations: "https://x" }])],
    ["identifier an object", JSON.stringify([{ type: "account_information", identifier: { a: 1 } }])],
    ["too many objects", JSON.stringify(Array.from({ length: 17 }, () => ({ type: "payment_initiation" })))],
    [
      "nested too deeply",
      JSON.stringify([{ type: "payment_initiation", a: { b: { c: { d: { e: { f: 1 } } } } } }]),
    ],
    ["too long", JSON.stringify([{ type: "payment_initiation", note: "x".repeat(9000) }])],
  ];
  for (const [name, value] of cases) {
    it(`refuses ${name} with invalid_authorization_details at the redirect URI`, async () => {
      const params = await refusedAt(value);
      expect(params.get("error")).toBe("invalid_authorization_details");
    });
  }
});
