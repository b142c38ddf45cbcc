import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCore, type TestCore } from "../testing/index.ts";

let t: TestCore;
beforeAll(async () => {
  t = await startTestCore({
    overrides: { serve: { cors: { enabled: true, allowed_origins: ["http://app.example"] } } },
  });
});
afterAll(() => t?.stop());

async function token(): Promise<string> {
  const flow = (await (await fetch(`${t.publicUrl}/self-service/registration/api`)).json()) as { id: string };
  const res = await fetch(`${t.publicUrl}/self-service/registration?flow=${flow.id}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      method: "password",
      password: "a long passphrase 42",
      traits: { email: "headers@example.com" },
    }),
  });
  return ((await res.json()) as { session_token: string }).session_token;
}

describe("whoami answers with Kratos' headers on both of its response paths", () => {
  it("plain requests, and cross-origin ones with the CORS headers added", async () => {
    const tok = await token();
    const plain = await fetch(`${t.publicUrl}/sessions/whoami`, { headers: { "x-session-token": tok } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get("content-type")).toBe("application/json");
    expect(plain.headers.get("cache-control")).toMatch(/no-store/);
    const id = plain.headers.get("x-kratos-authenticated-identity-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await plain.json()) as { identity: { id: string } }).identity.id).toBe(id);
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();

    const cross = await fetch(`${t.publicUrl}/sessions/whoami`, {
      headers: { "x-session-token": tok, origin: "http://app.example" },
    });
    expect(cross.status).toBe(200);
    expect(cross.headers.get("access-control-allow-origin")).toBe("http://app.example");
    expect(cross.headers.get("access-control-allow-credentials")).toBe("true");
    expect(cross.headers.get("x-kratos-authenticated-identity-id")).toBe(id);
    expect(cross.headers.get("content-type")).toBe("application/json");

    // Session cookies reach whoami too (the browser path).
    const byCookie = await fetch(`${t.publicUrl}/sessions/whoami`, {
      headers: { cookie: `other=1; olympus_test_session=${tok}; x=y` },
    });
    expect(byCookie.status).toBe(200);
  });
});
