import { Configuration, FrontendApi, ResponseError } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, startTestCore, type TestCore } from "../../testing/index.ts";

const json = { headers: { accept: "application/json" } };
let t: TestCore;
let api: FrontendApi;

beforeAll(async () => {
  t = await startTestCore();
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
afterAll(() => t?.stop());

async function registerNative(email: string, password: string) {
  const flow = await api.createNativeRegistrationFlow();
  return api.updateRegistrationFlow({
    flow: flow.id,
    updateRegistrationFlowBody: { method: "password", password, traits: { email } },
  });
}

describe("login (native)", () => {
  it("signs in with the password set at registration and whoami returns the identity", async () => {
    const reg = await registerNative("native-login@example.com", "correct horse battery");
    expect(reg.identity.traits).toEqual({ email: "native-login@example.com" });
    const flow = await api.createNativeLoginFlow();
    expect(flow.state).toBe("choose_method");
    expect(flow.ui.nodes.map((n) => (n.attributes as { name?: string }).name)).toEqual([
      "csrf_token",
      "identifier",
      "password",
      "method",
    ]);
    const res = await api.updateLoginFlow({
      flow: flow.id,
      updateLoginFlowBody: {
        method: "password",
        identifier: "Native-Login@Example.com",
        password: "correct horse battery",
      },
    });
    expect(res.session_token).toMatch(/^ory_st_[A-Za-z0-9]{32}$/);
    expect(res.session.identity?.id).toBe(reg.identity.id);
    const who = await api.toSessionRaw({ xSessionToken: res.session_token });
    expect(who.raw.headers.get("x-kratos-authenticated-identity-id")).toBe(reg.identity.id);
    const s = await who.value();
    expect(s.active).toBe(true);
    expect(s.authentication_methods?.[0]?.method).toBe("password");
  });

  it("answers a wrong password with 400, message 4000006 and no hint whether the account exists", async () => {
    await registerNative("wrong-pw@example.com", "correct horse battery");
    const messages: number[][] = [];
    for (const identifier of ["wrong-pw@example.com", "nobody-here@example.com"]) {
      const flow = await api.createNativeLoginFlow();
      const err = await api
        .updateLoginFlow({
          flow: flow.id,
          updateLoginFlowBody: { method: "password", identifier, password: "not the password" },
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ResponseError);
      const res = (err as ResponseError).response;
      expect(res.status).toBe(400);
      const body = (await res.json()) as any;
      messages.push(body.ui.messages.map((m: { id: number }) => m.id));
      expect(
        body.ui.nodes.find((n: { attributes: { name: string } }) => n.attributes.name === "password")
          .attributes.value,
      ).toBeUndefined();
    }
    expect(messages).toEqual([[4000006], [4000006]]);
  });
});

describe("login (browser)", () => {
  it("sets the domain's session cookie and redirects a form post to return_to", async () => {
    await registerNative("browser-login@example.com", "correct horse battery");
    const jar = new CookieJar();
    const browser = new FrontendApi(
      new Configuration({ basePath: t.publicUrl, fetchApi: jar.fetch, credentials: "include" }),
    );
    // Like Kratos, a browser flow answers JSON only to clients that ask for it.
    const flow = await browser.createBrowserLoginFlow({ returnTo: "http://localhost:4455/after" }, json);
    expect(jar.get("olympus_test_csrf")).toBeTruthy();
    const csrf = flow.ui.nodes.find((n) => (n.attributes as { name?: string }).name === "csrf_token")!;
    const token = (csrf.attributes as { value: string }).value;
    const res = await jar.fetch(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: new URLSearchParams({
        csrf_token: token,
        method: "password",
        identifier: "browser-login@example.com",
        password: "correct horse battery",
      }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("http://localhost:4455/after");
    expect(jar.get("olympus_test_session")).toMatch(/^ory_st_/);
    const who = await browser.toSession();
    expect(who.identity?.traits).toEqual({ email: "browser-login@example.com" });
  });

  it("rejects a submission without the CSRF token with 403 security_csrf_violation", async () => {
    const jar = new CookieJar();
    const browser = new FrontendApi(new Configuration({ basePath: t.publicUrl, fetchApi: jar.fetch }));
    const flow = await browser.createBrowserLoginFlow({}, json);
    const res = await jar.fetch(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ method: "password", identifier: "x@example.com", password: "whatever1234" }),
    });
    expect(res.status).toBe(403);
    const body = (await res.json()) as any;
    expect(body.error.id).toBe("security_csrf_violation");
  });
});
