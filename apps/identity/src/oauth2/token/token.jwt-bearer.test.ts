import { randomUUID } from "node:crypto";
import { Configuration, OAuth2Api } from "@ory/client";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createClient,
  introspect,
  type OAuth2TestCore,
  postForm,
  startOAuth2Core,
  type TestClient,
} from "../test-helpers.ts";

const GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const IDP = "https://jwt-idp.example.com";

let t: OAuth2TestCore;
let admin: OAuth2Api;
let client: TestClient;
let idpKey: { privateKey: CryptoKey; jwk: JWK };

beforeAll(async () => {
  t = await startOAuth2Core();
  admin = new OAuth2Api(new Configuration({ basePath: t.oauth2AdminUrl }));
  client = await createClient(t, {
    grant_types: [GRANT],
    scope: "read write",
    audience: ["https://api.example"],
  });
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  idpKey = {
    privateKey,
    jwk: { ...(await exportJWK(publicKey)), kid: "idp-key-1", alg: "RS256", use: "sig" },
  };
});
afterAll(() => t?.stop());

const inAYear = () => new Date(Date.now() + 365 * 24 * 3600_000).toISOString();

async function trust(body: Record<string, unknown>) {
  return admin.trustOAuth2JwtGrantIssuer({
    trustOAuth2JwtGrantIssuer: {
      issuer: IDP,
      scope: ["read"],
      jwk: idpKey.jwk as never,
      expires_at: inAYear(),
      ...body,
    } as never,
  });
}

async function grantAssertion(
  claims: Record<string, unknown> = {},
  key = idpKey,
  kid = "idp-key-1",
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: IDP,
    sub: "mike@example.com",
    aud: new URL("oauth2/token", t.issuer).href,
    jti: randomUUID(),
    iat: now,
    exp: now + 300,
    ...claims,
  })
    .setProtectedHeader({ alg: "RS256", kid })
    .sign(key.privateKey);
}

const exchange = (assertion: string, extra: Record<string, string> = {}) =>
  postForm(
    t,
    "/oauth2/token",
    { grant_type: GRANT, assertion, scope: "read", ...extra },
    {
      authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString("base64")}`,
    },
  );

async function refused(res: Response, error: string, hint: RegExp): Promise<void> {
  const body = (await res.json()) as { error: string; error_description: string };
  expect(res.status, JSON.stringify(body)).toBe(400);
  expect(body.error).toBe(error);
  expect(body.error_description).toMatch(hint);
}

describe("trust relationships (Hydra's /admin/trust/grants/jwt-bearer/issuers)", () => {
  it("creates, lists, gets and deletes in Hydra's shapes through @ory/client", async () => {
    const created = (await trust({ subject: "alice@example.com", jwk: { ...idpKey.jwk, kid: "crud-key" } }))
      .data;
    expect(created).toMatchObject({
      issuer: IDP,
      subject: "alice@example.com",
      allow_any_subject: false,
      scope: ["read"],
      public_key: { set: IDP, kid: "crud-key" },
    });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(created.expires_at!).getTime()).toBeGreaterThan(Date.now());
    const listed = (await admin.listTrustedOAuth2JwtGrantIssuers({ issuer: IDP })).data;
    expect(listed.map((l) => l.id)).toContain(created.id);
    expect((await admin.getTrustedOAuth2JwtGrantIssuer({ id: created.id! })).data).toEqual(created);
    await admin.deleteTrustedOAuth2JwtGrantIssuer({ id: created.id! });
    const gone = await t.admin(`/admin/trust/grants/jwt-bearer/issuers/${created.id}`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: { code: 404 } });
  });

  it("refuses bodies Hydra refuses, and a duplicate is 409", async () => {
    const { privateKey } = await generateKeyPair("ES256", { extractable: true });
    const bad: Record<string, unknown>[] = [
      { issuer: "" },
      { subject: "a", allow_any_subject: true },
      {},
      { subject: "a", expires_at: "yesterday" },
      { subject: "a", expires_at: new Date(Date.now() - 1000).toISOString() },
      { subject: "a", jwk: { ...(await exportJWK(privateKey)), kid: "p" } },
      { subject: "a", jwk: { kty: "oct", k: "c2VjcmV0", kid: "s" } },
      { subject: "a", jwk: { ...idpKey.jwk, kid: undefined } },
      { subject: "a", scope: ["bad scope"] },
    ];
    for (const body of bad) {
      const res = await t.admin("/admin/trust/grants/jwt-bearer/issuers", {
        method: "POST",
        body: JSON.stringify({
          issuer: IDP,
          scope: ["read"],
          jwk: idpKey.jwk,
          expires_at: inAYear(),
          ...body,
        }),
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 400 } });
    }
    await trust({ subject: "dup@example.com", jwk: { ...idpKey.jwk, kid: "dup-key" } });
    const again = await t.admin("/admin/trust/grants/jwt-bearer/issuers", {
      method: "POST",
      body: JSON.stringify({
        issuer: IDP,
        subject: "dup@example.com",
        scope: [],
        jwk: { ...idpKey.jwk, kid: "dup-key" },
        expires_at: inAYear(),
      }),
    });
    expect(again.status).toBe(409);
  });
});

describe("the jwt-bearer grant (RFC 7523 §2.1)", () => {
  beforeAll(async () => {
    await trust({ subject: "mike@example.com", scope: ["read", "write"] });
  });

  it("openid-client exchanges a trusted assertion for an access token of its subject (generic grant)", async () => {
    const config = await oidc.discovery(
      new URL(t.issuer),
      client.client_id,
      undefined,
      oidc.ClientSecretBasic(client.client_secret!),
      { execute: [oidc.allowInsecureRequests] },
    );
    expect(config.serverMetadata().grant_types_supported).toContain(GRANT);
    const tokens = await oidc.genericGrantRequest(config, GRANT, {
      assertion: await grantAssertion(),
      scope: "read write",
      audience: "https://api.example",
    });
    expect(tokens.access_token).toMatch(/^ory_at_/);
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.id_token).toBeUndefined();
    expect(await introspect(t, tokens.access_token)).toMatchObject({
      active: true,
      sub: "mike@example.com",
      client_id: client.client_id,
      scope: "read write",
      aud: ["https://api.example"],
    });
  });

  it("a reused jti is refused", async () => {
    const assertion = await grantAssertion();
    expect((await exchange(assertion)).status).toBe(200);
    await refused(await exchange(assertion), "invalid_grant", /replay/);
  });

  it("a foreign audience, an expiry in the past, a missing exp, and a too distant exp are refused", async () => {
    const now = Math.floor(Date.now() / 1000);
    await refused(
      await exchange(await grantAssertion({ aud: "https://another-as.example/token" })),
      "invalid_grant",
      /'aud'/,
    );
    await refused(
      await exchange(await grantAssertion({ iat: now - 900, exp: now - 300 })),
      "invalid_grant",
      /expired/,
    );
    await refused(await exchange(await grantAssertion({ exp: undefined })), "invalid_grant", /'exp'/);
    await refused(
      await exchange(await grantAssertion({ exp: now + 40 * 24 * 3600 })),
      "invalid_grant",
      /more than/,
    );
  });

  it("an untrusted issuer or subject, a foreign key, and a scope beyond the relationship are refused", async () => {
    await refused(
      await exchange(await grantAssertion({ iss: "https://untrusted.example" })),
      "invalid_grant",
      /No trust relationship/,
    );
    await refused(
      await exchange(await grantAssertion({ sub: "eve@example.com" })),
      "invalid_grant",
      /No trust relationship/,
    );
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    const forger = { privateKey, jwk: await exportJWK(publicKey) };
    await refused(
      await exchange(await grantAssertion({}, forger)),
      "invalid_grant",
      /No trusted key verifies/,
    );
    await refused(
      await exchange(await grantAssertion(), { scope: "admin" }),
      "invalid_scope",
      /does not allow scope 'admin'/,
    );
  });

  it("allow_any_subject trusts every subject of the issuer; an expired relationship trusts none", async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
    const any = { privateKey, jwk: { ...(await exportJWK(publicKey)), kid: "any-key", alg: "ES256" } };
    await trust({ allow_any_subject: true, jwk: any.jwk });
    const now = Math.floor(Date.now() / 1000);
    const signed = (sub: string) =>
      new SignJWT({ iss: IDP, sub, aud: t.issuer, jti: randomUUID(), iat: now, exp: now + 60 })
        .setProtectedHeader({ alg: "ES256", kid: "any-key" })
        .sign(privateKey);
    const res = await exchange(await signed("anyone@example.com"));
    expect(res.status, await res.clone().text()).toBe(200);
    // A relationship that expired.
    const id = (
      await trust({
        subject: "late@example.com",
        jwk: { ...idpKey.jwk, kid: "late-key" },
        expires_at: new Date(Date.now() + 1500).toISOString(),
      })
    ).data.id;
    expect(id).toBeTruthy();
    expect(
      (await exchange(await grantAssertion({ sub: "late@example.com" }, idpKey, "late-key"))).status,
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    await refused(
      await exchange(await grantAssertion({ sub: "late@example.com" }, idpKey, "late-key")),
      "invalid_grant",
      /expired/,
    );
  });

  it("a client without the jwt-bearer grant type is unauthorized_client", async () => {
    const other = await createClient(t, { grant_types: ["client_credentials"], scope: "read" });
    const res = await postForm(
      t,
      "/oauth2/token",
      { grant_type: GRANT, assertion: await grantAssertion(), scope: "read" },
      {
        authorization: `Basic ${Buffer.from(`${other.client_id}:${other.client_secret}`).toString("base64")}`,
      },
    );
    await refused(res, "unauthorized_client", /jwt-bearer/);
  });
});
