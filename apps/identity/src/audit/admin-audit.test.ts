import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createClient,
  exchangeCode,
  introspect,
  runAuthorization,
  startOAuth2Core,
  type OAuth2TestCore,
} from "../oauth2/test-helpers.ts";
import { describeAdminWrite } from "./admin-audit.ts";

/*
 * Every admin write of the Hydra admin API is audited with the administrator who made it, like the
 * Kratos admin API's: client create/update/delete, secret rotation, key rotation, consent, login
 * session and token revocation. A create's row names the created resource.
 */

let t: OAuth2TestCore;
const ACTOR = { "x-olympus-actor": "ops@iam" };

beforeAll(async () => {
  t = await startOAuth2Core({ security: { rate_limit: { enabled: false } } });
}, 60_000);
afterAll(() => t?.stop());

async function auditRows(query: string): Promise<any[]> {
  const res = await fetch(`${t.adminUrl}/admin/olympus/audit?page_size=1000&${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as any[];
}

const admin = (path: string, init: RequestInit = {}) =>
  t.admin(path, { ...init, headers: { ...ACTOR, ...(init.headers ?? {}) } });

describe("admin audit on the OAuth2 admin API", () => {
  it("records client create, update, patch, secret rotation and delete with the administrator", async () => {
    const created = await admin("/admin/clients", {
      method: "POST",
      body: JSON.stringify({ client_name: "audited", redirect_uris: ["http://127.0.0.1:5555/cb"] }),
    });
    expect(created.status).toBe(201);
    const client = (await created.json()) as { client_id: string; client_secret: string };

    expect(
      (
        await admin(`/admin/clients/${client.client_id}`, {
          method: "PUT",
          body: JSON.stringify({ client_name: "renamed", redirect_uris: ["http://127.0.0.1:5555/cb"] }),
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await admin(`/clients/${client.client_id}`, {
          method: "PATCH",
          body: JSON.stringify([{ op: "replace", path: "/client_name", value: "patched" }]),
        })
      ).status,
    ).toBe(200);
    const rotated = await admin(`/admin/clients/${client.client_id}/secret/rotate`, { method: "POST" });
    expect(rotated.status).toBe(200);
    const newSecret = ((await rotated.json()) as { client_secret: string }).client_secret;
    expect((await admin(`/admin/clients/${client.client_id}`, { method: "DELETE" })).status).toBe(204);
    // A write that failed is not an action: not audited.
    expect((await admin(`/admin/clients/${client.client_id}`, { method: "DELETE" })).status).toBe(404);

    const rows = await auditRows(`target=${encodeURIComponent(client.client_id)}`);
    // Newest first; the request without the /admin prefix (PATCH) is recorded once, like the others.
    expect(rows.map((r) => r.event)).toEqual([
      "admin.clients.delete",
      "admin.clients.secret.rotate",
      "admin.clients.update",
      "admin.clients.update",
      "admin.clients.create",
    ]);
    for (const r of rows) expect(r).toMatchObject({ actor: "admin", metadata: { admin: "ops@iam" } });
    expect(rows.at(-1)).toMatchObject({ metadata: { method: "POST", path: "/admin/clients", status: 201 } });
    // The secrets returned once never reach the log.
    const all = JSON.stringify(await auditRows("event=admin.*"));
    expect(all).not.toContain(client.client_secret);
    expect(all).not.toContain(newSecret);
  });

  it("records a key rotation with the new key's kid as target and its set", async () => {
    const res = await admin("/admin/keys/hydra.jwt.access-token", {
      method: "POST",
      body: JSON.stringify({ alg: "ES256", use: "sig" }),
    });
    expect(res.status).toBe(201);
    const kid = ((await res.json()) as { keys: { kid: string }[] }).keys[0]!.kid;
    const [row] = await auditRows("event=admin.keys.create");
    expect(row).toMatchObject({
      target: kid,
      metadata: { admin: "ops@iam", parent: "hydra.jwt.access-token", status: 201 },
    });
  });

  it("records consent, login session and token revocations with what they reached", async () => {
    const client = await createClient(t);
    const flow = await runAuthorization(t, client, { subject: "audit-subject" });
    const tokens = (await (await exchangeCode(t, client, flow)).json()) as { access_token: string };
    expect((await introspect(t, tokens.access_token)).active).toBe(true);

    expect(
      (await admin(`/admin/oauth2/tokens?client_id=${client.client_id}`, { method: "DELETE" })).status,
    ).toBe(204);
    expect((await introspect(t, tokens.access_token)).active).toBe(false);
    expect(
      (
        await admin(`/admin/oauth2/auth/sessions/consent?subject=audit-subject&client=${client.client_id}`, {
          method: "DELETE",
        })
      ).status,
    ).toBe(204);
    expect(
      (await admin("/admin/oauth2/auth/sessions/login?subject=audit-subject", { method: "DELETE" })).status,
    ).toBe(204);

    const [tokensRow] = await auditRows("event=admin.oauth2.tokens.delete");
    expect(tokensRow).toMatchObject({
      target: client.client_id,
      metadata: { admin: "ops@iam", query: { client_id: client.client_id } },
    });
    const [consentRow] = await auditRows("event=admin.oauth2.auth.sessions.consent.delete");
    expect(consentRow).toMatchObject({
      target: "audit-subject",
      metadata: { query: { subject: "audit-subject", client: client.client_id } },
    });
    const [loginRow] = await auditRows("event=admin.oauth2.auth.sessions.login.delete");
    expect(loginRow).toMatchObject({ target: "audit-subject", actor: "admin" });

    // Flow steps (login/consent accept) and introspection are not admin actions: no rows for them.
    expect(await auditRows("event=admin.oauth2.auth.requests.*")).toEqual([]);
    expect(await auditRows("event=admin.oauth2.introspect.create")).toEqual([]);
  });

  it("still records a write whose query carries a NUL byte or a lone surrogate", async () => {
    // PostgreSQL refuses both in text and jsonb: the row used to fail to insert and the event was lost.
    const res = await admin("/admin/oauth2/auth/sessions/login?sid=%00x&client=%ED%A0%80", {
      method: "DELETE",
    });
    expect(res.status).toBe(204);
    const [row] = await auditRows("event=admin.oauth2.auth.sessions.login.delete&target=%EF%BF%BDx");
    expect(row).toMatchObject({
      target: "\ufffdx",
      metadata: { admin: "ops@iam", query: { sid: "\ufffdx" } },
    });
  });

  it("records a Kratos identity create with the new identity's id as target", async () => {
    const res = await fetch(`${t.adminUrl}/admin/identities`, {
      method: "POST",
      headers: { "content-type": "application/json", ...ACTOR },
      body: JSON.stringify({ schema_id: "default", traits: { email: "audit-create@example.com" } }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const rows = await auditRows(`event=admin.identities.create&target=${id}`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: "admin", metadata: { admin: "ops@iam", status: 201 } });
  });
});

describe("describeAdminWrite", () => {
  it("names a write after its route, its first path parameter as target", () => {
    expect(
      describeAdminWrite(
        "DELETE",
        "/admin/identities/:id/credentials/:type",
        "/admin/identities/a/credentials/b",
      ),
    ).toEqual({ event: "admin.identities.credentials.delete", target: "a", params: { id: "a", type: "b" } });
    expect(describeAdminWrite("POST", "/clients", "/clients")).toEqual({
      event: "admin.clients.create",
      params: {},
    });
  });

  it("names a POST to an action path after the action", () => {
    expect(
      describeAdminWrite("POST", "/admin/clients/:id/secret/rotate", "/admin/clients/c%201/secret/rotate"),
    ).toMatchObject({ event: "admin.clients.secret.rotate", target: "c 1" });
    // A POST whose last segment is a parameter stays a create.
    expect(describeAdminWrite("POST", "/keys/:set", "/keys/s")).toMatchObject({
      event: "admin.keys.create",
      target: "s",
    });
  });
});
