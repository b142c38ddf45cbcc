import { Configuration, OAuth2Api } from "@ory/client";
import { desc, eq } from "drizzle-orm";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauth2DeviceRequests } from "../../db/schema.ts";
import { CookieJar } from "../../testing/index.ts";
import {
  createClient,
  introspect,
  location,
  type OAuth2TestCore,
  postForm,
  startOAuth2Core,
  type TestClient,
} from "../test-helpers.ts";

/*
 * The device authorization grant (RFC 8628) end to end: openid-client (a certified RP that
 * implements the device flow) is the device; a CookieJar is the user's browser, driving Hydra's
 * verification endpoint, the user-code accept call, login and consent through the admin API (with
 * @ory/client where the SDK has the call), as Hera does.
 */

const DEVICE = "urn:ietf:params:oauth:grant-type:device_code";

let t: OAuth2TestCore;
let admin: OAuth2Api;
let device: TestClient;

beforeAll(async () => {
  t = await startOAuth2Core({ oauth2: { device_authorization: { token_polling_interval: "1s" } } });
  admin = new OAuth2Api(new Configuration({ basePath: t.oauth2AdminUrl }));
  device = await createClient(t, {
    grant_types: [DEVICE, "refresh_token"],
    token_endpoint_auth_method: "none",
    redirect_uris: [],
    scope: "openid offline_access read",
  });
});
afterAll(() => t?.stop());

async function rp(client: TestClient = device): Promise<oidc.Configuration> {
  return oidc.discovery(
    new URL(t.issuer),
    client.client_id,
    undefined,
    client.client_secret ? oidc.ClientSecretBasic(client.client_secret) : oidc.None(),
    { execute: [oidc.allowInsecureRequests] },
  );
}

async function latestRequest() {
  const [row] = await t.core.ctx.db
    .select()
    .from(oauth2DeviceRequests)
    .orderBy(desc(oauth2DeviceRequests.createdAt))
    .limit(1);
  return row;
}

const poll = (deviceCode: string, client: TestClient = device) =>
  postForm(t, "/oauth2/token", { grant_type: DEVICE, device_code: deviceCode, client_id: client.client_id });

async function startDevice(scope = "openid offline_access read"): Promise<Record<string, string | number>> {
  const res = await postForm(t, "/oauth2/device/auth", { client_id: device.client_id, scope });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Record<string, string | number>;
}

/** The browser opens the verification URI and the user-code page accepts the code: the login challenge URL. */
async function enterUserCode(jar: CookieJar, verificationUri: string, userCode: string): Promise<Response> {
  let res = await jar.fetch(verificationUri);
  expect(res.status, await res.clone().text()).toBe(302);
  const page = location(res);
  expect(page.pathname).toBe("/device");
  const challenge = page.searchParams.get("device_challenge")!;
  const accepted = await admin.acceptUserCodeRequest({
    deviceChallenge: challenge,
    acceptDeviceUserCodeRequest: { user_code: userCode },
  });
  res = await jar.fetch(accepted.data.redirect_to);
  return res;
}

/** Login and consent for the device request, accepted (or the consent rejected) over the admin API. */
async function loginAndConsent(jar: CookieJar, res: Response, decision: "accept" | "reject" = "accept") {
  expect(res.status, await res.clone().text()).toBe(302);
  const loginChallenge = location(res).searchParams.get("login_challenge")!;
  expect(loginChallenge).toMatch(/^[\w-]+\.[\w-]*\.[\w-]+\.[\w-]+\.[\w-]+$/);
  const login = await admin.getOAuth2LoginRequest({ loginChallenge });
  expect(login.data.client.client_id).toBe(device.client_id);
  const accepted = await admin.acceptOAuth2LoginRequest({
    loginChallenge,
    acceptOAuth2LoginRequest: { subject: "device-user" },
  });
  res = await jar.fetch(accepted.data.redirect_to);
  expect(res.status, await res.clone().text()).toBe(302);
  const consentChallenge = location(res).searchParams.get("consent_challenge")!;
  const consent = await admin.getOAuth2ConsentRequest({ consentChallenge });
  const done =
    decision === "accept"
      ? await admin.acceptOAuth2ConsentRequest({
          consentChallenge,
          acceptOAuth2ConsentRequest: { grant_scope: consent.data.requested_scope },
        })
      : await admin.rejectOAuth2ConsentRequest({
          consentChallenge,
          rejectOAuth2Request: { error: "access_denied", error_description: "The user said no." },
        });
  res = await jar.fetch(done.data.redirect_to);
  expect(res.status, await res.clone().text()).toBe(302);
  return location(res);
}

describe("device authorization grant with openid-client", () => {
  it("discovery advertises the device authorization endpoint and grant", async () => {
    const config = await rp();
    const meta = config.serverMetadata();
    expect(meta.device_authorization_endpoint).toBe(new URL("oauth2/device/auth", t.issuer).href);
    expect(meta.grant_types_supported).toContain(DEVICE);
  });

  it("the device polls (authorization_pending) while the user enters the code, logs in and consents; then gets tokens", async () => {
    const config = await rp();
    const response = await oidc.initiateDeviceAuthorization(config, { scope: "openid offline_access read" });
    expect(response.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(response.verification_uri).toBe(new URL("oauth2/device/verify", t.issuer).href);
    expect(response.interval).toBe(1);
    expect(response.expires_in).toBeGreaterThan(590);
    // openid-client polls every `interval` and keeps going on authorization_pending.
    const polling = oidc.pollDeviceAuthorizationGrant(config, response);
    await new Promise((r) => setTimeout(r, 1500));
    const row = await latestRequest();
    expect(row?.lastPolledAt, "the device polled before the user finished").not.toBeNull();

    const jar = new CookieJar();
    const res = await enterUserCode(
      jar,
      response.verification_uri_complete!,
      response.user_code.toLowerCase(),
    );
    const end = await loginAndConsent(jar, res);
    expect(`${end.origin}${end.pathname}`).toBe(new URL("/device/success", end).href);
    expect(end.searchParams.get("error")).toBeNull();

    const tokens = await polling;
    // openid-client verified the ID token (signature against jwks_uri, iss, aud, exp).
    expect(tokens.claims()?.sub).toBe("device-user");
    expect(tokens.claims()?.aud).toEqual([device.client_id]);
    expect(tokens.scope).toBe("openid offline_access read");
    const info = await introspect(t, tokens.access_token);
    expect(info).toMatchObject({ active: true, sub: "device-user", client_id: device.client_id });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect((await introspect(t, tokens.access_token)).active).toBe(false);

    // The consent is a consent session of the user, and revoking it ends the device's tokens.
    const sessions = await admin.listOAuth2ConsentSessions({ subject: "device-user" });
    expect(sessions.data.map((s) => s.consent_request?.client?.client_id)).toContain(device.client_id);
    await admin.revokeOAuth2ConsentSessions({ subject: "device-user", all: true });
    expect((await introspect(t, refreshed.access_token)).active).toBe(false);
  });

  it("a denied consent reaches the device as access_denied and the browser ends on the device page with the error", async () => {
    const config = await rp();
    const response = await oidc.initiateDeviceAuthorization(config, { scope: "read" });
    const jar = new CookieJar();
    const end = await loginAndConsent(
      jar,
      await enterUserCode(jar, response.verification_uri, response.user_code),
      "reject",
    );
    expect(end.pathname).toBe("/device/success");
    expect(end.searchParams.get("error")).toBe("access_denied");
    await expect(oidc.pollDeviceAuthorizationGrant(config, response)).rejects.toMatchObject({
      error: "access_denied",
    });
  });
});

describe("device flow: remembered logins", () => {
  it("another user than the remembered one signs in again for the same device request", async () => {
    const jar = new CookieJar();
    const follow = async (redirectTo: string) => location(await jar.fetch(redirectTo));
    const consentAll = async (consentUrl: URL) => {
      const consentChallenge = consentUrl.searchParams.get("consent_challenge")!;
      const consent = await admin.getOAuth2ConsentRequest({ consentChallenge });
      const done = await admin.acceptOAuth2ConsentRequest({
        consentChallenge,
        acceptOAuth2ConsentRequest: { grant_scope: consent.data.requested_scope },
      });
      return follow(done.data.redirect_to);
    };
    // First device: "first" signs in and the login is remembered in this browser.
    const d1 = await startDevice("read");
    let res = await enterUserCode(jar, String(d1.verification_uri), String(d1.user_code));
    let loginChallenge = location(res).searchParams.get("login_challenge")!;
    let accepted = await admin.acceptOAuth2LoginRequest({
      loginChallenge,
      acceptOAuth2LoginRequest: { subject: "first", remember: true, remember_for: 3600 },
    });
    expect((await consentAll(await follow(accepted.data.redirect_to))).pathname).toBe("/device/success");

    // Second device: the remembered login is offered, but "second" is the one signing in.
    const d2 = await startDevice("read");
    res = await enterUserCode(jar, String(d2.verification_uri), String(d2.user_code));
    loginChallenge = location(res).searchParams.get("login_challenge")!;
    expect((await admin.getOAuth2LoginRequest({ loginChallenge })).data).toMatchObject({
      skip: true,
      subject: "first",
    });
    accepted = await admin.acceptOAuth2LoginRequest({
      loginChallenge,
      acceptOAuth2LoginRequest: { subject: "second" },
    });
    const again = new URL(accepted.data.redirect_to);
    expect(again.pathname).toBe("/login");
    const freshChallenge = again.searchParams.get("login_challenge")!;
    const fresh = await admin.getOAuth2LoginRequest({ loginChallenge: freshChallenge });
    expect(fresh.data).toMatchObject({ skip: false, subject: "" });
    expect(fresh.data.request_url).toBe(
      (await admin.getOAuth2LoginRequest({ loginChallenge })).data.request_url,
    );
    accepted = await admin.acceptOAuth2LoginRequest({
      loginChallenge: freshChallenge,
      acceptOAuth2LoginRequest: { subject: "second" },
    });
    expect((await consentAll(await follow(accepted.data.redirect_to))).pathname).toBe("/device/success");
    const tokens = (await (await poll(String(d2.device_code))).json()) as { access_token: string };
    expect(await introspect(t, tokens.access_token)).toMatchObject({ active: true, sub: "second" });
  });
});

describe("device flow: hostile input", () => {
  it("polling faster than the interval gets slow_down, and the interval grows by 5 s", async () => {
    const d = await startDevice();
    const first = await poll(String(d.device_code));
    expect(first.status).toBe(400);
    expect(((await first.json()) as { error: string }).error).toBe("authorization_pending");
    const second = await poll(String(d.device_code));
    expect(second.status).toBe(400);
    const body = (await second.json()) as { error: string; error_description: string };
    expect(body.error).toBe("slow_down");
    expect(body.error_description).toContain("every 6 seconds");
    const row = await latestRequest();
    expect(row?.intervalS).toBe(6);
    // Still too fast for the new interval two seconds later.
    await new Promise((r) => setTimeout(r, 2000));
    expect(((await (await poll(String(d.device_code))).json()) as { error: string }).error).toBe("slow_down");
  });

  it("concurrent polls: only one is answered authorization_pending, the others slow_down", async () => {
    const d = await startDevice();
    const answers = await Promise.all(
      Array.from(
        { length: 5 },
        async () => ((await (await poll(String(d.device_code))).json()) as { error: string }).error,
      ),
    );
    expect(answers.filter((a) => a === "authorization_pending")).toHaveLength(1);
    expect(answers.filter((a) => a === "slow_down")).toHaveLength(4);
  });

  it("an expired device code gets expired_token, and its user code is refused", async () => {
    const d = await startDevice();
    // Time passing: the request's expiry is moved into the past.
    await t.core.ctx.db
      .update(oauth2DeviceRequests)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(oauth2DeviceRequests.id, (await latestRequest())!.id));
    const res = await poll(String(d.device_code));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("expired_token");
    const jar = new CookieJar();
    const page = location(await jar.fetch(String(d.verification_uri)));
    const refused = await t.admin(
      `/admin/oauth2/auth/requests/device/accept?device_challenge=${page.searchParams.get("device_challenge")}`,
      { method: "PUT", body: JSON.stringify({ user_code: d.user_code }) },
    );
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { reason: string } }).error.reason).toContain("user code");
  });

  it("a user code works once, in one browser; wrong and malformed codes are refused", async () => {
    const d = await startDevice();
    const jar = new CookieJar();
    await enterUserCode(jar, String(d.verification_uri), String(d.user_code));
    const other = new CookieJar();
    const page = location(await other.fetch(String(d.verification_uri)));
    const challenge = page.searchParams.get("device_challenge")!;
    for (const code of [String(d.user_code), "BCDF-GHJK", "AEIO-UAEI", "x".repeat(65), ""]) {
      const res = await t.admin(`/admin/oauth2/auth/requests/device/accept?device_challenge=${challenge}`, {
        method: "PUT",
        body: JSON.stringify({ user_code: code }),
      });
      expect(res.status, code).toBe(400);
    }
    const forged = await t.admin("/admin/oauth2/auth/requests/device/accept?device_challenge=forged", {
      method: "PUT",
      body: JSON.stringify({ user_code: "BCDF-GHJK" }),
    });
    expect(forged.status).toBe(404);
  });

  it("a scope the client lost after the device asked for it is refused when the user continues", async () => {
    const shrinking = await createClient(t, {
      grant_types: [DEVICE],
      token_endpoint_auth_method: "none",
      redirect_uris: [],
      scope: "read write",
    });
    const res = await postForm(t, "/oauth2/device/auth", { client_id: shrinking.client_id, scope: "write" });
    const d = (await res.json()) as { verification_uri: string; user_code: string };
    await admin.patchOAuth2Client({
      id: shrinking.client_id,
      jsonPatch: [{ op: "replace", path: "/scope", value: "read" }],
    });
    const jar = new CookieJar();
    const page = location(await jar.fetch(d.verification_uri));
    const accepted = await admin.acceptUserCodeRequest({
      deviceChallenge: page.searchParams.get("device_challenge")!,
      acceptDeviceUserCodeRequest: { user_code: d.user_code },
    });
    const refused = await jar.fetch(accepted.data.redirect_to, { headers: { accept: "application/json" } });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toBe("invalid_scope");
  });

  it("a device verifier from another browser is refused (request_forbidden)", async () => {
    const d = await startDevice();
    const jar = new CookieJar();
    const page = location(await jar.fetch(String(d.verification_uri)));
    const accepted = await admin.acceptUserCodeRequest({
      deviceChallenge: page.searchParams.get("device_challenge")!,
      acceptDeviceUserCodeRequest: { user_code: String(d.user_code) },
    });
    const res = await new CookieJar().fetch(accepted.data.redirect_to, {
      headers: { accept: "application/json" },
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toBe("request_forbidden");
  });

  it("a device code is redeemed once: presented again it fails and revokes the tokens", async () => {
    const d = await startDevice("read offline_access");
    const jar = new CookieJar();
    await loginAndConsent(jar, await enterUserCode(jar, String(d.verification_uri), String(d.user_code)));
    const res = await poll(String(d.device_code));
    expect(res.status, await res.clone().text()).toBe(200);
    const tokens = (await res.json()) as { access_token: string; refresh_token: string; id_token?: string };
    expect(tokens.id_token).toBeUndefined();
    expect((await introspect(t, tokens.access_token)).active).toBe(true);
    await new Promise((r) => setTimeout(r, 1100));
    const again = await poll(String(d.device_code));
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe("invalid_grant");
    expect((await introspect(t, tokens.access_token)).active).toBe(false);
    expect((await introspect(t, tokens.refresh_token)).active).toBe(false);
  });

  it("a device code is bound to its client; forged codes are invalid_grant", async () => {
    const d = await startDevice();
    const other = await createClient(t, {
      grant_types: [DEVICE],
      token_endpoint_auth_method: "none",
      redirect_uris: [],
      scope: "read",
    });
    const res = await poll(String(d.device_code), other);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_grant");
    for (const code of ["", "ory_dc_forged.sig", `${String(d.device_code)}x`]) {
      const r = await poll(code);
      expect(r.status, code).toBe(400);
      expect(((await r.json()) as { error: string }).error).toBe(code ? "invalid_grant" : "invalid_request");
    }
  });

  it("the device authorization endpoint checks the client, its grant types, scope and audience", async () => {
    const codeOnly = await createClient(t, { token_endpoint_auth_method: "none", scope: "read" });
    const cases: [Record<string, string>, number, string][] = [
      [{ client_id: codeOnly.client_id }, 400, "unauthorized_client"],
      [{ client_id: device.client_id, scope: "admin" }, 400, "invalid_scope"],
      [{ client_id: device.client_id, audience: "https://elsewhere" }, 400, "invalid_request"],
      [{ client_id: "no-such-client" }, 401, "invalid_client"],
      [{}, 401, "invalid_client"],
    ];
    for (const [form, status, error] of cases) {
      const res = await postForm(t, "/oauth2/device/auth", form);
      expect(res.status, JSON.stringify(form)).toBe(status);
      expect(((await res.json()) as { error: string }).error).toBe(error);
    }
    const confidential = await createClient(t, { grant_types: [DEVICE], scope: "read", redirect_uris: [] });
    const wrong = await postForm(
      t,
      "/oauth2/device/auth",
      { scope: "read" },
      { authorization: `Basic ${Buffer.from(`${confidential.client_id}:wrong`).toString("base64")}` },
    );
    expect(wrong.status).toBe(401);
    const config = await rp(confidential);
    const ok = await oidc.initiateDeviceAuthorization(config, { scope: "read" });
    expect(ok.device_code).toMatch(/^ory_dc_/);
  });
});
