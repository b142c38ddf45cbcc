import { Configuration, FrontendApi, ResponseError } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, csrfOf, startTestCore, type TestCore } from "../../testing/index.ts";

/*
 * Credentials and identifiers change only within `privileged_session_max_age` of the session's
 * authentication; after that the user must sign in again (login with refresh=true).
 */

const json = { headers: { accept: "application/json" } };
let t: TestCore;
let api: FrontendApi;

beforeAll(async () => {
  t = await startTestCore({
    overrides: { selfservice: { flows: { settings: { privileged_session_max_age: "1s" } } } },
  });
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
afterAll(() => t?.stop());

const outsideWindow = () => new Promise((r) => setTimeout(r, 1100));

async function failure(p: Promise<unknown>): Promise<{ status: number; body: any }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ResponseError);
  const res = (err as ResponseError).response;
  return { status: res.status, body: await res.json() };
}

describe("settings privileged session", () => {
  it("refuses a password or identifier change outside the window with 403 session_refresh_required", async () => {
    const reg = await api.updateRegistrationFlow({
      flow: (await api.createNativeRegistrationFlow()).id,
      updateRegistrationFlowBody: {
        method: "password",
        password: "correct horse battery",
        traits: { email: "stale@example.com" },
      },
    });
    const token = reg.session_token!;
    const flow = await api.createNativeSettingsFlow({ xSessionToken: token });
    await outsideWindow();

    const pw = await failure(
      api.updateSettingsFlow({
        flow: flow.id,
        xSessionToken: token,
        updateSettingsFlowBody: { method: "password", password: "a different passphrase" },
      }),
    );
    expect(pw.status).toBe(403);
    expect(pw.body.error).toMatchObject({ id: "session_refresh_required", code: 403 });
    const to = new URL(pw.body.redirect_browser_to);
    expect(to.pathname).toBe("/self-service/login/browser");
    expect(to.searchParams.get("refresh")).toBe("true");
    expect(to.searchParams.get("return_to")).toBe(`http://localhost:4455/settings?flow=${flow.id}`);

    const email = await failure(
      api.updateSettingsFlow({
        flow: flow.id,
        xSessionToken: token,
        updateSettingsFlowBody: { method: "profile", traits: { email: "hijacked@example.com" } },
      }),
    );
    expect(email.status).toBe(403);
    expect(email.body.error.id).toBe("session_refresh_required");

    // Traits that are no identifier or address stay editable.
    const name = await api.updateSettingsFlow({
      flow: flow.id,
      xSessionToken: token,
      updateSettingsFlowBody: {
        method: "profile",
        traits: { email: "stale@example.com", name: { first: "Still" } },
      },
    });
    expect(name.state).toBe("success");
    const who = await api.toSession({ xSessionToken: token });
    expect(who.identity?.traits).toEqual({ email: "stale@example.com", name: { first: "Still" } });
  });

  it("sends a browser to the refresh login, after which the change goes through", async () => {
    await api.updateRegistrationFlow({
      flow: (await api.createNativeRegistrationFlow()).id,
      updateRegistrationFlowBody: {
        method: "password",
        password: "correct horse battery",
        traits: { email: "refresh-browser@example.com" },
      },
    });
    const jar = new CookieJar();
    const browser = new FrontendApi(
      new Configuration({ basePath: t.publicUrl, fetchApi: jar.fetch, credentials: "include" }),
    );
    const login = await browser.createBrowserLoginFlow({}, json);
    await browser.updateLoginFlow({
      flow: login.id,
      updateLoginFlowBody: {
        method: "password",
        identifier: "refresh-browser@example.com",
        password: "correct horse battery",
        csrf_token: csrfOf(login),
      },
    });
    const flow = await browser.createBrowserSettingsFlow({}, json);
    await outsideWindow();

    const form = await jar.fetch(`${t.publicUrl}/self-service/settings?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: new URLSearchParams({
        csrf_token: csrfOf(flow),
        method: "password",
        password: "a different passphrase",
      }),
    });
    expect(form.status).toBe(303);
    const to = new URL(form.headers.get("location")!);
    expect(to.pathname).toBe("/self-service/login/browser");
    expect(to.searchParams.get("refresh")).toBe("true");

    // Following it: a refresh login flow for the same session.
    const refresh = await browser.createBrowserLoginFlow(
      { refresh: true, returnTo: to.searchParams.get("return_to")! },
      json,
    );
    expect(refresh.refresh).toBe(true);
    const reauth = await browser.updateLoginFlow({
      flow: refresh.id,
      updateLoginFlowBody: {
        method: "password",
        identifier: "refresh-browser@example.com",
        password: "correct horse battery",
        csrf_token: csrfOf(refresh),
      },
    });
    expect(reauth.continue_with).toEqual([
      {
        action: "redirect_browser_to",
        redirect_browser_to: `http://localhost:4455/settings?flow=${flow.id}`,
      },
    ]);
    // Straight away: the window is one second long here.
    const done = await browser.updateSettingsFlow({
      flow: flow.id,
      updateSettingsFlowBody: {
        method: "password",
        password: "a different passphrase",
        csrf_token: csrfOf(flow),
      },
    });
    expect(done.state).toBe("success");
  });
});
