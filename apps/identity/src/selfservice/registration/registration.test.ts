import { Configuration, FrontendApi, ResponseError } from "@ory/client-fetch";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identities } from "../../db/schema.ts";
import { CookieJar, startTestCore, type TestCore } from "../../testing/index.ts";

const json = { headers: { accept: "application/json" } };
let t: TestCore;
let api: FrontendApi;

beforeAll(async () => {
  t = await startTestCore();
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
afterAll(() => t?.stop());

async function bodyOf(p: Promise<unknown>): Promise<{ status: number; body: any }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ResponseError);
  const res = (err as ResponseError).response;
  return { status: res.status, body: await res.json() };
}

describe("registration", () => {
  it("renders schema-driven trait nodes in key order with titles", async () => {
    const flow = await api.createNativeRegistrationFlow();
    const nodes = flow.ui.nodes.map((n) => ({
      name: (n.attributes as { name: string }).name,
      group: n.group,
      label: n.meta.label?.text,
    }));
    expect(nodes).toEqual([
      { name: "csrf_token", group: "default", label: undefined },
      { name: "traits.email", group: "default", label: "E-Mail" },
      { name: "traits.name.first", group: "default", label: "First name" },
      { name: "traits.name.last", group: "default", label: "Last name" },
      { name: "traits.age", group: "default", label: "Age" },
      { name: "password", group: "password", label: "Password" },
      { name: "method", group: "password", label: "Sign up" },
    ]);
  });

  it("creates the identity and a session (after hook `session`) for a native flow", async () => {
    const flow = await api.createNativeRegistrationFlow();
    const res = await api.updateRegistrationFlow({
      flow: flow.id,
      updateRegistrationFlowBody: {
        method: "password",
        password: "a long passphrase 42",
        traits: { email: "Reg.Native@Example.com", name: { first: "Ada", last: "Lovelace" } },
      },
    });
    expect(res.identity.traits).toMatchObject({ email: "Reg.Native@Example.com", name: { first: "Ada" } });
    expect(res.identity.verifiable_addresses?.[0]).toMatchObject({
      value: "reg.native@example.com",
      verified: false,
      via: "email",
    });
    expect(res.session_token).toMatch(/^ory_st_/);
    expect(res.continue_with?.[0]).toMatchObject({ action: "set_ory_session_token" });
    const who = await api.toSession({ xSessionToken: res.session_token! });
    expect(who.identity?.id).toBe(res.identity.id);
  });

  it("answers a duplicate identifier with 4000007 and creates nothing", async () => {
    const register = async () => {
      const flow = await api.createNativeRegistrationFlow();
      return api.updateRegistrationFlow({
        flow: flow.id,
        updateRegistrationFlowBody: {
          method: "password",
          password: "a long passphrase 42",
          traits: { email: "dup@example.com" },
        },
      });
    };
    await register();
    const { status, body } = await bodyOf(register());
    expect(status).toBe(400);
    expect(body.ui.messages.map((m: { id: number }) => m.id)).toEqual([4000007]);
    const rows = await t.core.ctx.db
      .select()
      .from(identities)
      .where(sql`${identities.traits}->>'email' = 'dup@example.com'`);
    expect(rows).toHaveLength(1);
  });

  it("creates exactly one identity when 20 registrations of one email race", async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 20 }, async () => {
        const flow = await api.createNativeRegistrationFlow();
        return api.updateRegistrationFlow({
          flow: flow.id,
          updateRegistrationFlowBody: {
            method: "password",
            password: "a long passphrase 42",
            traits: { email: "race@example.com" },
          },
        });
      }),
    );
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
    for (const a of attempts.filter((x) => x.status === "rejected")) {
      expect(((a as PromiseRejectedResult).reason as ResponseError).response.status).toBe(400);
    }
    const rows = await t.core.ctx.db
      .select()
      .from(identities)
      .where(sql`${identities.traits}->>'email' = 'race@example.com'`);
    expect(rows).toHaveLength(1);
  });

  it("puts schema and policy errors on the offending nodes and keeps entered values", async () => {
    const flow = await api.createNativeRegistrationFlow();
    const { status, body } = await bodyOf(
      api.updateRegistrationFlow({
        flow: flow.id,
        updateRegistrationFlowBody: {
          method: "password",
          password: "short",
          traits: { email: "not-an-email", age: 12 } as never,
        },
      }),
    );
    expect(status).toBe(400);
    const node = (name: string) => body.ui.nodes.find((n: any) => n.attributes.name === name);
    expect(node("traits.email").messages[0].id).toBe(4000040);
    expect(node("traits.email").attributes.value).toBe("not-an-email");
    expect(node("traits.age").attributes.value).toBe(12);
    // Schema errors come first; the password is only judged once the traits are valid.
    const flow2 = await api.createNativeRegistrationFlow();
    const second = await bodyOf(
      api.updateRegistrationFlow({
        flow: flow2.id,
        updateRegistrationFlowBody: {
          method: "password",
          password: "short",
          traits: { email: "ok@example.com" },
        },
      }),
    );
    const pw = second.body.ui.nodes.find((n: any) => n.attributes.name === "password");
    expect(pw.messages[0]).toMatchObject({ id: 4000032, context: { min_length: 8, actual_length: 5 } });
    expect(pw.attributes.value).toBeUndefined();
  });

  it("rejects a password too similar to the identifier (4000031)", async () => {
    const flow = await api.createNativeRegistrationFlow();
    const { body } = await bodyOf(
      api.updateRegistrationFlow({
        flow: flow.id,
        updateRegistrationFlowBody: {
          method: "password",
          password: "similar@example.com1",
          traits: { email: "similar@example.com" },
        },
      }),
    );
    const pw = body.ui.nodes.find((n: any) => n.attributes.name === "password");
    expect(pw.messages[0].id).toBe(4000031);
  });

  it("completes a browser form post with a 303 and the session cookie", async () => {
    const jar = new CookieJar();
    const browser = new FrontendApi(new Configuration({ basePath: t.publicUrl, fetchApi: jar.fetch }));
    const flow = await browser.createBrowserRegistrationFlow(
      { returnTo: "http://localhost:4455/welcome" },
      json,
    );
    const csrf = (
      flow.ui.nodes.find((n) => (n.attributes as { name: string }).name === "csrf_token")!.attributes as {
        value: string;
      }
    ).value;
    const res = await jar.fetch(flow.ui.action, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        csrf_token: csrf,
        method: "password",
        "traits.email": "form@example.com",
        "traits.age": "33",
        password: "a long passphrase 42",
      }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("http://localhost:4455/welcome");
    const who = await browser.toSession();
    expect(who.identity?.traits).toEqual({ email: "form@example.com", age: 33 });
  });

  it("is refused when a session already exists", async () => {
    const flow = await api.createNativeRegistrationFlow();
    const res = await api.updateRegistrationFlow({
      flow: flow.id,
      updateRegistrationFlowBody: {
        method: "password",
        password: "a long passphrase 42",
        traits: { email: "has-session@example.com" },
      },
    });
    const { status, body } = await bodyOf(
      api.createNativeRegistrationFlow({}, { headers: { "x-session-token": res.session_token! } }),
    );
    expect(status).toBe(400);
    expect(body.error.id).toBe("session_already_available");
  });
});
