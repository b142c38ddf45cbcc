// Two replicas of one identity core on one PostgreSQL database, in two processes: what one replica
// changes, the other's caches (whoami, OAuth2 clients, introspection) must stop serving at once, not
// when an entry expires. Caches keep entries for 30 s; every assertion here must hold within 2 s, so
// without the change notifications (migration 0003 + LISTEN, db/changes.ts) each of them fails.
// (In one process the caches also hear about writes directly, which is why B is a child process.)
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startTestCore, type TestCore, testConfig } from "../testing/index.ts";

const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const CIPHER = "replica-test-cipher-secret-32chr";
const overrides = { secrets: { cipher: [CIPHER] } };

let a: TestCore;
let child: ChildProcess | undefined;
const b = { publicUrl: "", adminUrl: "", oauth2PublicUrl: "", oauth2AdminUrl: "" };

beforeAll(async () => {
  if (!onPostgres) return;
  a = await startTestCore({ overrides });
  const ports = {
    pub: await freePort(),
    adm: await freePort(),
    opub: await freePort(),
    oadm: await freePort(),
  };
  const config = testConfig({
    dsn: a.database.dsn,
    overrides: {
      ...overrides,
      serve: { public: { port: ports.pub }, admin: { port: ports.adm } },
      oauth2: { serve: { public: { port: ports.opub }, admin: { port: ports.oadm } } },
    },
  });
  const file = join(mkdtempSync(join(tmpdir(), "olympus-replica-")), "identity.yml");
  writeFileSync(file, JSON.stringify(config)); // JSON is YAML
  const root = fileURLToPath(new URL("../..", import.meta.url));
  child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "serve", "--config", file], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  });
  b.publicUrl = `http://127.0.0.1:${ports.pub}`;
  b.adminUrl = `http://127.0.0.1:${ports.adm}`;
  b.oauth2PublicUrl = `http://127.0.0.1:${ports.opub}`;
  b.oauth2AdminUrl = `http://127.0.0.1:${ports.oadm}`;
  const ready = await within(30_000, async () => {
    if (child?.exitCode !== null) throw new Error(`replica B exited with ${child?.exitCode}`);
    return (await fetch(`${b.oauth2AdminUrl}/health/ready`).catch(() => undefined))?.ok === true;
  });
  expect(ready).toBe(true);
}, 60_000);
afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
  await a?.stop();
});

/** Polls `probe` until it returns true, for at most `ms`; returns whether it did. */
async function within(ms: number, probe: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function register(publicUrl: string, email: string): Promise<{ token: string; id: string }> {
  const flow = (await (await fetch(`${publicUrl}/self-service/registration/api`)).json()) as { id: string };
  const res = await fetch(`${publicUrl}/self-service/registration?flow=${flow.id}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ method: "password", password: "a long passphrase 42", traits: { email } }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { session_token: string; identity: { id: string } };
  return { token: body.session_token, id: body.identity.id };
}

const whoami = (publicUrl: string, token: string) =>
  fetch(`${publicUrl}/sessions/whoami`, { headers: { "x-session-token": token } });

async function ccClient(adminUrl: string): Promise<{ id: string; basic: string }> {
  const res = await fetch(`${adminUrl}/admin/clients`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ grant_types: ["client_credentials"], scope: "read" }),
  });
  expect(res.status).toBe(201);
  const c = (await res.json()) as { client_id: string; client_secret: string };
  return {
    id: c.client_id,
    basic: `Basic ${Buffer.from(`${encodeURIComponent(c.client_id)}:${encodeURIComponent(c.client_secret)}`).toString("base64")}`,
  };
}

const token = (oauth2PublicUrl: string, basic: string) =>
  fetch(`${oauth2PublicUrl}/oauth2/token`, {
    method: "POST",
    headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials&scope=read",
  });

const introspect = async (oauth2AdminUrl: string, accessToken: string) =>
  (
    (await (
      await fetch(`${oauth2AdminUrl}/admin/oauth2/introspect`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: accessToken }),
      })
    ).json()) as { active: boolean }
  ).active;

describe.skipIf(!onPostgres)("caches hold across replicas (PostgreSQL LISTEN/NOTIFY)", () => {
  it("a session revoked through replica A is refused by replica B, which had it cached", async () => {
    const { token: t, id } = await register(a.publicUrl, "replica-revoke@example.com");
    expect((await whoami(b.publicUrl, t)).status).toBe(200);
    expect((await whoami(b.publicUrl, t)).status).toBe(200); // served from B's cache now
    const res = await fetch(`${a.adminUrl}/admin/identities/${id}/sessions`, { method: "DELETE" });
    expect(res.status).toBe(204);
    expect(await within(2_000, async () => (await whoami(b.publicUrl, t)).status === 401)).toBe(true);
  });

  it("an identity deactivated through replica A loses its session on replica B", async () => {
    const { token: t, id } = await register(a.publicUrl, "replica-deactivate@example.com");
    expect((await whoami(b.publicUrl, t)).status).toBe(200);
    const res = await fetch(`${a.adminUrl}/admin/identities/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ op: "replace", path: "/state", value: "inactive" }]),
    });
    expect(res.status).toBe(200);
    expect(await within(2_000, async () => (await whoami(b.publicUrl, t)).status === 401)).toBe(true);
  });

  it("a client deleted through replica A can no longer get tokens from replica B", async () => {
    const c = await ccClient(a.oauth2AdminUrl);
    expect((await token(b.oauth2PublicUrl, c.basic)).status).toBe(200); // B caches the client
    expect((await fetch(`${a.oauth2AdminUrl}/admin/clients/${c.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await within(2_000, async () => (await token(b.oauth2PublicUrl, c.basic)).status === 401)).toBe(
      true,
    );
  });

  it("a token revoked through replica A is inactive at replica B's introspection", async () => {
    const c = await ccClient(a.oauth2AdminUrl);
    const issued = (await (await token(a.oauth2PublicUrl, c.basic)).json()) as { access_token: string };
    expect(await introspect(b.oauth2AdminUrl, issued.access_token)).toBe(true);
    expect(await introspect(b.oauth2AdminUrl, issued.access_token)).toBe(true); // cached at B
    const revoked = await fetch(`${a.oauth2PublicUrl}/oauth2/revoke`, {
      method: "POST",
      headers: { authorization: c.basic, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: issued.access_token }),
    });
    expect(revoked.status).toBe(200);
    expect(await within(2_000, async () => !(await introspect(b.oauth2AdminUrl, issued.access_token)))).toBe(
      true,
    );
  });
});
