import { Configuration, FrontendApi, ResponseError } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, startTestCore, type TestCore } from "../../testing/index.ts";

const ERROR_UI = "http://localhost:4455/error";
const PASSWORD = "correct horse battery";
const json = { accept: "application/json" };
const html = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };

let t: TestCore;
let api: FrontendApi;

beforeAll(async () => {
  t = await startTestCore({
    overrides: {
      selfservice: { flows: { error: { ui_url: ERROR_UI } } },
      security: { rate_limit: { enabled: false } },
      secrets: { cookie: ["logout-test-cookie-secret-0001"] },
    },
  });
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
afterAll(() => t?.stop());

async function registerNative(email: string): Promise<string> {
  const flow = await api.createNativeRegistrationFlow();
  const res = await api.updateRegistrationFlow({
    flow: flow.id,
    updateRegistrationFlowBody: { method: "password", password: PASSWORD, traits: { email } },
  });
  return res.identity.id;
}

/** Signs in through a browser login flow; the jar holds the session cookie. */
async function browserSession(email: string) {
  const jar = new CookieJar();
  const browser = new FrontendApi(new Configuration({ basePath: t.publicUrl, fetchApi: jar.fetch }));
  const flow = await browser.createBrowserLoginFlow({}, { headers: json });
  const csrf = flow.ui.nodes.find((n) => (n.attributes as { name?: string }).name === "csrf_token")!;
  const done = await browser.updateLoginFlow({
    flow: flow.id,
    updateLoginFlowBody: {
      method: "password",
      identifier: email,
      password: PASSWORD,
      csrf_token: (csrf.attributes as { value: string }).value,
    },
  });
  expect(jar.get("olympus_test_session")).toMatch(/^ory_st_/);
  return { jar, browser, sessionId: done.session.id };
}

const whoamiStatus = async (jar: CookieJar) =>
  (await jar.fetch(`${t.publicUrl}/sessions/whoami`, { headers: json })).status;

async function revocations(sessionId: string): Promise<any[]> {
  const res = await fetch(`${t.adminUrl}/admin/olympus/audit?event=session.revoked&target=${sessionId}`);
  expect(res.status).toBe(200);
  return (await res.json()) as any[];
}

describe("browser logout (GET /self-service/logout?token=)", () => {
  it("ends the cookie's session, clears the cookie, redirects to return_to, and is audited", async () => {
    const identityId = await registerNative("logout-ok@example.com");
    const { jar, browser, sessionId } = await browserSession("logout-ok@example.com");
    const other = await browserSession("logout-ok@example.com");
    const flow = await browser.createBrowserLogoutFlow(
      { returnTo: "http://localhost:4455/bye" },
      { headers: json },
    );
    expect(flow.logout_token).toMatch(/^ory_lo_[A-Za-z0-9]{32}$/);
    const res = await jar.fetch(flow.logout_url, { headers: html });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("http://localhost:4455/bye");
    expect(res.headers.getSetCookie().some((c) => c.startsWith("olympus_test_session=;"))).toBe(true);
    expect(jar.get("olympus_test_session")).toBeUndefined();
    // Only that session ended: the same identity's other session is untouched.
    expect(await whoamiStatus(other.jar)).toBe(200);
    const admin = await fetch(`${t.adminUrl}/admin/sessions/${sessionId}`);
    expect(((await admin.json()) as { active: boolean }).active).toBe(false);

    const rows = await revocations(sessionId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      event: "session.revoked",
      actor: identityId,
      target: sessionId,
      metadata: { reason: "logout" },
    });
    expect(JSON.stringify(rows)).not.toContain(flow.logout_token);
  });

  it("answers JSON clients (the SDK's updateLogoutFlow) with 204", async () => {
    await registerNative("logout-json@example.com");
    const { jar, browser } = await browserSession("logout-json@example.com");
    const flow = await browser.createBrowserLogoutFlow({}, { headers: json });
    const res = await browser.updateLogoutFlowRaw({ token: flow.logout_token }, { headers: json });
    expect(res.raw.status).toBe(204);
    expect(await whoamiStatus(jar)).toBe(401);
  });

  it("refuses another session's logout token with 403 and ends neither session", async () => {
    await registerNative("logout-victim@example.com");
    await registerNative("logout-attacker@example.com");
    const victim = await browserSession("logout-victim@example.com");
    const attacker = await browserSession("logout-attacker@example.com");
    // The attacker's own token, sent by the victim's browser (a forged link), or the other way round.
    const attackerToken = (await attacker.browser.createBrowserLogoutFlow({}, { headers: json }))
      .logout_token;
    const err = await victim.browser
      .updateLogoutFlow({ token: attackerToken }, { headers: json })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseError);
    const res = (err as ResponseError).response;
    expect(res.status).toBe(403);
    const body = (await res.json()) as any;
    expect(body.error).toMatchObject({ code: 403, status: "Forbidden" });
    expect(body.error.reason).toMatch(/does not match the session cookie/);
    expect(await whoamiStatus(victim.jar)).toBe(200);
    expect(await whoamiStatus(attacker.jar)).toBe(200);
    expect(await revocations(victim.sessionId)).toEqual([]);
    expect(await revocations(attacker.sessionId)).toEqual([]);
  });

  it("refuses a logout link without a session with 401 session_inactive; the session stays", async () => {
    await registerNative("logout-nocookie@example.com");
    const { jar, browser, sessionId } = await browserSession("logout-nocookie@example.com");
    const { logout_token } = await browser.createBrowserLogoutFlow({}, { headers: json });
    const res = await fetch(`${t.publicUrl}/self-service/logout?token=${logout_token}`, { headers: json });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error).toMatchObject({ id: "session_inactive", code: 401 });
    expect(await whoamiStatus(jar)).toBe(200);
    expect(await revocations(sessionId)).toEqual([]);
  });

  it("a browser that fails to log out is sent to the error UI with the stored error", async () => {
    await registerNative("logout-browser-err@example.com");
    const a = await browserSession("logout-browser-err@example.com");
    const b = await browserSession("logout-browser-err@example.com");
    const tokenA = (await a.browser.createBrowserLogoutFlow({}, { headers: json })).logout_token;
    const cases = [
      { send: (u: string) => fetch(u, { headers: html, redirect: "manual" }), code: 401 },
      { send: (u: string) => b.jar.fetch(u, { headers: html }), code: 403 },
    ];
    for (const { send, code } of cases) {
      const res = await send(`${t.publicUrl}/self-service/logout?token=${tokenA}`);
      expect(res.status).toBe(303);
      const to = new URL(res.headers.get("location")!);
      expect(`${to.origin}${to.pathname}`).toBe(ERROR_UI);
      const stored = await api.getFlowError({ id: to.searchParams.get("id")! });
      expect((stored.error as { code: number }).code).toBe(code);
    }
    expect(await whoamiStatus(a.jar)).toBe(200);
    expect(await whoamiStatus(b.jar)).toBe(200);
  });

  it("hands out the same logout token on every call (a second tab's link keeps the first's working); a used one cannot be replayed", async () => {
    await registerNative("logout-stale@example.com");
    const { jar, browser, sessionId } = await browserSession("logout-stale@example.com");
    const other = await browserSession("logout-stale@example.com");
    // whoami caches the session row; the logout must not trust a cached row.
    expect(await whoamiStatus(jar)).toBe(200);
    const first = await browser.createBrowserLogoutFlow({}, { headers: json });
    const second = await browser.createBrowserLogoutFlow({}, { headers: json });
    expect(second.logout_token).toBe(first.logout_token);
    const otherFlow = await other.browser.createBrowserLogoutFlow({}, { headers: json });
    expect(otherFlow.logout_token).not.toBe(first.logout_token);
    // Another session's token is still refused, cached row or not.
    const wrong = await jar.fetch(`${t.publicUrl}/self-service/logout?token=${otherFlow.logout_token}`, {
      headers: json,
    });
    expect(wrong.status).toBe(403);
    expect(await whoamiStatus(jar)).toBe(200);
    const cookie = jar.get("olympus_test_session")!;
    const ok = await jar.fetch(first.logout_url, { headers: json });
    expect(ok.status).toBe(204);
    // Replaying the link with the (now revoked) session cookie: no active session.
    const replay = await fetch(second.logout_url, {
      headers: { ...json, cookie: `olympus_test_session=${cookie}` },
    });
    expect(replay.status).toBe(401);
    expect(await revocations(sessionId)).toHaveLength(1);
    expect(await whoamiStatus(other.jar)).toBe(200);
  });

  it("requires the token: 400 without one", async () => {
    await registerNative("logout-notoken@example.com");
    const { jar } = await browserSession("logout-notoken@example.com");
    const res = await jar.fetch(`${t.publicUrl}/self-service/logout`, { headers: json });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe(400);
    expect(await whoamiStatus(jar)).toBe(200);
  });
});

describe("native logout (DELETE /self-service/logout/api)", () => {
  it("revokes the session token (204), audits it as a logout, and answers 204 again once revoked", async () => {
    const identityId = await registerNative("logout-native@example.com");
    const flow = await api.createNativeLoginFlow();
    const login = await api.updateLoginFlow({
      flow: flow.id,
      updateLoginFlowBody: {
        method: "password",
        identifier: "logout-native@example.com",
        password: PASSWORD,
      },
    });
    const token = login.session_token!;
    for (let i = 0; i < 2; i++) {
      const res = await api.performNativeLogoutRaw({ performNativeLogoutBody: { session_token: token } });
      expect(res.raw.status).toBe(204);
    }
    const who = await fetch(`${t.publicUrl}/sessions/whoami`, { headers: { "x-session-token": token } });
    expect(who.status).toBe(401);
    const rows = await revocations(login.session.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: identityId, metadata: { reason: "logout" } });
    const unknown = await fetch(`${t.publicUrl}/self-service/logout/api`, {
      method: "DELETE",
      headers: { "content-type": "application/json", ...json },
      body: JSON.stringify({ session_token: "ory_st_unknown" }),
    });
    expect(unknown.status).toBe(403);
  });
});
