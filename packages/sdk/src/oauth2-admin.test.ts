import { startTestCore, type TestCore } from "@olympus/identity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OlympusApiError, OlympusOAuth2AdminApi } from "./olympus.ts";

let t: TestCore;
beforeAll(async () => {
  t = await startTestCore({ overrides: { secrets: { cipher: ["sdk-oauth2-test-cipher-32-chars!"] } } });
  // A core on PGlite takes a while to start on a busy machine.
}, 60_000);
afterAll(() => t?.stop());

describe("OlympusOAuth2AdminApi", () => {
  it("rotates a client secret through POST /admin/clients/{id}/secrets/rotate", async () => {
    const calls: string[] = [];
    const api = new OlympusOAuth2AdminApi(t.oauth2AdminUrl, (input, init) => {
      calls.push(`${init?.method} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    });
    const created = await fetch(`${t.oauth2AdminUrl}/admin/clients`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_types: ["client_credentials"] }),
    });
    expect(created.status).toBe(201);
    const client = (await created.json()) as { client_id: string; client_secret: string };
    const rotated = await api.rotateClientSecret(client.client_id);
    expect(calls).toEqual([`POST /admin/clients/${client.client_id}/secrets/rotate`]);
    expect(rotated.client_id).toBe(client.client_id);
    expect(rotated.client_secret).toMatch(/^[A-Za-z0-9]{26,}$/);
    expect(rotated.client_secret).not.toBe(client.client_secret);

    // The new secret authenticates the client at the token endpoint; the old one no longer does.
    const token = (secret: string) =>
      fetch(`${t.oauth2PublicUrl}/oauth2/token`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${Buffer.from(`${client.client_id}:${secret}`).toString("base64")}`,
        },
        body: new URLSearchParams({ grant_type: "client_credentials" }),
      });
    expect((await token(rotated.client_secret)).status).toBe(200);
    expect((await token(client.client_secret)).status).toBe(401);

    // With an overlap the previous secret keeps working, and the answer says until when.
    const overlapped = await api.rotateClientSecret(client.client_id, { overlapSeconds: 600 });
    expect(Date.parse(overlapped.rotated_secret_expires_at ?? "")).toBeGreaterThan(Date.now() + 590_000);
    expect((await token(rotated.client_secret)).status).toBe(200);
    expect((await token(overlapped.client_secret)).status).toBe(200);
    const tooLong = await api
      .rotateClientSecret(client.client_id, { overlapSeconds: 31 * 24 * 3600 })
      .catch((e: unknown) => e);
    expect((tooLong as OlympusApiError).status).toBe(400);

    const missing = await api.rotateClientSecret("no-such-client").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OlympusApiError);
    expect((missing as OlympusApiError).status).toBe(404);
  });
});
