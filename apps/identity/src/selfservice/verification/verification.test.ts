import { Configuration, FrontendApi, ResponseError, type VerificationFlow } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
/** Verification flows live one second here, to test expiry. */
let shortLived: TestCore;
/** Verification disabled, as in the IAM domain. */
let disabled: TestCore;
let api: FrontendApi;

beforeAll(async () => {
  mail = await startMailCatcher();
  [t, shortLived, disabled] = await Promise.all([
    startTestCore({ mail }),
    startTestCore({ overrides: { selfservice: { flows: { verification: { lifespan: "1s" } } } } }),
    startTestCore({ overrides: { selfservice: { flows: { verification: { enabled: false } } } } }),
  ]);
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
afterAll(async () => {
  await Promise.all([t?.stop(), shortLived?.stop(), disabled?.stop()]);
  await mail?.stop();
});

async function registerNative(email: string) {
  const flow = await api.createNativeRegistrationFlow();
  return api.updateRegistrationFlow({
    flow: flow.id,
    updateRegistrationFlowBody: { method: "password", password: "correct horse battery", traits: { email } },
  });
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

function browser(base = t.publicUrl) {
  const jar = new CookieJar();
  return {
    jar,
    api: new FrontendApi(new Configuration({ basePath: base, fetchApi: jar.fetch, credentials: "include" })),
  };
}

const nodes = (flow: VerificationFlow) =>
  flow.ui.nodes.map((n) => {
    const a = n.attributes as { name?: string; id?: string; type?: string; value?: unknown; href?: string };
    if (n.type === "a") return `${n.group}:a:${a.id}=${a.href}:${n.meta.label?.id ?? ""}`;
    return `${n.group}:${a.name}:${a.type}${a.value !== undefined && a.name !== "csrf_token" ? `=${a.value}` : ""}:${n.meta.label?.id ?? ""}`;
  });

const codeMail = (to: string) =>
  mail.waitFor(to, { match: (m) => /please verify your email/i.test(m.subject) });

describe("verification after registration (native)", () => {
  it("queues a code at registration that arrives by mail and verifies the address", async () => {
    const reg = await registerNative("Verify-Native@example.com");
    expect(reg.identity.verifiable_addresses?.[0]).toMatchObject({
      value: "verify-native@example.com",
      verified: false,
      status: "sent",
    });
    const show = reg.continue_with?.find((x) => x.action === "show_verification_ui") as
      | { flow: { id: string; verifiable_address: string; url?: string } }
      | undefined;
    expect(show?.flow.verifiable_address).toBe("verify-native@example.com");

    const flow = await api.getVerificationFlow({ id: show!.flow.id });
    expect(flow.type).toBe("api");
    expect(flow.active).toBe("code");
    expect(flow.state).toBe("sent_email");
    expect(flow.ui.messages?.map((m) => m.id)).toEqual([1080003]);
    expect(nodes(flow)).toEqual([
      "default:csrf_token:hidden:",
      "code:code:text:1070011",
      "code:method:hidden=code:",
      "code:method:submit=code:1070009",
      "code:email:submit=verify-native@example.com:1070008",
    ]);
    const codeNode = flow.ui.nodes.find((n) => (n.attributes as { name: string }).name === "code")!;
    expect(codeNode.attributes).toMatchObject({
      pattern: "[0-9]+",
      maxlength: 6,
      required: true,
      autocomplete: "one-time-code",
    });

    const message = await codeMail("verify-native@example.com");
    expect(message.from[0]).toMatchObject({ address: "no-reply@olympus.local", name: "Olympus" });
    // The code stands on a line of its own in the text part; the HTML part carries the brand.
    const code = extractCode(message);
    expect(message.text?.split("\n")).toContain(code);
    expect(message.html).toContain("Olympus TEST");

    const done = await api.updateVerificationFlow({
      flow: flow.id,
      updateVerificationFlowBody: { method: "code", code },
    });
    expect(done.state).toBe("passed_challenge");
    expect(done.ui.messages?.map((m) => m.id)).toEqual([1080002]);
    expect(done.ui.method).toBe("GET");
    expect(nodes(done)).toEqual(["code:a:continue=http://localhost:4455/:1070009"]);

    const { identity } = await api.toSession({ xSessionToken: reg.session_token! });
    expect(identity?.verifiable_addresses?.[0]).toMatchObject({ verified: true, status: "completed" });
    expect(identity?.verifiable_addresses?.[0]?.verified_at).toBeTruthy();

    // The code was used; the completed flow cannot be submitted again.
    const again = await failure(
      api.updateVerificationFlow({ flow: flow.id, updateVerificationFlowBody: { method: "code", code } }),
    );
    expect(again.status).toBe(400);
    expect(again.body.id).not.toBe(flow.id);
    expect(again.body.ui.messages.map((m: { id: number }) => m.id)).toEqual([4070001]);
  });
});

describe("verification (browser)", () => {
  it("asks for the address, mails a code, answers a wrong code with 4070006, then verifies", async () => {
    const reg = await registerNative("verify-browser@example.com");
    await codeMail("verify-browser@example.com");
    await mail.clear();
    const b = browser();
    const flow = await b.api.createBrowserVerificationFlow(
      { returnTo: "http://localhost:4455/welcome" },
      json,
    );
    expect(flow.state).toBe("choose_method");
    expect(flow.active).toBe("code");
    expect(flow.return_to).toBe("http://localhost:4455/welcome");
    expect(nodes(flow)).toEqual([
      "default:csrf_token:hidden:",
      "code:email:email:1070007",
      "code:method:submit=code:1070009",
    ]);
    expect(flow.ui.nodes[1]!.attributes).toMatchObject({ required: true });

    const sent = await b.api.updateVerificationFlow({
      flow: flow.id,
      updateVerificationFlowBody: {
        method: "code",
        email: "Verify-Browser@example.com",
        csrf_token: csrfOf(flow),
      },
    });
    expect(sent.state).toBe("sent_email");
    expect(sent.ui.messages?.map((m) => m.id)).toEqual([1080003]);
    expect(nodes(sent)).toContain("code:email:submit=Verify-Browser@example.com:1070008");
    const code = extractCode(await codeMail("verify-browser@example.com"));
    const wrong = code === "000000" ? "111111" : "000000";

    // A wrong code: JSON gets the flow with 200 and message 4070006 ...
    const bad = await b.api.updateVerificationFlow({
      flow: flow.id,
      updateVerificationFlowBody: { method: "code", code: wrong, csrf_token: csrfOf(sent) },
    });
    expect(bad.state).toBe("sent_email");
    expect(bad.ui.messages?.map((m) => m.id)).toEqual([4070006]);
    // ... and a plain form post goes back to the UI.
    const form = await b.jar.fetch(`${t.publicUrl}/self-service/verification?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: new URLSearchParams({ csrf_token: csrfOf(sent), method: "code", code: wrong }),
    });
    expect(form.status).toBe(303);
    expect(form.headers.get("location")).toBe(`http://localhost:4455/verification?flow=${flow.id}`);

    // The right code by form post: 303 to the UI, which shows the passed flow.
    const ok = await b.jar.fetch(`${t.publicUrl}/self-service/verification?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: new URLSearchParams({ csrf_token: csrfOf(sent), method: "code", code }),
    });
    expect(ok.status).toBe(303);
    const done = await b.api.getVerificationFlow({ id: flow.id });
    expect(done.state).toBe("passed_challenge");
    expect(done.ui.messages?.map((m) => m.id)).toEqual([1080002]);
    expect(nodes(done)).toEqual(["code:a:continue=http://localhost:4455/welcome:1070009"]);
    const { identity } = await api.toSession({ xSessionToken: reg.session_token! });
    expect(identity?.verifiable_addresses?.[0]).toMatchObject({ verified: true, status: "completed" });
  });

  it("rejects a submission without the CSRF token", async () => {
    const b = browser();
    const flow = await b.api.createBrowserVerificationFlow({}, json);
    const res = await failure(
      b.api.updateVerificationFlow({
        flow: flow.id,
        updateVerificationFlowBody: { method: "code", email: "csrf@example.com" },
      }),
    );
    expect(res.status).toBe(403);
    expect(res.body.error.id).toBe("security_csrf_violation");
  });

  it("redirects a browser without Accept to the verification UI", async () => {
    const b = browser();
    const res = await b.jar.fetch(`${t.publicUrl}/self-service/verification/browser`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(
      /^http:\/\/localhost:4455\/verification\?flow=[0-9a-f-]{36}$/,
    );
  });
});

describe("verification of unknown and invalid addresses", () => {
  it("reaches sent_email for an unknown address and mails it the 'invalid' template", async () => {
    const flow = await api.createNativeVerificationFlow();
    const sent = await api.updateVerificationFlow({
      flow: flow.id,
      updateVerificationFlowBody: { method: "code", email: "nobody-verifies@example.com" },
    });
    expect(sent.state).toBe("sent_email");
    expect(sent.ui.messages?.map((m) => m.id)).toEqual([1080003]);
    const notice = await mail.waitFor("nobody-verifies@example.com");
    expect(notice.subject).toMatch(/someone tried to verify/i);
    expect(notice.text).not.toMatch(/\b\d{6}\b/);
    // Any code is wrong for it, answered like any wrong code.
    const bad = await api.updateVerificationFlow({
      flow: flow.id,
      updateVerificationFlowBody: { method: "code", code: "123456" },
    });
    expect(bad.ui.messages?.map((m) => m.id)).toEqual([4070006]);
  });

  it("answers a missing or malformed address with 400 on the email node", async () => {
    const flow = await api.createNativeVerificationFlow();
    const missing = await failure(
      api.updateVerificationFlow({
        flow: flow.id,
        updateVerificationFlowBody: { method: "code", email: "" },
      }),
    );
    expect(missing.status).toBe(400);
    const emailNode = (b: any) => b.ui.nodes.find((n: any) => n.attributes.name === "email");
    expect(emailNode(missing.body).messages[0].id).toBe(4000002);
    const bad = await failure(
      api.updateVerificationFlow({
        flow: flow.id,
        updateVerificationFlowBody: { method: "code", email: "not an email" },
      }),
    );
    expect(bad.status).toBe(400);
    expect(emailNode(bad.body).messages[0].id).toBe(4000040);
    const method = await failure(
      api.updateVerificationFlow({
        flow: flow.id,
        updateVerificationFlowBody: { method: "link" as "code", email: "x@example.com" },
      }),
    );
    expect(method.status).toBe(400);
    expect(method.body.ui.messages.map((m: { id: number }) => m.id)).toEqual([4010006]);
  });

  it("answers unknown flows with 404 and rejects a foreign return_to", async () => {
    const missing = await failure(api.getVerificationFlow({ id: "00000000-0000-4000-8000-000000000000" }));
    expect(missing.status).toBe(404);
    const notUuid = await failure(api.getVerificationFlow({ id: "nope" }));
    expect(notUuid.status).toBe(404);
    const evil = await failure(api.createNativeVerificationFlow({ returnTo: "https://evil.example/" }));
    expect(evil.status).toBe(400);
    expect(evil.body.error.id).toBe("self_service_flow_return_to_forbidden");
  });
});

describe("verification flow lifetime and configuration", () => {
  it("answers an expired flow with 410 and a new flow to use (JSON), 303 for browsers", async () => {
    const short = new FrontendApi(new Configuration({ basePath: shortLived.publicUrl }));
    const flow = await short.createNativeVerificationFlow();
    const b = browser(shortLived.publicUrl);
    const bflow = await b.api.createBrowserVerificationFlow({}, json);
    await new Promise((r) => setTimeout(r, 1100));
    const res = await failure(
      short.updateVerificationFlow({
        flow: flow.id,
        updateVerificationFlowBody: { method: "code", email: "late@example.com" },
      }),
    );
    expect(res.status).toBe(410);
    expect(res.body.error.id).toBe("self_service_flow_expired");
    expect(res.body.use_flow_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.use_flow_id).not.toBe(flow.id);
    const fresh = await short.getVerificationFlow({ id: res.body.use_flow_id });
    expect(fresh.state).toBe("choose_method");
    expect(fresh.ui.messages?.map((m) => m.id)).toEqual([4070005]);

    const form = await b.jar.fetch(`${shortLived.publicUrl}/self-service/verification?flow=${bflow.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: new URLSearchParams({ csrf_token: csrfOf(bflow), method: "code", email: "late@example.com" }),
    });
    expect(form.status).toBe(303);
    const to = new URL(form.headers.get("location")!);
    expect(to.pathname).toBe("/verification");
    expect(to.searchParams.get("flow")).not.toBe(bflow.id);

    const read = await failure(short.getVerificationFlow({ id: flow.id }));
    expect(read.status).toBe(410);
  });

  it("answers self_service_flow_disabled when verification is off, and registration skips it", async () => {
    const off = new FrontendApi(new Configuration({ basePath: disabled.publicUrl }));
    for (const p of [
      off.createNativeVerificationFlow(),
      off.createBrowserVerificationFlow({}, json),
      off.getVerificationFlow({ id: "00000000-0000-4000-8000-000000000000" }),
      off.updateVerificationFlow({
        flow: "00000000-0000-4000-8000-000000000000",
        updateVerificationFlowBody: { method: "code", email: "x@example.com" },
      }),
    ]) {
      const res = await failure(p);
      expect(res.status).toBe(400);
      expect(res.body.error.id).toBe("self_service_flow_disabled");
    }
    const flow = await off.createNativeRegistrationFlow();
    const reg = await off.updateRegistrationFlow({
      flow: flow.id,
      updateRegistrationFlowBody: {
        method: "password",
        password: "correct horse battery",
        traits: { email: "no-verify@example.com" },
      },
    });
    expect(reg.continue_with?.map((x) => x.action)).toEqual(["set_ory_session_token"]);
    expect(reg.identity.verifiable_addresses?.[0]?.status).toBe("pending");
  });
});
