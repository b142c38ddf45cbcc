import { Configuration, FrontendApi, IdentityApi } from "@ory/client-fetch";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { courierMessages, identities, securityAuditLog, securityLoginThrottles } from "../../db/schema.ts";
import { type OAuth2TestCore, startOAuth2Core } from "../../oauth2/test-helpers.ts";
import { uuid } from "../../security/random.ts";
import { login as loginAttempt } from "../../security/testkit.ts";

let t: OAuth2TestCore;
let api: FrontendApi;
let admin: IdentityApi;

beforeAll(async () => {
  t = await startOAuth2Core({
    security: { brute_force: { max_attempts: 3, ip_max_attempts: 50 }, rate_limit: { enabled: false } },
  });
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
  admin = new IdentityApi(new Configuration({ basePath: t.adminUrl }));
});
afterAll(() => t?.stop());

const PASSWORD = "correct horse battery staple";
const DAY = 86_400_000;

async function stats(path = "/admin/olympus/stats") {
  const res = await fetch(`${t.adminUrl}${path}`);
  expect(res.status).toBe(200);
  return (await res.json()) as any;
}

async function create(email: string, extra: Record<string, unknown> = {}) {
  return admin.createIdentity({
    createIdentityBody: {
      schema_id: "default",
      traits: { email },
      credentials: { password: { config: { password: PASSWORD } } },
      ...extra,
    },
  });
}

async function login(identifier: string) {
  const flow = await api.createNativeLoginFlow();
  return api.updateLoginFlow({
    flow: flow.id,
    updateLoginFlowBody: { method: "password", identifier, password: PASSWORD },
  });
}

const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe("GET /admin/olympus/stats", () => {
  it("is all zeros on an empty domain, with 30 days of history ending today", async () => {
    const s = await stats();
    expect(s).toEqual({
      identities: { total: 0, by_state: { active: 0, inactive: 0 }, new_per_day: expect.any(Array) },
      sessions: { active: 0 },
      verification: { verified: 0, total: 0 },
      courier: { queued: 0, sent: 0, abandoned: 0 },
      security: {
        logins_per_day: expect.any(Array),
        lockouts: { active: 0, by_type: { identifier: 0, ip: 0, aal2: 0 } },
      },
      oauth2_clients: { total: 0, public: 0, confidential: 0, by_grant_type: {} },
    });
    expect(s.identities.new_per_day).toHaveLength(30);
    expect(s.identities.new_per_day.at(-1)).toEqual({ date: utcDate(Date.now()), count: 0 });
    expect(s.identities.new_per_day[0].date).toBe(utcDate(Date.now() - 29 * DAY));
    expect(s.security.logins_per_day).toHaveLength(30);
    expect(s.security.logins_per_day.map((d: any) => d.date)).toEqual(
      s.identities.new_per_day.map((d: any) => d.date),
    );
    expect(s.security.logins_per_day.every((d: any) => d.succeeded === 0 && d.failed === 0)).toBe(true);
  });

  it("counts what was created", async () => {
    await create("stats-1@example.com", {
      verifiable_addresses: [{ value: "stats-1@example.com", verified: true, via: "email" }],
    });
    await create("stats-2@example.com");
    const inactive = await create("stats-3@example.com", { state: "inactive" });
    const old = await create("stats-old@example.com");
    const older = await create("stats-older@example.com");
    // Backdate two identities: one three days ago, one outside the 30-day window.
    const db = t.core.ctx.db;
    await db
      .update(identities)
      .set({ createdAt: new Date(Date.now() - 3 * DAY) })
      .where(eq(identities.id, old.id));
    await db
      .update(identities)
      .set({ createdAt: new Date(Date.now() - 40 * DAY) })
      .where(eq(identities.id, older.id));

    // Two wrong passwords for stats-2 (below the limit of 3), then its right one clears its counter.
    for (let i = 0; i < 2; i++) {
      expect((await loginAttempt(t.publicUrl, "stats-2@example.com", "wrong password!")).res.status).toBe(
        400,
      );
    }
    const s1 = await login("stats-1@example.com");
    await login("stats-2@example.com");
    await login("stats-2@example.com");
    await admin.disableSession({ id: s1.session.id });

    const message = (status: "queued" | "sent" | "abandoned") => ({
      id: uuid(),
      status,
      recipient: "stats-1@example.com",
      subject: "s",
      body: "b",
      templateType: "test",
    });
    await db
      .insert(courierMessages)
      .values([
        message("queued"),
        message("sent"),
        message("sent"),
        message("abandoned"),
        { ...message("queued"), status: "processing" as const },
      ]);

    // An unknown identifier: three failures lock it, the fourth attempt is refused as locked.
    for (let i = 0; i < 4; i++) {
      expect((await loginAttempt(t.publicUrl, "nobody@example.com", "wrong password!")).res.status).toBe(400);
    }
    // A lock that ran out is not counted; an address lock is.
    await db.insert(securityLoginThrottles).values([
      {
        id: uuid(),
        kind: "ip",
        key: "198.51.100.7",
        attempts: 60,
        windowStartedAt: new Date(Date.now() - 20 * 60_000),
        lockedUntil: new Date(Date.now() - 60_000),
      },
      {
        id: uuid(),
        kind: "ip",
        key: "198.51.100.8",
        attempts: 60,
        windowStartedAt: new Date(),
        lockedUntil: new Date(Date.now() + 600_000),
      },
    ]);
    // Older audit rows: one failure three days ago, one success outside the window, and a second-factor
    // failure (not a sign-in event of its own) today.
    const event = (name: string, at: number) => ({
      id: uuid(),
      event: name,
      actor: "anonymous",
      createdAt: new Date(at),
    });
    await db
      .insert(securityAuditLog)
      .values([
        event("login.failed", Date.now() - 3 * DAY),
        event("login.succeeded", Date.now() - 40 * DAY),
        event("login.second_factor.failed", Date.now()),
      ]);

    // OAuth2 clients: two confidential (basic, post), one public (none).
    const client = async (body: Record<string, unknown>) => {
      const res = await t.admin("/admin/clients", { method: "POST", body: JSON.stringify(body) });
      expect(res.status).toBe(201);
      return (await res.json()) as { client_id: string };
    };
    await client({ client_name: "web" });
    const machine = await client({
      client_name: "machine",
      grant_types: ["client_credentials"],
      token_endpoint_auth_method: "client_secret_post",
    });
    await client({
      client_name: "spa",
      grant_types: ["authorization_code", "refresh_token"],
      token_endpoint_auth_method: "none",
      redirect_uris: ["http://127.0.0.1:5555/callback"],
    });

    const s = await stats();
    expect(s.identities.total).toBe(5);
    expect(s.identities.by_state).toEqual({ active: 4, inactive: 1 });
    const perDay = new Map(s.identities.new_per_day.map((d: any) => [d.date, d.count]));
    expect(perDay.get(utcDate(Date.now()))).toBe(3);
    expect(perDay.get(utcDate(Date.now() - 3 * DAY))).toBe(1);
    expect([...perDay.values()].reduce((a: number, b) => a + (b as number), 0)).toBe(4);
    expect(s.sessions).toEqual({ active: 2 });
    expect(s.verification).toEqual({ verified: 1, total: 5 });
    expect(s.courier).toEqual({ queued: 1, sent: 2, abandoned: 1 });
    const logins = new Map(s.security.logins_per_day.map((d: any) => [d.date, d]));
    expect(logins.get(utcDate(Date.now()))).toEqual({ date: utcDate(Date.now()), succeeded: 3, failed: 6 });
    expect(logins.get(utcDate(Date.now() - 3 * DAY))).toEqual({
      date: utcDate(Date.now() - 3 * DAY),
      succeeded: 0,
      failed: 1,
    });
    const totals = s.security.logins_per_day.reduce(
      (a: any, d: any) => ({ succeeded: a.succeeded + d.succeeded, failed: a.failed + d.failed }),
      { succeeded: 0, failed: 0 },
    );
    expect(totals).toEqual({ succeeded: 3, failed: 7 });
    expect(s.security.lockouts).toEqual({ active: 2, by_type: { identifier: 1, ip: 1, aal2: 0 } });
    expect(s.oauth2_clients).toEqual({
      total: 3,
      public: 1,
      confidential: 2,
      by_grant_type: { authorization_code: 2, client_credentials: 1, refresh_token: 1 },
    });

    // Deactivation and deletion show at once; the endpoint is also served without /admin.
    await admin.deleteIdentity({ id: inactive.id });
    const after = await stats("/olympus/stats");
    expect(after.identities.total).toBe(4);
    expect(after.identities.by_state).toEqual({ active: 4, inactive: 0 });

    // Unlocking and deleting a client show at once too.
    expect(
      (await fetch(`${t.adminUrl}/admin/olympus/lockouts/nobody@example.com`, { method: "DELETE" })).status,
    ).toBe(204);
    expect((await t.admin(`/admin/clients/${machine.client_id}`, { method: "DELETE" })).status).toBe(204);
    const last = await stats();
    expect(last.security.lockouts).toEqual({ active: 1, by_type: { identifier: 0, ip: 1, aal2: 0 } });
    expect(last.oauth2_clients).toEqual({
      total: 2,
      public: 1,
      confidential: 1,
      by_grant_type: { authorization_code: 2, refresh_token: 1 },
    });
  });
});
