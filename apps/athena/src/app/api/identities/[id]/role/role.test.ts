import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest, type IamHarness, startIam } from "@/test/iam-core";
import { POST as create } from "../../route";
import { PUT } from "./route";

/*
 * Only an administrator changes an Athena role (issue 16, finding 1): PUT /api/identities/{id}/role
 * writes `metadata_admin.role` through the real IAM core, which audits `identity.role.changed`.
 */

let iam: IamHarness;
const ids: Record<string, string> = {};
const cookies: Record<string, string> = {};

beforeAll(async () => {
  iam = await startIam();
  ids.admin = await iam.createIdentity("ada@iam.test", { metadata_admin: { role: "admin" } });
  ids.viewer = await iam.createIdentity("vic@iam.test", { metadata_admin: { role: "viewer" } });
  ids.target = await iam.createIdentity("tom@iam.test", { metadata_admin: { role: "viewer", note: "kept" } });
  ids.demo = await iam.createIdentity("demo@iam.test", { metadata_admin: { role: "viewer", demo: true } });
  cookies.admin = await iam.cookieFor(ids.admin, "ada@iam.test", "admin");
  cookies.viewer = await iam.cookieFor(ids.viewer, "vic@iam.test", "viewer");
}, 120_000);
afterAll(() => iam?.stop());

const setRole = (cookie: string | undefined, id: string, body: unknown) =>
  PUT(apiRequest("PUT", `/api/identities/${id}/role`, cookie, body), { params: Promise.resolve({ id }) });

async function roleEvents(target: string): Promise<any[]> {
  const res = await fetch(
    `${iam.core.adminUrl}/admin/olympus/audit?event=identity.role.changed&target=${target}&page_size=100`,
  );
  return (await res.json()) as any[];
}

describe("PUT /api/identities/{id}/role", () => {
  it("lets an admin promote a viewer: metadata_admin.role changes, other metadata stays, the core audits old and new", async () => {
    const res = await setRole(cookies.admin, ids.target!, { role: "admin" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: ids.target, old_role: "viewer", role: "admin" });
    const after = await iam.identity(ids.target!);
    expect(after.metadata_admin).toEqual({ role: "admin", note: "kept" });
    expect(after.traits).toEqual({ email: "tom@iam.test" });
    // Its creation with a role was the first event; the promotion is the second.
    const events = (await roleEvents(ids.target!)).filter((e) => e.metadata.old !== null);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event: "identity.role.changed",
      target: ids.target,
      metadata: { old: "viewer", new: "admin", admin: "ada@iam.test" },
    });

    // And takes it away again (null): the identity can no longer sign in to Athena.
    const removed = await setRole(cookies.admin, ids.target!, { role: null });
    expect(await removed.json()).toEqual({ id: ids.target, old_role: "admin", role: null });
    expect((await iam.identity(ids.target!)).metadata_admin).toEqual({ note: "kept" });
    expect((await roleEvents(ids.target!)).map((e) => `${e.metadata.old}→${e.metadata.new}`).sort()).toEqual([
      "admin→null",
      "null→viewer",
      "viewer→admin",
    ]);
  });

  it("refuses a viewer (403), even one whose cookie claims admin, and changes nothing", async () => {
    const before = (await iam.identity(ids.viewer!)).metadata_admin;
    const res = await setRole(cookies.viewer, ids.viewer!, { role: "admin" });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { id: string } }).error.id).toBe("forbidden");
    const forged = await iam.cookieFor(ids.viewer!, "vic@iam.test", "admin");
    expect((await setRole(forged, ids.demo!, { role: "admin" })).status).toBe(403);
    expect((await iam.identity(ids.viewer!)).metadata_admin).toEqual(before);
    expect(await roleEvents(ids.viewer!)).toHaveLength(1); // only its creation
    expect((await setRole(undefined, ids.viewer!, { role: "admin" })).status).toBe(401);
  });

  it("protects the administrator's own role and demo identities (409), and refuses unknown roles (400)", async () => {
    expect((await setRole(cookies.admin, ids.admin!, { role: "viewer" })).status).toBe(409);
    expect((await setRole(cookies.admin, ids.demo!, { role: "admin" })).status).toBe(409);
    for (const body of [{ role: "root" }, { role: 1 }, {}, { role: ["admin"] }]) {
      const res = await setRole(cookies.admin, ids.viewer!, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { id: string } }).error.id).toBe("invalid_body");
    }
    expect((await setRole(cookies.admin, "not-a-uuid", { role: "admin" })).status).toBe(404);
    expect((await iam.identity(ids.admin!)).metadata_admin).toEqual({ role: "admin" });
  });

  it("creating an IAM identity can give the role, into metadata_admin and never into the traits", async () => {
    const body = { schema_id: "admin", traits: { email: "new-admin@iam.test" }, role: "viewer" };
    const res = await create(apiRequest("POST", "/api/identities", cookies.admin, body), {
      params: Promise.resolve({}),
    });
    expect(res.status).toBe(201);
    const made = await iam.identity(((await res.json()) as { id: string }).id);
    expect(made.metadata_admin).toEqual({ role: "viewer" });
    expect(made.traits).toEqual({ email: "new-admin@iam.test" });
    // A role smuggled in as a trait is refused by the schema, not silently kept.
    const smuggled = await create(
      apiRequest("POST", "/api/identities", cookies.admin, {
        schema_id: "admin",
        traits: { email: "smuggled@iam.test", role: "admin" },
      }),
      { params: Promise.resolve({}) },
    );
    expect(smuggled.status).toBe(400);
  });
});
