import { Configuration, FrontendApi, ResponseError, type SettingsFlow } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, csrfOf, startTestCore, type TestCore } from "../../testing/index.ts";

const json = { headers: { accept: "application/json" } };
let t: TestCore;
let api: FrontendApi;

beforeAll(async () => {
  t = await startTestCore();
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
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

/** Registers through the native flow; the `session` hook returns a session token. */
async function register(email: string, password = "correct horse battery") {
  const flow = await api.createNativeRegistrationFlow();
  const res = await api.updateRegistrationFlow({
    flow: flow.id,
    updateRegistrationFlowBody: { method: "password", password, traits: { email } },
  });
  return { identityId: res.identity.id, token: res.session_token! };
}

async function loginNative(identifier: string, password: string) {
  const flow = await api.createNativeLoginFlow();
  return api.updateLoginFlow({
    flow: flow.id,
    updateLoginFlowBody: { method: "password", identifier, password },
  });
}

/** A browser signed in with a password, as @ory/elements-react talks to the core. */
async function browserSignedIn(email: string, password = "correct horse battery") {
  await register(email, password);
  const jar = new CookieJar();
  const browser = new FrontendApi(
    new Configuration({ basePath: t.publicUrl, fetchApi: jar.fetch, credentials: "include" }),
  );
  const flow = await browser.createBrowserLoginFlow({}, json);
  await browser.updateLoginFlow({
    flow: flow.id,
    updateLoginFlowBody: { method: "password", identifier: email, password, csrf_token: csrfOf(flow) },
  });
  return { jar, browser };
}

const names = (flow: SettingsFlow) =>
  flow.ui.nodes.map((n) => ({
    name: (n.attributes as { name: string }).name,
    group: n.group,
    value: (n.attributes as { value?: unknown }).value,
    label: n.meta.label?.id,
  }));

describe("settings (native)", () => {
  it("renders traits in group profile with current values, then a new password", async () => {
    const { token, identityId } = await register("settings-nodes@example.com");
    const flow = await api.createNativeSettingsFlow({ xSessionToken: token });
    expect(flow.state).toBe("show_form");
    expect(flow.identity.id).toBe(identityId);
    expect(flow.ui.action).toContain(`/self-service/settings?flow=${flow.id}`);
    expect(names(flow)).toEqual([
      { name: "csrf_token", group: "default", value: "", label: undefined },
      { name: "traits.email", group: "profile", value: "settings-nodes@example.com", label: 1070002 },
      { name: "traits.name.first", group: "profile", value: undefined, label: 1070002 },
      { name: "traits.name.last", group: "profile", value: undefined, label: 1070002 },
      { name: "traits.age", group: "profile", value: undefined, label: 1070002 },
      { name: "method", group: "profile", value: "profile", label: 1070003 },
      { name: "password", group: "password", value: undefined, label: 1070001 },
      { name: "method", group: "password", value: "password", label: 1070003 },
    ]);
    const pw = flow.ui.nodes.find((n) => (n.attributes as { name: string }).name === "password")!;
    expect(pw.attributes).toMatchObject({ type: "password", autocomplete: "new-password", required: true });
    const again = await api.getSettingsFlow({ id: flow.id, xSessionToken: token });
    expect(again.id).toBe(flow.id);
  });

  it("saves a profile change; whoami shows it; a changed email is a new address, sent to verification", async () => {
    const { token } = await register("profile-change@example.com");
    const flow = await api.createNativeSettingsFlow({ xSessionToken: token });
    const done = await api.updateSettingsFlow({
      flow: flow.id,
      xSessionToken: token,
      updateSettingsFlowBody: {
        method: "profile",
        traits: { email: "Profile-Changed@example.com", name: { first: "Ada", last: "Lovelace" }, age: 36 },
      },
    });
    expect(done.state).toBe("success");
    expect(done.ui.messages?.map((m) => m.id)).toEqual([1050001]);
    expect(done.identity.traits).toMatchObject({ email: "Profile-Changed@example.com", age: 36 });
    const who = await api.toSession({ xSessionToken: token });
    expect(who.identity?.traits).toEqual({
      email: "Profile-Changed@example.com",
      name: { first: "Ada", last: "Lovelace" },
      age: 36,
    });
    expect(who.identity?.verifiable_addresses).toEqual([
      // Verification of the new address started (the verification flow's hook mailed it).
      expect.objectContaining({ value: "profile-changed@example.com", verified: false, status: "sent" }),
    ]);
    expect(done.continue_with).toEqual([
      {
        action: "show_verification_ui",
        flow: { id: expect.any(String), verifiable_address: "profile-changed@example.com" },
      },
    ]);
    expect(who.identity?.recovery_addresses?.map((a) => a.value)).toEqual(["profile-changed@example.com"]);
    // The login identifier moved with the trait.
    const login = await loginNative("profile-changed@example.com", "correct horse battery");
    expect(login.session.identity?.id).toBe(who.identity?.id);
    const old = await failure(loginNative("profile-change@example.com", "correct horse battery"));
    expect(old.body.ui.messages[0].id).toBe(4000006);
  });

  it("starts verification of a changed address (show_verification_ui), once per new address", async () => {
    const { token } = await register("verify-change@example.com");
    const flow = await api.createNativeSettingsFlow({ xSessionToken: token });
    const done = await api.updateSettingsFlow({
      flow: flow.id,
      xSessionToken: token,
      updateSettingsFlowBody: { method: "profile", traits: { email: "verify-changed@example.com" } },
    });
    expect(done.continue_with).toEqual([
      {
        action: "show_verification_ui",
        flow: { id: expect.any(String), verifiable_address: "verify-changed@example.com" },
      },
    ]);
    // A real verification flow of the same type, already waiting for the code sent to the new address.
    const verificationId = (done.continue_with![0] as { flow: { id: string } }).flow.id;
    const verification = await api.getVerificationFlow({ id: verificationId });
    expect(verification.type).toBe("api");
    expect(verification.state).toBe("sent_email");
    const sent = await fetch(`${t.adminUrl}/admin/courier/messages?recipient=verify-changed%40example.com`);
    expect(((await sent.json()) as { template_type: string }[]).map((m) => m.template_type)).toEqual([
      "verification_code_valid",
    ]);
    // Unchanged addresses are not sent again.
    const again = await api.updateSettingsFlow({
      flow: flow.id,
      xSessionToken: token,
      updateSettingsFlowBody: {
        method: "profile",
        traits: { email: "verify-changed@example.com", name: { first: "V" } },
      },
    });
    expect(again.continue_with ?? []).toEqual([]);
    const still = await fetch(`${t.adminUrl}/admin/courier/messages?recipient=verify-changed%40example.com`);
    expect((await still.json()) as unknown[]).toHaveLength(1);
  });

  it("answers schema violations with 400 and the message on the trait's node, changing nothing", async () => {
    const { token } = await register("profile-invalid@example.com");
    const flow = await api.createNativeSettingsFlow({ xSessionToken: token });
    const { status, body } = await failure(
      api.updateSettingsFlow({
        flow: flow.id,
        xSessionToken: token,
        updateSettingsFlowBody: { method: "profile", traits: { email: "not-an-email", age: 500 } },
      }),
    );
    expect(status).toBe(400);
    const byName = Object.fromEntries(
      body.ui.nodes.map((n: any) => [n.attributes.name + n.group, n.messages.map((m: any) => m.id)]),
    );
    expect(byName["traits.emailprofile"]).toEqual([4000040]);
    expect(byName["traits.ageprofile"]).toHaveLength(1);
    const who = await api.toSession({ xSessionToken: token });
    expect(who.identity?.traits).toEqual({ email: "profile-invalid@example.com" });
  });

  it("refuses an identifier another identity has with 4000007", async () => {
    await register("taken@example.com");
    const { token } = await register("wants-taken@example.com");
    const flow = await api.createNativeSettingsFlow({ xSessionToken: token });
    const { status, body } = await failure(
      api.updateSettingsFlow({
        flow: flow.id,
        xSessionToken: token,
        updateSettingsFlowBody: { method: "profile", traits: { email: "TAKEN@example.com" } },
      }),
    );
    expect(status).toBe(400);
    expect(body.ui.messages.map((m: any) => m.id)).toEqual([4000007]);
    const who = await api.toSession({ xSessionToken: token });
    expect(who.identity?.traits).toEqual({ email: "wants-taken@example.com" });
  });

  it("changes the password; the new one signs in, the old one and reusing it do not", async () => {
    const { token } = await register("pw-change@example.com", "first passphrase 11");
    const flow = await api.createNativeSettingsFlow({ xSessionToken: token });
    const same = await failure(
      api.updateSettingsFlow({
        flow: flow.id,
        xSessionToken: token,
        updateSettingsFlowBody: { method: "password", password: "first passphrase 11" },
      }),
    );
    expect(same.status).toBe(400);
    const pwNode = same.body.ui.nodes.find((n: any) => n.attributes.name === "password");
    expect(pwNode.messages.map((m: any) => m.id)).toEqual([4000039]);
    const short = await failure(
      api.updateSettingsFlow({
        flow: flow.id,
        xSessionToken: token,
        updateSettingsFlowBody: { method: "password", password: "short" },
      }),
    );
    expect(short.body.ui.nodes.find((n: any) => n.attributes.name === "password").messages[0].id).toBe(
      4000032,
    );
    const done = await api.updateSettingsFlow({
      flow: flow.id,
      xSessionToken: token,
      updateSettingsFlowBody: { method: "password", password: "second passphrase 22" },
    });
    expect(done.state).toBe("success");
    expect(done.ui.messages?.map((m) => m.id)).toEqual([1050001]);
    const res = await loginNative("pw-change@example.com", "second passphrase 22");
    expect(res.session.active).toBe(true);
    const old = await failure(loginNative("pw-change@example.com", "first passphrase 11"));
    expect(old.status).toBe(400);
  });

  it("needs a session: 401 session_inactive for API and JSON clients", async () => {
    const noToken = await failure(api.createNativeSettingsFlow());
    expect(noToken.status).toBe(401);
    expect(noToken.body.error.id).toBe("session_inactive");
    const bad = await failure(api.createNativeSettingsFlow({ xSessionToken: "ory_st_nope" }));
    expect(bad.status).toBe(401);
    const browserJson = await failure(api.createBrowserSettingsFlow({}, json));
    expect(browserJson.body.error.id).toBe("session_inactive");
    const { token } = await register("no-session-submit@example.com");
    const flow = await api.createNativeSettingsFlow({ xSessionToken: token });
    const submit = await failure(
      api.updateSettingsFlow({
        flow: flow.id,
        updateSettingsFlowBody: { method: "password", password: "another passphrase 9" },
      }),
    );
    expect(submit.status).toBe(401);
    expect(submit.body.error.id).toBe("session_inactive");
  });

  it("refuses another identity's flow with 403 security_identity_mismatch", async () => {
    const alice = await register("alice-settings@example.com");
    const mallory = await register("mallory-settings@example.com");
    const flow = await api.createNativeSettingsFlow({ xSessionToken: alice.token });
    const read = await failure(api.getSettingsFlow({ id: flow.id, xSessionToken: mallory.token }));
    expect(read.status).toBe(403);
    expect(read.body.error.id).toBe("security_identity_mismatch");
    const write = await failure(
      api.updateSettingsFlow({
        flow: flow.id,
        xSessionToken: mallory.token,
        updateSettingsFlowBody: { method: "profile", traits: { email: "stolen@example.com" } },
      }),
    );
    expect(write.status).toBe(403);
    expect(write.body.error.id).toBe("security_identity_mismatch");
    const who = await api.toSession({ xSessionToken: alice.token });
    expect(who.identity?.traits).toEqual({ email: "alice-settings@example.com" });
  });

  it("answers an unknown method with 4010004 and an unknown flow with 404", async () => {
    const { token } = await register("unknown-method@example.com");
    const flow = await api.createNativeSettingsFlow({ xSessionToken: token });
    const res = await fetch(`${t.publicUrl}/self-service/settings?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-session-token": token },
      body: JSON.stringify({ method: "totp" }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).ui.messages[0].id).toBe(4010004);
    const missing = await failure(
      api.getSettingsFlow({ id: "00000000-0000-4000-8000-000000000000", xSessionToken: token }),
    );
    expect(missing.status).toBe(404);
  });
});

describe("settings (browser)", () => {
  it("sends a browser without session to the login flow, carrying return_to", async () => {
    const jar = new CookieJar();
    const res = await jar.fetch(
      `${t.publicUrl}/self-service/settings/browser?return_to=${encodeURIComponent("http://localhost:4455/account")}`,
      { headers: { accept: "text/html" } },
    );
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get("location")!);
    expect(to.pathname).toBe("/self-service/login/browser");
    expect(to.searchParams.get("return_to")).toBe("http://localhost:4455/account");
    const plain = await jar.fetch(`${t.publicUrl}/self-service/settings/browser`, {
      headers: { accept: "text/html" },
    });
    const back = new URL(plain.headers.get("location")!);
    expect(back.searchParams.get("return_to")).toBe("http://localhost:4455/settings");
  });

  it("redirects a form post to the UI and answers JSON with continue_with redirect_browser_to", async () => {
    const { jar, browser } = await browserSignedIn("browser-settings@example.com");
    const init = await jar.fetch(`${t.publicUrl}/self-service/settings/browser`, {
      headers: { accept: "text/html" },
    });
    expect(init.status).toBe(303);
    const ui = new URL(init.headers.get("location")!);
    expect(ui.origin + ui.pathname).toBe("http://localhost:4455/settings");
    const flow = await browser.getSettingsFlow({ id: ui.searchParams.get("flow")! });
    const form = await jar.fetch(`${t.publicUrl}/self-service/settings?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: new URLSearchParams({
        csrf_token: csrfOf(flow),
        method: "profile",
        "traits.email": "browser-settings@example.com",
        "traits.name.first": "Grace",
        "traits.age": "85",
      }),
    });
    expect(form.status).toBe(303);
    expect(form.headers.get("location")).toBe(`http://localhost:4455/settings?flow=${flow.id}`);
    const who = await browser.toSession();
    expect(who.identity?.traits).toEqual({
      email: "browser-settings@example.com",
      name: { first: "Grace" },
      age: 85,
    });

    const again = await browser.getSettingsFlow({ id: flow.id });
    const done = await browser.updateSettingsFlow({
      flow: flow.id,
      updateSettingsFlowBody: {
        method: "password",
        password: "a brand new passphrase",
        csrf_token: csrfOf(again),
      },
    });
    expect(done.state).toBe("success");
    expect(done.continue_with).toEqual([
      {
        action: "redirect_browser_to",
        redirect_browser_to: `http://localhost:4455/settings?flow=${flow.id}`,
      },
    ]);
  });

  it("rejects a submission without the CSRF token with 403 security_csrf_violation", async () => {
    const { jar, browser } = await browserSignedIn("csrf-settings@example.com");
    const flow = await browser.createBrowserSettingsFlow({}, json);
    const res = await jar.fetch(`${t.publicUrl}/self-service/settings?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ method: "profile", traits: { email: "csrf-settings-evil@example.com" } }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.id).toBe("security_csrf_violation");
    const who = await browser.toSession();
    expect(who.identity?.traits).toEqual({ email: "csrf-settings@example.com" });
  });
});
