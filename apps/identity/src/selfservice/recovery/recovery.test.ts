import { Configuration, FrontendApi, type RecoveryFlow, ResponseError } from "@ory/client-fetch";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selfserviceFlows } from "../../db/schema.ts";
import {
  CookieJar,
  csrfOf,
  extractCode,
  type MailCatcher,
  startMailCatcher,
  startTestCore,
  type TestCore,
} from "../../testing/index.ts";

const json = { headers: { accept: "application/json" } };
let mail: MailCatcher;
let t: TestCore;
let api: FrontendApi;

beforeAll(async () => {
  mail = await startMailCatcher();
  t = await startTestCore({ mail });
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
afterAll(async () => {
  await t?.stop();
  await mail?.stop();
});

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

const nodes = (flow: RecoveryFlow) =>
  flow.ui.nodes.map((n) => {
    const a = n.attributes as { name: string; type: string; value?: unknown };
    return `${n.group}:${a.name}:${a.type}${a.value !== undefined && a.name !== "csrf_token" ? `=${a.value}` : ""}:${n.meta.label?.id ?? ""}`;
  });

const recoveryMail = (to: string) => mail.waitFor(to, { match: (m) => /recover access/i.test(m.subject) });

describe("recovery by code (browser)", () => {
  it("mails a code that signs in, lands on settings, and sets a new password", async () => {
    const id = await register("recover-me@example.com", "forgotten passphrase 1");
    const b = browser();
    const flow = await b.api.createBrowserRecoveryFlow({}, json);
    expect(flow.state).toBe("choose_method");
    expect(flow.active).toBe("code");
    expect(nodes(flow)).toEqual([
      "default:csrf_token:hidden:",
      "code:email:email:1070007",
      "code:method:submit=code:1070009",
    ]);
    const sent = await b.api.updateRecoveryFlow({
      flow: flow.id,
      updateRecoveryFlowBody: { method: "code", email: "Recover-Me@example.com", csrf_token: csrfOf(flow) },
    });
    expect(sent.state).toBe("sent_email");
    expect(sent.ui.messages?.map((m) => m.id)).toEqual([1060003]);
    expect(nodes(sent)).toEqual([
      "default:csrf_token:hidden:",
      "code:code:text:1070010",
      "code:method:hidden=code:",
      "code:method:submit=code:1070009",
      "code:email:submit=Recover-Me@example.com:1070008",
    ]);
    const codeNode = sent.ui.nodes.find((n) => (n.attributes as { name: string }).name === "code")!;
    expect(codeNode.attributes).toMatchObject({ pattern: "[0-9]+", maxlength: 6, required: true });

    const code = extractCode(await recoveryMail("recover-me@example.com"));
    // A plain HTML form post: 303 to the settings UI with the session cookie set.
    const res = await b.jar.fetch(`${t.publicUrl}/self-service/recovery?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: new URLSearchParams({ csrf_token: csrfOf(sent), method: "code", code }),
    });
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get("location")!);
    expect(to.origin + to.pathname).toBe("http://localhost:4455/settings");
    const who = await b.api.toSession();
    expect(who.identity?.id).toBe(id);
    expect(who.authentication_methods?.map((m) => m.method)).toEqual(["code_recovery"]);
    // Receiving the code proved the address.
    expect(who.identity?.verifiable_addresses?.[0]).toMatchObject({ verified: true, status: "completed" });

    const settings = await b.api.getSettingsFlow({ id: to.searchParams.get("flow")! });
    const msg = settings.ui.messages![0]!;
    expect(msg.id).toBe(1060001);
    const until = Date.parse(
      (msg.context as { privileged_session_expires_at: string }).privileged_session_expires_at,
    );
    expect(until - Date.now()).toBeGreaterThan(59 * 60_000);
    const done = await b.api.updateSettingsFlow({
      flow: settings.id,
      updateSettingsFlowBody: {
        method: "password",
        password: "remembered passphrase 2",
        csrf_token: csrfOf(settings),
      },
    });
    expect(done.state).toBe("success");

    const login = await api.createNativeLoginFlow();
    const signedIn = await api.updateLoginFlow({
      flow: login.id,
      updateLoginFlowBody: {
        method: "password",
        identifier: "recover-me@example.com",
        password: "remembered passphrase 2",
      },
    });
    expect(signedIn.session.identity?.id).toBe(id);

    // The flow is done: submitting to it again starts over.
    const replay = await failure(
      b.api.updateRecoveryFlow({
        flow: flow.id,
        updateRecoveryFlowBody: { method: "code", code, csrf_token: csrfOf(sent) },
      }),
    );
    expect(replay.status).toBe(400);
    expect(replay.body.ui.messages[0].id).toBe(4060001);
  });

  it("answers a browser's JSON submission of the right code with 422 to the settings UI", async () => {
    await register("recover-json@example.com");
    const b = browser();
    const flow = await b.api.createBrowserRecoveryFlow({}, json);
    await b.api.updateRecoveryFlow({
      flow: flow.id,
      updateRecoveryFlowBody: { method: "code", email: "recover-json@example.com", csrf_token: csrfOf(flow) },
    });
    const code = extractCode(await recoveryMail("recover-json@example.com"));
    const res = await failure(
      b.api.updateRecoveryFlow({
        flow: flow.id,
        updateRecoveryFlowBody: { method: "code", code, csrf_token: csrfOf(flow) },
      }),
    );
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      id: "browser_location_change_required",
      code: 422,
      status: "Unprocessable Entity",
      message: "browser location change required",
    });
    expect(res.body.redirect_browser_to).toMatch(/^http:\/\/localhost:4455\/settings\?flow=/);
    expect(b.jar.get("olympus_test_session")).toMatch(/^ory_st_/);
  });

  it("redirects a wrong code back to the flow, with message 4060006", async () => {
    await register("recover-wrong@example.com");
    const b = browser();
    const flow = await b.api.createBrowserRecoveryFlow({}, json);
    await b.api.updateRecoveryFlow({
      flow: flow.id,
      updateRecoveryFlowBody: {
        method: "code",
        email: "recover-wrong@example.com",
        csrf_token: csrfOf(flow),
      },
    });
    const code = extractCode(await recoveryMail("recover-wrong@example.com"));
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    const res = await b.jar.fetch(`${t.publicUrl}/self-service/recovery?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: new URLSearchParams({ csrf_token: csrfOf(flow), method: "code", code: wrong }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`http://localhost:4455/recovery?flow=${flow.id}`);
    const after = await b.api.getRecoveryFlow({ id: flow.id });
    expect(after.state).toBe("sent_email");
    expect(after.ui.messages?.map((m) => m.id)).toEqual([4060006]);
    expect(b.jar.get("olympus_test_session")).toBeUndefined();
  });
});

describe("recovery by code (native)", () => {
  it("returns the session token and the settings flow in continue_with", async () => {
    const id = await register("recover-native@example.com");
    const flow = await api.createNativeRecoveryFlow();
    await api.updateRecoveryFlow({
      flow: flow.id,
      updateRecoveryFlowBody: { method: "code", email: "recover-native@example.com" },
    });
    const code = extractCode(await recoveryMail("recover-native@example.com"));
    const done = await api.updateRecoveryFlow({
      flow: flow.id,
      updateRecoveryFlowBody: { method: "code", code },
    });
    expect(done.state).toBe("passed_challenge");
    const [token, settings] = done.continue_with as any[];
    expect(token).toMatchObject({ action: "set_ory_session_token" });
    expect(settings).toMatchObject({ action: "show_settings_ui", flow: { id: expect.any(String) } });
    const who = await api.toSession({ xSessionToken: token.ory_session_token });
    expect(who.identity?.id).toBe(id);
    const sf = await api.getSettingsFlow({ id: settings.flow.id, xSessionToken: token.ory_session_token });
    expect(sf.ui.messages?.[0]?.id).toBe(1060001);
  });

  it("reaches sent_email for an unknown address too, mailing it that no account exists", async () => {
    const flow = await api.createNativeRecoveryFlow();
    const known = await api.createNativeRecoveryFlow();
    await register("recover-known@example.com");
    const [unknownRes, knownRes] = await Promise.all([
      api.updateRecoveryFlow({
        flow: flow.id,
        updateRecoveryFlowBody: { method: "code", email: "nobody-here@example.com" },
      }),
      api.updateRecoveryFlow({
        flow: known.id,
        updateRecoveryFlowBody: { method: "code", email: "recover-known@example.com" },
      }),
    ]);
    expect(unknownRes.state).toBe("sent_email");
    const shape = (f: RecoveryFlow) => ({
      state: f.state,
      messages: f.ui.messages,
      nodes: nodes(f).map((n) => n.replace(/=[^:]*@example\.com/, "=<email>")),
    });
    expect(shape(unknownRes)).toEqual(shape(knownRes));
    const notice = await mail.waitFor("nobody-here@example.com");
    expect(notice.subject).toMatch(/account access attempted/i);
    expect(notice.text).not.toMatch(/\b\d{6}\b/);
    const wrong = await api.updateRecoveryFlow({
      flow: flow.id,
      updateRecoveryFlowBody: { method: "code", code: "123456" },
    });
    expect(wrong.ui.messages?.map((m) => m.id)).toEqual([4060006]);
  });
});

describe("recovery flow rules", () => {
  it("refuses recovery with a session: session_already_available", async () => {
    await register("recover-signed-in@example.com");
    const login = await api.createNativeLoginFlow();
    const { session_token } = await api.updateLoginFlow({
      flow: login.id,
      updateLoginFlowBody: {
        method: "password",
        identifier: "recover-signed-in@example.com",
        password: "correct horse battery",
      },
    });
    const res = await fetch(`${t.publicUrl}/self-service/recovery/api`, {
      headers: { "x-session-token": session_token! },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.id).toBe("session_already_available");
  });

  it("validates the address: missing is 4000002, malformed is 4000040, both with 400", async () => {
    const flow = await api.createNativeRecoveryFlow();
    const missing = await failure(
      api.updateRecoveryFlow({ flow: flow.id, updateRecoveryFlowBody: { method: "code", email: "" } }),
    );
    expect(missing.status).toBe(400);
    const emailNode = (b: any) => b.ui.nodes.find((n: any) => n.attributes.name === "email");
    expect(emailNode(missing.body).messages[0].id).toBe(4000002);
    const bad = await failure(
      api.updateRecoveryFlow({
        flow: flow.id,
        updateRecoveryFlowBody: { method: "code", email: "not an email" },
      }),
    );
    expect(emailNode(bad.body).messages[0].id).toBe(4000040);
    expect(bad.body.state).toBe("choose_method");
  });

  it("answers an expired flow with 410 and a new flow to use", async () => {
    const flow = await api.createNativeRecoveryFlow();
    await t.core.ctx.db
      .update(selfserviceFlows)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(selfserviceFlows.id, flow.id));
    const res = await failure(
      api.updateRecoveryFlow({
        flow: flow.id,
        updateRecoveryFlowBody: { method: "code", email: "late@example.com" },
      }),
    );
    expect(res.status).toBe(410);
    expect(res.body.error.id).toBe("self_service_flow_expired");
    const fresh = await api.getRecoveryFlow({ id: res.body.use_flow_id });
    expect(fresh.ui.messages?.map((m) => m.id)).toEqual([4060005]);
    const read = await failure(api.getRecoveryFlow({ id: flow.id }));
    expect(read.status).toBe(410);
  });

  it("rejects a browser submission without the CSRF token", async () => {
    const b = browser();
    const flow = await b.api.createBrowserRecoveryFlow({}, json);
    const res = await b.jar.fetch(`${t.publicUrl}/self-service/recovery?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ method: "code", email: "csrf@example.com" }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.id).toBe("security_csrf_violation");
  });
});

describe("recovery disabled", () => {
  let off: TestCore;
  beforeAll(async () => {
    off = await startTestCore({ overrides: { selfservice: { flows: { recovery: { enabled: false } } } } });
  });
  afterAll(() => off?.stop());

  it("answers every endpoint with self_service_flow_disabled", async () => {
    for (const path of ["/self-service/recovery/api", "/self-service/recovery/browser"]) {
      const res = await fetch(`${off.publicUrl}${path}`, { headers: { accept: "application/json" } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).error.id).toBe("self_service_flow_disabled");
    }
  });
});
