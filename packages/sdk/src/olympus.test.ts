import { startTestCore, type TestCore } from "@olympus/identity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nextPageToken, OlympusAdminApi, type OlympusStats } from "./olympus.ts";

let t: TestCore;
beforeAll(async () => {
  t = await startTestCore({
    overrides: {
      secrets: { cipher: ["sdk-test-cipher-secret-32-chars!"] },
      security: { brute_force: { max_attempts: 2 }, rate_limit: { enabled: false } },
    },
  });
  // A core on PGlite takes a while to start on a busy machine.
}, 60_000);
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

describe("OlympusAdminApi.stats", () => {
  it("answers the typed dashboard figures", async () => {
    const api = new OlympusAdminApi(t.adminUrl);
    const before = await api.stats();
    // Two failed sign-ins lock the (unknown) identifier; one public client.
    for (let i = 0; i < 2; i++) {
      const flow = await (await fetch(`${t.publicUrl}/self-service/login/api`)).json();
      const res = await fetch(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({
          method: "password",
          identifier: "ghost@example.com",
          password: "not it at all",
        }),
      });
      expect(res.status).toBe(400);
    }
    const created = await fetch(`${t.oauth2AdminUrl}/admin/clients`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_name: "spa", token_endpoint_auth_method: "none" }),
    });
    expect(created.status).toBe(201);

    const s = await api.stats();
    const today = new Date().toISOString().slice(0, 10);
    const perDay = s.security.logins_per_day;
    // Every key the type names is there, and nothing else: the literal is checked against OlympusStats.
    const expected: OlympusStats = {
      identities: {
        total: before.identities.total,
        by_state: before.identities.by_state,
        new_per_day: before.identities.new_per_day,
      },
      sessions: { active: 0 },
      verification: before.verification,
      courier: before.courier,
      security: {
        logins_per_day: perDay,
        lockouts: { active: 1, by_type: { identifier: 1, ip: 0, aal2: 0 } },
      },
      oauth2_clients: { total: 1, public: 1, confidential: 0, by_grant_type: { authorization_code: 1 } },
    };
    expect(s).toEqual(expected);
    expect(perDay).toHaveLength(30);
    expect(perDay.at(-1)).toEqual({ date: today, succeeded: 0, failed: 2 });
  });
});

describe("OlympusAdminApi.selfService", () => {
  it("says which self-service flows the domain offers", async () => {
    const features = await new OlympusAdminApi(t.adminUrl).selfService();
    expect(features.settings.delete_account.enabled).toBe(true);
    expect(features.registration.enabled).toBe(true);
  });
});
