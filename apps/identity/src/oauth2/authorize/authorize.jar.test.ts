import { randomUUID } from "node:crypto";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar } from "../../testing/index.ts";
import {
  authorizeUrl,
  createClient,
  type DocumentServer,
  location,
  type OAuth2TestCore,
  pkce,
  postForm,
  REDIRECT,
  serveDocuments,
  startOAuth2Core,
  type TestClient,
} from "../test-helpers.ts";

/*
 * JWT-Secured Authorization Requests (RFC 9101): openid-client signs the request object with the
 * client's private key (the one it uses for private_key_jwt), by value, inside PAR, and by reference
 * from a request_uri the client registered; then every way a request object can be wrong.
 */

interface KeyPair {
  privateKey: CryptoKey;
  jwk: JWK;
  kid: string;
}

async function keyPair(alg = "ES256"): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomUUID();
  return { privateKey, kid, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

let t: OAuth2TestCore;
let site: DocumentServer;
let key: KeyPair;
let client: TestClient;
let config: oidc.Configuration;

beforeAll(async () => {
  site = await serveDocuments();
  t = await startOAuth2Core({
    oauth2: {
      clients: {
        http: { private_ip_exception_urls: [site.url("/req.jwt"), site.url("/big.jwt")] },
      },
    },
  });
  key = await keyPair();
  client = await createClient(t, {
    token_endpoint_auth_method: "private_key_jwt",
    jwks: { keys: [key.jwk] },
    request_uris: [site.url("/req.jwt"), site.url("/big.jwt"), site.url("/private.jwt")],
  });
  config = await oidc.discovery(
    new URL(t.issuer),
    client.client_id,
    {},
    oidc.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }),
    { execute: [oidc.allowInsecureRequests] },
  );
});
afterAll(async () => {
  await t?.stop();
  await site?.close();
});

/** Follows the browser through login and consent (accepted over the admin API) to the callback. */
async function loginAndConsent(jar: CookieJar, res: Response): Promise<{ callback: URL; scope: string[] }> {
  expect(res.status, await res.clone().text()).toBe(302);
  const loginChallenge = location(res).searchParams.get("login_challenge");
  expect(loginChallenge, location(res).toString()).toBeTruthy();
  const login = await t.admin(`/admin/oauth2/auth/requests/login/accept?login_challenge=${loginChallenge}`, {
    method: "PUT",
    body: JSON.stringify({ subject: "jar-user" }),
  });
  res = await jar.fetch(((await login.json()) as { redirect_to: string }).redirect_to);
  const consentChallenge = location(res).searchParams.get("consent_challenge")!;
  const consentReq = (await (
    await t.admin(`/admin/oauth2/auth/requests/consent?consent_challenge=${consentChallenge}`)
  ).json()) as { requested_scope: string[] };
  const consent = await t.admin(
    `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${consentChallenge}`,
    { method: "PUT", body: JSON.stringify({ grant_scope: consentReq.requested_scope }) },
  );
  res = await jar.fetch(((await consent.json()) as { redirect_to: string }).redirect_to);
  return { callback: location(res), scope: consentReq.requested_scope };
}

/** A request object signed by hand, every claim overridable (undefined removes one). */
async function requestObject(
  claims: Record<string, unknown> = {},
  opts: { key?: KeyPair; alg?: string; clientId?: string } = {},
): Promise<string> {
  const k = opts.key ?? key;
  const now = Math.floor(Date.now() / 1000);
  const clientId = opts.clientId ?? client.client_id;
  const body: Record<string, unknown> = {
    iss: clientId,
    aud: t.issuer,
    client_id: clientId,
    jti: randomUUID(),
    iat: now,
    nbf: now,
    exp: now + 60,
    response_type: "code",
    redirect_uri: REDIRECT,
    scope: "openid",
    state: "state-jar-123456",
    nonce: "nonce-jar-123456",
    code_challenge: pkce().challenge,
    code_challenge_method: "S256",
    ...claims,
  };
  for (const [k2, v] of Object.entries(body)) if (v === undefined) delete body[k2];
  return new SignJWT(body)
    .setProtectedHeader({ alg: opts.alg ?? (k.jwk.alg as string), kid: k.kid, typ: "oauth-authz-req+jwt" })
    .sign(k.privateKey);
}

/** An unsecured request object (alg none). */
function unsigned(clientId: string, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${enc({ alg: "none" })}.${enc({
    iss: clientId,
    aud: t.issuer,
    client_id: clientId,
    jti: randomUUID(),
    iat: now,
    exp: now + 60,
    response_type: "code",
    redirect_uri: REDIRECT,
    scope: "openid",
    state: "state-jar-123456",
    code_challenge: pkce().challenge,
    code_challenge_method: "S256",
    ...claims,
  })}.`;
}

/** Starts /oauth2/auth with these parameters and answers where the browser was sent. */
async function start(params: Record<string, string>): Promise<URL> {
  return location(await new CookieJar().fetch(authorizeUrl(t, params)));
}

/** The error a refused request sent to the client's redirect URI. */
async function refusedAtClient(params: Record<string, string>): Promise<{ error: string; hint: string }> {
  const to = await start(params);
  expect(`${to.origin}${to.pathname}`, to.toString()).toBe(REDIRECT);
  expect(to.searchParams.get("code")).toBeNull();
  return { error: to.searchParams.get("error") ?? "", hint: to.searchParams.get("error_hint") ?? "" };
}

describe("request objects with openid-client", () => {
  it("discovery says what is supported", () => {
    const meta = config.serverMetadata();
    expect(meta.request_parameter_supported).toBe(true);
    expect(meta.request_uri_parameter_supported).toBe(true);
    expect(meta.require_request_uri_registration).toBe(true);
    expect(meta.request_object_signing_alg_values_supported).toEqual([
      "none",
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
    ]);
  });

  it("a request object by value runs the code flow; parameters outside it do not count", async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = await oidc.buildAuthorizationUrlWithJAR(
      config,
      {
        redirect_uri: REDIRECT,
        scope: "openid offline_access",
        response_type: "code",
        state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
      },
      { key: key.privateKey, kid: key.kid },
    );
    expect([...url.searchParams.keys()].sort()).toEqual(["client_id", "request"]);
    const clean = url.toString();
    // An attacker adding parameters to the URL changes nothing: only the object's scope counts.
    url.searchParams.set("scope", "openid offline_access email profile");
    url.searchParams.set("redirect_uri", "http://127.0.0.1:5555/elsewhere");
    const jar = new CookieJar();
    const { callback, scope } = await loginAndConsent(jar, await jar.fetch(url.toString()));
    expect(scope).toEqual(["openid", "offline_access"]);
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    expect(tokens.access_token).toMatch(/^ory_at_/);
    expect(tokens.refresh_token).toMatch(/^ory_rt_/);
    expect(tokens.claims()?.sub).toBe("jar-user");
    expect(tokens.claims()?.nonce).toBe(nonce);

    // The same object again is a replay (its jti is spent), answered at the client's redirect URI.
    const again = await refusedAtClient(Object.fromEntries(new URL(clean).searchParams));
    expect(again.error).toBe("invalid_request_object");
    expect(again.hint).toMatch(/replay/);
    // With an unregistered redirect_uri outside the object the error is never sent there.
    const page = await new CookieJar().fetch(url.toString());
    expect(page.status).toBe(400);
    expect(page.headers.get("location")).toBeNull();
    expect(await page.text()).toContain("invalid_request_object");
  });

  it("a request object pushed to PAR (openid-client: JAR then PAR)", async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const jarUrl = await oidc.buildAuthorizationUrlWithJAR(
      config,
      {
        redirect_uri: REDIRECT,
        scope: "openid",
        response_type: "code",
        state,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
      },
      { key: key.privateKey, kid: key.kid },
    );
    const url = await oidc.buildAuthorizationUrlWithPAR(config, jarUrl.searchParams);
    expect(url.searchParams.get("request_uri")).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    const jar = new CookieJar();
    const { callback, scope } = await loginAndConsent(jar, await jar.fetch(url.toString()));
    expect(scope).toEqual(["openid"]);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.access_token).toMatch(/^ory_at_/);

    // A bad object pushed is refused at PAR, as JSON.
    const assertion = async () =>
      new SignJWT({ iss: client.client_id, sub: client.client_id, aud: t.issuer, jti: randomUUID() })
        .setProtectedHeader({ alg: "ES256", kid: key.kid })
        .setIssuedAt()
        .setExpirationTime("1m")
        .sign(key.privateKey);
    const res = await postForm(t, "/oauth2/par", {
      client_id: client.client_id,
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: await assertion(),
      request: await requestObject({ aud: "https://someone-else.example" }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_request_object");
    // Another client's object, pushed by this one.
    const other = await keyPair();
    const res2 = await postForm(t, "/oauth2/par", {
      client_id: client.client_id,
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: await assertion(),
      request: await requestObject({}, { key: other }),
    });
    expect(res2.status).toBe(400);
    expect(((await res2.json()) as { error: string }).error).toBe("invalid_request_object");
  });

  it("a request object by reference: fetched from a registered request_uri, once", async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    site.set(
      "/req.jwt",
      await requestObject({
        scope: "openid offline_access",
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        state: "state-by-reference",
      }),
      { contentType: "application/oauth-authz-req+jwt" },
    );
    const before = site.hits("/req.jwt");
    const jar = new CookieJar();
    const { callback, scope } = await loginAndConsent(
      jar,
      await jar.fetch(
        authorizeUrl(t, { client_id: client.client_id, request_uri: site.url("/req.jwt"), scope: "openid" }),
      ),
    );
    expect(site.hits("/req.jwt")).toBe(before + 1);
    expect(scope).toEqual(["openid", "offline_access"]);
    expect(callback.searchParams.get("state")).toBe("state-by-reference");
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: "state-by-reference",
      expectedNonce: "nonce-jar-123456",
    });
    expect(tokens.access_token).toMatch(/^ory_at_/);
    // The document still serves the same object: its jti is spent.
    const replay = await refusedAtClient({ client_id: client.client_id, request_uri: site.url("/req.jwt") });
    expect(replay.error).toBe("invalid_request_object");
  });
});

describe("request objects that are refused", () => {
  const byValue = async (claims: Record<string, unknown>, opts?: Parameters<typeof requestObject>[1]) =>
    refusedAtClient({ client_id: client.client_id, request: await requestObject(claims, opts) });

  it("a signature of a key the client did not register", async () => {
    const r = await byValue({}, { key: await keyPair() });
    expect(r.error).toBe("invalid_request_object");
    expect(r.hint).toMatch(/key/);
  });

  it("a tampered object", async () => {
    const jwt = await requestObject();
    const [h, p, s] = jwt.split(".");
    const claims = JSON.parse(Buffer.from(p!, "base64url").toString()) as Record<string, unknown>;
    claims.scope = "openid offline_access email";
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${s}`;
    expect((await refusedAtClient({ client_id: client.client_id, request: forged })).error).toBe(
      "invalid_request_object",
    );
  });

  it("the wrong audience, issuer, or none", async () => {
    expect((await byValue({ aud: "https://other-issuer.example/" })).error).toBe("invalid_request_object");
    expect((await byValue({ aud: undefined })).error).toBe("invalid_request_object");
    const iss = await byValue({ iss: "someone-else" });
    expect(iss.error).toBe("invalid_request_object");
    expect(iss.hint).toMatch(/iss/);
    expect((await byValue({ iss: undefined })).error).toBe("invalid_request_object");
  });

  it("expired, not yet valid, issued in the future, or without exp", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await byValue({ iat: now - 600, nbf: now - 600, exp: now - 300 });
    expect(expired.error).toBe("invalid_request_object");
    expect(expired.hint).toMatch(/expired/);
    expect((await byValue({ nbf: now + 600, exp: now + 900 })).error).toBe("invalid_request_object");
    expect((await byValue({ iat: now + 600, nbf: undefined })).error).toBe("invalid_request_object");
    expect((await byValue({ exp: undefined })).error).toBe("invalid_request_object");
  });

  it("a replayed jti, even with other contents", async () => {
    const jti = randomUUID();
    const first = await new CookieJar().fetch(
      authorizeUrl(t, { client_id: client.client_id, request: await requestObject({ jti }) }),
    );
    expect(location(first).searchParams.get("login_challenge")).toBeTruthy();
    const r = await byValue({ jti, state: "another-state-123" });
    expect(r.error).toBe("invalid_request_object");
    expect(r.hint).toMatch(/replay/);
  });

  it("a client_id in the object that is not the request's", async () => {
    const r = await byValue({ client_id: "someone-else" });
    expect(r.error).toBe("invalid_request_object");
    expect(r.hint).toMatch(/client_id/);
    // Another client's own object, sent under this client's id: its key is not this client's.
    const otherKey = await keyPair();
    const other = await createClient(t, {
      token_endpoint_auth_method: "private_key_jwt",
      jwks: { keys: [otherKey.jwk] },
    });
    const theirs = await requestObject({}, { key: otherKey, clientId: other.client_id });
    expect((await refusedAtClient({ client_id: client.client_id, request: theirs })).error).toBe(
      "invalid_request_object",
    );
  });

  it("request and request_uri together, or an object holding another", async () => {
    const both = await refusedAtClient({
      client_id: client.client_id,
      request: await requestObject(),
      request_uri: site.url("/req.jwt"),
    });
    expect(both.error).toBe("invalid_request");
    expect((await byValue({ request_uri: site.url("/req.jwt") })).error).toBe("invalid_request_object");
    expect((await byValue({ request: "x.y.z" })).error).toBe("invalid_request_object");
  });

  it("request_uris that were not registered, or point at a private address", async () => {
    const before = site.hits("/other.jwt");
    site.set("/other.jwt", await requestObject());
    const r = await refusedAtClient({ client_id: client.client_id, request_uri: site.url("/other.jwt") });
    expect(r.error).toBe("invalid_request_uri");
    expect(r.hint).toMatch(/registered/);
    expect(site.hits("/other.jwt")).toBe(before);
    // Registered, but on a loopback address that is not one of private_ip_exception_urls: never fetched.
    site.set("/private.jwt", await requestObject());
    const p = await refusedAtClient({ client_id: client.client_id, request_uri: site.url("/private.jwt") });
    expect(p.error).toBe("invalid_request_uri");
    expect(site.hits("/private.jwt")).toBe(0);
    // A document larger than oauth2.clients.http.max_bytes.
    site.set("/big.jwt", "a".repeat(70 * 1024));
    expect(
      (await refusedAtClient({ client_id: client.client_id, request_uri: site.url("/big.jwt") })).error,
    ).toBe("invalid_request_uri");
  });

  it("alg none: refused unless the client registered request_object_signing_alg none", async () => {
    const r = await refusedAtClient({ client_id: client.client_id, request: unsigned(client.client_id) });
    expect(r.error).toBe("invalid_request_object");
    expect(r.hint).toMatch(/none/);
    const lax = await createClient(t, { request_object_signing_alg: "none" });
    const to = await start({ client_id: lax.client_id, request: unsigned(lax.client_id) });
    expect(to.searchParams.get("login_challenge")).toBeTruthy();
    // Even then the claims are checked.
    const wrongAud = await refusedAtClient({
      client_id: lax.client_id,
      request: unsigned(lax.client_id, { aud: "https://elsewhere.example" }),
    });
    expect(wrongAud.error).toBe("invalid_request_object");
    // A client that registered an algorithm gets only that one.
    const rsa = await keyPair("RS256");
    const pinned = await createClient(t, {
      request_object_signing_alg: "ES256",
      jwks: { keys: [rsa.jwk, key.jwk] },
    });
    const pinnedRs = await refusedAtClient({
      client_id: pinned.client_id,
      request: await requestObject({}, { key: rsa, clientId: pinned.client_id }),
    });
    expect(pinnedRs.error).toBe("invalid_request_object");
    expect(pinnedRs.hint).toMatch(/ES256/);
    expect(
      (await refusedAtClient({ client_id: pinned.client_id, request: unsigned(pinned.client_id) })).error,
    ).toBe("invalid_request_object");
  });

  it("garbage is invalid_request_object; an unknown client's object never reaches the redirect URI it names", async () => {
    for (const garbage of ["eyJ.x.y", "not-a-jwt", "a.b.c.d.e", ""]) {
      expect((await refusedAtClient({ client_id: client.client_id, request: garbage })).error).toBe(
        "invalid_request_object",
      );
    }
    const unknown = await new CookieJar().fetch(
      authorizeUrl(t, {
        client_id: "no-such-client",
        request: await requestObject({}, { clientId: "no-such-client" }),
      }),
    );
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get("location")).toBeNull();
    expect(await unknown.text()).toContain("invalid_client");
    // Without a redirect URI outside the object, a client with several registered ones gets the error page.
    const several = await createClient(t, {
      redirect_uris: [REDIRECT, "http://127.0.0.1:5555/second"],
      jwks: { keys: [key.jwk] },
    });
    const page = await new CookieJar().fetch(
      authorizeUrl(t, {
        client_id: several.client_id,
        request: await requestObject({ aud: "x" }, { clientId: several.client_id }),
      }),
    );
    expect(page.status).toBe(400);
    expect(page.headers.get("location")).toBeNull();
    expect(await page.text()).toContain("invalid_request_object");
  });
});
