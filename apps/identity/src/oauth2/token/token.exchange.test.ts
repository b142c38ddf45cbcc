import { randomUUID } from "node:crypto";
import { Configuration, OAuth2Api } from "@ory/client";
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from "jose";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createClient,
  exchangeCode,
  introspect,
  type OAuth2TestCore,
  runAuthorization,
  startOAuth2Core,
  type TestClient,
  tokenRequest,
} from "../test-helpers.ts";

/*
 * RFC 8693 token exchange end to end: openid-client (a certified relying party) against a real core.
 * A front end signs a user in; a service exchanges the user's token for a token to a downstream API,
 * acting for the user (delegation, the `act` claim) or in the user's place (impersonation).
 */

const GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const AT = "urn:ietf:params:oauth:token-type:access_token";
const ID = "urn:ietf:params:oauth:token-type:id_token";
const JWT = "urn:ietf:params:oauth:token-type:jwt";
const DOWNSTREAM = "https://downstream.example";
const REPORTS = "https://reports.example/api";
const IDP = "https://partner-idp.example";

let t: OAuth2TestCore;
let frontend: TestClient;
let service: TestClient;
let serviceConfig: oidc.Configuration;

async function configFor(client: TestClient): Promise<oidc.Configuration> {
  return oidc.discovery(
    new URL(t.issuer),
    client.client_id,
    undefined,
    oidc.ClientSecretBasic(client.client_secret!),
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
}

/** A user signs in at the front end: its access token (scope openid read write) and ID token. */
async function userTokens(subject = "user-1"): Promise<{ access_token: string; id_token: string }> {
  const flow = await runAuthorization(t, frontend, { scope: "openid read write", subject });
  const res = await exchangeCode(t, frontend, flow);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { access_token: string; id_token: string };
}

/** A client's own token (client_credentials): what it presents as the actor. */
async function ownToken(client: TestClient): Promise<string> {
  const res = await tokenRequest(t, client, { grant_type: "client_credentials" });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

beforeAll(async () => {
  t = await startOAuth2Core();
  frontend = await createClient(t, { scope: "openid offline_access read write" });
  service = await createClient(t, {
    grant_types: [GRANT, "client_credentials"],
    scope: "openid read write",
    token_exchange: {
      allowed_audiences: [DOWNSTREAM, REPORTS],
      allowed_subject_clients: [frontend.client_id],
      allowed_issuers: [IDP],
      may_impersonate: true,
    },
  });
  serviceConfig = await configFor(service);
});
afterAll(() => t?.stop());

describe("token exchange (RFC 8693) with openid-client", () => {
  it("discovery lists the grant, and the admin API keeps the client's policy in Hydra's client JSON", async () => {
    expect(serviceConfig.serverMetadata().grant_types_supported).toContain(GRANT);
    const admin = new OAuth2Api(new Configuration({ basePath: t.oauth2AdminUrl }));
    const read = (await admin.getOAuth2Client({ id: service.client_id })).data as Record<string, unknown>;
    expect(read.grant_types).toContain(GRANT);
    expect(read.token_exchange).toEqual({
      allowed_audiences: [DOWNSTREAM, REPORTS],
      allowed_subject_clients: [frontend.client_id],
      allowed_issuers: [IDP],
      may_impersonate: true,
    });
    // A client created without a policy gets the deny-all one.
    expect((await admin.getOAuth2Client({ id: frontend.client_id })).data).toMatchObject({
      token_exchange: {
        allowed_audiences: [],
        allowed_subject_clients: [],
        allowed_issuers: [],
        may_impersonate: false,
      },
    });
  });

  it("delegation: the service acts for the user; the token says so in `act`, introspection too", async () => {
    const user = await userTokens();
    const actor = await ownToken(service);
    const tokens = await oidc.genericGrantRequest(serviceConfig, GRANT, {
      subject_token: user.access_token,
      subject_token_type: AT,
      actor_token: actor,
      actor_token_type: AT,
      audience: DOWNSTREAM,
      scope: "read",
    });
    expect(tokens.issued_token_type).toBe(AT);
    expect(tokens.access_token).toMatch(/^ory_at_/);
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.id_token).toBeUndefined();
    expect(tokens.scope).toBe("read");
    expect(await introspect(t, tokens.access_token)).toMatchObject({
      active: true,
      sub: "user-1",
      client_id: service.client_id,
      scope: "read",
      aud: [DOWNSTREAM],
      act: { sub: service.client_id, client_id: service.client_id },
    });
    // The user's own token is untouched.
    expect(await introspect(t, user.access_token)).toMatchObject({
      active: true,
      client_id: frontend.client_id,
    });
    const rows = (await (
      await fetch(`${t.adminUrl}/admin/olympus/audit?event=oauth2.token.exchanged&target=user-1`)
    ).json()) as { actor: string; metadata: Record<string, unknown> }[];
    expect(rows[0]).toMatchObject({
      actor: `client:${service.client_id}`,
      metadata: {
        client_id: service.client_id,
        subject_client_id: frontend.client_id,
        audience: [DOWNSTREAM],
        scope: ["read"],
        act: { sub: service.client_id },
      },
    });
    expect(JSON.stringify(rows[0])).not.toContain(user.access_token);
  });

  it("a second exchange nests the earlier actor, and a JWT can be asked for (requested_token_type)", async () => {
    const gateway = await createClient(t, {
      grant_types: [GRANT, "client_credentials"],
      scope: "read",
      token_exchange: { allowed_audiences: [REPORTS], allowed_subject_clients: [service.client_id] },
    });
    const user = await userTokens("user-2");
    const first = await oidc.genericGrantRequest(serviceConfig, GRANT, {
      subject_token: user.access_token,
      subject_token_type: AT,
      actor_token: await ownToken(service),
      actor_token_type: AT,
      audience: DOWNSTREAM,
    });
    // Without `scope`: the user's scope the client may hold.
    expect(first.scope?.split(" ").sort()).toEqual(["openid", "read", "write"]);
    const second = await oidc.genericGrantRequest(await configFor(gateway), GRANT, {
      subject_token: first.access_token,
      subject_token_type: AT,
      actor_token: await ownToken(gateway),
      actor_token_type: AT,
      requested_token_type: JWT,
      resource: REPORTS,
      scope: "read",
    });
    expect(second.issued_token_type).toBe(JWT);
    const jwks = createRemoteJWKSet(new URL("/.well-known/jwks.json", t.oauth2PublicUrl));
    const { payload } = await jwtVerify(second.access_token, jwks, { issuer: t.issuer, audience: REPORTS });
    const act = {
      sub: gateway.client_id,
      client_id: gateway.client_id,
      act: { sub: service.client_id, client_id: service.client_id },
    };
    expect(payload).toMatchObject({ sub: "user-2", client_id: gateway.client_id, scp: ["read"], act });
    expect(await introspect(t, second.access_token)).toMatchObject({ active: true, sub: "user-2", act });
  });

  it("impersonation: without an actor token the token is the user's own, with no `act`", async () => {
    const user = await userTokens("user-3");
    const tokens = await oidc.genericGrantRequest(serviceConfig, GRANT, {
      subject_token: user.access_token,
      subject_token_type: AT,
      audience: DOWNSTREAM,
      scope: "read write",
    });
    const seen = await introspect(t, tokens.access_token);
    expect(seen).toMatchObject({
      active: true,
      sub: "user-3",
      client_id: service.client_id,
      scope: "read write",
    });
    expect(seen.act).toBeUndefined();
  });

  it("an ID token of the front end can be exchanged (no scope: an ID token grants none)", async () => {
    const user = await userTokens("user-4");
    const tokens = await oidc.genericGrantRequest(serviceConfig, GRANT, {
      subject_token: user.id_token,
      subject_token_type: ID,
      audience: DOWNSTREAM,
    });
    expect(await introspect(t, tokens.access_token)).toMatchObject({
      active: true,
      sub: "user-4",
      scope: "",
      aud: [DOWNSTREAM],
    });
    // The same ID token named as a plain JWT is recognized too.
    const again = await oidc.genericGrantRequest(serviceConfig, GRANT, {
      subject_token: user.id_token,
      subject_token_type: JWT,
      audience: DOWNSTREAM,
    });
    expect(await introspect(t, again.access_token)).toMatchObject({ active: true, sub: "user-4" });
  });

  it("several audiences and resources (repeated parameters) become the token's audience", async () => {
    const user = await userTokens();
    const params = new URLSearchParams([
      ["subject_token", user.access_token],
      ["subject_token_type", AT],
      ["audience", DOWNSTREAM],
      ["resource", REPORTS],
      ["scope", "read"],
    ]);
    const tokens = await oidc.genericGrantRequest(serviceConfig, GRANT, params);
    expect((await introspect(t, tokens.access_token)).aud).toEqual([DOWNSTREAM, REPORTS]);
  });

  it("a JWT of an issuer trusted through the jwt-bearer trust API is exchanged, within the relationship's scope", async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: "partner-1", alg: "ES256", use: "sig" };
    const trusted = await t.admin("/admin/trust/grants/jwt-bearer/issuers", {
      method: "POST",
      body: JSON.stringify({
        issuer: IDP,
        allow_any_subject: true,
        scope: ["read"],
        jwk,
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
      }),
    });
    expect(trusted.status, await trusted.clone().text()).toBe(201);
    const now = Math.floor(Date.now() / 1000);
    const partnerJwt = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: "ES256", kid: "partner-1" })
      .setIssuer(IDP)
      .setSubject("partner-user@example.com")
      .setAudience(t.issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + 120)
      .sign(privateKey);
    const tokens = await oidc.genericGrantRequest(serviceConfig, GRANT, {
      subject_token: partnerJwt,
      subject_token_type: JWT,
      actor_token: await ownToken(service),
      actor_token_type: AT,
      audience: DOWNSTREAM,
    });
    expect(Number(tokens.expires_in)).toBeLessThanOrEqual(120);
    expect(await introspect(t, tokens.access_token)).toMatchObject({
      active: true,
      sub: "partner-user@example.com",
      scope: "read",
      act: { sub: service.client_id },
    });
    // Beyond the relationship's scope: refused.
    await expect(
      oidc.genericGrantRequest(serviceConfig, GRANT, {
        subject_token: partnerJwt,
        subject_token_type: JWT,
        audience: DOWNSTREAM,
        scope: "write",
      }),
    ).rejects.toMatchObject({ error: "invalid_scope" });
  });
});
