import { Configuration, FrontendApi } from "@ory/client-fetch";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selfserviceErrors, selfserviceFlows } from "../../db/schema.ts";
import { CookieJar, startTestCore, type TestCore } from "../../testing/index.ts";

const ERROR_UI = "http://localhost:4455/error";
const html = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };
const form = { ...html, "content-type": "application/x-www-form-urlencoded" };
const jsonHeaders = { accept: "application/json" };

let t: TestCore;
let sdk: FrontendApi;

beforeAll(async () => {
  t = await startTestCore({ overrides: { selfservice: { flows: { error: { ui_url: ERROR_UI } } } } });
  sdk = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
afterAll(() => t?.stop());

const storedErrors = async () => (await t.core.ctx.db.select({ n: count() }).from(selfserviceErrors))[0]!.n;

/** Asserts a 303 to the error UI and returns the stored error, read back as the error page would. */
async function followToErrorUi(res: Response): Promise<{ id: string; error: Record<string, any> }> {
  expect(res.status).toBe(303);
  const location = new URL(res.headers.get("location")!);
  expect(`${location.origin}${location.pathname}`).toBe(ERROR_UI);
  const id = location.searchParams.get("id")!;
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  const read = await fetch(`${t.publicUrl}/self-service/errors?id=${id}`);
  expect(read.status).toBe(200);
  const body = (await read.json()) as { id: string; error: Record<string, any>; created_at: string };
  expect(body.id).toBe(id);
  expect(Date.parse(body.created_at)).not.toBeNaN();
  // The SDK call @ory/nextjs and Hera's error page make.
  const viaSdk = await sdk.getFlowError({ id });
  expect(viaSdk.error).toEqual(body.error);
  return body;
}

describe("browser errors go to the error UI (Kratos's error manager)", () => {
  it("a form post to an unknown flow: 303 to ui_url?id=, the stored 404 is served by /self-service/errors", async () => {
    const res = await fetch(`${t.publicUrl}/self-service/login?flow=${crypto.randomUUID()}`, {
      method: "POST",
      headers: form,
      body: new URLSearchParams({ method: "password", identifier: "a@example.com", password: "x" }),
      redirect: "manual",
    });
    const stored = await followToErrorUi(res);
    expect(stored.error).toMatchObject({ code: 404, status: "Not Found" });
    expect(stored.error.reason).toMatch(/login flow could not be found/);
  });

  it("the same request from a JSON client keeps the 404 body, and nothing is stored", async () => {
    const before = await storedErrors();
    for (const headers of [{ ...form, ...jsonHeaders }, { "content-type": "application/json" }]) {
      const res = await fetch(`${t.publicUrl}/self-service/registration?flow=${crypto.randomUUID()}`, {
        method: "POST",
        headers,
        body:
          headers["content-type"] === "application/json"
            ? JSON.stringify({ method: "password" })
            : new URLSearchParams({ method: "password" }),
        redirect: "manual",
      });
      expect(res.status).toBe(404);
      const body = (await res.json()) as { error: { code: number } };
      expect(body.error.code).toBe(404);
    }
    expect(await storedErrors()).toBe(before);
  });

  it("a flow init with a foreign return_to: browsers go to the error UI, JSON clients get 400", async () => {
    const url = `${t.publicUrl}/self-service/login/browser?return_to=${encodeURIComponent("https://evil.example/")}`;
    const res = await fetch(url, { headers: html, redirect: "manual" });
    const stored = await followToErrorUi(res);
    expect(stored.error).toMatchObject({
      id: "self_service_flow_return_to_forbidden",
      code: 400,
      status: "Bad Request",
    });
    const asJson = await fetch(url, { headers: jsonHeaders, redirect: "manual" });
    expect(asJson.status).toBe(400);
    expect(((await asJson.json()) as any).error.id).toBe("self_service_flow_return_to_forbidden");
  });

  it("a browser form post without its CSRF token goes to the error UI with security_csrf_violation", async () => {
    const jar = new CookieJar();
    const init = await jar.fetch(`${t.publicUrl}/self-service/registration/browser`, {
      headers: jsonHeaders,
    });
    const flow = (await init.json()) as { id: string };
    const res = await jar.fetch(`${t.publicUrl}/self-service/registration?flow=${flow.id}`, {
      method: "POST",
      headers: form,
      body: new URLSearchParams({ method: "password", "traits.email": "csrf@example.com", password: "x" }),
    });
    const stored = await followToErrorUi(res);
    expect(stored.error).toMatchObject({ id: "security_csrf_violation", code: 403 });
  });

  it("API flows answer JSON even to a non-JSON request", async () => {
    const before = await storedErrors();
    const api = (await (await fetch(`${t.publicUrl}/self-service/login/api`)).json()) as { id: string };
    const res = await fetch(`${t.publicUrl}/self-service/login?flow=${api.id}`, {
      method: "POST",
      headers: { ...html, "content-type": "text/plain" },
      body: "method=password",
      redirect: "manual",
    });
    expect(res.status).toBe(415);
    expect(((await res.json()) as any).error.code).toBe(415);
    expect(await storedErrors()).toBe(before);
    // The same body to a browser flow is a browser error.
    const jar = new CookieJar();
    const browser = (await (
      await jar.fetch(`${t.publicUrl}/self-service/login/browser`, { headers: jsonHeaders })
    ).json()) as { id: string };
    const fromBrowser = await jar.fetch(`${t.publicUrl}/self-service/login?flow=${browser.id}`, {
      method: "POST",
      headers: { ...html, "content-type": "text/plain" },
      body: "method=password",
    });
    expect((await followToErrorUi(fromBrowser)).error.code).toBe(415);
  });

  it("endpoints browsers do not navigate to keep JSON errors (GET …/flows, /sessions/whoami)", async () => {
    const before = await storedErrors();
    const flows = await fetch(`${t.publicUrl}/self-service/login/flows?id=${crypto.randomUUID()}`, {
      headers: html,
      redirect: "manual",
    });
    expect(flows.status).toBe(404);
    const whoami = await fetch(`${t.publicUrl}/sessions/whoami`, { headers: html, redirect: "manual" });
    expect(whoami.status).toBe(401);
    expect(await storedErrors()).toBe(before);
  });

  it("an expired browser flow still restarts as a new flow (303 ?flow=), JSON clients get 410 use_flow_id", async () => {
    const jar = new CookieJar();
    const start = async () => {
      const res = await jar.fetch(`${t.publicUrl}/self-service/login/browser`, { headers: jsonHeaders });
      const flow = (await res.json()) as { id: string; ui: { nodes: any[] } };
      await t.core.ctx.db
        .update(selfserviceFlows)
        .set({ expiresAt: new Date(Date.now() - 60_000) })
        .where(eq(selfserviceFlows.id, flow.id));
      const csrf = flow.ui.nodes.find((n) => n.attributes.name === "csrf_token").attributes.value;
      return { id: flow.id, csrf };
    };
    const before = await storedErrors();
    const a = await start();
    const res = await jar.fetch(`${t.publicUrl}/self-service/login?flow=${a.id}`, {
      method: "POST",
      headers: form,
      body: new URLSearchParams({ csrf_token: a.csrf, method: "password", identifier: "x", password: "y" }),
    });
    expect(res.status).toBe(303);
    const next = new URL(res.headers.get("location")!);
    expect(next.pathname).toBe("/login");
    expect(next.searchParams.get("flow")).toMatch(/^[0-9a-f-]{36}$/);
    expect(next.searchParams.get("flow")).not.toBe(a.id);

    const b = await start();
    const asJson = await jar.fetch(`${t.publicUrl}/self-service/login?flow=${b.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...jsonHeaders },
      body: JSON.stringify({ csrf_token: b.csrf, method: "password", identifier: "x", password: "y" }),
    });
    expect(asJson.status).toBe(410);
    const body = (await asJson.json()) as any;
    expect(body.error.id).toBe("self_service_flow_expired");
    expect(body.use_flow_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await storedErrors()).toBe(before);
  });

  it("without selfservice.flows.error.ui_url the browser gets the error body", async () => {
    const flows = t.core.ctx.config.selfservice.flows;
    const saved = flows.error.ui_url;
    flows.error.ui_url = undefined;
    try {
      const res = await fetch(`${t.publicUrl}/self-service/login?flow=${crypto.randomUUID()}`, {
        method: "POST",
        headers: form,
        body: new URLSearchParams({ method: "password" }),
        redirect: "manual",
      });
      expect(res.status).toBe(404);
      expect(((await res.json()) as any).error.code).toBe(404);
    } finally {
      flows.error.ui_url = saved;
    }
  });

  it("GET /self-service/errors: unknown or malformed ids are 404, stub:500 is Kratos's stub", async () => {
    for (const id of [crypto.randomUUID(), "not-a-uuid", "", "a".repeat(36), "-".repeat(36)]) {
      const res = await fetch(`${t.publicUrl}/self-service/errors?id=${id}`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as any).error.code).toBe(404);
    }
    const stub = await sdk.getFlowError({ id: "stub:500" });
    expect(stub.error).toMatchObject({ code: 500, status: "Internal Server Error" });
  });
});
