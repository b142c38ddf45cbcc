import { readFileSync } from "node:fs";
import { Configuration, FrontendApi, IdentityApi, ResponseError } from "@ory/client-fetch";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SmsSink, startSmsSink } from "../../../courier/sms-sink.ts";
import { courierMessages, selfserviceCodes } from "../../../db/schema.ts";
import {
  extractCode,
  fixtureSchemaPath,
  type MailCatcher,
  startMailCatcher,
  startTestCore,
  type TestCore,
} from "../../../testing/index.ts";
import { answer, Receiver, refusal } from "../../hook/receiver.fixture.ts";

/*
 * The `code` method end to end against a real core: registration and login with a code by email
 * (MailDev) and by SMS (the SMS sink, through the courier's http channel), the code as a second
 * factor after a password, and every way a code must fail: wrong, reused, expired, for another flow,
 * too many tries, resent too soon — plus the same answer for known and unknown identifiers.
 */

// The test schema with an `email` and a `phone` a code can be sent to (Kratos' credentials.code).
const schema = JSON.parse(readFileSync(fixtureSchemaPath, "utf8"));
const props = schema.properties.traits.properties;
props.email["ory.sh/kratos"].credentials.code = { identifier: true, via: "email" };
props.phone = {
  type: "string",
  title: "Phone",
  pattern: "^\\+[0-9]{6,15}$",
  "ory.sh/kratos": { credentials: { code: { identifier: true, via: "sms" } } },
};
const schemaUrl = `base64://${Buffer.from(JSON.stringify(schema)).toString("base64")}`;

let mail: MailCatcher;
let sms: SmsSink;
let t: TestCore;
let frontend: FrontendApi;
let admin: IdentityApi;
// registration.after.code's web hook (answers 200 `{}`, which changes nothing, unless a test says otherwise).
const hooks = new Receiver();

beforeAll(async () => {
  await hooks.start();
  mail = await startMailCatcher();
  sms = await startSmsSink();
  t = await startTestCore({
    mail,
    overrides: {
      identity: { default_schema_id: "default", schemas: [{ id: "default", url: schemaUrl }] },
      selfservice: {
        methods: {
          code: { passwordless_enabled: true, mfa_enabled: true, config: { resend_cooldown: "30s" } },
        },
        flows: {
          registration: {
            after: {
              code: {
                hooks: [
                  {
                    hook: "web_hook",
                    config: {
                      url: `${hooks.url}/registration`,
                      can_interrupt: true,
                      response: { parse: true },
                      timeout: "1500ms",
                    },
                  },
                ],
              },
            },
          },
        },
      },
      courier: {
        channels: [{ id: "sms", type: "http", request_config: { url: `${sms.url}/api/sms` } }],
      },
      // More than a flow's five code tries, so a flow's own limit shows before the lockout.
      security: { rate_limit: { enabled: false }, brute_force: { max_attempts: 8 } },
    },
  });
  frontend = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
  admin = new IdentityApi(new Configuration({ basePath: t.adminUrl }));
});
afterAll(async () => {
  hooks.stop();
  await t?.stop();
  await sms?.close();
  await mail?.stop();
});

interface Node {
  group: string;
  attributes: { name: string; type: string; value?: unknown };
  messages: { id: number }[];
  meta: { label?: { id: number; context?: Record<string, unknown> } };
}
interface Flow {
  id: string;
  state: string;
  ui: { nodes: Node[]; messages?: { id: number; text: string }[] };
}

/** POSTs to a flow as an API client; returns the status and the JSON answer. */
async function post(kind: "login" | "registration", flowId: string, body: object, token?: string) {
  const res = await fetch(`${t.publicUrl}/self-service/${kind}?flow=${flowId}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json",
      ...(token ? { "x-session-token": token } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & Flow };
}

const messageIds = (f: Flow) => (f.ui.messages ?? []).map((m) => m.id);
const nodeNames = (f: Flow) => f.ui.nodes.map((n) => `${n.group}:${n.attributes.name}:${n.attributes.type}`);

/** The code of the newest mail to `to`, once more than `before` mails reached it. */
async function mailedCode(to: string, before: number): Promise<string> {
  const deadline = Date.now() + 15_000;
  let all = (await mail.list()).filter((x) => x.to.some((a) => a.address === to));
  while (all.length <= before && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    all = (await mail.list()).filter((x) => x.to.some((a) => a.address === to));
  }
  if (all.length <= before) throw new Error(`no new mail to ${to}`);
  return extractCode(all[all.length - 1]!);
}
const mailsTo = async (to: string) =>
  (await mail.list()).filter((x) => x.to.some((a) => a.address === to)).length;

async function textedCode(to: string, before: number): Promise<string> {
  const deadline = Date.now() + 15_000;
  let got = sms.messages().filter((m) => m.to === to);
  while (got.length <= before && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    got = sms.messages().filter((m) => m.to === to);
  }
  const m = /^(\d{6}) /.exec(got[got.length - 1]?.body ?? "");
  if (!m) throw new Error(`no SMS code to ${to}`);
  return m[1]!;
}

async function registerWithCode(traits: Record<string, unknown>): Promise<{ token: string; id: string }> {
  const flow = (await frontend.createNativeRegistrationFlow()) as unknown as Flow;
  const before = await mailsTo(traits.email as string);
  const sent = await post("registration", flow.id, { method: "code", traits });
  expect(sent.status).toBe(400);
  expect(sent.json.state).toBe("sent_email");
  const code = await mailedCode(traits.email as string, before);
  const done = await post("registration", flow.id, { method: "code", code, traits });
  expect(done.status, JSON.stringify(done.json)).toBe(200);
  return {
    token: done.json.session_token as string,
    id: (done.json.identity as { id: string }).id,
  };
}

describe("code method: registration", () => {
  it("runs registration.after.code web hooks once the code is right: a refusal creates nothing", async () => {
    const traits = { email: "signup-code-refused@example.com" };
    hooks.behaviour["/registration"] = answer(400, refusal(4000001, "Sign-ups are closed today."));
    try {
      const flow = (await frontend.createNativeRegistrationFlow()) as unknown as Flow;
      const before = await mailsTo(traits.email);
      await post("registration", flow.id, { method: "code", traits });
      const code = await mailedCode(traits.email, before);
      const done = await post("registration", flow.id, { method: "code", code, traits });
      expect(done.status).toBe(400);
      expect(JSON.stringify(done.json)).toContain("Sign-ups are closed today.");
      const call = hooks.received.filter((r) => r.path === "/registration").at(-1)!;
      expect(call.body.ctx.identity.traits).toMatchObject(traits);
      const found = await admin.listIdentities({ credentialsIdentifier: traits.email });
      expect(found).toEqual([]);
    } finally {
      delete hooks.behaviour["/registration"];
    }
  });

  it("offers a sign-up code beside the password, and registers with nothing but the emailed code", async () => {
    const flow = (await frontend.createNativeRegistrationFlow()) as unknown as Flow;
    const button = flow.ui.nodes.find((n) => n.group === "code" && n.attributes.name === "method");
    expect(button?.attributes).toMatchObject({ type: "submit", value: "code" });
    expect(button?.meta.label?.id).toBe(1040006);

    const traits = { email: "signup-code@example.com", name: { first: "Ada" } };
    const sent = await post("registration", flow.id, { method: "code", traits });
    expect(sent.status).toBe(400);
    expect(sent.json.state).toBe("sent_email");
    expect(messageIds(sent.json)).toEqual([1040005]);
    expect(nodeNames(sent.json)).toEqual(
      expect.arrayContaining([
        "default:traits.email:hidden",
        "code:method:hidden",
        "code:code:text",
        "code:method:submit",
        "code:resend:submit",
      ]),
    );
    expect(nodeNames(sent.json)).not.toContain("password:password:password");
    const m = await mail.waitFor("signup-code@example.com");
    expect(m.subject).toBe("Olympus TEST: your sign-up code");
    const code = extractCode(m);

    // What is posted with the code cannot change the traits of the first step.
    const done = await post("registration", flow.id, {
      method: "code",
      code,
      traits: { email: "someone-else@example.com" },
    });
    expect(done.status, JSON.stringify(done.json)).toBe(200);
    expect(done.json.session_token).toMatch(/^ory_st_/);
    const session = done.json.session as { authentication_methods: { method: string }[] };
    expect(session.authentication_methods.map((x) => x.method)).toEqual(["code"]);
    const id = (done.json.identity as { id: string }).id;
    const identity = await admin.getIdentity({ id, includeCredential: ["code"] });
    expect(identity.traits).toMatchObject({ email: "signup-code@example.com" });
    expect(identity.verifiable_addresses?.[0]).toMatchObject({
      value: "signup-code@example.com",
      verified: true,
      status: "completed",
    });
    // Kratos' credential shape: identifiers and the addresses a code may go to; no password at all.
    expect(Object.keys(identity.credentials ?? {})).toEqual(["code"]);
    expect(identity.credentials?.code).toMatchObject({
      type: "code",
      identifiers: ["signup-code@example.com"],
      config: { addresses: [{ channel: "email", address: "signup-code@example.com" }] },
    });
    // A code is single-use: the flow is done, and the code does not work again.
    const again = await post("registration", flow.id, { method: "code", code });
    expect(again.status).toBe(400);
  });

  it("refuses a wrong code and creates nothing; a code works only in the flow it was sent for", async () => {
    const a = (await frontend.createNativeRegistrationFlow()) as unknown as Flow;
    const b = (await frontend.createNativeRegistrationFlow()) as unknown as Flow;
    await post("registration", a.id, { method: "code", traits: { email: "two-flows@example.com" } });
    const code = extractCode(await mail.waitFor("two-flows@example.com"));
    await post("registration", b.id, { method: "code", traits: { email: "other-flow@example.com" } });
    const wrong = await post("registration", a.id, {
      method: "code",
      code: code === "000000" ? "111111" : "000000",
    });
    expect(wrong.status).toBe(400);
    expect(messageIds(wrong.json)).toEqual([4040003]);
    const crossed = await post("registration", b.id, { method: "code", code });
    expect(crossed.status).toBe(400);
    expect(messageIds(crossed.json)).toEqual([4040003]);
    const found = await admin.listIdentities({ credentialsIdentifier: "other-flow@example.com" });
    expect(found).toEqual([]);
    // The right flow still takes its code.
    expect((await post("registration", a.id, { method: "code", code })).status).toBe(200);
  });

  it("answers an address that is already registered at the code step, as password sign-up does", async () => {
    await registerWithCode({ email: "taken-code@example.com" });
    const flow = (await frontend.createNativeRegistrationFlow()) as unknown as Flow;
    const before = await mailsTo("taken-code@example.com");
    await post("registration", flow.id, { method: "code", traits: { email: "taken-code@example.com" } });
    const code = await mailedCode("taken-code@example.com", before);
    const dup = await post("registration", flow.id, { method: "code", code });
    expect(dup.status).toBe(400);
    expect(messageIds(dup.json)).toEqual([4000007]);
  });

  it("validates the traits before sending anything", async () => {
    const flow = (await frontend.createNativeRegistrationFlow()) as unknown as Flow;
    const bad = await post("registration", flow.id, { method: "code", traits: { email: "not an email" } });
    expect(bad.status).toBe(400);
    expect(bad.json.state).toBe("choose_method");
    const email = bad.json.ui.nodes.find((n) => n.attributes.name === "traits.email");
    expect(email?.messages.map((m) => m.id)).toEqual([4000040]);
    const none = await post("registration", flow.id, { method: "code", code: "123456" });
    expect(none.status).toBe(400);
    expect(none.json.state).toBe("choose_method");
  });
});

describe("code method: login", () => {
  it("signs in with an emailed code in two steps and marks the address verified", async () => {
    const { id } = await registerWithCode({ email: "login-code@example.com" });
    const flow = (await frontend.createNativeLoginFlow()) as unknown as Flow;
    const button = flow.ui.nodes.find((n) => n.group === "code" && n.attributes.name === "method");
    expect(button?.meta.label?.id).toBe(1010015);
    const before = await mailsTo("login-code@example.com");
    const sent = await post("login", flow.id, { method: "code", identifier: "Login-Code@Example.com " });
    expect(sent.status).toBe(400);
    expect(sent.json.state).toBe("sent_email");
    expect(messageIds(sent.json)).toEqual([1010014]);
    expect(sent.json.ui.nodes.find((n) => n.attributes.name === "identifier")?.attributes).toMatchObject({
      type: "hidden",
      value: "login-code@example.com",
    });
    const code = await mailedCode("login-code@example.com", before);
    const m = await mail.waitFor("login-code@example.com");
    expect(m.subject).toBe("Olympus TEST: your sign-in code");

    // Through Ory's own SDK: method=code with the code.
    const done = await frontend.updateLoginFlow({
      flow: flow.id,
      updateLoginFlowBody: { method: "code", code, identifier: "login-code@example.com", csrf_token: "" },
    });
    expect(done.session.identity?.id).toBe(id);
    expect(done.session.authentication_methods?.map((x) => x.method)).toEqual(["code"]);
    expect(done.session.authenticator_assurance_level).toBe("aal1");

    // Reused in a new flow, the code is refused.
    const next = (await frontend.createNativeLoginFlow()) as unknown as Flow;
    await post("login", next.id, { method: "code", identifier: "login-code@example.com" });
    const reused = await post("login", next.id, { method: "code", code });
    expect(reused.status).toBe(400);
    expect(messageIds(reused.json)).toEqual([4010008]);
  });

  it("gives an unknown identifier the same answer as a known one, and sends nothing", async () => {
    await registerWithCode({ email: "known-code@example.com" });
    const known = (await frontend.createNativeLoginFlow()) as unknown as Flow;
    const unknown = (await frontend.createNativeLoginFlow()) as unknown as Flow;
    const a = await post("login", known.id, { method: "code", identifier: "known-code@example.com" });
    const b = await post("login", unknown.id, { method: "code", identifier: "nobody-code@example.com" });
    expect(b.status).toBe(a.status);
    expect(b.json.state).toBe(a.json.state);
    expect(messageIds(b.json)).toEqual(messageIds(a.json));
    expect(nodeNames(b.json)).toEqual(nodeNames(a.json));
    await mail.waitFor("known-code@example.com");
    expect(await mailsTo("nobody-code@example.com")).toBe(0);
    const queued = await t.core.ctx.db
      .select()
      .from(courierMessages)
      .where(eq(courierMessages.recipient, "nobody-code@example.com"));
    expect(queued).toEqual([]);
    // Every code is as wrong as any other for it.
    for (const code of ["000000", "123456"]) {
      const r = await post("login", unknown.id, { method: "code", code });
      expect(messageIds(r.json)).toEqual([4010008]);
    }
  });

  it("signs in with a code texted to the phone number, through the sms channel and the sink", async () => {
    const { id } = await registerWithCode({ email: "phone-code@example.com", phone: "+4915112345678" });
    const flow = (await frontend.createNativeLoginFlow()) as unknown as Flow;
    const before = sms.messages().filter((m) => m.to === "+4915112345678").length;
    const sent = await post("login", flow.id, { method: "code", identifier: "+49 151 1234-5678" });
    expect(sent.json.state).toBe("sent_email");
    const code = await textedCode("+4915112345678", before);
    const done = await post("login", flow.id, { method: "code", code });
    expect(done.status, JSON.stringify(done.json)).toBe(200);
    expect((done.json.session as { identity: { id: string } }).identity.id).toBe(id);
  });

  it("takes five tries per flow, then refuses even the right code", async () => {
    await registerWithCode({ email: "five-tries@example.com" });
    const flow = (await frontend.createNativeLoginFlow()) as unknown as Flow;
    const before = await mailsTo("five-tries@example.com");
    await post("login", flow.id, { method: "code", identifier: "five-tries@example.com" });
    const code = await mailedCode("five-tries@example.com", before);
    const wrong = code === "999999" ? "888888" : "999999";
    for (let i = 0; i < 4; i++) {
      expect(messageIds((await post("login", flow.id, { method: "code", code: wrong })).json)).toEqual([
        4010008,
      ]);
    }
    // The fifth try is still counted (four wrong ones before it), the sixth is over the limit.
    expect(messageIds((await post("login", flow.id, { method: "code", code: wrong })).json)).toEqual([
      4010008,
    ]);
    const late = await post("login", flow.id, { method: "code", code });
    expect(late.status).toBe(400);
    expect(late.json.ui.messages?.[0]?.text).toMatch(/submitted too often/);
  });

  it("refuses an expired code", async () => {
    await registerWithCode({ email: "expired-code@example.com" });
    const flow = (await frontend.createNativeLoginFlow()) as unknown as Flow;
    const before = await mailsTo("expired-code@example.com");
    await post("login", flow.id, { method: "code", identifier: "expired-code@example.com" });
    const code = await mailedCode("expired-code@example.com", before);
    await t.core.ctx.db
      .update(selfserviceCodes)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(selfserviceCodes.flowId, flow.id));
    const r = await post("login", flow.id, { method: "code", code });
    expect(r.status).toBe(400);
    expect(messageIds(r.json)).toEqual([4010008]);
  });

  it("resends only after the cool-down, to the first address, and only the newest code works", async () => {
    await registerWithCode({ email: "resend-code@example.com" });
    const flow = (await frontend.createNativeLoginFlow()) as unknown as Flow;
    const before = await mailsTo("resend-code@example.com");
    await post("login", flow.id, { method: "code", identifier: "resend-code@example.com" });
    const first = await mailedCode("resend-code@example.com", before);
    const soon = await post("login", flow.id, {
      method: "code",
      resend: "code",
      identifier: "attacker@example.com",
    });
    expect(soon.status).toBe(400);
    expect(messageIds(soon.json)).toEqual([4000120]);
    // The cool-down passes (the code's send time moved back).
    await t.core.ctx.db
      .update(selfserviceCodes)
      .set({ createdAt: new Date(Date.now() - 60_000) })
      .where(eq(selfserviceCodes.flowId, flow.id));
    const resent = await post("login", flow.id, {
      method: "code",
      resend: "code",
      identifier: "attacker@example.com",
    });
    expect(messageIds(resent.json)).toEqual([1010014]);
    const second = await mailedCode("resend-code@example.com", before + 1);
    expect(await mailsTo("attacker@example.com")).toBe(0);
    if (first !== second) {
      expect(messageIds((await post("login", flow.id, { method: "code", code: first })).json)).toEqual([
        4010008,
      ]);
    }
    expect((await post("login", flow.id, { method: "code", code: second })).status).toBe(200);
  });

  it("counts wrong codes toward the identifier's lockout, across flows", async () => {
    await registerWithCode({ email: "lock-code@example.com" });
    let last: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 9; i++) {
      const flow = (await frontend.createNativeLoginFlow()) as unknown as Flow;
      const sent = await post("login", flow.id, { method: "code", identifier: "lock-code@example.com" });
      expect(sent.json.state).toBe("sent_email");
      last = await post("login", flow.id, { method: "code", code: "000001" });
    }
    // Eight failures (security.brute_force.max_attempts) lock the identifier: the ninth is refused as locked.
    expect(messageIds(last!.json)).toEqual([4000100]);
  });

  it("is not offered, and refused, when passwordless is off", async () => {
    const off = await startTestCore({
      overrides: { identity: { default_schema_id: "default", schemas: [{ id: "default", url: schemaUrl }] } },
    });
    try {
      const api = new FrontendApi(new Configuration({ basePath: off.publicUrl }));
      const flow = (await api.createNativeLoginFlow()) as unknown as Flow;
      expect(flow.ui.nodes.some((n) => n.group === "code")).toBe(false);
      const res = await fetch(`${off.publicUrl}/self-service/login?flow=${flow.id}`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ method: "code", identifier: "x@example.com" }),
      });
      expect(res.status).toBe(400);
      const reg = (await api.createNativeRegistrationFlow()) as unknown as Flow;
      expect(reg.ui.nodes.some((n) => n.group === "code")).toBe(false);
    } finally {
      await off.stop();
    }
  });
});

describe("code method: second factor", () => {
  it("upgrades a password session to aal2 with a code mailed to the verified address", async () => {
    const traits = { email: "mfa-code@example.com" };
    const { id } = await registerWithCode(traits);
    await admin.updateIdentity({
      id,
      updateIdentityBody: {
        schema_id: "default",
        state: "active",
        traits,
        credentials: { password: { config: { password: "correct horse battery staple" } } },
      },
    });
    const login = (await frontend.createNativeLoginFlow()) as unknown as Flow;
    const first = await post("login", login.id, {
      method: "password",
      identifier: "mfa-code@example.com",
      password: "correct horse battery staple",
    });
    expect(first.status).toBe(200);
    const token = first.json.session_token as string;
    // The verified code address is a second factor: whoami wants aal2.
    const whoami = await fetch(`${t.publicUrl}/sessions/whoami`, { headers: { "x-session-token": token } });
    expect(whoami.status).toBe(403);

    const res = await fetch(`${t.publicUrl}/self-service/login/api?aal=aal2`, {
      headers: { "x-session-token": token, accept: "application/json" },
    });
    const flow = (await res.json()) as Flow;
    const address = flow.ui.nodes.find((n) => n.group === "code" && n.attributes.name === "address");
    expect(address?.attributes).toMatchObject({ type: "submit", value: "mfa-code@example.com" });
    expect(address?.meta.label).toMatchObject({ id: 1010023, context: { address: "mfa-code@example.com" } });

    // Another address, not the identity's, gets nothing.
    const elsewhere = await post("login", flow.id, { method: "code", address: "evil@example.com" }, token);
    expect(messageIds(elsewhere.json)).toEqual([4010010]);
    expect(await mailsTo("evil@example.com")).toBe(0);

    const before = await mailsTo("mfa-code@example.com");
    const sent = await post("login", flow.id, { method: "code", address: "mfa-code@example.com" }, token);
    expect(sent.json.state).toBe("sent_email");
    const code = await mailedCode("mfa-code@example.com", before);
    const done = await post("login", flow.id, { method: "code", code }, token);
    expect(done.status, JSON.stringify(done.json)).toBe(200);
    const session = done.json.session as {
      authenticator_assurance_level: string;
      authentication_methods: { method: string; aal: string }[];
    };
    expect(session.authenticator_assurance_level).toBe("aal2");
    expect(session.authentication_methods.map((m) => [m.method, m.aal])).toEqual([
      ["password", "aal1"],
      ["code", "aal2"],
    ]);
    const after = await fetch(`${t.publicUrl}/sessions/whoami`, { headers: { "x-session-token": token } });
    expect(after.status).toBe(200);
  });

  it("is refused without a session, as every second factor is", async () => {
    const login = (await frontend.createNativeLoginFlow()) as unknown as Flow;
    try {
      await frontend.updateLoginFlow({
        flow: login.id,
        updateLoginFlowBody: { method: "code", code: "123456", csrf_token: "" },
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ResponseError);
      expect((e as ResponseError).response.status).toBe(400);
    }
  });
});
