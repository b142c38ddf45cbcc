import { Configuration, FrontendApi, type SettingsFlow } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, csrfOf, startTestCore, type TestCore } from "../../testing/index.ts";

/*
 * Deleting one's own account (Olympus-only settings method `delete_account`): it needs the signed-in
 * identity's own flow, the flow's CSRF token in a browser, and a recent sign-in; it erases the
 * identity as the admin API does, ends every session of it, and is audited.
 */

const json = { accept: "application/json" };
const PASSWORD = "correct horse battery";
let t: TestCore;
/** A core whose privileged window is one second, for sessions that are too old. */
let stale: TestCore;

beforeAll(async () => {
  [t, stale] = await Promise.all([
    startTestCore(),
    startTestCore({
      overrides: { selfservice: { flows: { settings: { privileged_session_max_age: "1s" } } } },
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([t?.stop(), stale?.stop()]);
});

/** Registers an identity through the native flow; its id and a session token. */
async function register(core: TestCore, email: string): Promise<{ id: string; token: string }> {
  const api = new FrontendApi(new Configuration({ basePath: core.publicUrl }));
  const flow = await api.createNativeRegistrationFlow();
  const res = await api.updateRegistrationFlow({
    flow: flow.id,
    updateRegistrationFlowBody: { method: "password", password: PASSWORD, traits: { email } },
  });
  return { id: res.identity.id, token: res.session_token! };
}

/** A browser signed in with the password: its cookie jar. */
async function browserSignIn(core: TestCore, email: string): Promise<CookieJar> {
  const jar = new CookieJar();
  const api = new FrontendApi(
    new Configuration({ basePath: core.publicUrl, fetchApi: jar.fetch, credentials: "include" }),
  );
  const flow = await api.createBrowserLoginFlow({}, { headers: json });
  await api.updateLoginFlow({
    flow: flow.id,
    updateLoginFlowBody: {
      method: "password",
      identifier: email,
      password: PASSWORD,
      csrf_token: csrfOf(flow),
    },
  });
  return jar;
}

/** A browser settings flow for the jar's session. */
async function settingsFlow(core: TestCore, jar: CookieJar): Promise<SettingsFlow> {
  const res = await jar.fetch(`${core.publicUrl}/self-service/settings/browser`, { headers: json });
  expect(res.status).toBe(200);
  return (await res.json()) as SettingsFlow;
}

/** Posts the settings form (urlencoded, as a browser without JavaScript does). */
function post(core: TestCore, jar: CookieJar, flowId: string, fields: Record<string, string>, headers = {}) {
  return jar.fetch(`${core.publicUrl}/self-service/settings?flow=${flowId}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields),
  });
}

/** An Ory error body (and `redirect_browser_to` where the core adds one). */
async function oryError(res: Response) {
  return (await res.json()) as { error: { id?: string; code: number }; redirect_browser_to: string };
}

async function identityExists(core: TestCore, id: string): Promise<boolean> {
  const res = await fetch(`${core.adminUrl}/admin/identities/${id}`);
  expect([200, 404]).toContain(res.status);
  return res.status === 200;
}

async function whoamiStatus(core: TestCore, jar: CookieJar): Promise<number> {
  return (await jar.fetch(`${core.publicUrl}/sessions/whoami`, { headers: json })).status;
}

describe("settings: delete my account", () => {
  it("erases the identity, ends its sessions everywhere, clears the cookie, audits, and redirects", async () => {
    const email = "delete-me@example.com";
    const { id } = await register(t, email);
    const jar = await browserSignIn(t, email);
    const elsewhere = await browserSignIn(t, email);
    const flow = await settingsFlow(t, jar);

    const res = await post(t, jar, flow.id, { csrf_token: csrfOf(flow), method: "delete_account" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("http://localhost:4455/account-deleted");
    const cleared = res.headers.getSetCookie().find((c) => c.startsWith("olympus_test_session="));
    expect(cleared).toMatch(/Max-Age=0/i);

    expect(await identityExists(t, id)).toBe(false);
    expect(await whoamiStatus(t, jar)).toBe(401);
    expect(await whoamiStatus(t, elsewhere)).toBe(401);
    // The admin API finds no session of it either.
    const left = await fetch(`${t.adminUrl}/admin/identities/${id}/sessions`);
    expect(left.status).toBe(404);

    // The password no longer signs anyone in, and the address is free for a new account.
    const api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
    const login = await fetch(
      `${t.publicUrl}/self-service/login?flow=${(await api.createNativeLoginFlow()).id}`,
      {
        method: "POST",
        headers: { "content-type": "application/json", ...json },
        body: JSON.stringify({ method: "password", identifier: email, password: PASSWORD }),
      },
    );
    expect(login.status).toBe(400);
    const again = await register(t, email);
    expect(again.id).not.toBe(id);

    const audit = await fetch(
      `${t.adminUrl}/admin/olympus/audit?event=settings.account.deleted&target=${id}`,
    );
    const rows = (await audit.json()) as { actor: string; metadata: Record<string, unknown> }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: id, metadata: { flow_id: flow.id, sessions_revoked: 3 } });
  });

  it("answers a browser asking for JSON with continue_with, and a native flow with 204", async () => {
    const email = "delete-json@example.com";
    const { id } = await register(t, email);
    const jar = await browserSignIn(t, email);
    const flow = await settingsFlow(t, jar);
    const res = await jar.fetch(`${t.publicUrl}/self-service/settings?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...json },
      body: JSON.stringify({ csrf_token: csrfOf(flow), method: "delete_account" }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      continue_with: [
        { action: "redirect_browser_to", redirect_browser_to: "http://localhost:4455/account-deleted" },
      ],
    });
    expect(await identityExists(t, id)).toBe(false);

    const native = await register(t, "delete-native@example.com");
    const api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
    const nativeFlow = await api.createNativeSettingsFlow({ xSessionToken: native.token });
    const done = await fetch(`${t.publicUrl}/self-service/settings?flow=${nativeFlow.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-session-token": native.token, ...json },
      body: JSON.stringify({ method: "delete_account" }),
    });
    expect(done.status).toBe(204);
    expect(await identityExists(t, native.id)).toBe(false);
    const whoami = await fetch(`${t.publicUrl}/sessions/whoami`, {
      headers: { "x-session-token": native.token },
    });
    expect(whoami.status).toBe(401);
  });

  it("refuses without a session: 401 for JSON, a redirect to sign in for a form; nothing is deleted", async () => {
    const email = "delete-nosession@example.com";
    const { id } = await register(t, email);
    const jar = await browserSignIn(t, email);
    const flow = await settingsFlow(t, jar);
    // Same browser (CSRF cookie kept), session cookie gone.
    jar.delete("olympus_test_session");

    const asJson = await post(t, jar, flow.id, { csrf_token: csrfOf(flow), method: "delete_account" }, json);
    expect(asJson.status).toBe(401);
    expect((await oryError(asJson)).error.id).toBe("session_inactive");
    const asForm = await post(t, jar, flow.id, { csrf_token: csrfOf(flow), method: "delete_account" });
    expect(asForm.status).toBe(303);
    expect(new URL(asForm.headers.get("location")!).pathname).toBe("/self-service/login/browser");
    expect(await identityExists(t, id)).toBe(true);
  });

  it("refuses a post without the CSRF token, with another browser's token, or cross-site; nothing is deleted", async () => {
    const email = "delete-csrf@example.com";
    const { id } = await register(t, email);
    const jar = await browserSignIn(t, email);
    const flow = await settingsFlow(t, jar);

    const missing = await post(t, jar, flow.id, { method: "delete_account" }, json);
    expect(missing.status).toBe(403);
    expect((await oryError(missing)).error.id).toBe("security_csrf_violation");

    const other = await browserSignIn(t, email);
    const otherFlow = await settingsFlow(t, other);
    const foreign = await post(
      t,
      jar,
      flow.id,
      { csrf_token: csrfOf(otherFlow), method: "delete_account" },
      json,
    );
    expect(foreign.status).toBe(403);
    expect((await oryError(foreign)).error.id).toBe("security_csrf_violation");

    // A cross-site page can make the browser send the session cookie, but not the CSRF cookie's token.
    const crossSite = await fetch(`${t.publicUrl}/self-service/settings?flow=${flow.id}`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: `olympus_test_session=${jar.get("olympus_test_session")}`,
        ...json,
      },
      body: new URLSearchParams({ method: "delete_account", csrf_token: "forged" }),
    });
    expect(crossSite.status).toBe(403);
    expect(await identityExists(t, id)).toBe(true);
    expect(await whoamiStatus(t, jar)).toBe(200);
  });

  it("refuses another identity's flow, and ignores any identity id in the body", async () => {
    const victim = await register(t, "delete-victim@example.com");
    const victimJar = await browserSignIn(t, "delete-victim@example.com");
    const victimFlow = await settingsFlow(t, victimJar);
    const attacker = await register(t, "delete-attacker@example.com");
    const attackerJar = await browserSignIn(t, "delete-attacker@example.com");

    // The attacker's session against the victim's flow (with the victim's CSRF pair, as if it leaked).
    const jar = new CookieJar();
    for (const c of victimJar.header().split("; ")) {
      const [name, ...value] = c.split("=");
      if (!name!.endsWith("_session")) jar.set(name!, value.join("="));
    }
    jar.set("olympus_test_session", attackerJar.get("olympus_test_session")!);
    const mismatch = await post(
      t,
      jar,
      victimFlow.id,
      { csrf_token: csrfOf(victimFlow), method: "delete_account" },
      json,
    );
    expect(mismatch.status).toBe(403);
    expect((await oryError(mismatch)).error.id).toBe("security_identity_mismatch");
    expect(await identityExists(t, victim.id)).toBe(true);
    expect(await identityExists(t, attacker.id)).toBe(true);

    // Naming the victim in the attacker's own flow deletes the attacker, never the victim.
    const own = await settingsFlow(t, attackerJar);
    const res = await post(t, attackerJar, own.id, {
      csrf_token: csrfOf(own),
      method: "delete_account",
      identity_id: victim.id,
      id: victim.id,
    });
    expect(res.status).toBe(303);
    expect(await identityExists(t, attacker.id)).toBe(false);
    expect(await identityExists(t, victim.id)).toBe(true);
    expect(await whoamiStatus(t, victimJar)).toBe(200);
  });

  it("refuses a flow id that is no flow, without a 500", async () => {
    const email = "delete-noflow@example.com";
    const { id } = await register(t, email);
    const jar = await browserSignIn(t, email);
    for (const flowId of [
      "not-a-uuid",
      "00000000-0000-4000-8000-000000000000",
      "'; drop table identities; --",
    ]) {
      const res = await post(t, jar, encodeURIComponent(flowId), { method: "delete_account" }, json);
      expect(res.status).toBe(404);
      expect((await oryError(res)).error.code).toBe(404);
    }
    expect(await identityExists(t, id)).toBe(true);
  });

  it("asks a session older than the privileged window to sign in again; nothing is deleted", async () => {
    const email = "delete-stale@example.com";
    const { id } = await register(stale, email);
    const jar = await browserSignIn(stale, email);
    const flow = await settingsFlow(stale, jar);
    await new Promise((r) => setTimeout(r, 1100));

    const asJson = await post(
      stale,
      jar,
      flow.id,
      { csrf_token: csrfOf(flow), method: "delete_account" },
      json,
    );
    expect(asJson.status).toBe(403);
    const body = await oryError(asJson);
    expect(body.error.id).toBe("session_refresh_required");
    const to = new URL(body.redirect_browser_to);
    expect(to.pathname).toBe("/self-service/login/browser");
    expect(to.searchParams.get("refresh")).toBe("true");
    // Back to the confirmation page (Hera's /settings/delete beside the settings UI), not to settings.
    expect(to.searchParams.get("return_to")).toMatch(new RegExp(`/settings/delete\\?flow=${flow.id}$`));
    // The core accepts its own return_to for the refresh login flow.
    const refresh = await jar.fetch(`${stale.publicUrl}${to.pathname}${to.search}`);
    expect(refresh.status).toBe(303);
    expect(new URL(refresh.headers.get("location")!).pathname).toBe("/login");

    const asForm = await post(stale, jar, flow.id, { csrf_token: csrfOf(flow), method: "delete_account" });
    expect(asForm.status).toBe(303);
    const formTo = new URL(asForm.headers.get("location")!);
    expect(formTo.searchParams.get("refresh")).toBe("true");
    expect(formTo.searchParams.get("return_to")).toBe(to.searchParams.get("return_to"));
    expect(await identityExists(stale, id)).toBe(true);
    expect(await whoamiStatus(stale, jar)).toBe(200);

    // Signing in again opens the window: now it goes through.
    const fresh = await browserSignIn(stale, email);
    const flow2 = await settingsFlow(stale, fresh);
    const done = await post(stale, fresh, flow2.id, { csrf_token: csrfOf(flow2), method: "delete_account" });
    expect(done.status).toBe(303);
    expect(await identityExists(stale, id)).toBe(false);
    expect(await whoamiStatus(stale, jar)).toBe(401);
  });
});
