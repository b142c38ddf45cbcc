import { Configuration, FrontendApi } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCore, type TestCore } from "../testing/index.ts";

const PASSWORD = "correct horse battery";
let t: TestCore;
let api: FrontendApi;

beforeAll(async () => {
  t = await startTestCore({ overrides: { security: { rate_limit: { enabled: false } } } });
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
afterAll(() => t?.stop());

/** Registers an identity through a native flow; returns its id and session token. */
async function signUp(email: string): Promise<{ id: string; token: string; sessionId: string }> {
  const flow = await api.createNativeRegistrationFlow();
  const res = await api.updateRegistrationFlow({
    flow: flow.id,
    updateRegistrationFlowBody: { method: "password", password: PASSWORD, traits: { email } },
  });
  return { id: res.identity.id, token: res.session_token!, sessionId: res.session!.id };
}

const whoami = (headers: Record<string, string>, method = "GET") =>
  fetch(`${t.publicUrl}/sessions/whoami`, { method, headers: { accept: "application/json", ...headers } });

describe("whoami with Authorization: Bearer <session token>", () => {
  it("answers 200 with the session and X-Kratos-Authenticated-Identity-Id, on GET and POST", async () => {
    const me = await signUp("bearer@example.com");
    for (const method of ["GET", "POST"]) {
      for (const scheme of ["Bearer", "bearer"]) {
        const res = await whoami({ authorization: `${scheme} ${me.token}` }, method);
        expect(res.status).toBe(200);
        expect(res.headers.get("x-kratos-authenticated-identity-id")).toBe(me.id);
        const body = (await res.json()) as any;
        expect(body).toMatchObject({ id: me.sessionId, active: true, identity: { id: me.id } });
        // whoami shows the public identity: no credentials, no admin metadata.
        expect(body.identity.credentials).toBeUndefined();
        expect(body.identity.metadata_admin).toBeUndefined();
      }
    }
  });

  it("answers 401 session_inactive without the identity header for unknown, malformed and revoked tokens", async () => {
    const me = await signUp("bearer-revoked@example.com");
    const revoke = await api.performNativeLogoutRaw({ performNativeLogoutBody: { session_token: me.token } });
    expect(revoke.raw.status).toBe(204);
    for (const authorization of [
      `Bearer ${me.token}`,
      "Bearer ory_st_doesnotexistdoesnotexistdoesno",
      "Bearer ",
      `Basic ${Buffer.from(`x:${me.token}`).toString("base64")}`,
    ]) {
      const res = await whoami({ authorization });
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get("x-kratos-authenticated-identity-id")).toBeNull();
      expect(((await res.json()) as any).error).toMatchObject({ id: "session_inactive", code: 401 });
    }
  });

  it("comes last in Kratos's lookup order: X-Session-Token, then the cookie, then Bearer", async () => {
    const a = await signUp("order-a@example.com");
    const b = await signUp("order-b@example.com");
    const cookie = `olympus_test_session=${a.token}`;
    const cases: [Record<string, string>, number, string | null][] = [
      [{ "x-session-token": a.token, authorization: `Bearer ${b.token}` }, 200, a.id],
      [{ cookie, authorization: `Bearer ${b.token}` }, 200, a.id],
      [{ "x-session-token": b.token, cookie }, 200, b.id],
      // The first token found decides; a bad one is not rescued by a good Bearer.
      [{ "x-session-token": "ory_st_unknown", authorization: `Bearer ${b.token}` }, 401, null],
    ];
    for (const [headers, status, id] of cases) {
      const res = await whoami(headers);
      expect(res.status, JSON.stringify(Object.keys(headers))).toBe(status);
      expect(res.headers.get("x-kratos-authenticated-identity-id")).toBe(id);
    }
  });

  it("the SDK's toSession (X-Session-Token) exposes the same identity header", async () => {
    const me = await signUp("sdk-header@example.com");
    const raw = await api.toSessionRaw({ xSessionToken: me.token });
    expect(raw.raw.headers.get("x-kratos-authenticated-identity-id")).toBe(me.id);
    expect((await raw.value()).identity?.id).toBe(me.id);
  });
});
