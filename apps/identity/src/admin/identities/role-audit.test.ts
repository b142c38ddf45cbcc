import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCore, type TestCore } from "../../testing/core.ts";

/*
 * Issue 16, finding 1: an administrator's role lives in metadata_admin, and every change of it —
 * whichever admin call made it — is an `identity.role.changed` audit row with the old and new role
 * and the administrator Athena named.
 */

let t: TestCore;
beforeAll(async () => {
  t = await startTestCore();
}, 60_000);
afterAll(() => t?.stop());

const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${t.adminUrl}${path}`, {
    ...init,
    headers: { "content-type": "application/json", "x-olympus-actor": "ada@iam", ...(init.headers ?? {}) },
  });

async function roleRows(target: string): Promise<any[]> {
  const res = await fetch(
    `${t.adminUrl}/admin/olympus/audit?page_size=1000&event=identity.role.changed&target=${target}`,
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as any[]).sort((a, b) =>
    String(a.created_at).localeCompare(String(b.created_at)),
  );
}

describe("identity.role.changed", () => {
  it("is written on create, PATCH and PUT when metadata_admin.role changes, and only then", async () => {
    const created = await admin("/admin/identities", {
      method: "POST",
      body: JSON.stringify({
        schema_id: "default",
        traits: { email: "role-audit@example.com" },
        metadata_admin: { role: "viewer" },
      }),
    });
    expect(created.status).toBe(201);
    const identity = (await created.json()) as Record<string, any>;
    const id = identity.id as string;

    let rows = await roleRows(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor: "admin",
      target: id,
      metadata: { old: null, new: "viewer", admin: "ada@iam" },
    });

    const patched = await admin(`/admin/identities/${id}`, {
      method: "PATCH",
      body: JSON.stringify([{ op: "add", path: "/metadata_admin/role", value: "admin" }]),
    });
    expect(patched.status).toBe(200);
    rows = await roleRows(id);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ metadata: { old: "viewer", new: "admin", admin: "ada@iam" } });

    // Other metadata, traits or state: no role event.
    expect(
      (
        await admin(`/admin/identities/${id}`, {
          method: "PATCH",
          body: JSON.stringify([{ op: "add", path: "/metadata_admin/note", value: "x" }]),
        })
      ).status,
    ).toBe(200);
    const put = await admin(`/admin/identities/${id}`, {
      method: "PUT",
      body: JSON.stringify({
        schema_id: identity.schema_id,
        traits: { email: "role-audit@example.com" },
        state: "inactive",
        metadata_admin: { role: "admin", note: "x" },
      }),
    });
    expect(put.status).toBe(200);
    expect(await roleRows(id)).toHaveLength(2);

    // PUT without the role removes it: that is a change too.
    expect(
      (
        await admin(`/admin/identities/${id}`, {
          method: "PUT",
          body: JSON.stringify({
            schema_id: identity.schema_id,
            traits: { email: "role-audit@example.com" },
            state: "active",
          }),
        })
      ).status,
    ).toBe(200);
    rows = await roleRows(id);
    expect(rows).toHaveLength(3);
    expect(rows[2]).toMatchObject({ metadata: { old: "admin", new: null } });
  });
});
