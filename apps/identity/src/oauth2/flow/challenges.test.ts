import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar } from "../../testing/index.ts";
import {
  authorizeUrl,
  createClient,
  exchangeCode,
  introspect,
  location,
  type OAuth2TestCore,
  pkce,
  REDIRECT,
  runAuthorization,
  startOAuth2Core,
  type TestClient,
} from "../test-helpers.ts";
import { openFlow, sealFlow } from "./challenge.ts";

let t: OAuth2TestCore;
let client: TestClient;

beforeAll(async () => {
  t = await startOAuth2Core();
  client = await createClient(t);
});
afterAll(() => t?.stop());

async function start(
  jar = new CookieJar(),
  extra: Record<string, string> = {},
): Promise<{ jar: CookieJar; challenge: string }> {
  const res = await jar.fetch(
    authorizeUrl(t, {
      client_id: client.client_id,
      response_type: "code",
      redirect_uri: REDIRECT,
      scope: "openid offline_access",
      state: "state-challenges",
      code_challenge: pkce().challenge,
      code_challenge_method: "S256",
      ...extra,
    }),
  );
  return { jar, challenge: location(res).searchParams.get("login_challenge")! };
}

const put = (path: string, body: unknown) => t.admin(path, { method: "PUT", body: JSON.stringify(body) });

describe("login requests", () => {
  it("GET answers Hydra's OAuth2LoginRequest", async () => {
    const { challenge } = await start(undefined, { login_hint: "ada@example.com", ui_locales: "de en" });
    const res = await t.admin(`/admin/oauth2/auth/requests/login?login_challenge=${challenge}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      [
        "challenge",
        "client",
        "oidc_context",
        "request_url",
        "requested_access_token_audience",
        "requested_scope",
        "session_id",
        "skip",
        "subject",
      ].sort(),
    );
    expect(body).toMatchObject({
      challenge,
      skip: false,
      subject: "",
      requested_scope: ["openid", "offline_access"],
      requested_access_token_audience: [],
      oidc_context: { login_hint: "ada@example.com", ui_locales: ["de", "en"], acr_values: [] },
    });
    expect(body.request_url).toContain("/oauth2/auth?");
    expect((body.client as { client_id: string }).client_id).toBe(client.client_id);
    // Also without the /admin prefix, as Hydra serves it.
    expect(
      (await fetch(`${t.oauth2AdminUrl}/oauth2/auth/requests/login?login_challenge=${challenge}`)).status,
    ).toBe(200);
  });

  it("a used login challenge (its verifier redeemed) is 410 with redirect_to, for GET and for a second accept", async () => {
    const { jar, challenge } = await start();
    const first = await put(`/admin/oauth2/auth/requests/login/accept?login_challenge=${challenge}`, {
      subject: "u",
    });
    expect(first.status).toBe(200);
    await jar.fetch(((await first.json()) as { redirect_to: string }).redirect_to);
    const get = await t.admin(`/admin/oauth2/auth/requests/login?login_challenge=${challenge}`);
    expect(get.status).toBe(410);
    const body = (await get.json()) as { redirect_to: string };
    expect(Object.keys(body)).toEqual(["redirect_to"]);
    expect(body.redirect_to).toContain("/oauth2/auth?");
    const again = await put(`/admin/oauth2/auth/requests/login/accept?login_challenge=${challenge}`, {
      subject: "u",
    });
    expect(again.status).toBe(410);
  });

  it("an expired login challenge is 410 with the original request as redirect_to", async () => {
    const { challenge } = await start();
    const ch = (await openFlow(t.core.oauth2.o2, "login_challenge", challenge))!;
    const old = await sealFlow(t.core.oauth2.o2, "login_challenge", {
      ...ch,
      requested_at: ch.requested_at - 3600,
    });
    const res = await t.admin(`/admin/oauth2/auth/requests/login?login_challenge=${encodeURIComponent(old)}`);
    expect(res.status).toBe(410);
    expect(((await res.json()) as { redirect_to: string }).redirect_to).toBe(ch.request_url);
  });

  it("an unknown challenge is 404 in the Ory error shape; a bad accept body is 400", async () => {
    const res = await t.admin("/admin/oauth2/auth/requests/login?login_challenge=nope");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(404);
    const { challenge } = await start();
    const bad = await put(`/admin/oauth2/auth/requests/login/accept?login_challenge=${challenge}`, {
      subject: "",
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: number } }).error.code).toBe(400);
    const missing = await t.admin("/admin/oauth2/auth/requests/login");
    expect(missing.status).toBe(400);
  });

  it("a rejected login sends the error to the client", async () => {
    const { jar, challenge } = await start();
    const rejected = await put(`/admin/oauth2/auth/requests/login/reject?login_challenge=${challenge}`, {
      error: "access_denied",
      error_description: "The user cancelled the login",
      status_code: 403,
    });
    const res = await jar.fetch(((await rejected.json()) as { redirect_to: string }).redirect_to);
    const back = location(res);
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("error_description")).toBe("The user cancelled the login");
    expect(back.searchParams.get("state")).toBe("state-challenges");
  });

  it("accepting a remembered login as another subject restarts the request with prompt=login", async () => {
    const jar = new CookieJar();
    await runAuthorization(t, client, { jar, subject: "first-user" });
    const { challenge } = await start(jar);
    const req = (await (
      await t.admin(`/admin/oauth2/auth/requests/login?login_challenge=${challenge}`)
    ).json()) as {
      skip: boolean;
    };
    expect(req.skip).toBe(true);
    const res = await put(`/admin/oauth2/auth/requests/login/accept?login_challenge=${challenge}`, {
      subject: "other",
    });
    const to = new URL(((await res.json()) as { redirect_to: string }).redirect_to);
    expect(to.searchParams.get("prompt")).toBe("login");
    expect(to.searchParams.get("login_verifier")).toBeNull();
  });
});

describe("remembered logins that ended", () => {
  it("a skip challenge whose login session ended meanwhile is 410 (the request starts over)", async () => {
    const jar = new CookieJar();
    await runAuthorization(t, client, { jar, subject: "ended-user" });
    const { challenge } = await start(jar);
    expect(
      (await t.admin("/admin/oauth2/auth/sessions/login?subject=ended-user", { method: "DELETE" })).status,
    ).toBe(204);
    const res = await t.admin(`/admin/oauth2/auth/requests/login?login_challenge=${challenge}`);
    expect(res.status).toBe(410);
  });
});

describe("consent requests", () => {
  async function toConsent(): Promise<{ jar: CookieJar; challenge: string }> {
    const { jar, challenge } = await start();
    const accepted = await put(`/admin/oauth2/auth/requests/login/accept?login_challenge=${challenge}`, {
      subject: "consenter",
      acr: "aal1",
      amr: ["pwd"],
      context: { via: "test" },
    });
    const res = await jar.fetch(((await accepted.json()) as { redirect_to: string }).redirect_to);
    return { jar, challenge: location(res).searchParams.get("consent_challenge")! };
  }

  it("GET answers Hydra's OAuth2ConsentRequest", async () => {
    const { challenge } = await toConsent();
    const body = (await (
      await t.admin(`/admin/oauth2/auth/requests/consent?consent_challenge=${challenge}`)
    ).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      challenge,
      skip: false,
      subject: "consenter",
      requested_scope: ["openid", "offline_access"],
      acr: "aal1",
      amr: ["pwd"],
      context: { via: "test" },
    });
    for (const k of [
      "consent_request_id",
      "login_challenge",
      "login_session_id",
      "oidc_context",
      "request_url",
      "client",
    ]) {
      expect(body[k], k).toBeTruthy();
    }
  });

  it("a used consent challenge is 410 and its verifier works once", async () => {
    const { jar, challenge } = await toConsent();
    const accepted = await put(`/admin/oauth2/auth/requests/consent/accept?consent_challenge=${challenge}`, {
      grant_scope: ["openid"],
    });
    const redirectTo = ((await accepted.json()) as { redirect_to: string }).redirect_to;
    const first = await jar.fetch(redirectTo);
    expect(location(first).searchParams.get("code")).toMatch(/^ory_ac_/);
    const gone = await t.admin(`/admin/oauth2/auth/requests/consent?consent_challenge=${challenge}`);
    expect(gone.status).toBe(410);
    expect(((await gone.json()) as { redirect_to: string }).redirect_to).toContain("/oauth2/auth?");
    const replay = await jar.fetch(redirectTo);
    expect(location(replay).searchParams.get("error")).toBe("access_denied");
    expect(location(replay).searchParams.get("code")).toBeNull();
  });

  it("only requested scopes may be granted", async () => {
    const { challenge } = await toConsent();
    const res = await put(`/admin/oauth2/auth/requests/consent/accept?consent_challenge=${challenge}`, {
      grant_scope: ["openid", "admin"],
    });
    expect(res.status).toBe(400);
  });

  it("a rejected consent sends the error to the client", async () => {
    const { jar, challenge } = await toConsent();
    const rejected = await put(`/admin/oauth2/auth/requests/consent/reject?consent_challenge=${challenge}`, {
      error: "access_denied",
      error_description: "The resource owner denied the request",
    });
    const back = location(await jar.fetch(((await rejected.json()) as { redirect_to: string }).redirect_to));
    expect(back.searchParams.get("error")).toBe("access_denied");
  });
});

describe("consent and login sessions", () => {
  it("lists consent sessions of a subject, and revoking them revokes their tokens", async () => {
    const flow = await runAuthorization(t, client, {
      subject: "listed",
      consent: { remember: true, remember_for: 3600 },
    });
    const tokens = (await (await exchangeCode(t, client, flow)).json()) as { access_token: string };
    const list = await t.admin("/admin/oauth2/auth/sessions/consent?subject=listed");
    expect(list.status).toBe(200);
    const sessions = (await list.json()) as Record<string, unknown>[];
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({
      grant_scope: ["openid", "offline_access"],
      remember: true,
      remember_for: 3600,
      session: { id_token: { email: "user@example.com" } },
    });
    expect((sessions[0]!.consent_request as { client: { client_id: string } }).client.client_id).toBe(
      client.client_id,
    );
    expect(list.headers.get("link")).toContain('rel="first"');

    expect(
      (await t.admin("/admin/oauth2/auth/sessions/consent?subject=listed", { method: "DELETE" })).status,
    ).toBe(400);
    const del = await t.admin(
      `/admin/oauth2/auth/sessions/consent?subject=listed&client=${client.client_id}`,
      {
        method: "DELETE",
      },
    );
    expect(del.status).toBe(204);
    expect(await introspect(t, tokens.access_token)).toEqual({ active: false });
    expect(await (await t.admin("/admin/oauth2/auth/sessions/consent?subject=listed")).json()).toEqual([]);
  });

  it("deleting the login sessions of a subject ends its remembered logins", async () => {
    const jar = new CookieJar();
    await runAuthorization(t, client, { jar, subject: "logged-in" });
    expect(
      (await t.admin("/admin/oauth2/auth/sessions/login?subject=logged-in", { method: "DELETE" })).status,
    ).toBe(204);
    const { challenge } = await start(jar);
    const req = (await (
      await t.admin(`/admin/oauth2/auth/requests/login?login_challenge=${challenge}`)
    ).json()) as {
      skip: boolean;
    };
    expect(req.skip).toBe(false);
    expect((await t.admin("/admin/oauth2/auth/sessions/login", { method: "DELETE" })).status).toBe(400);
  });

  it("DELETE /admin/oauth2/tokens revokes the access tokens of a client", async () => {
    const c = await createClient(t);
    const tokens = (await (await exchangeCode(t, c, await runAuthorization(t, c))).json()) as {
      access_token: string;
    };
    expect(
      (await t.admin(`/admin/oauth2/tokens?client_id=${c.client_id}`, { method: "DELETE" })).status,
    ).toBe(204);
    expect(await introspect(t, tokens.access_token)).toEqual({ active: false });
  });
});
