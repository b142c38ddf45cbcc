import { Configuration as AxiosConfiguration, IdentityApi as AxiosIdentityApi } from "@ory/client";
import { Configuration, FrontendApi, type Identity, IdentityApi, ResponseError } from "@ory/client-fetch";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  identities,
  identityCredentials,
  selfserviceCodes,
  selfserviceFlows,
  sessions,
} from "../../db/schema.ts";
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

async function failure(p: Promise<unknown>): Promise<{ status: number; body: any }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ResponseError);
  const res = (err as ResponseError).response;
  const body = (await res.json()) as any;
  // Every failure is in the Ory error shape, never a stack trace or SQL.
  expect(body.error.code).toBe(res.status);
  expect(typeof body.error.message).toBe("string");
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|node_modules|SELECT|INSERT|UPDATE /);
  return { status: res.status, body };
}

async function raw(method: string, path: string, body?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${t.adminUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function identityCount(): Promise<number> {
  const [row] = await t.core.ctx.db.select({ n: sql<number>`count(*)::int` }).from(identities);
  return row!.n;
}

function createWithPassword(email: string, extra: Record<string, unknown> = {}): Promise<Identity> {
  return admin.createIdentity({
    createIdentityBody: {
      schema_id: "default",
      traits: { email },
      credentials: { password: { config: { password: PASSWORD } } },
      ...extra,
    },
  });
}

async function login(identifier: string, password = PASSWORD): Promise<string> {
  const flow = await api.createNativeLoginFlow();
  const res = await api.updateLoginFlow({
    flow: flow.id,
    updateLoginFlowBody: { method: "password", identifier, password },
  });
  return res.session_token!;
}

/** A failed native login answers 400 with the flow; returns the ids of its messages. */
async function loginFailure(identifier: string, password = PASSWORD): Promise<number[]> {
  const flow = await api.createNativeLoginFlow();
  const err = await api
    .updateLoginFlow({ flow: flow.id, updateLoginFlowBody: { method: "password", identifier, password } })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(ResponseError);
  const res = (err as ResponseError).response;
  expect(res.status).toBe(400);
  const body = (await res.json()) as { ui: { messages: { id: number }[] } };
  return body.ui.messages.map((m) => m.id);
}

async function whoamiStatus(token: string): Promise<number> {
  const res = await fetch(`${t.publicUrl}/sessions/whoami`, { headers: { "x-session-token": token } });
  return res.status;
}

/** The page_token of a Link header's rel (undefined when the rel is absent). */
function linkToken(link: string | null, rel: "first" | "next"): string | undefined {
  const m = new RegExp(`<([^>]+)>; rel="${rel}"`).exec(link ?? "");
  return m ? new URL(m[1]!, "http://x").searchParams.get("page_token")! : undefined;
}

describe("identity CRUD", () => {
  it("creates (201 + Location), reads, reads by external id, replaces, and deletes an identity", async () => {
    const created = await admin.createIdentityRaw({
      createIdentityBody: {
        schema_id: "default",
        traits: { email: "Crud@Example.com", name: { first: "Ada" } },
        metadata_public: { plan: "pro" },
        metadata_admin: { note: "vip" },
        external_id: "crm-1",
      },
    });
    expect(created.raw.status).toBe(201);
    const identity = await created.value();
    expect(created.raw.headers.get("location")).toBe(
      `${t.core.ctx.rt.adminBaseUrl}admin/identities/${identity.id}`,
    );
    expect(identity).toMatchObject({
      schema_id: "default",
      state: "active",
      traits: { email: "Crud@Example.com", name: { first: "Ada" } },
      metadata_public: { plan: "pro" },
      metadata_admin: { note: "vip" },
      external_id: "crm-1",
    });
    expect(identity.schema_url).toBe(
      `${t.core.ctx.rt.publicBaseUrl}schemas/${Buffer.from("default").toString("base64url")}`,
    );
    expect(identity.verifiable_addresses?.map((a) => [a.value, a.verified, a.status])).toEqual([
      ["crud@example.com", false, "pending"],
    ]);
    expect(identity.recovery_addresses?.map((a) => a.value)).toEqual(["crud@example.com"]);
    // No credentials were given: Kratos leaves the empty map out.
    expect(identity.credentials).toBeUndefined();

    const got = await admin.getIdentity({ id: identity.id });
    expect(got).toEqual(identity);
    expect(await admin.getIdentityByExternalID({ externalID: "crm-1" })).toEqual(identity);

    // Mark the address verified, then replace the identity: the unchanged address stays verified.
    await admin.patchIdentity({
      id: identity.id,
      jsonPatch: [{ op: "replace", path: "/verifiable_addresses/0/verified", value: true }],
    });
    const replaced = await admin.updateIdentity({
      id: identity.id,
      updateIdentityBody: {
        schema_id: "default",
        state: "active",
        traits: { email: "crud@example.com", name: { first: "Ada", last: "Lovelace" } },
        metadata_public: { plan: "team" },
      },
    });
    expect(replaced.traits).toEqual({ email: "crud@example.com", name: { first: "Ada", last: "Lovelace" } });
    expect(replaced.metadata_public).toEqual({ plan: "team" });
    // PUT replaces the whole identity: what was not sent is cleared.
    expect(replaced.metadata_admin).toBeUndefined();
    expect(replaced.external_id).toBeUndefined();
    expect(replaced.verifiable_addresses?.map((a) => [a.value, a.verified, a.status])).toEqual([
      ["crud@example.com", true, "completed"],
    ]);
    expect(replaced.updated_at!.getTime()).toBeGreaterThanOrEqual(identity.updated_at!.getTime());

    const del = await admin.deleteIdentityRaw({ id: identity.id });
    expect(del.raw.status).toBe(204);
    expect((await failure(admin.getIdentity({ id: identity.id }))).status).toBe(404);
    expect((await failure(admin.deleteIdentity({ id: identity.id }))).status).toBe(404);
    expect((await failure(admin.getIdentityByExternalID({ externalID: "crm-1" }))).status).toBe(404);
  });

  it("answers unknown and malformed ids with 404, as Kratos does", async () => {
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-uuid", "1' or '1'='1"]) {
      expect((await failure(admin.getIdentity({ id }))).status).toBe(404);
      expect((await failure(admin.deleteIdentity({ id }))).status).toBe(404);
      expect(
        (
          await failure(
            admin.updateIdentity({
              id,
              updateIdentityBody: {
                schema_id: "default",
                state: "active",
                traits: { email: "x@example.com" },
              },
            }),
          )
        ).status,
      ).toBe(404);
    }
  });

  it("shows credentials without their config unless include_credential asks for it", async () => {
    const identity = await createWithPassword("creds@example.com");
    expect(Object.keys(identity.credentials!)).toEqual(["password"]);
    expect(identity.credentials!.password).toMatchObject({
      type: "password",
      identifiers: ["creds@example.com"],
    });
    expect(identity.credentials!.password!.config).toBeUndefined();
    const plain = await admin.getIdentity({ id: identity.id });
    expect(plain.credentials!.password!.config).toBeUndefined();
    const declassified = await admin.getIdentity({ id: identity.id, includeCredential: ["password"] });
    expect(
      (declassified.credentials!.password!.config as { hashed_password: string }).hashed_password,
    ).toMatch(/^\$argon2id\$/);
    const bad = await raw("GET", `/admin/identities/${identity.id}?include_credential=secrets`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.reason).toContain("include_credential");
  });
});

describe("listing", () => {
  it("pages through the list with page_size and the Link header, oldest first", async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await createWithPassword(`page-${i}@example.com`)).id);
    const seen: string[] = [];
    const links: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await admin.listIdentitiesRaw({ pageSize: 2, pageToken: token, ids: made });
      const body = await res.value();
      seen.push(...body.map((i) => i.id));
      const link = res.raw.headers.get("link")!;
      links.push(link);
      expect(link).toContain('rel="first"');
      expect(
        new URL(/<([^>]+)>; rel="first"/.exec(link)![1]!, "http://x").searchParams.getAll("ids"),
      ).toEqual(made);
      token = linkToken(link, "next");
      if (!token) break;
    }
    expect(links).toHaveLength(3);
    expect(seen).toEqual(made);
    // The unfiltered list pages the same way and keeps the creation order.
    const all = await admin.listIdentities({ pageSize: 1000 });
    const order = all.map((i) => i.id).filter((id) => made.includes(id));
    expect(order).toEqual(made);
    // Without a filter the list carries no credentials (Kratos expands them only when searching).
    expect(all.every((i) => i.credentials === undefined)).toBe(true);
  });

  it("finds identities by exact identifier (normalized) and by prefix", async () => {
    const a = await createWithPassword("search-alice@example.com");
    const b = await createWithPassword("search-bob@example.com");
    const exact = await admin.listIdentities({ credentialsIdentifier: "  Search-Alice@EXAMPLE.com " });
    expect(exact.map((i) => i.id)).toEqual([a.id]);
    expect(exact[0]!.credentials!.password!.identifiers).toEqual(["search-alice@example.com"]);
    expect(exact[0]!.credentials!.password!.config).toBeUndefined();
    expect(await admin.listIdentities({ credentialsIdentifier: "search-" })).toEqual([]);
    const similar = await admin.listIdentities({ previewCredentialsIdentifierSimilar: "Search-" });
    expect(similar.map((i) => i.id)).toEqual([a.id, b.id]);
    // LIKE wildcards are literal.
    expect(await admin.listIdentities({ previewCredentialsIdentifierSimilar: "search_%" })).toEqual([]);
    const combined = await failure(
      admin.listIdentities({ credentialsIdentifier: "search-alice@example.com", ids: [a.id] }),
    );
    expect(combined.status).toBe(400);
    expect(combined.body.error.reason).toBe("You cannot combine multiple filters in this API");
  });

  it("rejects bad paging and filter parameters with 400 and clamps huge page sizes", async () => {
    for (const q of ["page_size=0", "page_size=-1", "page_size=abc", "page_token=bm9wZQ", "ids=nope"]) {
      const res = await raw("GET", `/admin/identities?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe(400);
    }
    const huge = await fetch(`${t.adminUrl}/admin/identities?page_size=1000000`);
    expect(huge.status).toBe(200);
    expect(huge.headers.get("link")).toContain("page_size=1000&");
    // Legacy page/per_page paging also reports the total, as Kratos does.
    const legacy = await admin.listIdentitiesRaw({ perPage: 1, page: 0 });
    expect(Number(legacy.raw.headers.get("x-total-count"))).toBe(await identityCount());
    expect(await legacy.value()).toHaveLength(1);
  });
});

describe("create: validation and conflicts", () => {
  it("answers a duplicate identifier or external id with 409 and writes nothing", async () => {
    await createWithPassword("dup@example.com", { external_id: "dup-ext" });
    const before = await identityCount();
    const sameEmail = await failure(createWithPassword("DUP@example.com"));
    expect(sameEmail.status).toBe(409);
    const sameExternal = await failure(createWithPassword("dup-2@example.com", { external_id: "dup-ext" }));
    expect(sameExternal.status).toBe(409);
    expect(await identityCount()).toBe(before);
  });

  it("answers invalid traits, unknown schemas and malformed bodies with 400 naming the problem", async () => {
    const before = await identityCount();
    const cases: [unknown, RegExp][] = [
      [{ schema_id: "default", traits: {} }, /^traits\.email: Property email is missing\.$/],
      [
        { schema_id: "default", traits: { email: "not-an-email" } },
        /^traits\.email: "not-an-email" is not valid "email"$/,
      ],
      [
        { schema_id: "default", traits: { email: "a@example.com", shoe: 42 } },
        /^traits\.shoe: additionalProperties/,
      ],
      [
        { schema_id: "default", traits: { email: "a@example.com", age: "old" } },
        /^traits\.age: expected integer/,
      ],
      [{ schema_id: "nope", traits: { email: "a@example.com" } }, /Unable to find JSON Schema ID: nope/],
      [{ traits: { email: "a@example.com" } }, /^schema_id: is required$/],
      [{ schema_id: "default", traits: "x" }, /^traits: must be a JSON object$/],
      [
        { schema_id: "default", traits: { email: "a@example.com" }, state: "paused" },
        /^state: The supplied state/,
      ],
      [{ schema_id: "default", traits: { email: "a@example.com" }, metadata_pubic: {} }, /metadata_pubic/],
      [
        { schema_id: "default", traits: { email: "a@example.com" }, credentials: { oidc: { config: {} } } },
        /credentials\.oidc/,
      ],
      [
        {
          schema_id: "default",
          traits: { email: "a@example.com" },
          credentials: { password: { config: { hashed_password: "plaintext-not-a-hash" } } },
        },
        /does not match any known hash format/,
      ],
      [
        {
          schema_id: "default",
          traits: { email: "a@example.com" },
          credentials: { password: { config: { hashed_password: `$2b$31$${"a".repeat(53)}` } } },
        },
        /exceed the bounds/,
      ],
      [[], /body/],
      [null, /body/],
    ];
    for (const [body, reason] of cases) {
      const res = await raw("POST", "/admin/identities", JSON.stringify(body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.reason, JSON.stringify(body)).toMatch(reason);
    }
    for (const text of ["{", "", "not json"]) {
      const res = await raw("POST", "/admin/identities", text);
      expect(res.status).toBe(400);
    }
    expect(await identityCount()).toBe(before);
  });

  it("stores addresses given with verified: true as verified", async () => {
    const identity = await admin.createIdentity({
      createIdentityBody: {
        schema_id: "default",
        traits: { email: "Verified@Example.com" },
        verifiable_addresses: [
          { value: "verified@example.com", verified: true, via: "email", status: "completed" },
        ],
      },
    });
    expect(identity.verifiable_addresses?.map((a) => [a.value, a.verified, a.status])).toEqual([
      ["verified@example.com", true, "completed"],
    ]);
    expect(identity.verifiable_addresses?.[0]?.verified_at).toBeInstanceOf(Date);
  });
});

describe("JSON patch", () => {
  it("applies RFC 6902 operations and validates the result like PUT", async () => {
    const identity = await createWithPassword("patch@example.com");
    const patched = await admin.patchIdentity({
      id: identity.id,
      jsonPatch: [
        { op: "add", path: "/traits/name", value: { first: "Grace" } },
        { op: "add", path: "/metadata_admin", value: { tier: 2 } },
        { op: "test", path: "/state", value: "active" },
      ],
    });
    expect(patched.traits).toEqual({ email: "patch@example.com", name: { first: "Grace" } });
    expect(patched.metadata_admin).toEqual({ tier: 2 });
    expect(patched.credentials!.password!.identifiers).toEqual(["patch@example.com"]);

    // Changing the email moves the login identifier and the addresses with it.
    const moved = await admin.patchIdentity({
      id: identity.id,
      jsonPatch: [{ op: "replace", path: "/traits/email", value: "patched@example.com" }],
    });
    expect(moved.credentials!.password!.identifiers).toEqual(["patched@example.com"]);
    expect(moved.verifiable_addresses?.map((a) => a.value)).toEqual(["patched@example.com"]);
    await login("patched@example.com");

    const before = await admin.getIdentity({ id: identity.id });
    const rejected: [unknown, number, RegExp][] = [
      [
        [{ op: "replace", path: "/id", value: "00000000-0000-4000-8000-000000000000" }],
        400,
        /\/id can not be patched/,
      ],
      [[{ op: "remove", path: "/credentials" }], 400, /\/credentials can not be patched/],
      [
        [{ op: "add", path: "/credentials/password/config", value: {} }],
        400,
        /\/credentials can not be patched/,
      ],
      [[{ op: "move", from: "/id", path: "/x" }], 400, /\/id can not be patched/],
      [[{ op: "replace", path: "/created_at", value: "2000-01-01T00:00:00Z" }], 400, /can not be patched/],
      [[{ op: "remove", path: "/traits/email" }], 400, /traits\.email: Property email is missing/],
      [[{ op: "replace", path: "/state", value: "sleeping" }], 400, /The supplied state \('sleeping'\)/],
      [[{ op: "replace", path: "/schema_id", value: "nope" }], 400, /Unable to find JSON Schema ID/],
      [[{ op: "test", path: "/state", value: "inactive" }], 400, /failed to apply JSON patch/],
      [[{ op: "replace", path: "/nope/deeper", value: 1 }], 400, /failed to apply JSON patch/],
      [[{ op: "add", path: "/traits/__proto__/polluted", value: 1 }], 400, /failed to apply JSON patch/],
      [[{ op: "frobnicate", path: "/traits" }], 400, /op/],
      [{ op: "replace" }, 400, /JSON Patch/],
    ];
    for (const [body, status, reason] of rejected) {
      const res = await raw("PATCH", `/admin/identities/${identity.id}`, JSON.stringify(body));
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.reason, JSON.stringify(body)).toMatch(reason);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Nothing was half-written by the rejected patches.
    expect(await admin.getIdentity({ id: identity.id })).toEqual(before);
  });

  it("answers 409 when a patch or PUT takes another identity's identifier", async () => {
    await createWithPassword("taken@example.com");
    const other = await createWithPassword("other@example.com");
    const res = await failure(
      admin.patchIdentity({
        id: other.id,
        jsonPatch: [{ op: "replace", path: "/traits/email", value: "taken@example.com" }],
      }),
    );
    expect(res.status).toBe(409);
    const put = await failure(
      admin.updateIdentity({
        id: other.id,
        updateIdentityBody: { schema_id: "default", state: "active", traits: { email: "TAKEN@example.com" } },
      }),
    );
    expect(put.status).toBe(409);
    expect((await admin.getIdentity({ id: other.id })).traits).toEqual({ email: "other@example.com" });
  });
});

describe("batch create", () => {
  it("creates every valid item and reports the bad one, each item on its own", async () => {
    const before = await identityCount();
    const ids = ["7f6e2b1c-0d3a-4a5b-9c8d-1e2f3a4b5c6d", "8f6e2b1c-0d3a-4a5b-9c8d-1e2f3a4b5c6d"];
    const res = await admin.batchPatchIdentities({
      patchIdentitiesBody: {
        identities: [
          {
            patch_id: ids[0],
            create: {
              schema_id: "default",
              traits: { email: "batch-1@example.com" },
              credentials: { password: { config: { password: PASSWORD } } },
            },
          },
          { patch_id: ids[1], create: { schema_id: "default", traits: { email: "not an email" } } },
          { create: { schema_id: "default", traits: { email: "batch-3@example.com" } } },
          { create: { schema_id: "default", traits: { email: "BATCH-1@example.com" } } },
        ],
      },
    });
    expect(res.identities!.map((i) => i.action)).toEqual(["create", "error", "create", "error"]);
    expect(res.identities![0]!.patch_id).toBe(ids[0]);
    expect(res.identities![1]!.patch_id).toBe(ids[1]);
    expect(res.identities![1]!.error).toMatchObject({
      code: 400,
      reason: expect.stringContaining("traits.email"),
    });
    expect(res.identities![3]!.error).toMatchObject({ code: 409 });
    expect(await identityCount()).toBe(before + 2);
    await login("batch-1@example.com");
    const created = await admin.getIdentity({ id: res.identities![2]!.identity! });
    expect(created.traits).toEqual({ email: "batch-3@example.com" });
  });

  it("rejects a malformed batch as a whole", async () => {
    for (const body of [
      {},
      { identities: "x" },
      { identities: [{ create: {}, patch_id: "not-a-uuid" }] },
      { identities: [], extra: 1 },
    ]) {
      const res = await raw("PATCH", "/admin/identities", JSON.stringify(body));
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const tooMany = await raw(
      "PATCH",
      "/admin/identities",
      JSON.stringify({ identities: Array.from({ length: 2001 }, () => ({})) }),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.reason).toContain("2000");
  });
});

describe("deleting and deactivating", () => {
  it("deletes an identity with its sessions, flows and codes; its old token is refused", async () => {
    const identity = await createWithPassword("delete-me@example.com");
    const token = await login("delete-me@example.com");
    expect(await whoamiStatus(token)).toBe(200);
    // A recovery link minted by an admin names the identity only in the flow's data.
    const link = await admin.createRecoveryLinkForIdentity({
      createRecoveryLinkForIdentityBody: { identity_id: identity.id },
    });
    const flowId = new URL(link.recovery_link).searchParams.get("flow")!;
    await admin.createRecoveryCodeForIdentity({
      createRecoveryCodeForIdentityBody: { identity_id: identity.id },
    });
    expect(
      await t.core.ctx.db.select().from(selfserviceCodes).where(eq(selfserviceCodes.identityId, identity.id)),
    ).toHaveLength(1);

    await admin.deleteIdentity({ id: identity.id });
    expect(await whoamiStatus(token)).toBe(401);
    const db = t.core.ctx.db;
    expect(await db.select().from(sessions).where(eq(sessions.identityId, identity.id))).toEqual([]);
    expect(
      await db.select().from(identityCredentials).where(eq(identityCredentials.identityId, identity.id)),
    ).toEqual([]);
    expect(
      await db.select().from(selfserviceCodes).where(eq(selfserviceCodes.identityId, identity.id)),
    ).toEqual([]);
    expect(await db.select().from(selfserviceFlows).where(eq(selfserviceFlows.id, flowId))).toEqual([]);
    // The identifier is free again.
    await createWithPassword("delete-me@example.com");
  });

  it("deactivating makes existing sessions stop working and login answer 4010011; reactivating restores it", async () => {
    const identity = await createWithPassword("inactive@example.com");
    const token = await login("inactive@example.com");
    expect(await whoamiStatus(token)).toBe(200);
    const off = await admin.patchIdentity({
      id: identity.id,
      jsonPatch: [{ op: "replace", path: "/state", value: "inactive" }],
    });
    expect(off.state).toBe("inactive");
    expect(off.state_changed_at!.getTime()).toBeGreaterThan(identity.state_changed_at!.getTime());
    expect(await whoamiStatus(token)).toBe(401);
    expect(await loginFailure("inactive@example.com")).toEqual([4010011]);

    await admin.updateIdentity({
      id: identity.id,
      updateIdentityBody: {
        schema_id: "default",
        state: "active",
        traits: { email: "inactive@example.com" },
      },
    });
    expect(await whoamiStatus(token)).toBe(200);
    await login("inactive@example.com");
  });

  it("resets a password with PUT credentials; the old one stops working", async () => {
    const identity = await createWithPassword("reset@example.com");
    await admin.updateIdentity({
      id: identity.id,
      updateIdentityBody: {
        schema_id: "default",
        state: "active",
        traits: { email: "reset@example.com" },
        credentials: { password: { config: { password: "a brand new passphrase" } } },
      },
    });
    await login("reset@example.com", "a brand new passphrase");
    expect(await loginFailure("reset@example.com")).toEqual([4000006]);
    // An identity created without a password gets one the same way.
    const bare = await admin.createIdentity({
      createIdentityBody: { schema_id: "default", traits: { email: "bare@example.com" } },
    });
    const withPw = await admin.updateIdentity({
      id: bare.id,
      updateIdentityBody: {
        schema_id: "default",
        state: "active",
        traits: { email: "bare@example.com" },
        credentials: { password: { config: { password: PASSWORD } } },
      },
    });
    expect(withPw.credentials!.password!.identifiers).toEqual(["bare@example.com"]);
    await login("bare@example.com");
  });

  it("refuses to delete the password (the last first factor) and 404s absent credentials", async () => {
    const identity = await createWithPassword("keep-pw@example.com");
    const pw = await failure(admin.deleteIdentityCredentials({ id: identity.id, type: "password" }));
    expect(pw.status).toBe(400);
    expect(pw.body.error.reason).toBe("You cannot remove the last first factor credential.");
    const totp = await failure(admin.deleteIdentityCredentials({ id: identity.id, type: "totp" }));
    expect(totp.status).toBe(404);
    // A second factor can go.
    await t.core.ctx.db.insert(identityCredentials).values({
      id: crypto.randomUUID(),
      identityId: identity.id,
      type: "totp",
      config: { totp_url: "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP" },
    });
    expect(Object.keys((await admin.getIdentity({ id: identity.id })).credentials!).sort()).toEqual([
      "password",
      "totp",
    ]);
    expect((await admin.deleteIdentityCredentialsRaw({ id: identity.id, type: "totp" })).raw.status).toBe(
      204,
    );
    expect(Object.keys((await admin.getIdentity({ id: identity.id })).credentials!)).toEqual(["password"]);
    const unknown = await failure(
      admin.deleteIdentityCredentials({ id: "00000000-0000-4000-8000-000000000000", type: "totp" }),
    );
    expect(unknown.status).toBe(404);
    await login("keep-pw@example.com");
  });
});

describe("the axios SDK (@ory/client)", () => {
  it("creates, lists, reads and deletes through IdentityApi", async () => {
    const ax = new AxiosIdentityApi(new AxiosConfiguration({ basePath: t.adminUrl }));
    const created = await ax.createIdentity({
      createIdentityBody: {
        schema_id: "default",
        traits: { email: "axios@example.com" },
        credentials: { password: { config: { password: PASSWORD } } },
      },
    });
    expect(created.status).toBe(201);
    const listed = await ax.listIdentities({ credentialsIdentifier: "axios@example.com" });
    expect(listed.data.map((i) => i.id)).toEqual([created.data.id]);
    const got = await ax.getIdentity({ id: created.data.id, includeCredential: ["password"] });
    expect((got.data.credentials!.password!.config as { hashed_password?: string }).hashed_password).toMatch(
      /^\$argon2id\$/,
    );
    const patched = await ax.patchIdentity({
      id: created.data.id,
      jsonPatch: [{ op: "replace", path: "/state", value: "inactive" }],
    });
    expect(patched.data.state).toBe("inactive");
    expect((await ax.deleteIdentity({ id: created.data.id })).status).toBe(204);
    await expect(ax.getIdentity({ id: created.data.id })).rejects.toMatchObject({
      response: { status: 404 },
    });
  });
});
