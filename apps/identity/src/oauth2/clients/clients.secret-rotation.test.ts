import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauth2Clients } from "../../db/schema.ts";
import {
  createClient,
  type OAuth2TestCore,
  postForm,
  startOAuth2Core,
  type TestClient,
  tokenRequest,
} from "../test-helpers.ts";

/*
 * Secret rotation with an overlap window (Olympus' POST /admin/clients/{id}/secrets/rotate): the
 * previous secret keeps authenticating until the window ends, then is refused; both are stored
 * hashed; a second rotation ends the older secret at once. Time passing is the stored end moved
 * into the past, as the other expiry tests do.
 */

let t: OAuth2TestCore;

beforeAll(async () => {
  t = await startOAuth2Core({ security: { rate_limit: { enabled: false } } });
}, 60_000);
afterAll(() => t?.stop());

const rotate = (id: string, body?: unknown, headers: Record<string, string> = {}) =>
  t.admin(`/admin/clients/${encodeURIComponent(id)}/secrets/rotate`, {
    method: "POST",
    headers,
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });

const machine = (body: Record<string, unknown> = {}) =>
  createClient(t, { grant_types: ["client_credentials"], scope: "read", redirect_uris: [], ...body });

const basic = (c: TestClient, secret: string) =>
  tokenRequest(t, { ...c, client_secret: secret }, { grant_type: "client_credentials", scope: "read" });

const post = (c: TestClient, secret: string) =>
  postForm(t, "/oauth2/token", {
    grant_type: "client_credentials",
    scope: "read",
    client_id: c.client_id,
    client_secret: secret,
  });

/** Moves the end of the client's overlap to `at` (time passing, without waiting). */
async function endOverlapAt(id: string, at: Date): Promise<void> {
  const [row] = await t.core.ctx.db.select().from(oauth2Clients).where(eq(oauth2Clients.id, id));
  const data = row!.data as { previous_secret?: { expires_at: string } };
  expect(data.previous_secret).toMatchObject({ expires_at: expect.any(String) });
  data.previous_secret!.expires_at = at.toISOString();
  await t.core.ctx.db.update(oauth2Clients).set({ data }).where(eq(oauth2Clients.id, id));
}

async function storedRow(id: string) {
  const [row] = await t.core.ctx.db.select().from(oauth2Clients).where(eq(oauth2Clients.id, id));
  return row!;
}

describe("client secret rotation with an overlap window", () => {
  it("client_secret_basic: the old secret works inside the window and is refused after it", async () => {
    const client = await machine();
    const before = Date.now();
    const res = await rotate(client.client_id, { overlap_seconds: 3600 });
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as { client_secret: string; rotated_secret_expires_at: string };
    expect(rotated.client_secret).not.toBe(client.client_secret);
    const end = Date.parse(rotated.rotated_secret_expires_at);
    expect(end).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
    expect(end).toBeLessThanOrEqual(Date.now() + 3600_000 + 1000);

    expect((await basic(client, client.client_secret!)).status).toBe(200);
    expect((await basic(client, rotated.client_secret)).status).toBe(200);
    // The client as read back says when the previous secret ends, and never shows a secret.
    const read = (await (await t.admin(`/admin/clients/${client.client_id}`)).json()) as Record<
      string,
      unknown
    >;
    expect(read.rotated_secret_expires_at).toBe(rotated.rotated_secret_expires_at);
    expect(read.client_secret).toBeUndefined();

    // Both secrets are stored hashed: neither appears in the row.
    const row = JSON.stringify(await storedRow(client.client_id));
    expect(row).not.toContain(client.client_secret!);
    expect(row).not.toContain(rotated.client_secret);

    await endOverlapAt(client.client_id, new Date(Date.now() - 1000));
    const refused = await basic(client, client.client_secret!);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: "invalid_client" });
    expect((await basic(client, rotated.client_secret)).status).toBe(200);
    const after = (await (await t.admin(`/admin/clients/${client.client_id}`)).json()) as Record<
      string,
      unknown
    >;
    expect(after.rotated_secret_expires_at).toBeUndefined();
  });

  it("client_secret_post: the same window holds for secrets in the body", async () => {
    const client = await machine({ token_endpoint_auth_method: "client_secret_post" });
    const rotated = (await (await rotate(client.client_id, { overlap_seconds: 60 })).json()) as {
      client_secret: string;
    };
    expect((await post(client, client.client_secret!)).status).toBe(200);
    expect((await post(client, rotated.client_secret)).status).toBe(200);
    expect((await post(client, "not-the-secret")).status).toBe(401);
    await endOverlapAt(client.client_id, new Date(Date.now() - 1));
    expect((await post(client, client.client_secret!)).status).toBe(401);
    expect((await post(client, rotated.client_secret)).status).toBe(200);
  });

  it("client_secret_jwt: assertions under the old secret pass inside the window only", async () => {
    const client = await machine({ token_endpoint_auth_method: "client_secret_jwt" });
    const rotated = (await (await rotate(client.client_id, { overlap_seconds: 600 })).json()) as {
      client_secret: string;
    };
    const signed = (secret: string) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        iss: client.client_id,
        sub: client.client_id,
        aud: new URL("oauth2/token", t.issuer).href,
        jti: randomUUID(),
        iat: now,
        exp: now + 60,
      })
        .setProtectedHeader({ alg: "HS256" })
        .sign(new TextEncoder().encode(secret));
    };
    const withAssertion = async (secret: string) =>
      postForm(t, "/oauth2/token", {
        grant_type: "client_credentials",
        scope: "read",
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: await signed(secret),
      });
    expect((await withAssertion(client.client_secret!)).status).toBe(200);
    expect((await withAssertion(rotated.client_secret)).status).toBe(200);
    // The previous HMAC key is kept encrypted, never in clear.
    const row = JSON.stringify(await storedRow(client.client_id));
    expect(row).not.toContain(client.client_secret!);

    await endOverlapAt(client.client_id, new Date(Date.now() - 1000));
    const refused = await withAssertion(client.client_secret!);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error_description: string }).error_description).toMatch(
      /signature is invalid/,
    );
    expect((await withAssertion(rotated.client_secret)).status).toBe(200);
  });

  it("without an overlap the old secret stops at once; a second rotation ends the older secret", async () => {
    const client = await machine();
    const first = (await (await rotate(client.client_id)).json()) as Record<string, unknown>;
    expect(first.rotated_secret_expires_at).toBeUndefined();
    expect((await basic(client, client.client_secret!)).status).toBe(401);

    const second = (await (await rotate(client.client_id, { overlap_seconds: 300 })).json()) as {
      client_secret: string;
    };
    const third = (await (await rotate(client.client_id, { overlap_seconds: 300 })).json()) as {
      client_secret: string;
    };
    // Two secrets at most: the one rotated twice ago is refused, the previous and the new work.
    expect((await basic(client, first.client_secret as string)).status).toBe(401);
    expect((await basic(client, second.client_secret)).status).toBe(200);
    expect((await basic(client, third.client_secret)).status).toBe(200);
  });

  it("an edit keeps the overlap; a new secret given by PUT ends it", async () => {
    const client = await machine();
    await rotate(client.client_id, { overlap_seconds: 600 });
    const edit = (body: Record<string, unknown>) =>
      t.admin(`/admin/clients/${client.client_id}`, {
        method: "PUT",
        body: JSON.stringify({ grant_types: ["client_credentials"], scope: "read", ...body }),
      });
    const renamed = await edit({ client_name: "renamed" });
    expect(renamed.status).toBe(200);
    const kept = ((await renamed.json()) as { rotated_secret_expires_at?: string }).rotated_secret_expires_at;
    expect(Date.parse(kept ?? "")).toBeGreaterThan(Date.now());
    expect((await basic(client, client.client_secret!)).status).toBe(200);

    expect((await edit({ client_secret: "a-secret-given-by-put" })).status).toBe(200);
    expect((await basic(client, client.client_secret!)).status).toBe(401);
    expect((await basic(client, "a-secret-given-by-put")).status).toBe(200);
  });

  it("refuses an overlap that is negative, fractional, too long or not a number, changing nothing", async () => {
    const client = await machine();
    for (const body of [
      { overlap_seconds: -1 },
      { overlap_seconds: 1.5 },
      { overlap_seconds: 30 * 24 * 3600 + 1 },
      { overlap_seconds: "3600" },
      "[1]",
      "{not json",
    ]) {
      const res = await rotate(client.client_id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const err = (await res.json()) as { error: { code: number; message: string } };
      expect(err.error.code).toBe(400);
    }
    // Nothing was rotated: the original secret still works, alone.
    expect((await basic(client, client.client_secret!)).status).toBe(200);
    expect((await storedRow(client.client_id)).data).not.toHaveProperty("previous_secret");
    // The longest overlap allowed is accepted.
    expect((await rotate(client.client_id, { overlap_seconds: 30 * 24 * 3600 })).status).toBe(200);
  });

  it("is audited with the overlap and the previous secret's end, never a secret", async () => {
    const client = await machine();
    const rotated = (await (
      await rotate(client.client_id, { overlap_seconds: 120 }, { "x-olympus-actor": "ops@iam" })
    ).json()) as { client_secret: string; rotated_secret_expires_at: string };
    const res = await fetch(
      `${t.adminUrl}/admin/olympus/audit?page_size=10&event=admin.clients.secrets.rotate&target=${encodeURIComponent(client.client_id)}`,
    );
    const rows = (await res.json()) as { metadata: Record<string, unknown> }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.metadata).toMatchObject({
      admin: "ops@iam",
      overlap_seconds: 120,
      previous_secret_expires_at: rotated.rotated_secret_expires_at,
    });
    const text = JSON.stringify(rows);
    expect(text).not.toContain(rotated.client_secret);
    expect(text).not.toContain(client.client_secret!);
  });
});
