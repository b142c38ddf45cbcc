import { Configuration, OAuth2Api, OidcApi } from "@ory/client";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar } from "../../testing/index.ts";
import {
  authorizeUrl,
  createClient,
  exchangeCode,
  introspect,
  location,
  type OAuth2TestCore,
  pkce,
  REDIRECT,
  runAuthorization,
  startOAuth2Core,
  tokenRequest,
} from "../test-helpers.ts";

let t: OAuth2TestCore;
let admin: OAuth2Api;

beforeAll(async () => {
  t = await startOAuth2Core();
  admin = new OAuth2Api(new Configuration({ basePath: t.oauth2AdminUrl }));
});
afterAll(() => t?.stop());

/** Follows a browser through login and consent, accepting both with @ory/client's OAuth2Api. */
async function browse(jar: CookieJar, url: string, subject = "subject-1"): Promise<URL> {
  let res = await jar.fetch(url);
  expect(res.status).toBe(302);
  const login = location(res);
  expect(login.origin + login.pathname).toBe("http://localhost:4455/login");
  const loginChallenge = login.searchParams.get("login_challenge")!;
  const loginRequest = (await admin.getOAuth2LoginRequest({ loginChallenge })).data;
  const accepted = await admin.acceptOAuth2LoginRequest({
    loginChallenge,
    acceptOAuth2LoginRequest: {
      subject: loginRequest.skip ? loginRequest.subject : subject,
      remember: true,
      amr: ["pwd"],
      acr: "aal1",
    },
  });
  res = await jar.fetch(accepted.data.redirect_to);
  const consent = location(res);
  expect(consent.pathname).toBe("/consent");
  const consentChallenge = consent.searchParams.get("consent_challenge")!;
  const consentRequest = (await admin.getOAuth2ConsentRequest({ consentChallenge })).data;
  const consented = await admin.acceptOAuth2ConsentRequest({
    consentChallenge,
    acceptOAuth2ConsentRequest: {
      grant_scope: consentRequest.requested_scope,
      session: { id_token: { email: "ada@example.com", email_verified: true } },
    },
  });
  res = await jar.fetch(consented.data.redirect_to);
  expect(res.status).toBe(302);
  return location(res);
}

describe("authorization code flow with openid-client (the certified RP)", () => {
  it("discovery → PKCE → login → consent → token → userinfo → refresh → introspect → revoke → logout", async () => {
    const registered = await createClient(t, {
      client_name: "RP",
      post_logout_redirect_uris: ["http://127.0.0.1:5555/bye"],
    });
    expect(registered.client_secret).toMatch(/^[A-Za-z0-9]{26}$/);
    const config = await oidc.discovery(
      new URL(t.issuer),
      registered.client_id,
      undefined,
      oidc.ClientSecretBasic(registered.client_secret!),
      { execute: [oidc.allowInsecureRequests] },
    );
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(t.issuer);
    expect(meta.code_challenge_methods_supported).toEqual(["S256"]);

    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: "openid offline_access email",
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
    });
    const jar = new CookieJar();
    const callback = await browse(jar, url.toString());
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get("code")).toMatch(/^ory_ac_/);

    // openid-client checks state, PKCE, and the ID token: signature against jwks_uri, iss, aud, exp, nonce.
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.access_token).toMatch(/^ory_at_/);
    expect(tokens.refresh_token).toMatch(/^ory_rt_/);
    expect(tokens.scope).toBe("openid offline_access email");
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      sub: "subject-1",
      iss: t.issuer,
      aud: [registered.client_id],
      nonce,
      email: "ada@example.com",
    });
    expect(claims.at_hash).toBeTruthy();
    expect(claims.sid).toBeTruthy();
    expect(claims.amr).toEqual(["pwd"]);
    expect(claims.acr).toBe("aal1");

    const info = await oidc.fetchUserInfo(config, tokens.access_token, "subject-1");
    expect(info).toMatchObject({ sub: "subject-1", email: "ada@example.com", email_verified: true });

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()?.sub).toBe("subject-1");
    // Rotation retires the old access token.
    expect(await introspect(t, tokens.access_token)).toEqual({ active: false });

    const active = await introspect(t, refreshed.access_token);
    expect(active).toMatchObject({
      active: true,
      sub: "subject-1",
      client_id: registered.client_id,
      scope: "openid offline_access email",
      iss: t.issuer,
      token_type: "Bearer",
      token_use: "access_token",
    });
    expect(typeof active.exp).toBe("number");
    const rt = await introspect(t, refreshed.refresh_token!);
    expect(rt).toMatchObject({ active: true, token_use: "refresh_token" });

    // RFC 7009: revoking the refresh token revokes its access token too.
    await oidc.tokenRevocation(config, refreshed.refresh_token!);
    expect(await introspect(t, refreshed.refresh_token!)).toEqual({ active: false });
    expect(await introspect(t, refreshed.access_token)).toEqual({ active: false });
    await expect(oidc.fetchUserInfo(config, refreshed.access_token, "subject-1")).rejects.toThrow();

    // RP-initiated logout.
    const end = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: "http://127.0.0.1:5555/bye",
      state: "logout-state-123",
    });
    let res = await jar.fetch(end.toString());
    const logoutUi = location(res);
    expect(logoutUi.origin + logoutUi.pathname).toBe("http://localhost:4455/logout");
    const logoutChallenge = logoutUi.searchParams.get("logout_challenge")!;
    const logoutRequest = (await admin.getOAuth2LogoutRequest({ logoutChallenge })).data;
    expect(logoutRequest).toMatchObject({ subject: "subject-1", sid: claims.sid, rp_initiated: true });
    expect(logoutRequest.client?.client_id).toBe(registered.client_id);
    const done = await admin.acceptOAuth2LogoutRequest({ logoutChallenge });
    res = await jar.fetch(done.data.redirect_to);
    expect(res.headers.get("location")).toBe("http://127.0.0.1:5555/bye?state=logout-state-123");
    // The logout request is used now.
    const gone = await admin.getOAuth2LogoutRequest({ logoutChallenge }).catch((e) => e.response);
    expect(gone.status).toBe(410);
    // The login session ended: a new authorization asks for a login again.
    res = await jar.fetch(
      authorizeUrl(t, {
        client_id: registered.client_id,
        response_type: "code",
        redirect_uri: REDIRECT,
        scope: "openid",
        state: "state-after-logout",
        prompt: "none",
      }),
    );
    expect(location(res).searchParams.get("error")).toBe("login_required");
  });

  it("a remembered login skips the login UI and a remembered consent is reported as skip", async () => {
    const client = await createClient(t);
    const jar = new CookieJar();
    await runAuthorization(t, client, {
      jar,
      subject: "remembered",
      consent: { remember: true, remember_for: 0 },
    });
    const { challenge } = pkce();
    const res = await jar.fetch(
      authorizeUrl(t, {
        client_id: client.client_id,
        response_type: "code",
        redirect_uri: REDIRECT,
        scope: "openid offline_access",
        state: "state-remembered",
        code_challenge: challenge,
        code_challenge_method: "S256",
      }),
    );
    const loginChallenge = location(res).searchParams.get("login_challenge")!;
    const loginRequest = (await admin.getOAuth2LoginRequest({ loginChallenge })).data;
    expect(loginRequest).toMatchObject({ skip: true, subject: "remembered" });
    expect(loginRequest.client.client_id).toBe(client.client_id);
    const accepted = await admin.acceptOAuth2LoginRequest({
      loginChallenge,
      acceptOAuth2LoginRequest: { subject: "remembered" },
    });
    const next = await jar.fetch(accepted.data.redirect_to);
    const consentChallenge = location(next).searchParams.get("consent_challenge")!;
    const consentRequest = (await admin.getOAuth2ConsentRequest({ consentChallenge })).data;
    expect(consentRequest).toMatchObject({
      skip: true,
      subject: "remembered",
      login_session_id: loginRequest.session_id,
    });

    // prompt=none with a remembered login and consent completes without any UI.
    const silent = await runAuthorization(t, client, { jar, params: { prompt: "none" } });
    expect(silent.code).toMatch(/^ory_ac_/);
  });

  it("prompt=none without a login session answers login_required at the redirect_uri", async () => {
    const client = await createClient(t);
    const { challenge } = pkce();
    const res = await fetch(
      authorizeUrl(t, {
        client_id: client.client_id,
        response_type: "code",
        redirect_uri: REDIRECT,
        scope: "openid",
        state: "state-prompt-none",
        prompt: "none",
        code_challenge: challenge,
        code_challenge_method: "S256",
      }),
      { redirect: "manual" },
    );
    expect(res.status).toBe(302);
    const back = location(res);
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get("error")).toBe("login_required");
    expect(back.searchParams.get("state")).toBe("state-prompt-none");
  });

  it("response_mode=form_post answers with an auto-submitting form", async () => {
    const client = await createClient(t);
    const flow = await runAuthorization(t, client, {
      params: { response_mode: "form_post" },
      formPost: true,
    });
    expect(flow.html).toContain(`<form method="post" action="${REDIRECT}">`);
    expect(flow.html).toContain(`name="state" value="${flow.state}"`);
    expect(flow.code).toMatch(/^ory_ac_/);
    const res = await exchangeCode(t, client, flow);
    expect(res.status).toBe(200);
  });

  it("client_credentials: a confidential client gets a scoped access token, no refresh or ID token", async () => {
    const client = await createClient(t, {
      grant_types: ["client_credentials"],
      scope: "read write",
      audience: ["https://api.example.com"],
    });
    const res = await tokenRequest(t, client, {
      grant_type: "client_credentials",
      scope: "read",
      audience: "https://api.example.com",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: "bearer", scope: "read", expires_in: 3600 });
    expect(body.refresh_token).toBeUndefined();
    expect(body.id_token).toBeUndefined();
    expect(await introspect(t, body.access_token as string)).toMatchObject({
      active: true,
      sub: client.client_id,
      client_id: client.client_id,
      aud: ["https://api.example.com"],
      scope: "read",
    });
    const denied = await tokenRequest(t, client, { grant_type: "client_credentials", scope: "admin" });
    expect(denied.status).toBe(400);
    expect(((await denied.json()) as { error: string }).error).toBe("invalid_scope");
  });

  it("OidcApi reads discovery and userinfo", async () => {
    const api = new OidcApi(new Configuration({ basePath: t.oauth2PublicUrl }));
    const discovered = (await api.discoverOidcConfiguration()).data;
    expect(discovered.authorization_endpoint).toBe(`${t.issuer}oauth2/auth`);
    expect(discovered.end_session_endpoint).toBe(`${t.issuer}oauth2/sessions/logout`);
    expect(discovered.id_token_signing_alg_values_supported).toContain("ES256");
  });
});
