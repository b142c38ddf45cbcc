import { randomUUID } from "node:crypto";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createClient,
  type DocumentServer,
  introspect,
  type OAuth2TestCore,
  postForm,
  serveDocuments,
  startOAuth2Core,
} from "../test-helpers.ts";

let t: OAuth2TestCore;
let site: DocumentServer;

beforeAll(async () => {
  t = await startOAuth2Core();
  site = await serveDocuments();
});
afterAll(async () => {
  await site?.close();
  await t?.stop();
});

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

const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** A client assertion signed by hand, with every claim overridable. */
async function assertion(
  clientId: string,
  key: KeyPair | Uint8Array,
  claims: Record<string, unknown> = {},
  header: { alg?: string; kid?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const alg = header.alg ?? (key instanceof Uint8Array ? "HS256" : (key.jwk.alg as string));
  return new SignJWT({
    iss: clientId,
    sub: clientId,
    aud: new URL("oauth2/token", t.issuer).href,
    jti: randomUUID(),
    iat: now,
    exp: now + 60,
    ...claims,
  })
    .setProtectedHeader({ alg, ...(key instanceof Uint8Array ? {} : { kid: header.kid ?? key.kid }) })
    .sign(key instanceof Uint8Array ? key : key.privateKey);
}

const withAssertion = (jwt: string, extra: Record<string, string> = {}) =>
  postForm(t, "/oauth2/token", {
    grant_type: "client_credentials",
    scope: "read",
    client_assertion_type: ASSERTION_TYPE,
    client_assertion: jwt,
    ...extra,
  });

async function refusedAs(res: Response, error: string, hint: RegExp): Promise<void> {
  expect(res.status).toBe(error === "invalid_client" ? 401 : 400);
  const body = (await res.json()) as { error: string; error_description: string };
  expect(body.error).toBe(error);
  expect(body.error_description).toMatch(hint);
}

async function keyClient(body: Record<string, unknown>) {
  return createClient(t, {
    grant_types: ["client_credentials"],
    scope: "read",
    token_endpoint_auth_method: "private_key_jwt",
    ...body,
  });
}

describe("private_key_jwt with openid-client", () => {
  it("a client with inline jwks gets tokens and revokes them, authenticated by its signed assertions", async () => {
    const key = await keyPair("ES256");
    const client = await keyClient({ jwks: { keys: [key.jwk] } });
    expect(client.client_secret).toBeUndefined();
    expect(client.token_endpoint_auth_method).toBe("private_key_jwt");
    const config = await oidc.discovery(
      new URL(t.issuer),
      client.client_id,
      undefined,
      oidc.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }),
      { execute: [oidc.allowInsecureRequests] },
    );
    expect(config.serverMetadata().token_endpoint_auth_methods_supported).toContain("private_key_jwt");
    const tokens = await oidc.clientCredentialsGrant(config, { scope: "read" });
    expect(tokens.access_token).toMatch(/^ory_at_/);
    expect(await introspect(t, tokens.access_token)).toMatchObject({
      active: true,
      client_id: client.client_id,
    });
    await oidc.tokenRevocation(config, tokens.access_token);
    expect(await introspect(t, tokens.access_token)).toEqual({ active: false });
  });

  it("keys from jwks_uri are fetched once, cached, and fetched again when the client rotates to a new kid", async () => {
    const first = await keyPair("RS256");
    site.set("/rotating/jwks.json", { keys: [first.jwk] });
    const client = await keyClient({ jwks_uri: site.url("/rotating/jwks.json") });
    const config = (key: KeyPair) =>
      oidc.discovery(
        new URL(t.issuer),
        client.client_id,
        undefined,
        oidc.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }),
        { execute: [oidc.allowInsecureRequests] },
      );
    const withFirst = await config(first);
    await oidc.clientCredentialsGrant(withFirst, { scope: "read" });
    await oidc.clientCredentialsGrant(withFirst, { scope: "read" });
    expect(site.hits("/rotating/jwks.json")).toBe(1);
    // Rotation: the client publishes a new key (the cache is older than the refetch cooldown).
    const second = await keyPair("ES256");
    site.set("/rotating/jwks.json", { keys: [second.jwk] });
    await new Promise((r) => setTimeout(r, 10_100));
    const tokens = await oidc.clientCredentialsGrant(await config(second), { scope: "read" });
    expect(tokens.access_token).toMatch(/^ory_at_/);
    expect(site.hits("/rotating/jwks.json")).toBe(2);
  }, 30_000);
});

describe("client_secret_jwt with openid-client", () => {
  it("a client_secret_jwt client gets a 64-character secret and authenticates with HS256 assertions", async () => {
    const client = await createClient(t, {
      grant_types: ["client_credentials"],
      scope: "read",
      token_endpoint_auth_method: "client_secret_jwt",
    });
    expect(client.client_secret).toMatch(/^[A-Za-z0-9]{64}$/);
    const config = await oidc.discovery(
      new URL(t.issuer),
      client.client_id,
      undefined,
      oidc.ClientSecretJwt(client.client_secret),
      { execute: [oidc.allowInsecureRequests] },
    );
    const tokens = await oidc.clientCredentialsGrant(config, { scope: "read" });
    expect(await introspect(t, tokens.access_token)).toMatchObject({
      active: true,
      client_id: client.client_id,
    });
  });

  it("after a secret rotation the old secret's assertions are refused and the new one's accepted", async () => {
    const client = await createClient(t, {
      grant_types: ["client_credentials"],
      scope: "read",
      token_endpoint_auth_method: "client_secret_jwt",
    });
    const rotated = (await (
      await t.admin(`/admin/clients/${client.client_id}/secrets/rotate`, { method: "POST" })
    ).json()) as { client_secret: string };
    const enc = (s: string) => new TextEncoder().encode(s);
    await refusedAs(
      await withAssertion(await assertion(client.client_id, enc(client.client_secret!))),
      "invalid_client",
      /signature is invalid/,
    );
    expect((await withAssertion(await assertion(client.client_id, enc(rotated.client_secret)))).status).toBe(
      200,
    );
  });

  it("a given secret shorter than 32 characters is refused for client_secret_jwt", async () => {
    const res = await t.admin("/admin/clients", {
      method: "POST",
      body: JSON.stringify({
        token_endpoint_auth_method: "client_secret_jwt",
        client_secret: "short-secret",
      }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_client_metadata" });
  });
});

describe("client assertions: hostile input", () => {
  let key: KeyPair;
  let clientId: string;
  beforeAll(async () => {
    key = await keyPair("ES256");
    clientId = (await keyClient({ jwks: { keys: [key.jwk] } })).client_id;
  });

  it("an assertion whose jti was used before is refused (replay)", async () => {
    const jwt = await assertion(clientId, key);
    expect((await withAssertion(jwt)).status).toBe(200);
    await refusedAs(await withAssertion(jwt), "invalid_client", /replay/);
    const sameJti = await assertion(clientId, key, { jti: "fixed-jti" });
    expect((await withAssertion(sameJti)).status).toBe(200);
    await refusedAs(
      await withAssertion(await assertion(clientId, key, { jti: "fixed-jti" })),
      "invalid_client",
      /replay/,
    );
  });

  it("parallel uses of one assertion: exactly one succeeds", async () => {
    const jwt = await assertion(clientId, key);
    const answers = await Promise.all(Array.from({ length: 5 }, () => withAssertion(jwt)));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 401)).toHaveLength(4);
  });

  it("an assertion for a foreign audience is refused; the issuer and the token endpoint are both accepted", async () => {
    await refusedAs(
      await withAssertion(
        await assertion(clientId, key, { aud: "https://other-server.example/oauth2/token" }),
      ),
      "invalid_client",
      /'aud'/,
    );
    expect((await withAssertion(await assertion(clientId, key, { aud: t.issuer }))).status).toBe(200);
    expect(
      (await withAssertion(await assertion(clientId, key, { aud: [new URL("oauth2/token", t.issuer).href] })))
        .status,
    ).toBe(200);
  });

  it("an expired assertion is refused, and so is one without exp or valid for longer than max_ttl", async () => {
    const now = Math.floor(Date.now() / 1000);
    await refusedAs(
      await withAssertion(await assertion(clientId, key, { iat: now - 600, exp: now - 120 })),
      "invalid_client",
      /expired/,
    );
    await refusedAs(
      await withAssertion(await assertion(clientId, key, { exp: undefined })),
      "invalid_client",
      /'exp'/,
    );
    await refusedAs(
      await withAssertion(await assertion(clientId, key, { exp: now + 31 * 24 * 3600 })),
      "invalid_client",
      /more than 2592000 seconds/,
    );
  });

  it("iss and sub must be the client, and client_id (when sent) must match", async () => {
    await refusedAs(
      await withAssertion(await assertion(clientId, key, { iss: "someone-else" })),
      "invalid_client",
      /'iss'/,
    );
    await refusedAs(
      await withAssertion(await assertion(clientId, key), { client_id: "another-client" }),
      "invalid_client",
      /does not match/,
    );
  });

  it("a signature by a key the client did not register, or an alg outside the allow-list, is refused", async () => {
    const stranger = await keyPair("ES256");
    await refusedAs(
      await withAssertion(await assertion(clientId, stranger, {}, { kid: key.kid })),
      "invalid_client",
      /No key of the OAuth 2.0 Client verifies/,
    );
    // HS256 with the public key's bytes as secret (the classic alg confusion): a private_key_jwt client has no secret.
    const confused = await assertion(clientId, new TextEncoder().encode(JSON.stringify(key.jwk)));
    await refusedAs(await withAssertion(confused), "invalid_client", /client_secret_jwt/);
    // alg none.
    const [, payload] = (await assertion(clientId, key)).split(".");
    const none = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${payload}.`;
    await refusedAs(await withAssertion(none), "invalid_client", /compact JWS|not supported|allows/);
  });

  it("token_endpoint_auth_signing_alg pins the algorithm", async () => {
    const es = await keyPair("ES256");
    const rs = await keyPair("RS256");
    const pinned = await keyClient({
      jwks: { keys: [es.jwk, rs.jwk] },
      token_endpoint_auth_signing_alg: "ES256",
    });
    expect((await withAssertion(await assertion(pinned.client_id, es))).status).toBe(200);
    await refusedAs(
      await withAssertion(await assertion(pinned.client_id, rs)),
      "invalid_client",
      /signed with 'RS256'/,
    );
  });

  it("an assertion and a secret together are invalid_request; a wrong client_assertion_type is invalid_client", async () => {
    const basic = `Basic ${Buffer.from(`${clientId}:whatever`).toString("base64")}`;
    await refusedAs(
      await postForm(
        t,
        "/oauth2/token",
        {
          grant_type: "client_credentials",
          client_assertion_type: ASSERTION_TYPE,
          client_assertion: await assertion(clientId, key),
        },
        { authorization: basic },
      ),
      "invalid_request",
      /more than one authentication method/,
    );
    await refusedAs(
      await withAssertion(await assertion(clientId, key), { client_assertion_type: "urn:example:saml" }),
      "invalid_client",
      /client_assertion_type/,
    );
    await refusedAs(await withAssertion("not-a-jwt"), "invalid_client", /compact JWS/);
  });

  it("a client registered for client_secret_basic can not switch to an assertion", async () => {
    const basicClient = await createClient(t, { grant_types: ["client_credentials"], scope: "read" });
    await refusedAs(
      await withAssertion(await assertion(basicClient.client_id, key)),
      "invalid_client",
      /supports client authentication method 'client_secret_basic'/,
    );
  });

  it("an unreachable or broken jwks_uri is a clear invalid_client, never a 500", async () => {
    const gone = await keyClient({ jwks_uri: site.url("/missing/jwks.json") });
    await refusedAs(await withAssertion(await assertion(gone.client_id, key)), "invalid_client", /HTTP 404/);
    site.set("/broken/jwks.json", "<html>", { contentType: "text/html" });
    const broken = await keyClient({ jwks_uri: site.url("/broken/jwks.json") });
    await refusedAs(
      await withAssertion(await assertion(broken.client_id, key)),
      "invalid_client",
      /not JSON/,
    );
    site.set("/huge/jwks.json", { keys: [], pad: "x".repeat(70_000) });
    const huge = await keyClient({ jwks_uri: site.url("/huge/jwks.json") });
    await refusedAs(
      await withAssertion(await assertion(huge.client_id, key)),
      "invalid_client",
      /larger than/,
    );
  });
});

describe("client key registration", () => {
  it("private_key_jwt needs jwks or jwks_uri, not both; private keys and bad URLs are refused", async () => {
    const key = await keyPair("ES256");
    const { privateKey } = await generateKeyPair("ES256", { extractable: true });
    const cases: Record<string, unknown>[] = [
      { token_endpoint_auth_method: "private_key_jwt" },
      { token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [key.jwk] }, jwks_uri: site.url("/k") },
      { token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [await exportJWK(privateKey)] } },
      { token_endpoint_auth_method: "private_key_jwt", jwks_uri: "file:///etc/passwd" },
      {
        token_endpoint_auth_method: "private_key_jwt",
        jwks: { keys: [{ kty: "EC", crv: "P-256", x: "AAAA", y: "AAAA" }] },
      },
      {
        token_endpoint_auth_method: "private_key_jwt",
        jwks: { keys: [key.jwk] },
        token_endpoint_auth_signing_alg: "HS256",
      },
      { token_endpoint_auth_method: "private_key_jwt", jwks: "not a key set" },
    ];
    for (const body of cases) {
      const res = await t.admin("/admin/clients", { method: "POST", body: JSON.stringify(body) });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ error: "invalid_client_metadata" });
    }
  });

  it("jwks and jwks_uri are returned in Hydra's client shape and survive PUT and PATCH", async () => {
    const key = await keyPair("ES256");
    const client = await keyClient({ jwks: { keys: [key.jwk] } });
    expect(client.jwks).toEqual({ keys: [key.jwk] });
    expect(client.jwks_uri).toBe("");
    const patched = await t.admin(`/admin/clients/${client.client_id}`, {
      method: "PATCH",
      body: JSON.stringify([{ op: "replace", path: "/client_name", value: "renamed" }]),
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ client_name: "renamed", jwks: { keys: [key.jwk] } });
    const moved = await t.admin(`/admin/clients/${client.client_id}`, {
      method: "PUT",
      body: JSON.stringify({
        grant_types: ["client_credentials"],
        scope: "read",
        token_endpoint_auth_method: "private_key_jwt",
        jwks_uri: site.url("/moved/jwks.json"),
      }),
    });
    expect(moved.status).toBe(200);
    const body = (await moved.json()) as Record<string, unknown>;
    expect(body.jwks).toBeUndefined();
    expect(body.jwks_uri).toBe(site.url("/moved/jwks.json"));
    expect(body.client_secret).toBeUndefined();
  });
});
