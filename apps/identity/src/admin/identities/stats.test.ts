import { Configuration, FrontendApi, IdentityApi } from "@ory/client-fetch";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { courierMessages, identities } from "../../db/schema.ts";
import { uuid } from "../../security/random.ts";
import { startTestCore, type TestCore } from "../../testing/index.ts";

let t: TestCore;
let api: FrontendApi;
let admin: IdentityApi;

beforeAll(async () => {
  t = await startTestCore();
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
    });
    expect(s.identities.new_per_day).toHaveLength(30);
    expect(s.identities.new_per_day.at(-1)).toEqual({ date: utcDate(Date.now()), count: 0 });
    expect(s.identities.new_per_day[0].date).toBe(utcDate(Date.now() - 29 * DAY));
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

    // Deactivation and deletion show at once; the endpoint is also served without /admin.
    await admin.deleteIdentity({ id: inactive.id });
    const after = await stats("/olympus/stats");
    expect(after.identities.total).toBe(4);
    expect(after.identities.by_state).toEqual({ active: 4, inactive: 0 });
  });
});
