import { startTestCore, type TestCore } from "@olympus/identity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nextPageToken, OlympusAdminApi, OlympusApiError, OlympusOAuth2AdminApi } from "./olympus.ts";

let t: TestCore;
beforeAll(async () => {
  t = await startTestCore();
});
afterAll(() => t?.stop());

describe("OlympusAdminApi pages", () => {
  it("walks the audit log page by page with the Link header's next token, and names the actor", async () => {
    for (const n of [1, 2, 3]) {
      const res = await fetch(`${t.adminUrl}/admin/identities`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-olympus-actor": "pager@demo.user" },
        body: JSON.stringify({ schema_id: "default", traits: { email: `page-${n}@example.com` } }),
      });
      expect(res.status).toBe(201);
    }
    const api = new OlympusAdminApi(t.adminUrl);
    const first = await api.auditPage({ event: "admin.identities.create", page_size: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.next).toBeTruthy();
    const second = await api.auditPage({
      event: "admin.identities.create",
      page_size: 2,
      page_token: first.next,
    });
    expect(second.items).toHaveLength(1);
    expect(second.next).toBeUndefined();
    const ids = [...first.items, ...second.items].map((e) => e.id);
    expect(new Set(ids).size).toBe(3);
    for (const e of [...first.items, ...second.items]) expect(e.metadata.admin).toBe("pager@demo.user");
    expect((await api.lockoutsPage()).items).toEqual([]);
  });

  it("reads only the rel=next link", () => {
    expect(nextPageToken('</a?page_size=2&page_token=MA>; rel="first",</a?page_token=Mg>; rel="next"')).toBe(
      "Mg",
    );
    expect(nextPageToken('</a?page_token=MA>; rel="first"')).toBeUndefined();
    expect(nextPageToken(null)).toBeUndefined();
  });
});

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
    expect(rotated.client_secret).toBeTruthy();
    expect(rotated.client_secret).not.toBe(client.client_secret);
    await expect(api.rotateClientSecret("no-such-client")).rejects.toBeInstanceOf(OlympusApiError);
  });
});
