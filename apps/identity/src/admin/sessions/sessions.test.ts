import { Configuration as AxiosConfiguration, IdentityApi as AxiosIdentityApi } from "@ory/client";
import { Configuration, FrontendApi, type Identity, IdentityApi, ResponseError } from "@ory/client-fetch";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessions } from "../../db/schema.ts";
import { startTestCore, type TestCore } from "../../testing/index.ts";

const HOUR = 3_600_000;
const PASSWORD = "correct horse battery staple";

let t: TestCore;
let api: FrontendApi;
let admin: IdentityApi;

beforeAll(async () => {
  // Sessions may be extended only in their last 10 minutes.
  t = await startTestCore({ overrides: { session: { lifespan: "1h", earliest_possible_extend: "10m" } } });
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
  admin = new IdentityApi(new Configuration({ basePath: t.adminUrl }));
});
afterAll(() => t?.stop());

async function person(email: string): Promise<Identity> {
  return admin.createIdentity({
    createIdentityBody: {
      schema_id: "default",
      traits: { email },
      metadata_admin: { secret: "admins only" },
      credentials: { password: { config: { password: PASSWORD } } },
    },
  });
}

async function login(identifier: string): Promise<{ token: string; id: string }> {
  const flow = await api.createNativeLoginFlow();
  const res = await api.updateLoginFlow({
    flow: flow.id,
    updateLoginFlowBody: { method: "password", identifier, password: PASSWORD },
  });
  return { token: res.session_token!, id: res.session.id };
}

async function whoamiStatus(token: string): Promise<number> {
  const res = await fetch(`${t.publicUrl}/sessions/whoami`, { headers: { "x-session-token": token } });
  return res.status;
}

async function failure(p: Promise<unknown>): Promise<{ status: number; body: any }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ResponseError);
  const res = (err as ResponseError).response;
  const body = (await res.json()) as any;
  expect(body.error.code).toBe(res.status);
  return { status: res.status, body };
}

async function raw(method: string, path: string, body?: unknown) {
  const res = await fetch(`${t.adminUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

describe("admin sessions", () => {
  it("lists sessions newest first with the active filter, expand and Link pagination", async () => {
    const alice = await person("list-alice@example.com");
    const bob = await person("list-bob@example.com");
    const a1 = await login("list-alice@example.com");
    const a2 = await login("list-alice@example.com");
    const b1 = await login("list-bob@example.com");
    await admin.disableSession({ id: a1.id });

    const all = await admin.listSessions({});
    expect(all.map((s) => s.id)).toEqual([b1.id, a2.id, a1.id]);
    // Not expanded: neither identity nor devices.
    expect(all[0]!.identity).toBeUndefined();
    expect(all[0]!.devices).toBeUndefined();
    expect((await admin.listSessions({ active: true })).map((s) => s.id)).toEqual([b1.id, a2.id]);
    expect((await admin.listSessions({ active: false })).map((s) => s.id)).toEqual([a1.id]);

    const expanded = await admin.listSessions({ expand: ["identity", "devices"], active: true });
    expect(expanded.map((s) => s.identity?.id)).toEqual([bob.id, alice.id]);
    expect(expanded[1]!.identity!.metadata_admin).toEqual({ secret: "admins only" });
    expect(expanded[1]!.identity!.credentials).toBeUndefined();
    expect(expanded[1]!.devices).toHaveLength(1);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await admin.listSessionsRaw({ pageSize: 1, pageToken: token, expand: ["identity"] });
      seen.push(...(await res.value()).map((s) => s.id));
      const link = res.raw.headers.get("link")!;
      expect(link).toContain("expand=identity");
      const next = /<([^>]+)>; rel="next"/.exec(link);
      token = next ? new URL(next[1]!, "http://x").searchParams.get("page_token")! : undefined;
      pages++;
    } while (token && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([b1.id, a2.id, a1.id]);
  });

  it("gets one session (expand=identity shows the admin view), 400 for bad ids, 404 for unknown", async () => {
    const identity = await person("get-one@example.com");
    const s = await login("get-one@example.com");
    const plain = await admin.getSession({ id: s.id });
    expect(plain).toMatchObject({ id: s.id, active: true, authenticator_assurance_level: "aal1" });
    expect(plain.identity).toBeUndefined();
    const expanded = await admin.getSession({ id: s.id, expand: ["identity"] });
    expect(expanded.identity?.id).toBe(identity.id);
    expect(expanded.identity?.metadata_admin).toEqual({ secret: "admins only" });

    expect((await failure(admin.getSession({ id: "not-a-uuid" }))).status).toBe(400);
    expect((await failure(admin.getSession({ id: "00000000-0000-4000-8000-000000000000" }))).status).toBe(
      404,
    );
    expect((await failure(admin.disableSession({ id: "00000000-0000-4000-8000-000000000000" }))).status).toBe(
      404,
    );
    expect((await failure(admin.extendSession({ id: "00000000-0000-4000-8000-000000000000" }))).status).toBe(
      404,
    );
    expect((await failure(admin.disableSession({ id: "zzz" }))).status).toBe(400);
    for (const q of ["expand=everything", "active=maybe", "page_size=0", "page_token=bm9wZQ"]) {
      const res = await raw("GET", `/admin/sessions?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe(400);
    }
    const huge = await raw("GET", "/admin/sessions?page_size=99999");
    expect(huge.status).toBe(200);
    expect(huge.headers.get("link")).toContain("page_size=1000&");
  });

  it("disables a session: whoami refuses it, the list shows it inactive", async () => {
    await person("disable@example.com");
    const s = await login("disable@example.com");
    expect(await whoamiStatus(s.token)).toBe(200);
    const res = await admin.disableSessionRaw({ id: s.id });
    expect(res.raw.status).toBe(204);
    expect(await whoamiStatus(s.token)).toBe(401);
    expect((await admin.getSession({ id: s.id })).active).toBe(false);
  });

  it("extends a session only inside earliest_possible_extend; earlier calls leave it unchanged", async () => {
    const identity = await person("extend@example.com");
    const s = await login("extend@example.com");
    const before = await admin.getSession({ id: s.id });
    // A fresh session has an hour left, outside the 10-minute window: 200, unchanged.
    const early = await admin.extendSessionRaw({ id: s.id });
    expect(early.raw.status).toBe(200);
    const unchanged = await early.value();
    expect(unchanged.expires_at).toEqual(before.expires_at);
    expect(unchanged.identity?.id).toBe(identity.id);

    // Five minutes left: inside the window, so expires_at becomes now + lifespan.
    const soon = new Date(Date.now() + 5 * 60_000);
    await t.core.ctx.db.update(sessions).set({ expiresAt: soon }).where(eq(sessions.id, s.id));
    const started = Date.now();
    const extended = await admin.extendSession({ id: s.id });
    const expires = extended!.expires_at!.getTime();
    expect(expires).toBeGreaterThanOrEqual(started + HOUR - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + HOUR + 1000);
    expect(await whoamiStatus(s.token)).toBe(200);
    const who = await api.toSession({ xSessionToken: s.token });
    expect(who.expires_at!.getTime()).toBe(expires);
  });
});

describe("sessions of one identity", () => {
  it("lists them (active filter, identity expanded), deletes them all, and 404s unknown identities", async () => {
    const identity = await person("mine@example.com");
    const other = await person("not-mine@example.com");
    const s1 = await login("mine@example.com");
    const s2 = await login("mine@example.com");
    const o1 = await login("not-mine@example.com");
    await admin.disableSession({ id: s1.id });

    const listed = await admin.listIdentitySessions({ id: identity.id });
    expect(listed.map((s) => s.id)).toEqual([s2.id, s1.id]);
    expect(listed[0]!.identity?.id).toBe(identity.id);
    expect((await admin.listIdentitySessions({ id: identity.id, active: true })).map((s) => s.id)).toEqual([
      s2.id,
    ]);
    expect((await admin.listIdentitySessions({ id: identity.id, active: false })).map((s) => s.id)).toEqual([
      s1.id,
    ]);
    const paged = await admin.listIdentitySessionsRaw({ id: identity.id, pageSize: 1 });
    expect(await paged.value()).toHaveLength(1);
    expect(paged.raw.headers.get("link")).toContain('rel="next"');

    const res = await admin.deleteIdentitySessionsRaw({ id: identity.id });
    expect(res.raw.status).toBe(204);
    expect(await whoamiStatus(s2.token)).toBe(401);
    expect(await admin.listIdentitySessions({ id: identity.id })).toEqual([]);
    // Another identity's session is untouched.
    expect(await whoamiStatus(o1.token)).toBe(200);
    expect((await admin.listIdentitySessions({ id: other.id })).map((s) => s.id)).toEqual([o1.id]);

    const unknown = "00000000-0000-4000-8000-000000000000";
    expect((await failure(admin.listIdentitySessions({ id: unknown }))).status).toBe(404);
    expect((await failure(admin.deleteIdentitySessions({ id: unknown }))).status).toBe(404);
    expect((await failure(admin.listIdentitySessions({ id: "bad" }))).status).toBe(400);
    expect((await failure(admin.deleteIdentitySessions({ id: "bad" }))).status).toBe(400);
  });

  it("manages sessions in bulk (disable by identity, delete by id)", async () => {
    const identity = await person("bulk@example.com");
    const s1 = await login("bulk@example.com");
    const s2 = await login("bulk@example.com");
    const disabled = await admin.manageSessions({
      manageSessionsBody: { action: "disable", identities: [identity.id] },
    });
    expect(disabled).toEqual({ processed: 2, more: false });
    expect(await whoamiStatus(s1.token)).toBe(401);
    const deleted = await admin.manageSessions({
      manageSessionsBody: { action: "delete", sessions: [s2.id] },
    });
    expect(deleted.processed).toBe(1);
    expect((await admin.listIdentitySessions({ id: identity.id })).map((s) => s.id)).toEqual([s1.id]);
    for (const body of [
      { action: "nuke", sessions: [s1.id] },
      { action: "disable" },
      { action: "disable", sessions: [s1.id], identities: [identity.id] },
      { action: "disable", sessions: ["*"] },
      { action: "disable", identities: ["nope"] },
    ]) {
      const res = await raw("POST", "/admin/sessions", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it("works through the axios SDK too", async () => {
    await person("axios-session@example.com");
    const s = await login("axios-session@example.com");
    const ax = new AxiosIdentityApi(new AxiosConfiguration({ basePath: t.adminUrl }));
    const got = await ax.getSession({ id: s.id, expand: ["identity"] });
    expect(got.data.identity?.traits).toEqual({ email: "axios-session@example.com" });
    const listed = await ax.listSessions({ active: true, expand: ["identity"] });
    expect(listed.data.map((x) => x.id)).toContain(s.id);
    expect((await ax.disableSession({ id: s.id })).status).toBe(204);
    expect(await whoamiStatus(s.token)).toBe(401);
  });
});
