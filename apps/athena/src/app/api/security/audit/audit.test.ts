import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest, type IamHarness, PASSWORD, startIam } from "@/test/iam-core";
import { GET as exportAudit } from "./export/route";
import { GET as listAudit } from "./route";

/*
 * The audit log through Athena's routes, against a real IAM core: actors and targets by name and
 * address, a date range (whole UTC days), and the CSV/JSON export with the same filters. Viewers read
 * the log (and so export it); without a session nothing is answered.
 */

let iam: IamHarness;
const ids: Record<string, string> = {};
const cookies: Record<string, string> = {};
const today = new Date().toISOString().slice(0, 10);
const dayOffset = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);

/** A password sign-in through the core's API flow: a `login.succeeded` row whose actor is the identity. */
async function signIn(email: string): Promise<void> {
  const flow = (await (await fetch(`${iam.core.publicUrl}/self-service/login/api`)).json()) as { id: string };
  const res = await fetch(`${iam.core.publicUrl}/self-service/login?flow=${flow.id}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ method: "password", identifier: email, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  iam = await startIam();
  ids.admin = await iam.createIdentity("ada@audit.test", { metadata_admin: { role: "admin" } });
  ids.viewer = await iam.createIdentity("vic@audit.test", { metadata_admin: { role: "viewer" } });
  ids.grace = await iam.createIdentity("grace@audit.test", {
    traits: { email: "grace@audit.test", name: { first: "Grace", last: "Hopper" } },
  });
  cookies.admin = await iam.cookieFor(ids.admin, "ada@audit.test", "admin");
  cookies.viewer = await iam.cookieFor(ids.viewer, "vic@audit.test", "viewer");
  await signIn("grace@audit.test");
  // An administrator's change, with a user agent a spreadsheet would run as a formula.
  const res = await fetch(`${iam.core.adminUrl}/admin/identities/${ids.grace}`, {
    method: "PATCH",
    headers: {
      "content-type": "application/json",
      "x-olympus-actor": "ada@audit.test",
      "user-agent": '=HYPERLINK("http://evil.test","x")',
    },
    body: JSON.stringify([{ op: "replace", path: "/state", value: "inactive" }]),
  });
  expect(res.status).toBe(200);
}, 120_000);
afterAll(() => iam?.stop());

const get = (handler: typeof listAudit, path: string, cookie: string | undefined) =>
  handler(apiRequest("GET", path, cookie), { params: Promise.resolve({}) });

interface Row {
  event: string;
  actor: string;
  admin: string | null;
  target: string | null;
  actorNamed?: { name: string; address: string };
  targetNamed?: { name: string; address: string };
}

describe("GET /api/security/audit", () => {
  it("names the actor and the target by name and address, for a viewer too", async () => {
    const res = await get(listAudit, "/api/security/audit", cookies.viewer);
    expect(res.status).toBe(200);
    const rows = ((await res.json()) as { rows: Row[] }).rows;
    const login = rows.find((r) => r.event === "login.succeeded" && r.actor === ids.grace);
    expect(login?.actorNamed).toEqual({ name: "Grace Hopper", address: "grace@audit.test" });
    const patch = rows.find((r) => r.event === "admin.identities.update" && r.target === ids.grace);
    expect(patch).toMatchObject({
      actor: "admin",
      admin: "ada@audit.test",
      targetNamed: { name: "Grace Hopper", address: "grace@audit.test" },
    });
    // An identity without a name is named by its address.
    const created = rows.find((r) => r.event === "admin.identities.create" && r.target === ids.viewer);
    expect(created?.targetNamed).toEqual({ name: "vic@audit.test", address: "vic@audit.test" });
  });

  it("filters by a date range of whole UTC days", async () => {
    const count = async (q: string) => {
      const res = await get(listAudit, `/api/security/audit?event=login.succeeded&${q}`, cookies.viewer);
      expect(res.status, q).toBe(200);
      return ((await res.json()) as { rows: Row[] }).rows.length;
    };
    expect(await count(`from=${today}&to=${today}`)).toBe(1);
    expect(await count(`from=${today}`)).toBe(1);
    expect(await count(`to=${today}`)).toBe(1);
    expect(await count(`from=${dayOffset(1)}`)).toBe(0);
    expect(await count(`to=${dayOffset(-1)}`)).toBe(0);
  });

  it("refuses a bad date or a range that ends before it starts with a 400 on the field", async () => {
    for (const [q, field] of [
      ["from=yesterday", "from"],
      ["to=2026-02-31", "to"],
      ["from=2026-01-01T00:00:00Z", "from"],
      [`from=${today}&to=${dayOffset(-2)}`, "to"],
    ] as const) {
      const res = await get(listAudit, `/api/security/audit?${q}`, cookies.viewer);
      expect(res.status, q).toBe(400);
      const body = (await res.json()) as { error: { fields: Record<string, string> } };
      expect(Object.keys(body.error.fields), q).toEqual([field]);
    }
  });

  it("answers nothing without a session", async () => {
    expect((await get(listAudit, "/api/security/audit", undefined)).status).toBe(401);
    expect((await get(exportAudit, "/api/security/audit/export?format=csv", undefined)).status).toBe(401);
  });
});

describe("GET /api/security/audit/export", () => {
  it("streams CSV with names, the filters applied, and formula-looking cells defused", async () => {
    const res = await get(
      exportAudit,
      `/api/security/audit/export?format=csv&target=${ids.grace}&from=${today}&to=${today}`,
      cookies.viewer,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(
      /^attachment; filename="audit-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const lines = (await res.text()).split("\r\n").filter(Boolean);
    expect(lines[0]).toBe(
      "created_at,event,actor,actor_name,actor_address,target,target_name,target_address,ip_address,user_agent,metadata,id",
    );
    const patch = lines.find((l) => l.includes(",admin.identities.update,"));
    expect(patch).toContain(`,admin,ada@audit.test,,${ids.grace},Grace Hopper,grace@audit.test,`);
    // The user agent starts with "=": written as text, never as a formula.
    expect(patch).toContain(`"'=HYPERLINK(""http://evil.test"",""x"")"`);
    const login = lines.find((l) => l.includes(",login.succeeded,"));
    expect(login).toContain(`,${ids.grace},Grace Hopper,grace@audit.test,`);
    // Every row is about grace (the target filter), and nothing from other identities.
    expect(lines.slice(1).every((l) => l.includes(`,${ids.grace},`))).toBe(true);
    expect(lines.some((l) => l.includes(ids.viewer!))).toBe(false);
  });

  it("streams a JSON array with the same rows, and nothing for a range with no events", async () => {
    const res = await get(
      exportAudit,
      `/api/security/audit/export?format=json&target=${ids.grace}`,
      cookies.admin,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const rows = (await res.json()) as Record<string, unknown>[];
    expect(rows.map((r) => r.event).sort()).toEqual(
      ["admin.identities.create", "admin.identities.update", "identity.updated", "login.succeeded"].sort(),
    );
    expect(rows.find((r) => r.event === "admin.identities.update")).toMatchObject({
      actor: "admin",
      actor_name: "ada@audit.test",
      target: ids.grace,
      target_name: "Grace Hopper",
      target_address: "grace@audit.test",
      user_agent: '=HYPERLINK("http://evil.test","x")',
    });
    const empty = await get(
      exportAudit,
      `/api/security/audit/export?format=json&from=${dayOffset(1)}`,
      cookies.viewer,
    );
    expect(await empty.json()).toEqual([]);
    const emptyCsv = await get(
      exportAudit,
      `/api/security/audit/export?format=csv&from=${dayOffset(1)}`,
      cookies.viewer,
    );
    expect((await emptyCsv.text()).split("\r\n").filter(Boolean)).toHaveLength(1);
  });

  it("refuses an unknown format and a bad range with a 400", async () => {
    expect((await get(exportAudit, "/api/security/audit/export?format=xml", cookies.viewer)).status).toBe(
      400,
    );
    expect(
      (await get(exportAudit, "/api/security/audit/export?from=13/01/2026", cookies.viewer)).status,
    ).toBe(400);
  });
});
