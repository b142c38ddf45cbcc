import {
  createLocalJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JWK,
  jwtVerify,
} from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runJanitorOnce } from "../janitor/janitor.ts";
import {
  createClient,
  exchangeCode,
  introspect,
  type OAuth2TestCore,
  runAuthorization,
  startOAuth2Core,
  type TestClient,
} from "../test-helpers.ts";

let t: OAuth2TestCore;
let client: TestClient;

beforeAll(async () => {
  t = await startOAuth2Core();
  client = await createClient(t);
});
afterAll(() => t?.stop());

async function jwks(): Promise<JWK[]> {
  return ((await (await fetch(`${t.oauth2PublicUrl}/.well-known/jwks.json`)).json()) as { keys: JWK[] }).keys;
}

async function idToken(): Promise<string> {
  const res = await exchangeCode(t, client, await runAuthorization(t, client));
  return ((await res.json()) as { id_token: string }).id_token;
}

async function verify(token: string) {
  return jwtVerify(token, createLocalJWKSet({ keys: await jwks() }), {
    issuer: t.issuer,
    audience: client.client_id,
  });
}

describe("signing keys", () => {
  it("are generated on first start (ES256) and only public parts are published", async () => {
    const keys = await jwks();
    expect(keys).toHaveLength(2);
    for (const k of keys) {
      expect(k).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
      expect(k.d).toBeUndefined();
    }
    const token = await idToken();
    expect(decodeProtectedHeader(token).alg).toBe("ES256");
    await verify(token);
  });

  it("rotation: new tokens use the new key, old tokens still verify until they expire", async () => {
    const before = await idToken();
    const oldKid = decodeProtectedHeader(before).kid;
    const res = await t.admin("/admin/keys/hydra.openid.id-token", {
      method: "POST",
      body: JSON.stringify({ alg: "RS256", use: "sig", kid: "rotated-1" }),
    });
    expect(res.status).toBe(201);
    const created = ((await res.json()) as { keys: JWK[] }).keys[0]!;
    expect(created).toMatchObject({ kid: "rotated-1", alg: "RS256", kty: "RSA" });
    expect(created.d).toBeUndefined();

    const after = await idToken();
    expect(decodeProtectedHeader(after)).toMatchObject({ alg: "RS256", kid: "rotated-1" });
    await verify(after);
    await verify(before);
    const discovery = (await (
      await fetch(`${t.oauth2PublicUrl}/.well-known/openid-configuration`)
    ).json()) as {
      id_token_signing_alg_values_supported: string[];
    };
    expect(discovery.id_token_signing_alg_values_supported).toEqual(
      expect.arrayContaining(["ES256", "RS256"]),
    );

    // Once no token it signed can still be valid, the janitor removes the retired key.
    const later = new Date(Date.now() + 2 * 3600_000);
    const report = await runJanitorOnce(t.core.ctx, later);
    expect(report.oauth2_jwks).toBe(1);
    expect((await jwks()).map((k) => k.kid)).not.toContain(oldKid);
    await expect(verify(before)).rejects.toThrow();
  });

  it("the admin key API reads, imports and deletes keys, never returning private parts", async () => {
    const set = await t.admin("/admin/keys/hydra.openid.id-token");
    expect(set.status).toBe(200);
    const keys = ((await set.json()) as { keys: JWK[] }).keys;
    expect(keys.every((k) => k.d === undefined)).toBe(true);
    expect((await t.admin("/admin/keys/no-such-set")).status).toBe(404);

    const { privateKey } = await generateKeyPair("ES256", { extractable: true });
    const imported = { ...(await exportJWK(privateKey)), kid: "imported-1", alg: "ES256", use: "sig" };
    const put = await t.admin("/admin/keys/custom-set", {
      method: "PUT",
      body: JSON.stringify({ keys: [imported] }),
    });
    expect(put.status).toBe(200);
    const stored = ((await put.json()) as { keys: JWK[] }).keys[0]!;
    expect(stored.kid).toBe("imported-1");
    expect(stored.d).toBeUndefined();
    expect((await t.admin("/admin/keys/custom-set/imported-1")).status).toBe(200);
    expect((await t.admin("/admin/keys/custom-set/imported-1", { method: "DELETE" })).status).toBe(204);
    expect((await t.admin("/admin/keys/custom-set/imported-1")).status).toBe(404);

    const bad = await t.admin("/admin/keys/custom-set", {
      method: "POST",
      body: JSON.stringify({ alg: "HS256" }),
    });
    expect(bad.status).toBe(400);
  });

  it("JWT access tokens (per client strategy) are signed with the access-token key set", async () => {
    const jwtClient = await createClient(t, {
      access_token_strategy: "jwt",
      audience: ["https://api.example.com"],
    });
    const flow = await runAuthorization(t, jwtClient, {
      params: { audience: "https://api.example.com" },
      consent: {
        grant_access_token_audience: ["https://api.example.com"],
        session: { access_token: { role: "admin" } },
      },
    });
    const body = (await (await exchangeCode(t, jwtClient, flow)).json()) as { access_token: string };
    const { payload } = await jwtVerify(body.access_token, createLocalJWKSet({ keys: await jwks() }), {
      issuer: t.issuer,
      audience: "https://api.example.com",
    });
    expect(payload).toMatchObject({
      sub: "user-1",
      client_id: jwtClient.client_id,
      scp: ["openid", "offline_access"],
      ext: { role: "admin" },
    });
    expect(await introspect(t, body.access_token)).toMatchObject({ active: true, ext: { role: "admin" } });
  });
});
