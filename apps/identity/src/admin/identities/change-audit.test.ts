import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCore, type TestCore } from "../../testing/index.ts";
import { diffJson } from "./change-audit.ts";

/*
 * Every admin change of an identity is an `identity.updated` audit row with a readable,
 * field-by-field diff and the administrator Athena named; a write that changes nothing adds none,
 * and a new password is named without being shown.
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

async function rows(target: string): Promise<any[]> {
  const res = await fetch(
    `${t.adminUrl}/admin/olympus/audit?page_size=100&event=identity.updated&target=${target}`,
  );
  return ((await res.json()) as any[]).reverse();
}

describe("diffJson", () => {
  it("names leaf paths, compares arrays whole, and treats missing as null", () => {
    expect(
      diffJson({ a: { b: 1, c: [1, 2] }, d: "x" }, { a: { b: 2, c: [1, 2] }, e: true }, "traits"),
    ).toEqual([
      { path: "traits.a.b", old: 1, new: 2 },
      { path: "traits.d", old: "x", new: null },
      { path: "traits.e", old: null, new: true },
    ]);
    expect(diffJson({ a: [1] }, { a: [1] }, "")).toEqual([]);
  });
});

describe("identity.updated", () => {
  it("records traits, metadata, state and verification changes of PATCH and PUT with who made them", async () => {
    const created = await admin("/admin/identities", {
      method: "POST",
      body: JSON.stringify({
        schema_id: "default",
        traits: { email: "diff@example.com", name: { first: "Di" } },
      }),
    });
    const id = ((await created.json()) as { id: string }).id;
    expect(await rows(id)).toEqual([]);

    const patched = await admin(`/admin/identities/${id}`, {
      method: "PATCH",
      body: JSON.stringify([
        { op: "replace", path: "/traits/name/first", value: "Diana" },
        { op: "add", path: "/metadata_public", value: { plan: "pro" } },
        { op: "replace", path: "/verifiable_addresses/0/verified", value: true },
      ]),
    });
    expect(patched.status).toBe(200);
    let r = await rows(id);
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ actor: "admin", target: id, metadata: { admin: "ada@iam" } });
    expect(r[0].metadata.changes).toEqual(
      expect.arrayContaining([
        { path: "traits.name.first", old: "Di", new: "Diana" },
        { path: "metadata_public.plan", old: null, new: "pro" },
        { path: "verifiable_addresses.diff@example.com.verified", old: false, new: true },
      ]),
    );
    expect(r[0].metadata.changes).toHaveLength(3);

    const put = await admin(`/admin/identities/${id}`, {
      method: "PUT",
      body: JSON.stringify({
        schema_id: "default",
        traits: { email: "diff@example.com", name: { first: "Diana" } },
        state: "inactive",
        metadata_public: { plan: "pro" },
        credentials: { password: { config: { password: "a brand new long password" } } },
      }),
    });
    expect(put.status).toBe(200);
    r = await rows(id);
    expect(r).toHaveLength(2);
    expect(r[1].metadata.changes).toEqual([
      { path: "state", old: "active", new: "inactive" },
      { path: "credentials.password", old: "(set)", new: "(replaced)" },
    ]);
    expect(JSON.stringify(r[1])).not.toContain("a brand new long password");

    // Same values again: nothing changed, no row.
    await admin(`/admin/identities/${id}`, {
      method: "PATCH",
      body: JSON.stringify([{ op: "replace", path: "/state", value: "inactive" }]),
    });
    expect(await rows(id)).toHaveLength(2);
  });

  it("adds no row when the change is refused", async () => {
    const created = await admin("/admin/identities", {
      method: "POST",
      body: JSON.stringify({ schema_id: "default", traits: { email: "refused@example.com" } }),
    });
    const id = ((await created.json()) as { id: string }).id;
    const bad = await admin(`/admin/identities/${id}`, {
      method: "PATCH",
      body: JSON.stringify([{ op: "replace", path: "/traits/email", value: "not an email" }]),
    });
    expect(bad.status).toBe(400);
    expect(await rows(id)).toEqual([]);
  });
});
