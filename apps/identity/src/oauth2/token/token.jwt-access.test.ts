import { createRemoteJWKSet, decodeProtectedHeader, generateKeyPair, jwtVerify, SignJWT } from "jose";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createClient,
  introspect,
  type OAuth2TestCore,
  REDIRECT,
  runAuthorization,
  startOAuth2Core,
  type TestClient,
  tokenRequest,
} from "../test-helpers.ts";

/*
 * JWT access tokens as Hydra issues them with `strategies.access_token: jwt` (here set globally) or a
 * client's `access_token_strategy`: signed with the `hydra.jwt.access-token` key published in the
 * JWKS, and still introspectable and revocable (only a keyed hash of each token is stored).
 * openid-client is the relying party; the resource server's check is jose against the jwks_uri
 * openid-client discovered.
 */

const API = "https://api.example.com";
let t: OAuth2TestCore;
let client: TestClient;
let config: oidc.Configuration;
let verifyAt: (token: string) => ReturnType<typeof jwtVerify>;

beforeAll(async () => {
  t = await startOAuth2Core({ oauth2: { strategies: { access_token: "jwt" } } });
  client = await createClient(t, {
    grant_types: ["authorization_code", "refresh_token", "client_credentials"],
    audience: [API],
    scope: "openid offline_access read",
  });
  config = await oidc.discovery(
    new URL(t.issuer),
    client.client_id,
    undefined,
    oidc.ClientSecretBasic(client.client_secret!),
    { execute: [oidc.allowInsecureRequests] },
  );
  const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
  verifyAt = (token) => jwtVerify(token, jwks, { issuer: t.issuer, audience: API });
});
afterAll(() => t?.stop());

async function codeFlowTokens(c: TestClient = client) {
  const flow = await runAuthorization(t, c, {
    scope: "openid offline_access read",
    params: { audience: API },
    consent: { grant_access_token_audience: [API], session: { access_token: { tier: "gold" } } },
  });
  return oidc.authorizationCodeGrant(
    c === client
      ? config
      : await oidc.discovery(
          new URL(t.issuer),
          c.client_id,
          undefined,
          oidc.ClientSecretBasic(c.client_secret!),
          {
            execute: [oidc.allowInsecureRequests],
          },
        ),
    flow.callback,
    { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce },
  );
}

describe("JWT access tokens (strategies.access_token: jwt)", () => {
  it("the code flow's access token is a JWT verifiable with the JWKS, with Hydra's claims", async () => {
    const tokens = await codeFlowTokens();
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ typ: "JWT" });
    const { payload } = await verifyAt(tokens.access_token);
    expect(payload).toMatchObject({
      iss: t.issuer,
      sub: "user-1",
      aud: [API],
      client_id: client.client_id,
      scp: ["openid", "offline_access", "read"],
      ext: { tier: "gold" },
    });
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    // The refresh token stays opaque.
    expect(tokens.refresh_token).toMatch(/^ory_rt_/);
    expect(await introspect(t, tokens.access_token)).toMatchObject({
      active: true,
      sub: "user-1",
      client_id: client.client_id,
      scope: "openid offline_access read",
      token_use: "access_token",
    });
    expect(await oidc.fetchUserInfo(config, tokens.access_token, "user-1")).toMatchObject({ sub: "user-1" });
  });

  it("refresh issues a new JWT and retires the old one; revocation ends the new one", async () => {
    const tokens = await codeFlowTokens();
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect((await verifyAt(refreshed.access_token)).payload.sub).toBe("user-1");
    expect((await introspect(t, tokens.access_token)).active).toBe(false);
    expect((await introspect(t, refreshed.access_token)).active).toBe(true);

    await oidc.tokenRevocation(config, refreshed.access_token);
    expect((await introspect(t, refreshed.access_token)).active).toBe(false);
    await expect(oidc.fetchUserInfo(config, refreshed.access_token, "user-1")).rejects.toThrow();
  });

  it("hostile: a JWT access token is not an ID token, so it does not pass as an id_token_hint", async () => {
    const tokens = await codeFlowTokens();
    const logout = (hint: string) =>
      fetch(`${t.issuer}oauth2/sessions/logout?${new URLSearchParams({ id_token_hint: hint })}`, {
        headers: { accept: "application/json" },
        redirect: "manual",
      });
    // Both are JWTs this server signed, both published in its JWKS; only one is an ID token.
    await verifyAt(tokens.access_token);
    const refused = await logout(tokens.access_token);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      error: "invalid_request",
      error_description: expect.stringContaining("id_token_hint"),
    });
    const accepted = await logout(tokens.id_token!);
    expect(accepted.status).not.toBe(400);
  });

  it("client_credentials gets a JWT whose subject is the client", async () => {
    const tokens = await oidc.clientCredentialsGrant(config, { scope: "read", audience: API });
    const { payload } = await verifyAt(tokens.access_token);
    expect(payload).toMatchObject({ sub: client.client_id, client_id: client.client_id, scp: ["read"] });
    expect((await introspect(t, tokens.access_token)).active).toBe(true);
  });

  it("a client's access_token_strategy: opaque overrides the global jwt strategy (and jwt the other way round)", async () => {
    const opaque = await createClient(t, {
      access_token_strategy: "opaque",
      audience: [API],
      scope: "openid offline_access read",
    });
    const tokens = await codeFlowTokens(opaque);
    expect(tokens.access_token).toMatch(/^ory_at_/);
    expect((await introspect(t, tokens.access_token)).active).toBe(true);
    const read = await t.admin(`/admin/clients/${opaque.client_id}`);
    expect(((await read.json()) as { access_token_strategy?: string }).access_token_strategy).toBe("opaque");
  });

  it("hostile: a re-signed, tampered or unsigned copy of a JWT access token is not active and not accepted", async () => {
    const tokens = await codeFlowTokens();
    const [h, p] = tokens.access_token.split(".");
    const claims = JSON.parse(Buffer.from(p!, "base64url").toString("utf8")) as Record<string, unknown>;
    const header = decodeProtectedHeader(tokens.access_token);
    const { privateKey } = await generateKeyPair("ES256");
    // The same claims and kid, signed by someone else's key.
    const forged = await new SignJWT({ ...claims, scp: ["openid", "offline_access", "read", "admin"] })
      .setProtectedHeader({ alg: "ES256", kid: header.kid, typ: "JWT" })
      .sign(privateKey);
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: "admin" })).toString("base64url")}.${tokens.access_token.split(".")[2]}`;
    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${p}.`;
    for (const token of [forged, tampered, unsigned]) {
      await expect(verifyAt(token)).rejects.toThrow();
      expect((await introspect(t, token)).active).toBe(false);
      const info = await fetch(`${t.oauth2PublicUrl}/userinfo`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(info.status).toBe(401);
    }
    // An access token is no refresh token.
    const res = await tokenRequest(t, client, {
      grant_type: "refresh_token",
      refresh_token: tokens.access_token,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_grant");
    // An unknown strategy is refused on the client.
    const bad = await t.admin("/admin/clients", {
      method: "POST",
      body: JSON.stringify({ redirect_uris: [REDIRECT], access_token_strategy: "jwe" }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe("invalid_client_metadata");
  });
});
