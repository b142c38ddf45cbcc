import { startTestCore, type TestCore } from "@olympus/identity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nextPageToken, OlympusAdminApi } from "./olympus.ts";

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
