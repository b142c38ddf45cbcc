import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { register } from "../../security/testkit.ts";
import { CookieJar, csrfOf, startTestCore, type TestCore } from "../../testing/index.ts";

/*
 * return_to: a relative one (Ory's reference UI sends `return_to=/sessions`) is resolved against
 * selfservice.default_browser_return_url and then checked against the allow-list, as Kratos does.
 * Every known open-redirect trick stays refused — what is checked is what the browser will see.
 */

let t: TestCore;
const PW = "correct horse battery";

beforeAll(async () => {
  t = await startTestCore({
    overrides: {
      selfservice: {
        // The default return URL sits under a path; the allow-list adds the origin's /account/ tree.
        default_browser_return_url: "http://localhost:4455/app/",
        allowed_return_urls: ["http://localhost:4455/account/"],
      },
      security: { rate_limit: { enabled: false } },
    },
  });
});
afterAll(() => t?.stop());

const init = (kind: string, returnTo: string, jar?: CookieJar) =>
  (jar?.fetch ?? fetch)(
    `${t.publicUrl}/self-service/${kind}/browser?return_to=${encodeURIComponent(returnTo)}`,
    { headers: { accept: "application/json" }, redirect: "manual" },
  );

describe("relative return_to", () => {
  for (const kind of ["login", "registration", "recovery", "verification"]) {
    it(`${kind}: /app/sessions resolves against the default return URL`, async () => {
      const res = await init(kind, "/app/sessions?tab=all#top");
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).return_to).toBe("http://localhost:4455/app/sessions?tab=all#top");
    });
  }

  it("is then checked against the allow-list: /account/… is allowed, /admin is not", async () => {
    const ok = await init("login", "/account/sessions");
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).return_to).toBe("http://localhost:4455/account/sessions");
    const refused = await init("login", "/admin");
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as any).error.id).toBe("self_service_flow_return_to_forbidden");
  });

  it("a browser signing in with return_to=/app/sessions lands there", async () => {
    await register(t.publicUrl, "relative-return@example.com", PW);
    const jar = new CookieJar();
    const flow = (await (await init("login", "/app/sessions", jar)).json()) as any;
    const res = await jar.fetch(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: new URLSearchParams({
        csrf_token: csrfOf(flow),
        method: "password",
        identifier: "relative-return@example.com",
        password: PW,
      }),
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("http://localhost:4455/app/sessions");
  });

  const tricks = [
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "/%09/evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r\n/evil.example/",
    "/%0a/evil.example/",
    "/%0D%0A/evil.example/",
    "/%2f%2fevil.example",
    "/%2F/evil.example",
    "/%5cevil.example",
    "/%5C%5Cevil.example",
    "/app/..//evil.example",
    "/ /evil.example",
    "/\u0000/evil.example",
    " //evil.example",
    "evil.example",
    "sessions",
    "https:/evil.example",
    "http:evil.example",
    "https://evil.example/",
    "http://localhost:4455.evil.example/app/",
    "http://evil.example\\@localhost:4455/app/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
  ];
  it.each(tricks)(
    "refuses %j with 400 self_service_flow_return_to_forbidden and no redirect",
    async (trick) => {
      for (const accept of ["application/json", "text/html"]) {
        const res = await fetch(
          `${t.publicUrl}/self-service/login/browser?return_to=${encodeURIComponent(trick)}`,
          { headers: { accept }, redirect: "manual" },
        );
        if (accept === "application/json") {
          expect(res.status).toBe(400);
          expect(((await res.json()) as any).error.id).toBe("self_service_flow_return_to_forbidden");
        } else {
          // Browsers are sent to the error UI, never towards the return_to.
          const location = res.headers.get("location") ?? "";
          expect(location).not.toMatch(/evil/);
          if (location) expect(new URL(location).origin).toBe("http://localhost:4455");
        }
      }
    },
  );
});
