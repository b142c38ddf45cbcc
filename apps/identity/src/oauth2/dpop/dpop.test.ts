import { decodeJwt } from "jose";
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
  runAuthorization,
  startOAuth2Core,
  type TestClient,
} from "../test-helpers.ts";

/*
 * DPoP (RFC 9449) end to end with openid-client as the client: its DPoP handle signs the proofs, the
 * core binds the tokens of every grant to the key (token_type DPoP, cnf.jkt), binds codes to
 * `dpop_jkt` (at the authorization endpoint and at PAR), keeps public clients' refresh tokens on the
 * key (introspection of such a refresh token carries its `cnf.jkt`), and its userinfo endpoint takes `Authorization: DPoP` with a proof. The hostile inputs are in
 * dpop.hostile.test.ts.
 */

const DEVICE = "urn:ietf:params:oauth:grant-type:device_code";

let t: OAuth2TestCore;

beforeAll(async () => {
  t = await startOAuth2Core({ oauth2: { device_authorization: { token_polling_interval: "1s" } } });
});
afterAll(() => t?.stop());

async function rp(client: TestClient): Promise<oidc.Configuration> {
  return oidc.discovery(
    new URL(t.issuer),
    client.client_id,
    undefined,
    client.client_secret ? oidc.ClientSecretBasic(client.client_secret) : oidc.None(),
    { execute: [oidc.allowInsecureRequests] },
  );
}

async function dpopHandle(config: oidc.Configuration, alg = "ES256") {
  return oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair(alg));
}

/** The authorization code flow with openid-client's DPoP handle at the token endpoint. */
async function codeFlow(
  client: TestClient,
  config: oidc.Configuration,
  dpop: oidc.DPoPHandle | undefined,
  params: Record<string, string> = {},
) {
  const flow = await runAuthorization(t, client, { params });
  return oidc.authorizationCodeGrant(
    config,
    flow.callback,
    { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce },
    undefined,
    dpop ? { DPoP: dpop } : undefined,
  );
}

describe("DPoP with openid-client", () => {
  it("discovery advertises exactly the proof algorithms the core verifies", async () => {
    const client = await createClient(t);
    const meta = (await rp(client)).serverMetadata();
    expect(meta.dpop_signing_alg_values_supported).toEqual([
      "RS256",
      "RS384",
      "RS512",
      "PS256",
      "PS384",
      "PS512",
      "ES256",
      "ES384",
      "ES512",
      "EdDSA",
      "Ed25519",
    ]);
  });

  it("authorization code with dpop_jkt: DPoP-bound tokens, userinfo with a proof, introspection shows cnf.jkt", async () => {
    const client = await createClient(t);
    const config = await rp(client);
    const dpop = await dpopHandle(config);
    const jkt = await dpop.calculateThumbprint();
    const tokens = await codeFlow(client, config, dpop, { dpop_jkt: jkt });
    expect(tokens.token_type).toBe("dpop");
    expect(tokens.claims()?.sub).toBe("user-1");

    const info = await introspect(t, tokens.access_token);
    expect(info).toMatchObject({ active: true, token_type: "DPoP", cnf: { jkt }, token_use: "access_token" });

    // openid-client sends `Authorization: DPoP <token>` with a proof carrying ath.
    const user = await oidc.fetchUserInfo(config, tokens.access_token, "user-1", { DPoP: dpop });
    expect(user).toMatchObject({ sub: "user-1", email: "user@example.com" });

    // A confidential client's refresh: the new access token is bound to the key of the refresh's proof.
    const other = await dpopHandle(config, "EdDSA");
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP: other });
    expect(refreshed.token_type).toBe("dpop");
    expect(await introspect(t, refreshed.access_token)).toMatchObject({
      active: true,
      cnf: { jkt: await other.calculateThumbprint() },
    });
  });

  it("without a proof the same client gets bearer tokens, introspected as Bearer without cnf", async () => {
    const client = await createClient(t);
    const config = await rp(client);
    const tokens = await codeFlow(client, config, undefined);
    expect(tokens.token_type).toBe("bearer");
    const info = await introspect(t, tokens.access_token);
    expect(info).toMatchObject({ active: true, token_type: "Bearer" });
    expect(info).not.toHaveProperty("cnf");
    expect(await oidc.fetchUserInfo(config, tokens.access_token, "user-1")).toMatchObject({ sub: "user-1" });
  });

  it("a public client's refresh token stays on its key: refreshes with a proof of that key work", async () => {
    const spa = await createClient(t, { token_endpoint_auth_method: "none" });
    const config = await rp(spa);
    const dpop = await dpopHandle(config);
    const tokens = await codeFlow(spa, config, dpop);
    expect(tokens.token_type).toBe("dpop");
    const jkt = await dpop.calculateThumbprint();
    let refresh = tokens.refresh_token!;
    // RFC 9449 §5: the public client's refresh token is bound to the key; introspection says which.
    expect(await introspect(t, refresh)).toMatchObject({
      active: true,
      token_use: "refresh_token",
      cnf: { jkt },
    });
    for (let i = 0; i < 2; i++) {
      const next = await oidc.refreshTokenGrant(config, refresh, undefined, { DPoP: dpop });
      expect(next.token_type).toBe("dpop");
      expect(await introspect(t, next.access_token)).toMatchObject({ active: true, cnf: { jkt } });
      expect(await introspect(t, next.refresh_token!)).toMatchObject({
        active: true,
        token_use: "refresh_token",
        cnf: { jkt },
      });
      // The rotated-out token is no longer active and says nothing about its key.
      expect(await introspect(t, refresh)).toEqual({ active: false });
      refresh = next.refresh_token!;
    }
  });

  it("a confidential client's refresh token is bound by its credentials, not a key: no cnf", async () => {
    const client = await createClient(t);
    const config = await rp(client);
    const dpop = await dpopHandle(config);
    const tokens = await codeFlow(client, config, dpop);
    expect(await introspect(t, tokens.access_token)).toMatchObject({
      cnf: { jkt: await dpop.calculateThumbprint() },
    });
    const info = await introspect(t, tokens.refresh_token!);
    expect(info).toMatchObject({ active: true, token_use: "refresh_token" });
    expect(info).not.toHaveProperty("cnf");
  });

  it("a public client's refresh token without DPoP has no cnf", async () => {
    const spa = await createClient(t, { token_endpoint_auth_method: "none" });
    const config = await rp(spa);
    const tokens = await codeFlow(spa, config, undefined);
    const info = await introspect(t, tokens.refresh_token!);
    expect(info).toMatchObject({ active: true, token_use: "refresh_token" });
    expect(info).not.toHaveProperty("cnf");
  });

  it("client_credentials with a proof: a DPoP-bound token", async () => {
    const service = await createClient(t, { grant_types: ["client_credentials"], scope: "read" });
    const config = await rp(service);
    const dpop = await dpopHandle(config, "PS256");
    const tokens = await oidc.clientCredentialsGrant(config, { scope: "read" }, { DPoP: dpop });
    expect(tokens.token_type).toBe("dpop");
    expect(await introspect(t, tokens.access_token)).toMatchObject({
      active: true,
      sub: service.client_id,
      token_type: "DPoP",
      cnf: { jkt: await dpop.calculateThumbprint() },
    });
  });

  it("the device flow with a proof at the poll: DPoP-bound tokens", async () => {
    const device = await createClient(t, {
      grant_types: [DEVICE, "refresh_token"],
      token_endpoint_auth_method: "none",
      redirect_uris: [],
      scope: "openid offline_access read",
    });
    const config = await rp(device);
    const dpop = await dpopHandle(config);
    const started = await oidc.initiateDeviceAuthorization(config, { scope: "openid read" });
    const polling = oidc.pollDeviceAuthorizationGrant(config, started, undefined, { DPoP: dpop });

    // The user's browser: verification URI, user code, login and consent over the admin API.
    const jar = new CookieJar();
    let res = await jar.fetch(started.verification_uri);
    const challenge = location(res).searchParams.get("device_challenge")!;
    const accepted = await t.admin(
      `/admin/oauth2/auth/requests/device/accept?device_challenge=${challenge}`,
      {
        method: "PUT",
        body: JSON.stringify({ user_code: started.user_code }),
      },
    );
    res = await jar.fetch(((await accepted.json()) as { redirect_to: string }).redirect_to);
    const loginChallenge = location(res).searchParams.get("login_challenge")!;
    const login = await t.admin(
      `/admin/oauth2/auth/requests/login/accept?login_challenge=${loginChallenge}`,
      {
        method: "PUT",
        body: JSON.stringify({ subject: "device-user" }),
      },
    );
    res = await jar.fetch(((await login.json()) as { redirect_to: string }).redirect_to);
    const consentChallenge = location(res).searchParams.get("consent_challenge")!;
    const consent = await t.admin(
      `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${consentChallenge}`,
      { method: "PUT", body: JSON.stringify({ grant_scope: ["openid", "read"] }) },
    );
    await jar.fetch(((await consent.json()) as { redirect_to: string }).redirect_to);

    const tokens = await polling;
    expect(tokens.token_type).toBe("dpop");
    expect(await introspect(t, tokens.access_token)).toMatchObject({
      active: true,
      sub: "device-user",
      cnf: { jkt: await dpop.calculateThumbprint() },
    });
  });

  it("a proof at PAR binds the code to its key (dpop_jkt is added to the pushed request)", async () => {
    const client = await createClient(t);
    const config = await rp(client);
    const dpop = await dpopHandle(config);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = await oidc.buildAuthorizationUrlWithPAR(
      config,
      {
        redirect_uri: REDIRECT,
        scope: "openid offline_access",
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        state,
        nonce,
      },
      { DPoP: dpop },
    );
    const flow = await runAuthorization(t, client, {
      params: { request_uri: url.searchParams.get("request_uri")! },
    });
    const code = flow.callback.searchParams.get("code")!;
    // The code is bound: without a proof, or with another key, it is refused.
    const bare = await postForm(
      t,
      "/oauth2/token",
      { grant_type: "authorization_code", code, redirect_uri: REDIRECT, code_verifier: verifier },
      {
        authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString("base64")}`,
      },
    );
    expect(bare.status).toBe(400);
    expect(await bare.json()).toMatchObject({ error: "invalid_grant" });
    const callback = new URL(REDIRECT);
    callback.search = new URLSearchParams({ code, state }).toString();
    const tokens = await oidc.authorizationCodeGrant(
      config,
      callback,
      { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce },
      undefined,
      { DPoP: dpop },
    );
    expect(tokens.token_type).toBe("dpop");
  });

  it("token exchange with a proof: the exchanged token is bound to the service's key", async () => {
    const frontend = await createClient(t, { scope: "openid offline_access read" });
    const service = await createClient(t, {
      grant_types: ["urn:ietf:params:oauth:grant-type:token-exchange"],
      scope: "openid read",
      token_exchange: {
        allowed_audiences: ["https://api.example"],
        allowed_subject_clients: [frontend.client_id],
        may_impersonate: true,
      },
    });
    const user = await codeFlow(frontend, await rp(frontend), undefined);
    const config = await rp(service);
    const dpop = await dpopHandle(config);
    const exchanged = await oidc.genericGrantRequest(
      config,
      "urn:ietf:params:oauth:grant-type:token-exchange",
      {
        subject_token: user.access_token,
        subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
        audience: "https://api.example",
      },
      { DPoP: dpop },
    );
    expect(exchanged.token_type).toBe("dpop");
    expect(await introspect(t, exchanged.access_token)).toMatchObject({
      active: true,
      sub: "user-1",
      cnf: { jkt: await dpop.calculateThumbprint() },
    });
  });

  it("JWT access tokens carry cnf.jkt", async () => {
    const client = await createClient(t, {
      access_token_strategy: "jwt",
      grant_types: ["client_credentials"],
      scope: "read",
    });
    const config = await rp(client);
    const dpop = await dpopHandle(config);
    const tokens = await oidc.clientCredentialsGrant(config, { scope: "read" }, { DPoP: dpop });
    expect(tokens.token_type).toBe("dpop");
    expect(decodeJwt(tokens.access_token)).toMatchObject({ cnf: { jkt: await dpop.calculateThumbprint() } });
    expect(await introspect(t, tokens.access_token)).toMatchObject({ active: true, token_type: "DPoP" });
  });

  it("dpop_bound_access_tokens: the client's token requests without a proof are refused", async () => {
    const res = await t.admin("/admin/clients", {
      method: "POST",
      body: JSON.stringify({
        grant_types: ["client_credentials"],
        scope: "read",
        dpop_bound_access_tokens: true,
      }),
    });
    expect(res.status).toBe(201);
    const strict = (await res.json()) as TestClient & { dpop_bound_access_tokens: boolean };
    expect(strict.dpop_bound_access_tokens).toBe(true);
    const read = (await (await t.admin(`/admin/clients/${strict.client_id}`)).json()) as Record<
      string,
      unknown
    >;
    expect(read.dpop_bound_access_tokens).toBe(true);
    const config = await rp(strict);
    await expect(oidc.clientCredentialsGrant(config, { scope: "read" })).rejects.toMatchObject({
      error: "invalid_dpop_proof",
    });
    const tokens = await oidc.clientCredentialsGrant(
      config,
      { scope: "read" },
      { DPoP: await dpopHandle(config) },
    );
    expect(tokens.token_type).toBe("dpop");
    // The flag can be switched off again (PATCH), and a bad value is refused.
    const patched = await t.admin(`/admin/clients/${strict.client_id}`, {
      method: "PATCH",
      body: JSON.stringify([{ op: "replace", path: "/dpop_bound_access_tokens", value: false }]),
    });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as Record<string, unknown>).dpop_bound_access_tokens).toBe(false);
    const bad = await t.admin("/admin/clients", {
      method: "POST",
      body: JSON.stringify({ grant_types: ["client_credentials"], dpop_bound_access_tokens: "yes" }),
    });
    expect(bad.status).toBe(400);
  });
});
