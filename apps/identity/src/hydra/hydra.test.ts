import { Configuration, FrontendApi, IdentityApi } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, csrfOf, startTestCore, type TestCore } from "../testing/index.ts";
import { FakeHydra } from "./fake.ts";

/*
 * The self-service half against a FakeHydra: which calls the flows make on the bridge, and with what.
 * (oauth2/bridge.test.ts runs the same flows against the core's real OAuth2 provider.)
 */

const json = { headers: { accept: "application/json" } };
const PASSWORD = "correct horse battery";
const hydra = new FakeHydra();
let t: TestCore;
let api: FrontendApi;

beforeAll(async () => {
  t = await startTestCore({ hydra });
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
afterAll(() => t?.stop());

/** Registers through the native flow; the `session` hook signs the identity in. */
async function register(email: string): Promise<{ identityId: string; sessionId: string }> {
  const flow = await api.createNativeRegistrationFlow();
  const res = await api.updateRegistrationFlow({
    flow: flow.id,
    updateRegistrationFlowBody: { method: "password", password: PASSWORD, traits: { email } },
  });
  return { identityId: res.identity.id, sessionId: res.session!.id };
}

describe("the self-service flows talk to Hydra only through the bridge", () => {
  it("embeds the login request, accepts it after the login and sends the browser where Hydra says", async () => {
    const { identityId } = await register("bridge-login@example.com");
    hydra.requests.set("challenge-1", { challenge: "challenge-1", client: { client_id: "fake-client" } });
    hydra.calls.length = 0;
    const jar = new CookieJar();
    const browser = new FrontendApi(new Configuration({ basePath: t.publicUrl, fetchApi: jar.fetch }));
    const flow = await browser.createBrowserLoginFlow({ loginChallenge: "challenge-1" }, json);
    expect(flow.oauth2_login_challenge).toBe("challenge-1");
    expect(flow.oauth2_login_request?.client?.client_id).toBe("fake-client");

    const res = await jar.fetch(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: new URLSearchParams({
        csrf_token: csrfOf(flow),
        method: "password",
        identifier: "bridge-login@example.com",
        password: PASSWORD,
      }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(hydra.redirectTo("challenge-1"));
    const who = await browser.toSession({}, json);
    expect(hydra.calls).toEqual([
      { op: "getLoginRequest", challenge: "challenge-1" },
      {
        op: "acceptLoginRequest",
        challenge: "challenge-1",
        accept: { subject: identityId, sessionId: who.id, amr: ["pwd"], acr: "aal1" },
      },
    ]);

    // Logout ends the identity session: Hydra is told which one.
    hydra.calls.length = 0;
    const logout = await browser.createBrowserLogoutFlow({}, json);
    await jar.fetch(`${t.publicUrl}/self-service/logout?token=${logout.logout_token}`, json);
    expect(hydra.calls).toEqual([{ op: "sessionEnded", sessionId: who.id }]);
  });

  it("refuses a login challenge Hydra does not know, with 400 and no flow", async () => {
    const res = await fetch(`${t.publicUrl}/self-service/login/browser?login_challenge=unknown`, json);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { reason: string } };
    expect(body.error.reason).toBe("The login_challenge is invalid.");
  });

  it("deleting an identity tells Hydra its subject is gone, then that its sessions ended", async () => {
    const { identityId, sessionId } = await register("bridge-delete@example.com");
    hydra.calls.length = 0;
    const admin = new IdentityApi(new Configuration({ basePath: t.adminUrl }));
    await admin.deleteIdentity({ id: identityId });
    expect(hydra.calls).toEqual([
      { op: "subjectDeleted", subject: identityId },
      { op: "sessionEnded", sessionId },
    ]);
  });
});
