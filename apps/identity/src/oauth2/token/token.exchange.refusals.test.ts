import { randomUUID } from "node:crypto";
import { count, eq } from "drizzle-orm";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauth2Grants } from "../../db/schema.ts";
import {
  createClient,
  exchangeCode,
  type OAuth2TestCore,
  runAuthorization,
  startOAuth2Core,
  type TestClient,
  tokenRequest,
} from "../test-helpers.ts";

/*
 * Hostile token exchanges: every one is refused with the RFC 6749 / RFC 8693 error it deserves, as a
 * 4xx, and issues nothing. ID tokens live 3 s here, so expiry can be watched.
 */

const GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const AT = "urn:ietf:params:oauth:token-type:access_token";
const ID = "urn:ietf:params:oauth:token-type:id_token";
const JWT = "urn:ietf:params:oauth:token-type:jwt";
const API = "https://api.example";

let t: OAuth2TestCore;
let frontend: TestClient;
let stranger: TestClient;
let service: TestClient;

async function userTokens(client = frontend, scope = "openid read write") {
  const flow = await runAuthorization(t, client, { scope, subject: "alice" });
  const res = await exchangeCode(t, client, flow);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { access_token: string; id_token: string; expires_in: number };
}

async function ownToken(client: TestClient): Promise<string> {
  const res = await tokenRequest(t, client, { grant_type: "client_credentials" });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

const exchanges = async () =>
  (
    await t.core.ctx.db
      .select({ n: count() })
      .from(oauth2Grants)
      .where(eq(oauth2Grants.kind, "token_exchange"))
  )[0]!.n;

/** The request is refused with `error` (status 400 unless given) and nothing is issued. */
async function refused(res: Response, error: string, hint?: RegExp, status = 400): Promise<void> {
  const body = (await res.json()) as Record<string, unknown>;
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(body.error, JSON.stringify(body)).toBe(error);
  expect(typeof body.error_description).toBe("string");
  if (hint) expect(body.error_description).toMatch(hint);
  expect(body.access_token).toBeUndefined();
}

const exchange = (client: TestClient, form: Record<string, string>) =>
  tokenRequest(t, client, { grant_type: GRANT, audience: API, ...form });

beforeAll(async () => {
  t = await startOAuth2Core({
    oauth2: { ttl: { id_token: "3s" } },
    security: { rate_limit: { enabled: false } },
  });
  frontend = await createClient(t, { scope: "openid offline_access read write" });
  stranger = await createClient(t, {
    scope: "openid read write",
    grant_types: ["authorization_code", "client_credentials"],
  });
  service = await createClient(t, {
    grant_types: [GRANT, "client_credentials"],
    scope: "openid read write",
    token_exchange: { allowed_audiences: [API], allowed_subject_clients: [frontend.client_id] },
  });
});
afterAll(() => t?.stop());

describe("token exchange refusals", () => {
  it("clients: a public client, a client without the grant, a client without a policy", async () => {
    const before = await exchanges();
    const user = await userTokens();
    const form = { subject_token: user.access_token, subject_token_type: AT };
    const publicClient = await createClient(t, {
      grant_types: [GRANT],
      token_endpoint_auth_method: "none",
      token_exchange: {
        allowed_audiences: [API],
        allowed_subject_clients: [frontend.client_id],
        may_impersonate: true,
      },
    });
    await refused(await exchange(publicClient, form), "unauthorized_client", /public/);
    const noGrant = await createClient(t, {
      grant_types: ["client_credentials"],
      token_exchange: {
        allowed_audiences: [API],
        allowed_subject_clients: [frontend.client_id],
        may_impersonate: true,
      },
    });
    await refused(await exchange(noGrant, form), "unauthorized_client", /token-exchange/);
    // The grant alone allows nothing: no subject client, no audience, no impersonation.
    const bare = await createClient(t, { grant_types: [GRANT, "client_credentials"], scope: "read" });
    await refused(
      await exchange(bare, { ...form, actor_token: await ownToken(bare), actor_token_type: AT }),
      "invalid_request",
      /allowed_subject_clients/,
    );
    // Its own client_credentials token as subject, but no audience is allowed.
    await refused(
      await exchange(bare, {
        subject_token: await ownToken(bare),
        subject_token_type: AT,
        actor_token: await ownToken(bare),
        actor_token_type: AT,
      }),
      "invalid_target",
      /allowed_audiences/,
    );
    // A wrong secret is invalid_client, as at every grant.
    const wrong = { ...service, client_secret: "not-the-secret" };
    await refused(await exchange(wrong, form), "invalid_client", undefined, 401);
    expect(await exchanges()).toBe(before);
  });

  it("subjects and actors the client may not act for", async () => {
    const before = await exchanges();
    const actor = { actor_token: await ownToken(service), actor_token_type: AT };
    // A token of a client the policy does not name.
    const foreign = await userTokens(stranger);
    await refused(
      await exchange(service, { subject_token: foreign.access_token, subject_token_type: AT, ...actor }),
      "invalid_request",
      new RegExp(`client '${stranger.client_id}'`),
    );
    await refused(
      await exchange(service, { subject_token: foreign.id_token, subject_token_type: ID, ...actor }),
      "invalid_request",
      /allowed_subject_clients/,
    );
    // An actor token issued to another client.
    const user = await userTokens();
    await refused(
      await exchange(service, {
        subject_token: user.access_token,
        subject_token_type: AT,
        actor_token: await ownToken(stranger),
        actor_token_type: AT,
      }),
      "invalid_request",
      /actor_token/,
    );
    // Impersonation (no actor) without may_impersonate.
    await refused(
      await exchange(service, { subject_token: user.access_token, subject_token_type: AT }),
      "unauthorized_client",
      /impersonate/,
    );
    // A JWT of an issuer that is not trusted (nor named in allowed_issuers).
    const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: "ES256", kid: "k" })
      .setIssuer("https://evil.example")
      .setSubject("alice")
      .setAudience(t.issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(privateKey);
    await refused(
      await exchange(service, { subject_token: forged, subject_token_type: JWT, ...actor }),
      "invalid_request",
      /No trust relationship/,
    );
    // Trusted through the trust API, but not in this client's allowed_issuers.
    const jwk = { ...(await exportJWK(publicKey)), kid: "k", alg: "ES256", use: "sig" };
    const trusted = await t.admin("/admin/trust/grants/jwt-bearer/issuers", {
      method: "POST",
      body: JSON.stringify({
        issuer: "https://evil.example",
        allow_any_subject: true,
        scope: ["read"],
        jwk,
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
      }),
    });
    expect(trusted.status).toBe(201);
    await refused(
      await exchange(service, { subject_token: forged, subject_token_type: JWT, ...actor }),
      "invalid_request",
      /allowed_issuers/,
    );
    // This server's own ID token re-signed by someone else is not this server's.
    const idClaims = JSON.parse(Buffer.from(user.id_token.split(".")[1]!, "base64url").toString());
    const resigned = await new SignJWT(idClaims).setProtectedHeader({ alg: "ES256" }).sign(privateKey);
    await refused(
      await exchange(service, { subject_token: resigned, subject_token_type: ID, ...actor }),
      "invalid_request",
      /not a valid, unexpired ID token/,
    );
    expect(await exchanges()).toBe(before);
  });

  it("audiences and scope: an audience not allowed, none at all, a bad resource, a wider scope", async () => {
    const before = await exchanges();
    const user = await userTokens(frontend, "openid read");
    const base = {
      subject_token: user.access_token,
      subject_token_type: AT,
      actor_token: await ownToken(service),
      actor_token_type: AT,
    };
    await refused(
      await exchange(service, { ...base, audience: "https://elsewhere.example" }),
      "invalid_target",
      /elsewhere/,
    );
    await refused(
      await exchange(service, { ...base, audience: `${API} https://elsewhere.example` }),
      "invalid_target",
    );
    await refused(
      await exchange(service, { ...base, audience: "" }),
      "invalid_request",
      /audience or resource/,
    );
    await refused(
      await exchange(service, { ...base, resource: "https://api.example/#frag" }),
      "invalid_target",
      /fragment/,
    );
    await refused(await exchange(service, { ...base, resource: "not a uri" }), "invalid_target");
    await refused(
      await exchange(service, { ...base, scope: "read write" }),
      "invalid_scope",
      /'write' is wider/,
    );
    await refused(await exchange(service, { ...base, scope: "admin" }), "invalid_scope");
    // An ID token carries no scope to narrow.
    await refused(
      await exchange(service, {
        ...base,
        subject_token: user.id_token,
        subject_token_type: ID,
        scope: "read",
      }),
      "invalid_scope",
    );
    expect(await exchanges()).toBe(before);
  });

  it("a revoked subject token and an expired one are refused; the exchanged token dies with its subject token", async () => {
    const before = await exchanges();
    const actor = { actor_token: await ownToken(service), actor_token_type: AT };
    const user = await userTokens();
    const revoke = await fetch(`${t.oauth2PublicUrl}/oauth2/revoke`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${frontend.client_id}:${frontend.client_secret}`).toString("base64")}`,
      },
      body: new URLSearchParams({ token: user.access_token }),
    });
    expect(revoke.status).toBe(200);
    await refused(
      await exchange(service, { subject_token: user.access_token, subject_token_type: AT, ...actor }),
      "invalid_request",
      /not an active access token/,
    );
    expect(await exchanges()).toBe(before);

    // ID tokens live 3 s: the exchanged token expires with it.
    const fresh = await userTokens();
    const res = await exchange(service, { subject_token: fresh.id_token, subject_token_type: ID, ...actor });
    expect(res.status, await res.clone().text()).toBe(200);
    const exchanged = (await res.json()) as { access_token: string; expires_in: number };
    expect(exchanged.expires_in).toBeLessThanOrEqual(3);
    expect(await exchanges()).toBe(before + 1);
    await new Promise((r) => setTimeout(r, 3500));
    await refused(
      await exchange(service, { subject_token: fresh.id_token, subject_token_type: ID, ...actor }),
      "invalid_request",
      /ID token/,
    );
    // The exchanged token is an expired access token now (and another client's): refused as well.
    await refused(
      await exchange(service, { subject_token: exchanged.access_token, subject_token_type: AT, ...actor }),
      "invalid_request",
      /not an active access token/,
    );
    expect(await exchanges()).toBe(before + 1);
  });

  it("malformed requests: token types, missing or repeated parameters, garbage tokens", async () => {
    const before = await exchanges();
    const user = await userTokens();
    const actor = await ownToken(service);
    const ok = {
      subject_token: user.access_token,
      subject_token_type: AT,
      actor_token: actor,
      actor_token_type: AT,
    };
    const cases: [Record<string, string>, RegExp][] = [
      [{ ...ok, subject_token: "" }, /'subject_token'/],
      [{ ...ok, subject_token_type: "" }, /'subject_token_type'/],
      [{ ...ok, subject_token_type: "urn:example:unknown" }, /not supported/],
      [{ ...ok, subject_token_type: "urn:ietf:params:oauth:token-type:refresh_token" }, /refresh token/],
      [{ ...ok, subject_token_type: "urn:ietf:params:oauth:token-type:saml2" }, /not supported/],
      [{ ...ok, actor_token_type: "" }, /'actor_token_type'/],
      [{ ...ok, actor_token: "" }, /without an 'actor_token'/],
      [{ ...ok, requested_token_type: "urn:ietf:params:oauth:token-type:id_token" }, /can not be issued/],
      [
        { ...ok, requested_token_type: "urn:ietf:params:oauth:token-type:refresh_token" },
        /can not be issued/,
      ],
      [{ ...ok, subject_token: "ory_at_garbage.garbage" }, /not an active access token/],
      [{ ...ok, subject_token_type: ID }, /not a JWT/],
      [{ ...ok, subject_token: "a.b.c", subject_token_type: JWT }, /not a JWT/],
      [{ ...ok, subject_token: "x".repeat(20_000) }, /too long/],
      // An access token is not an ID token, whatever its type says.
      [{ ...ok, subject_token: user.id_token, subject_token_type: AT }, /not an active access token/],
      [{ ...ok, actor_token: user.id_token }, /not an active access token/],
    ];
    for (const [form, hint] of cases) {
      await refused(await exchange(service, form), "invalid_request", hint);
    }
    // Repeated parameters: only audience and resource may repeat, and only in a token exchange.
    const body = new URLSearchParams({ grant_type: GRANT, ...ok, audience: API });
    body.append("subject_token", user.access_token);
    const basic = `Basic ${Buffer.from(`${service.client_id}:${service.client_secret}`).toString("base64")}`;
    const repeated = await fetch(`${t.oauth2PublicUrl}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic },
      body,
    });
    await refused(repeated, "invalid_request", /"subject_token" must not be included more than once/);
    const cc = new URLSearchParams([
      ["grant_type", "client_credentials"],
      ["audience", API],
      ["audience", API],
    ]);
    const ccRes = await fetch(`${t.oauth2PublicUrl}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic },
      body: cc,
    });
    await refused(ccRes, "invalid_request", /"audience" must not be included more than once/);
    expect(await exchanges()).toBe(before);
  });

  it("the admin API refuses malformed policies (invalid_client_metadata)", async () => {
    const bad = [
      { token_exchange: "yes" },
      { token_exchange: { allowed_audiences: "https://api.example" } },
      { token_exchange: { allowed_audiences: ["has space"] } },
      { token_exchange: { allowed_audiences: [""] } },
      { token_exchange: { allowed_subject_clients: [42] } },
      { token_exchange: { may_impersonate: "true" } },
      { token_exchange: { allow_everything: true } },
    ];
    for (const body of bad) {
      const res = await t.admin("/admin/clients", {
        method: "POST",
        body: JSON.stringify({ grant_types: [GRANT], ...body }),
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ error: "invalid_client_metadata" });
    }
    // PATCH (RFC 6902) reaches the policy too.
    const patched = await t.admin(`/admin/clients/${service.client_id}`, {
      method: "PATCH",
      body: JSON.stringify([{ op: "replace", path: "/token_exchange/may_impersonate", value: true }]),
    });
    expect(patched.status, await patched.clone().text()).toBe(200);
    expect(((await patched.json()) as { token_exchange: unknown }).token_exchange).toEqual({
      allowed_audiences: [API],
      allowed_subject_clients: [frontend.client_id],
      allowed_issuers: [],
      may_impersonate: true,
    });
  });
});
