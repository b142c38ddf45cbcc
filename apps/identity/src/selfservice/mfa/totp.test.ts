import { and, eq } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityCredentials } from "../../db/schema.ts";
import { get, json, login, messageIds, node, post, registerVerified } from "../../security/testkit.ts";
import { CookieJar, startTestCore, type TestCore } from "../../testing/index.ts";

let t: TestCore;
const PW = "correct horse battery";

beforeAll(async () => {
  t = await startTestCore({
    overrides: {
      selfservice: { methods: { totp: { enabled: true, config: { issuer: "Olympus" } } } },
      secrets: { cipher: ["0123456789abcdef0123456789abcdef"] },
      security: { rate_limit: { enabled: false }, brute_force: { max_attempts: 3 } },
    },
  });
});
afterAll(() => t?.stop());

const totpOf = (secret: string) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" });
const wrong = (code: string) => code.replace(/.$/, (d) => String((Number(d) + 1) % 10));

/** Registers and links TOTP in settings; returns the identity, its aal2 token and the TOTP. */
async function enrolled(email: string) {
  const { id, token } = await registerVerified(t.publicUrl, t.adminUrl, email, PW);
  const flow = await json(await get(`${t.publicUrl}/self-service/settings/api`, { token }));
  const secret = node(flow, "totp_secret_key").attributes.text.context.secret as string;
  const totp = totpOf(secret);
  // The very code that linked the key (generating it again could fall into the next time step).
  const enrolCode = totp.generate();
  const res = await post(
    `${t.publicUrl}/self-service/settings?flow=${flow.id}`,
    { method: "totp", totp_code: enrolCode },
    { token },
  );
  expect(res.status).toBe(200);
  return { id, token, totp, flow: await json(res), enrolCode };
}

async function aal2Flow(token: string) {
  const res = await get(`${t.publicUrl}/self-service/login/api?aal=aal2`, { token });
  expect(res.status).toBe(200);
  return json(res);
}

describe("TOTP", () => {
  it("settings offer enrolment with Kratos' nodes: totp_qr (PNG data URI), totp_secret_key, totp_code, method=totp", async () => {
    const { token } = await registerVerified(t.publicUrl, t.adminUrl, "nodes@example.com", PW);
    const flow = await json(await get(`${t.publicUrl}/self-service/settings/api`, { token }));
    const totpNodes = flow.ui.nodes.filter((n: any) => n.group === "totp");
    expect(
      totpNodes.map((n: any) => n.attributes.id ?? `${n.attributes.name}=${n.attributes.value ?? ""}`),
    ).toEqual(["totp_qr", "totp_secret_key", "totp_code=", "method=totp"]);
    expect(totpNodes[0].attributes.src).toMatch(/^data:image\/png;base64,/);
    expect(totpNodes[0].meta.label.id).toBe(1050005);
    expect(totpNodes[1].attributes.text.id).toBe(1050006);
    expect(totpNodes[1].attributes.text.context.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(totpNodes[2].meta.label.id).toBe(1070006);
    // A wrong code is refused on the totp_code node.
    const secret = totpNodes[1].attributes.text.context.secret;
    const res = await post(
      `${t.publicUrl}/self-service/settings?flow=${flow.id}`,
      { method: "totp", totp_code: wrong(totpOf(secret).generate()) },
      { token },
    );
    expect(res.status).toBe(400);
    expect(node(await json(res), "totp_code").messages.map((m: any) => m.id)).toEqual([4000008]);
  });

  it("linking stores the key encrypted, upgrades the session to aal2 and shows totp_unlink", async () => {
    const { id, token, flow } = await enrolled("link@example.com");
    expect(flow.state).toBe("success");
    expect(node(flow, "totp_unlink")).toMatchObject({
      group: "totp",
      attributes: { type: "submit", value: "true" },
    });
    const [cred] = await t.core.ctx.db
      .select()
      .from(identityCredentials)
      .where(and(eq(identityCredentials.identityId, id), eq(identityCredentials.type, "totp")));
    expect(String(cred!.config.totp_url)).toMatch(/^v1:/);
    expect(JSON.stringify(cred!.config)).not.toContain("otpauth://");
    const who = await json(await get(`${t.publicUrl}/sessions/whoami`, { token }));
    expect(who.authenticator_assurance_level).toBe("aal2");
  });

  it("an aal1 session of an identity with TOTP gets 403 session_aal2_required from whoami and settings", async () => {
    await enrolled("aal1@example.com");
    const { res, body } = await login(t.publicUrl, "aal1@example.com", PW);
    expect(res.status).toBe(200);
    expect(body.session.identity).toBeUndefined();
    const token = body.session_token;
    for (const path of ["sessions/whoami", "self-service/settings/api"]) {
      const r = await get(`${t.publicUrl}/${path}`, { token });
      expect(r.status).toBe(403);
      const err = await json(r);
      expect(err.error.id).toBe("session_aal2_required");
      expect(err.redirect_browser_to).toContain("/self-service/login/browser?aal=aal2");
    }
    // With required_aal aal1 the same session is enough.
    t.core.ctx.config.session.whoami.required_aal = "aal1";
    try {
      expect((await get(`${t.publicUrl}/sessions/whoami`, { token })).status).toBe(200);
    } finally {
      t.core.ctx.config.session.whoami.required_aal = "highest_available";
    }
  });

  it("a browser password login of such an identity is sent on to the second factor (422 for JSON)", async () => {
    await enrolled("browser@example.com");
    const jar = new CookieJar();
    const flow = await json(
      await jar.fetch(`${t.publicUrl}/self-service/login/browser`, {
        headers: { accept: "application/json" },
      }),
    );
    const csrf = node(flow, "csrf_token").attributes.value;
    const res = await jar.fetch(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({
        csrf_token: csrf,
        method: "password",
        identifier: "browser@example.com",
        password: PW,
      }),
    });
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.error.id).toBe("browser_location_change_required");
    expect(body.redirect_browser_to).toContain("/self-service/login/browser?aal=aal2");
    const aal2 = await json(
      await jar.fetch(`${t.publicUrl}/self-service/login/browser?aal=aal2`, {
        headers: { accept: "application/json" },
      }),
    );
    expect(aal2.requested_aal).toBe("aal2");
    expect(aal2.ui.nodes.map((n: any) => n.attributes.name)).toEqual(["csrf_token", "totp_code", "method"]);
  });

  it("second factor at login: wrong code 4000008, a replayed code refused, a fresh one upgrades the session", async () => {
    const { totp, enrolCode } = await enrolled("second@example.com");
    const { body } = await login(t.publicUrl, "second@example.com", PW);
    const token = body.session_token;
    const flow = await aal2Flow(token);
    expect(flow.requested_aal).toBe("aal2");
    expect(messageIds(flow)).toEqual([1010004]);
    expect(node(flow, "totp_code").meta.label.id).toBe(1010006);
    expect(node(flow, "method")).toMatchObject({ group: "totp", attributes: { value: "totp" } });
    const submit = (code: string) =>
      post(
        `${t.publicUrl}/self-service/login?flow=${flow.id}`,
        { method: "totp", totp_code: code },
        { token },
      );
    const bad = await submit(wrong(totp.generate()));
    expect(bad.status).toBe(400);
    expect(messageIds(await json(bad))).toEqual([4000008]);
    // The code used to link the authenticator cannot be used again.
    const replay = await submit(enrolCode);
    expect(messageIds(await json(replay))).toEqual([4000008]);
    const next = totp.generate({ timestamp: Date.now() + 30_000 });
    const ok = await submit(next);
    expect(ok.status).toBe(200);
    const done = await json(ok);
    expect(done.session_token).toBe(token);
    expect(done.session.authenticator_assurance_level).toBe("aal2");
    const who = await json(await get(`${t.publicUrl}/sessions/whoami`, { token }));
    expect(who.authenticator_assurance_level).toBe("aal2");
    expect(who.authentication_methods.map((m: any) => m.method)).toEqual(["password", "totp"]);
  });

  it("second-factor guesses are locked out like passwords", async () => {
    const { totp } = await enrolled("guess@example.com");
    const { body } = await login(t.publicUrl, "guess@example.com", PW);
    const token = body.session_token;
    const flow = await aal2Flow(token);
    const submit = (code: string) =>
      post(
        `${t.publicUrl}/self-service/login?flow=${flow.id}`,
        { method: "totp", totp_code: code },
        { token },
      );
    for (let i = 0; i < 3; i++) await submit(wrong(totp.generate()));
    const locked = await submit(totp.generate({ timestamp: Date.now() + 30_000 }));
    expect(locked.status).toBe(400);
    expect(messageIds(await json(locked))).toEqual([4000100]);
    expect(locked.headers.get("retry-after")).toBeTruthy();
  });

  it("totp_unlink removes the authenticator", async () => {
    const { id, token } = await enrolled("unlink@example.com");
    const flow = await json(await get(`${t.publicUrl}/self-service/settings/api`, { token }));
    const res = await post(
      `${t.publicUrl}/self-service/settings?flow=${flow.id}`,
      { method: "totp", totp_unlink: true },
      { token },
    );
    expect(res.status).toBe(200);
    expect(node(await json(res), "totp_qr")).toBeTruthy();
    const creds = await t.core.ctx.db
      .select()
      .from(identityCredentials)
      .where(and(eq(identityCredentials.identityId, id), eq(identityCredentials.type, "totp")));
    expect(creds).toEqual([]);
  });

  it("accepts a code one time step off (clock skew ±1) and refuses one two steps off, at enrolment and at login", async () => {
    // Away from a step boundary, so that "now" means the same step here and in the core.
    const into = Date.now() % 30_000;
    if (into > 25_000) await new Promise((r) => setTimeout(r, 30_000 - into + 500));
    const now = Date.now();
    const step = 30_000;
    const email = "skew@example.com";
    const { token } = await registerVerified(t.publicUrl, t.adminUrl, email, PW);
    const flow = await json(await get(`${t.publicUrl}/self-service/settings/api`, { token }));
    const totp = totpOf(node(flow, "totp_secret_key").attributes.text.context.secret as string);
    const link = (code: string) =>
      post(
        `${t.publicUrl}/self-service/settings?flow=${flow.id}`,
        { method: "totp", totp_code: code },
        { token },
      );
    for (const off of [-2, 2, -5, 10]) {
      const res = await link(totp.generate({ timestamp: now + off * step }));
      expect(res.status, `offset ${off}`).toBe(400);
      const refused = await json(res);
      expect(node(refused, "totp_code").messages.map((m: any) => m.id)).toEqual([4000008]);
    }
    // One step in the past is within the skew: it links the key.
    expect((await link(totp.generate({ timestamp: now - step }))).status).toBe(200);

    const { body } = await login(t.publicUrl, email, PW);
    const aal2 = await aal2Flow(body.session_token);
    const second = (code: string) =>
      post(
        `${t.publicUrl}/self-service/login?flow=${aal2.id}`,
        { method: "totp", totp_code: code },
        { token: body.session_token },
      );
    for (const off of [-2, 2]) {
      const res = await second(totp.generate({ timestamp: now + off * step }));
      expect(res.status, `offset ${off}`).toBe(400);
      expect(messageIds(await json(res))).toEqual([4000008]);
    }
    // One step ahead is within the skew too.
    const ok = await second(totp.generate({ timestamp: now + step }));
    expect(ok.status).toBe(200);
    expect((await json(ok)).session.authenticator_assurance_level).toBe("aal2");
  });
});
