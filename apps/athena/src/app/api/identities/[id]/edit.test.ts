import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest, type IamHarness, startIam } from "@/test/iam-core";
import { POST as sendEmail } from "./email/route";
import { PUT } from "./route";

/*
 * PUT /api/identities/{id}: an administrator edits traits, metadata, state and verified flags
 * through the real IAM core, which validates the traits against the schema (errors come back per
 * field) and audits `identity.updated` with the diff. The Athena role cannot be changed this way.
 * Viewers are refused (also covered for every write route by write-routes.test.ts).
 */

let iam: IamHarness;
const ids: Record<string, string> = {};
const cookies: Record<string, string> = {};

beforeAll(async () => {
  iam = await startIam();
  ids.admin = await iam.createIdentity("ada@edit.test", { metadata_admin: { role: "admin" } });
  ids.viewer = await iam.createIdentity("vic@edit.test", { metadata_admin: { role: "viewer" } });
  ids.target = await iam.createIdentity("tom@edit.test", { metadata_admin: { role: "viewer", note: "x" } });
  ids.demo = await iam.createIdentity("demo@edit.test", { metadata_admin: { demo: true } });
  cookies.admin = await iam.cookieFor(ids.admin, "ada@edit.test", "admin");
  cookies.viewer = await iam.cookieFor(ids.viewer, "vic@edit.test", "viewer");
}, 120_000);
afterAll(() => iam?.stop());

const edit = (cookie: string | undefined, id: string, body: unknown) =>
  PUT(apiRequest("PUT", `/api/identities/${id}`, cookie, body), { params: Promise.resolve({ id }) });

const body = (over: Record<string, unknown> = {}) => ({
  traits: { email: "tom@edit.test" },
  metadata_public: null,
  metadata_admin: null,
  state: "active",
  verified: {},
  ...over,
});

async function updatedEvents(target: string): Promise<any[]> {
  const res = await fetch(
    `${iam.core.adminUrl}/admin/olympus/audit?event=identity.updated&target=${target}&page_size=100`,
  );
  return (await res.json()) as any[];
}

describe("PUT /api/identities/{id}", () => {
  it("saves traits, metadata and verified flags, keeps the role whatever the body says, and the core audits the diff", async () => {
    const before = await iam.identity(ids.target!);
    const res = await edit(
      cookies.admin,
      ids.target!,
      body({
        updated_at: String(before.updated_at),
        traits: { email: "tom@edit.test" },
        metadata_public: { plan: "pro" },
        metadata_admin: { note: "changed", role: "admin" },
        verified: { "tom@edit.test": true },
      }),
    );
    expect(res.status).toBe(200);
    const after = await iam.identity(ids.target!);
    expect(after.metadata_public).toEqual({ plan: "pro" });
    expect(after.metadata_admin).toEqual({ note: "changed", role: "viewer" });
    expect((after.verifiable_addresses as { verified: boolean }[])[0]?.verified).toBe(true);
    const [event] = await updatedEvents(ids.target!);
    expect(event.metadata.admin).toBe("ada@edit.test");
    expect(event.metadata.changes).toEqual(
      expect.arrayContaining([
        { path: "metadata_public.plan", old: null, new: "pro" },
        { path: "metadata_admin.note", old: "x", new: "changed" },
        { path: "verifiable_addresses.tom@edit.test.verified", old: false, new: true },
      ]),
    );
    expect(JSON.stringify(event.metadata.changes)).not.toContain("metadata_admin.role");
  });

  it("answers the core's schema errors per field, and writes nothing", async () => {
    const before = await iam.identity(ids.target!);
    const res = await edit(cookies.admin, ids.target!, body({ traits: { email: "not an email" } }));
    expect(res.status).toBe(400);
    const err = ((await res.json()) as { error: { id: string; fields: Record<string, string> } }).error;
    expect(err.id).toBe("invalid_traits");
    expect(err.fields.email).toMatch(/not valid "email"/);
    expect(await iam.identity(ids.target!)).toEqual(before);
  });

  it("refuses to overwrite a change made since the form was opened (409)", async () => {
    const res = await edit(
      cookies.admin,
      ids.target!,
      body({ updated_at: "2000-01-01T00:00:00.000Z", metadata_public: { stale: true } }),
    );
    expect(res.status).toBe(409);
    expect((await iam.identity(ids.target!)).metadata_public).toEqual({ plan: "pro" });
  });

  it("refuses malformed bodies (400), demo identities (409) and viewers (403)", async () => {
    for (const bad of [
      body({ metadata_public: [1, 2] }),
      body({ state: "deleted" }),
      body({ traits: "x" }),
      body({ verified: { "a@b.c": "yes" } }),
    ]) {
      expect((await edit(cookies.admin, ids.target!, bad)).status).toBe(400);
    }
    expect((await edit(cookies.admin, ids.demo!, body({ traits: { email: "demo@edit.test" } }))).status).toBe(
      409,
    );
    const before = await iam.identity(ids.target!);
    const viewer = await edit(cookies.viewer, ids.target!, body({ metadata_public: { by: "viewer" } }));
    expect(viewer.status).toBe(403);
    expect(await iam.identity(ids.target!)).toEqual(before);
  });
});

describe("POST /api/identities/{id}/email", () => {
  const send = (cookie: string | undefined, id: string, b: unknown) =>
    sendEmail(apiRequest("POST", `/api/identities/${id}/email`, cookie, b), {
      params: Promise.resolve({ id }),
    });

  it("has the core send a recovery email to the identity's own address; viewers and demo identities are refused", async () => {
    const ok = await send(cookies.admin, ids.target!, { kind: "recovery" });
    expect(ok.status).toBe(202);
    expect(await ok.json()).toMatchObject({ kind: "recovery", address: "tom@edit.test" });
    const other = await send(cookies.admin, ids.target!, { kind: "recovery", address: "someone@else.test" });
    expect(other.status).toBe(400);
    expect((await send(cookies.admin, ids.demo!, { kind: "recovery" })).status).toBe(409);
    expect((await send(cookies.viewer, ids.target!, { kind: "recovery" })).status).toBe(403);
    expect((await send(cookies.admin, ids.target!, { kind: "password" })).status).toBe(400);
  });
});
