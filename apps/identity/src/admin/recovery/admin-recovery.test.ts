import { Configuration, FrontendApi, IdentityApi, ResponseError } from "@ory/client-fetch";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identities, identityCredentials } from "../../db/schema.ts";
import { CookieJar, csrfOf, startTestCore, type TestCore } from "../../testing/index.ts";

let t: TestCore;
let api: FrontendApi;
let admin: IdentityApi;

beforeAll(async () => {
  t = await startTestCore();
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
  admin = new IdentityApi(new Configuration({ basePath: t.adminUrl }));
});
afterAll(() => t?.stop());

async function register(email: string, password = "correct horse battery"): Promise<string> {
  const flow = await api.createNativeRegistrationFlow();
  const res = await api.updateRegistrationFlow({
    flow: flow.id,
    updateRegistrationFlowBody: { method: "password", password, traits: { email } },
  });
  return res.identity.id;
}

async function failure(p: Promise<unknown>): Promise<{ status: number; body: any }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ResponseError);
  const res = (err as ResponseError).response;
  return { status: res.status, body: await res.json() };
}

function browser() {
  const jar = new CookieJar();
  return {
    jar,
    api: new FrontendApi(
      new Configuration({ basePath: t.publicUrl, fetchApi: jar.fetch, credentials: "include" }),
    ),
  };
}

/** In settings with a fresh recovery session: set a new password, then prove it signs in. */
async function setNewPassword(b: ReturnType<typeof browser>, settingsFlowId: string, email: string) {
  const flow = await b.api.getSettingsFlow({ id: settingsFlowId });
  expect(flow.ui.messages?.map((m) => m.id)).toEqual([1060001]);
  const done = await b.api.updateSettingsFlow({
    flow: flow.id,
    updateSettingsFlowBody: {
      method: "password",
      password: "recovered passphrase 7",
      csrf_token: csrfOf(flow),
    },
  });
  expect(done.state).toBe("success");
  const login = await api.createNativeLoginFlow();
  const res = await api.updateLoginFlow({
    flow: login.id,
    updateLoginFlowBody: { method: "password", identifier: email, password: "recovered passphrase 7" },
  });
  expect(res.session.identity?.traits).toEqual({ email });
}

describe("admin recovery code", () => {
  it("creates a flow waiting for the code; the user enters it in a browser and lands on settings", async () => {
    const id = await register("admin-code@example.com");
    const created = await admin.createRecoveryCodeForIdentityRaw({
      createRecoveryCodeForIdentityBody: { identity_id: id },
    });
    expect(created.raw.status).toBe(201);
    const body = await created.value();
    expect(body.recovery_code).toMatch(/^\d{6}$/);
    const link = new URL(body.recovery_link);
    expect(link.origin + link.pathname).toBe("http://localhost:4455/recovery");
    const expiresIn = (body.expires_at as Date).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(59 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(60 * 60_000);

    // A browser that never saw the core opens the link.
    const b = browser();
    const flow = await b.api.getRecoveryFlow({ id: link.searchParams.get("flow")! });
    expect(flow.state).toBe("sent_email");
    expect(flow.active).toBe("code");
    expect(flow.ui.nodes.map((n) => (n.attributes as { name: string }).name)).toEqual([
      "csrf_token",
      "code",
      "method",
    ]);
    const res = await failure(
      b.api.updateRecoveryFlow({
        flow: flow.id,
        updateRecoveryFlowBody: { method: "code", code: body.recovery_code, csrf_token: csrfOf(flow) },
      }),
    );
    expect(res.status).toBe(422);
    expect(res.body.error.id).toBe("browser_location_change_required");
    const settings = new URL(res.body.redirect_browser_to);
    expect(settings.origin + settings.pathname).toBe("http://localhost:4455/settings");
    const who = await b.api.toSession();
    expect(who.identity?.id).toBe(id);
    expect(who.authentication_methods?.map((m) => m.method)).toEqual(["code_recovery"]);
    // A code from an administrator proves nothing about the address.
    expect(who.identity?.verifiable_addresses?.[0]?.verified).toBe(false);
    await setNewPassword(b, settings.searchParams.get("flow")!, "admin-code@example.com");
  });

  it("does not sign in a deactivated identity", async () => {
    const id = await register("admin-code-inactive@example.com");
    const { recovery_link, recovery_code } = await admin.createRecoveryCodeForIdentity({
      createRecoveryCodeForIdentityBody: { identity_id: id, flow_type: "api" },
    });
    await t.core.ctx.db.update(identities).set({ state: "inactive" }).where(eq(identities.id, id));
    const res = await failure(
      api.updateRecoveryFlow({
        flow: new URL(recovery_link).searchParams.get("flow")!,
        updateRecoveryFlowBody: { method: "code", code: recovery_code },
      }),
    );
    expect(res.status).toBe(400);
    expect(res.body.ui.messages.map((m: any) => m.id)).toEqual([4010011]);
  });

  it("honours expires_in and answers bad input with 400 and unknown identities with 404", async () => {
    const id = await register("admin-code-bad@example.com");
    const short = await admin.createRecoveryCodeForIdentity({
      createRecoveryCodeForIdentityBody: { identity_id: id, expires_in: "10m" },
    });
    expect((short.expires_at as Date).getTime() - Date.now()).toBeLessThanOrEqual(10 * 60_000);
    const unknown = await failure(
      admin.createRecoveryCodeForIdentity({
        createRecoveryCodeForIdentityBody: { identity_id: "00000000-0000-4000-8000-000000000000" },
      }),
    );
    expect(unknown.status).toBe(404);
    for (const bad of [
      {},
      { identity_id: "not-a-uuid" },
      { identity_id: id, expires_in: "soon" },
      { identity_id: id, expires_in: "0s" },
      { identity_id: 42 },
    ]) {
      const res = await fetch(`${t.adminUrl}/admin/recovery/code`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(bad),
      });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(((await res.json()) as any).error.code).toBe(400);
    }
    const notJson = await fetch(`${t.adminUrl}/recovery/link`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(notJson.status).toBe(400);
  });
});

describe("admin recovery link", () => {
  it("signs in once, lands on settings, and is useless the second time", async () => {
    const id = await register("admin-link@example.com");
    const created = await admin.createRecoveryLinkForIdentity({
      createRecoveryLinkForIdentityBody: { identity_id: id, expires_in: "15m" },
    });
    const link = new URL(created.recovery_link);
    expect(link.pathname).toBe("/self-service/recovery");
    expect(link.searchParams.get("token")).toMatch(/^[A-Za-z0-9]{32}$/);
    expect((created.expires_at as Date).getTime() - Date.now()).toBeLessThanOrEqual(15 * 60_000);

    const b = browser();
    const local = `${t.publicUrl}${link.pathname}${link.search}`;
    const opened = await b.jar.fetch(local, { headers: { accept: "text/html" } });
    expect(opened.status).toBe(303);
    const settings = new URL(opened.headers.get("location")!);
    expect(settings.origin + settings.pathname).toBe("http://localhost:4455/settings");
    expect(b.jar.get("olympus_test_session")).toMatch(/^ory_st_/);
    const who = await b.api.toSession();
    expect(who.identity?.id).toBe(id);
    expect(who.authentication_methods?.map((m) => m.method)).toEqual(["link_recovery"]);
    await setNewPassword(b, settings.searchParams.get("flow")!, "admin-link@example.com");

    const again = browser();
    const reused = await again.jar.fetch(local, { headers: { accept: "text/html" } });
    expect(reused.status).toBe(303);
    const retry = new URL(reused.headers.get("location")!);
    expect(retry.origin + retry.pathname).toBe("http://localhost:4455/recovery");
    const fresh = await again.api.getRecoveryFlow({ id: retry.searchParams.get("flow")! });
    expect(fresh.ui.messages?.map((m) => m.id)).toEqual([4060004]);
    expect(again.jar.get("olympus_test_session")).toBeUndefined();
  });

  it("lets an identity without a password (imported) set its first one", async () => {
    const id = await register("admin-link-imported@example.com");
    await t.core.ctx.db
      .delete(identityCredentials)
      .where(and(eq(identityCredentials.identityId, id), eq(identityCredentials.type, "password")));
    const created = await admin.createRecoveryLinkForIdentity({
      createRecoveryLinkForIdentityBody: { identity_id: id },
    });
    const link = new URL(created.recovery_link);
    const b = browser();
    const opened = await b.jar.fetch(`${t.publicUrl}${link.pathname}${link.search}`, {
      headers: { accept: "text/html" },
    });
    const settings = new URL(opened.headers.get("location")!);
    await setNewPassword(b, settings.searchParams.get("flow")!, "admin-link-imported@example.com");
  });

  it("rejects a tampered token", async () => {
    const id = await register("admin-link-tampered@example.com");
    const created = await admin.createRecoveryLinkForIdentity({
      createRecoveryLinkForIdentityBody: { identity_id: id },
    });
    const link = new URL(created.recovery_link);
    link.searchParams.set("token", "A".repeat(32));
    const b = browser();
    const res = await b.jar.fetch(`${t.publicUrl}${link.pathname}${link.search}`, {
      headers: { accept: "text/html" },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toContain("http://localhost:4455/recovery?flow=");
    expect(b.jar.get("olympus_test_session")).toBeUndefined();
  });
});
