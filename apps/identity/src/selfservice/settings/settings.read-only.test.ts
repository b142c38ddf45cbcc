import { fileURLToPath } from "node:url";
import {
  Configuration,
  FrontendApi,
  type RegistrationFlow,
  ResponseError,
  type SettingsFlow,
  type UiNode,
} from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCore, type TestCore } from "../../testing/index.ts";

/*
 * Issue 16, finding 1: traits an end user must not edit. The shipped CIAM customer schema marks
 * `customer_id` (a login identifier), `loyalty_tier` and `account_status` `readOnly`: administrators
 * set them through the admin API; self-service registration cannot set them and settings cannot
 * change them — a raw API call that tries answers 400 with the flow and an Ory validation message.
 * Runs on PostgreSQL (TEST_DATABASE_URL) and PGlite.
 */

const customerSchema = fileURLToPath(
  new URL("../../../../../seeds/ciam/schemas/customer.schema.json", import.meta.url),
);
const PASSWORD = "read-only traits test password";
let t: TestCore;
let api: FrontendApi;

beforeAll(async () => {
  t = await startTestCore({
    overrides: {
      identity: { default_schema_id: "customer", schemas: [{ id: "customer", url: customerSchema }] },
    },
  });
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
}, 60_000);
afterAll(() => t?.stop());

async function failure(p: Promise<unknown>): Promise<{ status: number; body: any }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ResponseError);
  const res = (err as ResponseError).response;
  return { status: res.status, body: await res.json() };
}

const customer = (n: number) => ({
  email: `customer${n}@example.com`,
  customer_id: `CUST-${n}`,
  first_name: "Cleo",
  last_name: "Customer",
  loyalty_tier: "bronze",
  account_status: "active",
});

async function createCustomer(n: number): Promise<string> {
  const res = await fetch(`${t.adminUrl}/admin/identities`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      schema_id: "customer",
      traits: customer(n),
      credentials: { password: { config: { password: PASSWORD } } },
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function traitsOf(id: string): Promise<Record<string, unknown>> {
  return (
    (await (await fetch(`${t.adminUrl}/admin/identities/${id}`)).json()) as {
      traits: Record<string, unknown>;
    }
  ).traits;
}

async function signIn(identifier: string): Promise<string> {
  const flow = await api.createNativeLoginFlow();
  const res = await api.updateLoginFlow({
    flow: flow.id,
    updateLoginFlowBody: { method: "password", identifier, password: PASSWORD },
  });
  return res.session_token!;
}

const node = (flow: { ui: { nodes: UiNode[] } }, name: string) =>
  flow.ui.nodes.find((n) => (n.attributes as { name?: string }).name === name);

describe("read-only traits in settings", () => {
  it("shows read-only traits disabled with their value", async () => {
    await createCustomer(1);
    const token = await signIn("customer1@example.com");
    const flow = await api.createNativeSettingsFlow({ xSessionToken: token });
    for (const [name, value] of [
      ["traits.customer_id", "CUST-1"],
      ["traits.loyalty_tier", "bronze"],
      ["traits.account_status", "active"],
    ] as const) {
      expect(node(flow, name)?.attributes).toMatchObject({ value, disabled: true });
    }
    expect(node(flow, "traits.first_name")?.attributes).toMatchObject({ value: "Cleo", disabled: false });
  });

  it("refuses a raw settings call that changes a read-only trait: 400, the flow with a message on the trait, nothing written", async () => {
    const id = await createCustomer(2);
    const token = await signIn("customer2@example.com");
    for (const [path, value] of [
      ["loyalty_tier", "diamond"],
      ["account_status", "closed"],
      ["customer_id", "CUST-1"],
    ] as const) {
      const flow = await api.createNativeSettingsFlow({ xSessionToken: token });
      const { status, body } = await failure(
        api.updateSettingsFlow({
          flow: flow.id,
          xSessionToken: token,
          updateSettingsFlowBody: {
            method: "profile",
            traits: { ...customer(2), first_name: "Mallory", [path]: value },
          },
        }),
      );
      expect(status).toBe(400);
      const returned = body as SettingsFlow;
      expect(returned.id).toBe(flow.id);
      expect(node(returned, `traits.${path}`)?.messages).toEqual([
        expect.objectContaining({
          id: 4000001,
          type: "error",
          text: `The value of ${path} is managed by an administrator and cannot be changed here.`,
        }),
      ]);
    }
    // Nothing changed, not even the allowed first name that came along.
    expect(await traitsOf(id)).toEqual(customer(2));
    // customer_id is a login identifier: CUST-1 still belongs to customer 1 alone, CUST-2 still signs in.
    expect(await signIn("CUST-2")).toMatch(/^ory_st_/);
  });

  it("refuses adding a read-only trait the identity does not have yet, and removing one with null", async () => {
    const res = await fetch(`${t.adminUrl}/admin/identities`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        schema_id: "customer",
        traits: { email: "customer3@example.com", customer_id: "CUST-3", first_name: "C", last_name: "T" },
        credentials: { password: { config: { password: PASSWORD } } },
      }),
    });
    const id = ((await res.json()) as { id: string }).id;
    const token = await signIn("customer3@example.com");
    const base = { email: "customer3@example.com", customer_id: "CUST-3", first_name: "C", last_name: "T" };
    let flow = await api.createNativeSettingsFlow({ xSessionToken: token });
    let r = await failure(
      api.updateSettingsFlow({
        flow: flow.id,
        xSessionToken: token,
        updateSettingsFlowBody: { method: "profile", traits: { ...base, loyalty_tier: "platinum" } },
      }),
    );
    expect(r.status).toBe(400);
    flow = await api.createNativeSettingsFlow({ xSessionToken: token });
    r = await failure(
      api.updateSettingsFlow({
        flow: flow.id,
        xSessionToken: token,
        updateSettingsFlowBody: { method: "profile", traits: { ...base, customer_id: null } },
      }),
    );
    expect(r.status).toBe(400);
    expect(await traitsOf(id)).toEqual(base);
  });

  it("keeps read-only traits that a form leaves out (browsers do not post disabled inputs) and accepts them unchanged", async () => {
    const id = await createCustomer(4);
    const token = await signIn("customer4@example.com");
    let flow = await api.createNativeSettingsFlow({ xSessionToken: token });
    const { customer_id: _c, loyalty_tier: _l, account_status: _a, ...editable } = customer(4);
    let res = await api.updateSettingsFlow({
      flow: flow.id,
      xSessionToken: token,
      updateSettingsFlowBody: { method: "profile", traits: { ...editable, first_name: "Cleopatra" } },
    });
    expect(res.state).toBe("success");
    expect(await traitsOf(id)).toEqual({ ...customer(4), first_name: "Cleopatra" });

    flow = await api.createNativeSettingsFlow({ xSessionToken: token });
    res = await api.updateSettingsFlow({
      flow: flow.id,
      xSessionToken: token,
      updateSettingsFlowBody: {
        method: "profile",
        traits: { ...customer(4), first_name: "Cleopatra", last_name: "Seventh" },
      },
    });
    expect(res.state).toBe("success");
    expect(await traitsOf(id)).toEqual({ ...customer(4), first_name: "Cleopatra", last_name: "Seventh" });
  });

  it("lets administrators change read-only traits through the admin API", async () => {
    const id = await createCustomer(5);
    const res = await fetch(`${t.adminUrl}/admin/identities/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ op: "replace", path: "/traits/loyalty_tier", value: "gold" }]),
    });
    expect(res.status).toBe(200);
    expect((await traitsOf(id)).loyalty_tier).toBe("gold");
  });
});

describe("read-only traits at registration", () => {
  it("leaves them out of the form and refuses a registration that sets one (a customer cannot pick a customer number)", async () => {
    const flow = await api.createNativeRegistrationFlow();
    const names = flow.ui.nodes.map((n) => (n.attributes as { name?: string }).name);
    expect(names).toContain("traits.email");
    expect(names).not.toContain("traits.customer_id");
    expect(names).not.toContain("traits.loyalty_tier");
    expect(names).not.toContain("traits.account_status");

    for (const extra of [
      { customer_id: "CUST-1" },
      { customer_id: "CUST-77" },
      { loyalty_tier: "diamond" },
    ]) {
      const f = await api.createNativeRegistrationFlow();
      const { status, body } = await failure(
        api.updateRegistrationFlow({
          flow: f.id,
          updateRegistrationFlowBody: {
            method: "password",
            password: PASSWORD,
            traits: { email: "squatter@example.com", first_name: "S", last_name: "Q", ...extra },
          },
        }),
      );
      expect(status).toBe(400);
      const path = Object.keys(extra)[0]!;
      expect(JSON.stringify((body as RegistrationFlow).ui.messages)).toContain(
        `The value of ${path} is managed by an administrator`,
      );
    }
    const found = await fetch(`${t.adminUrl}/admin/identities?credentials_identifier=squatter@example.com`);
    expect(await found.json()).toEqual([]);
  });
});
