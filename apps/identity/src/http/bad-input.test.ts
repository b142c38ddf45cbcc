import { Configuration, FrontendApi } from "@ory/client-fetch";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identities, selfserviceFlows } from "../db/schema.ts";
import { CookieJar, startTestCore, type TestCore } from "../testing/index.ts";

let t: TestCore;
let api: FrontendApi;

beforeAll(async () => {
  t = await startTestCore();
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
afterAll(() => t?.stop());

async function expectOryError(res: Response, status: number, id?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/json");
  const body = (await res.json()) as any;
  expect(body.error).toMatchObject({ code: status });
  expect(typeof body.error.message).toBe("string");
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|node_modules|SELECT|INSERT/);
  if (id) expect(body.error.id).toBe(id);
  return body;
}

async function identityCount(): Promise<number> {
  const [row] = await t.core.ctx.db.select({ n: sql<number>`count(*)::int` }).from(identities);
  return row!.n;
}

describe("bad input gets a 4xx in the Ory shape and writes nothing", () => {
  it("malformed JSON → 400", async () => {
    const flow = await api.createNativeRegistrationFlow();
    const before = await identityCount();
    const res = await fetch(`${t.publicUrl}/self-service/registration?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"method":"password","traits":{"email":',
    });
    await expectOryError(res, 400);
    expect(await identityCount()).toBe(before);
  });

  it("a JSON array or scalar body → 400", async () => {
    const flow = await api.createNativeLoginFlow();
    for (const body of ["[1,2]", '"x"', "42"]) {
      const res = await fetch(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      await expectOryError(res, 400);
    }
  });

  it("wrong content type → 415", async () => {
    const flow = await api.createNativeLoginFlow();
    const res = await fetch(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "identifier=a&password=b",
    });
    await expectOryError(res, 415);
  });

  it("a 1 MB body → 413", async () => {
    const flow = await api.createNativeRegistrationFlow();
    const before = await identityCount();
    const res = await fetch(`${t.publicUrl}/self-service/registration?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        method: "password",
        password: "a long passphrase 42",
        traits: { email: "big@example.com", pad: "x".repeat(1024 * 1024) },
      }),
    });
    await expectOryError(res, 413);
    expect(await identityCount()).toBe(before);
  });

  it("unknown or malformed flow ids → 404", async () => {
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-uuid", "'; drop table identities; --"]) {
      const get = await fetch(`${t.publicUrl}/self-service/login/flows?id=${encodeURIComponent(id)}`);
      await expectOryError(get, 404);
      const post = await fetch(`${t.publicUrl}/self-service/login?flow=${encodeURIComponent(id)}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      await expectOryError(post, 404);
    }
  });

  it("a foreign return_to → 400 self_service_flow_return_to_forbidden (no open redirect)", async () => {
    for (const rt of [
      "https://evil.example/",
      "http://localhost:4455.evil.example/",
      "javascript:alert(1)",
      "//evil.example/",
    ]) {
      const res = await fetch(
        `${t.publicUrl}/self-service/login/browser?return_to=${encodeURIComponent(rt)}`,
        {
          redirect: "manual",
        },
      );
      await expectOryError(res, 400, "self_service_flow_return_to_forbidden");
      expect(res.headers.get("location")).toBeNull();
    }
  });

  it("an unknown route → 404 in the Ory shape", async () => {
    await expectOryError(await fetch(`${t.publicUrl}/nope`), 404);
    await expectOryError(await fetch(`${t.adminUrl}/admin/nope`), 404);
  });
});

describe("CSRF", () => {
  async function browserFlow() {
    const jar = new CookieJar();
    const browser = new FrontendApi(new Configuration({ basePath: t.publicUrl, fetchApi: jar.fetch }));
    const flow = await browser.createBrowserLoginFlow({}, { headers: { accept: "application/json" } });
    const token = (
      flow.ui.nodes.find((n) => (n.attributes as { name: string }).name === "csrf_token")!.attributes as {
        value: string;
      }
    ).value;
    return { jar, flow, token };
  }
  const post = (jar: CookieJar, url: string, body: Record<string, string>) =>
    jar.fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    });

  it("missing token → 403 security_csrf_violation", async () => {
    const { jar, flow } = await browserFlow();
    const body = await expectOryError(
      await post(jar, flow.ui.action, { method: "password", identifier: "a@b.c", password: "x" }),
      403,
      "security_csrf_violation",
    );
    expect(body.error.details.reject_reason).toBe("The CSRF token was not sent.");
  });

  it("forged token → 403", async () => {
    const { jar, flow } = await browserFlow();
    const forged = Buffer.alloc(64, 7).toString("base64");
    await expectOryError(
      await post(jar, flow.ui.action, {
        csrf_token: forged,
        method: "password",
        identifier: "a@b.c",
        password: "x",
      }),
      403,
      "security_csrf_violation",
    );
  });

  it("missing cookie → 403 even with a valid-looking token", async () => {
    const { jar, flow, token } = await browserFlow();
    jar.delete("olympus_test_csrf");
    await expectOryError(
      await post(jar, flow.ui.action, {
        csrf_token: token,
        method: "password",
        identifier: "a@b.c",
        password: "x",
      }),
      403,
      "security_csrf_violation",
    );
  });

  it("another browser's cookie and token → 403 (the flow is bound to its browser)", async () => {
    const a = await browserFlow();
    const b = await browserFlow();
    await expectOryError(
      await post(b.jar, a.flow.ui.action, {
        csrf_token: b.token,
        method: "password",
        identifier: "a@b.c",
        password: "x",
      }),
      403,
      "security_csrf_violation",
    );
    const read = await b.jar.fetch(`${t.publicUrl}/self-service/login/flows?id=${a.flow.id}`);
    await expectOryError(read, 403, "security_csrf_violation");
  });
});

describe("expiry", () => {
  it("an expired flow → 410 with use_flow_id pointing at a fresh flow carrying 4010001", async () => {
    const flow = await api.createNativeLoginFlow();
    await t.core.ctx.db
      .update(selfserviceFlows)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(selfserviceFlows.id, flow.id));
    const res = await fetch(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ method: "password", identifier: "a@b.c", password: "whatever" }),
    });
    const body = await expectOryError(res, 410, "self_service_flow_expired");
    expect(body.use_flow_id).toMatch(/^[0-9a-f-]{36}$/);
    const fresh = await api.getLoginFlow({ id: body.use_flow_id });
    expect(fresh.ui.messages?.[0]?.id).toBe(4010001);
    const read = await fetch(`${t.publicUrl}/self-service/login/flows?id=${flow.id}`);
    await expectOryError(read, 410, "self_service_flow_expired");
  });
});
