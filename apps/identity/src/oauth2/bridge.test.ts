import { createServer, type Server } from "node:http";
import { Configuration, FrontendApi } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar } from "../testing/index.ts";
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
} from "./test-helpers.ts";
import { backchannelSettled } from "./logout/channels.ts";

const json = { headers: { accept: "application/json" } };
const PASSWORD = "correct horse battery staple";
let t: OAuth2TestCore;
let client: TestClient;
let api: FrontendApi;

/** The client's back-channel logout endpoint: a real HTTP server keeping the logout tokens it gets. */
const logoutTokens: string[] = [];
let backchannel: Server;

beforeAll(async () => {
  backchannel = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => {
      body += d.toString("utf8");
    });
    req.on("end", () => {
      logoutTokens.push(new URLSearchParams(body).get("logout_token") ?? "");
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => backchannel.listen(0, "127.0.0.1", r));
  t = await startOAuth2Core({ session: { lifespan: "2h" } });
  client = await createClient(t, {
    post_logout_redirect_uris: ["http://127.0.0.1:5555/bye"],
    backchannel_logout_uri: `http://127.0.0.1:${(backchannel.address() as { port: number }).port}/logout`,
  });
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
afterAll(async () => {
  await t?.stop();
  await new Promise<void>((r) => (backchannel ? backchannel.close(() => r()) : r()));
});

async function register(email: string): Promise<string> {
  const flow = await api.createNativeRegistrationFlow();
  const res = await api.updateRegistrationFlow({
    flow: flow.id,
    updateRegistrationFlowBody: { method: "password", password: PASSWORD, traits: { email } },
  });
  return res.identity.id;
}

/** Starts an authorization request and the core's login flow with its login_challenge. */
async function startLogin(jar: CookieJar, verifierOut: { verifier?: string } = {}) {
  const { verifier, challenge } = pkce();
  verifierOut.verifier = verifier;
  const res = await jar.fetch(
    authorizeUrl(t, {
      client_id: client.client_id,
      response_type: "code",
      redirect_uri: REDIRECT,
      scope: "openid offline_access",
      state: "state-glue-1234",
      nonce: "nonce-glue-1234",
      code_challenge: challenge,
      code_challenge_method: "S256",
    }),
  );
  const loginChallenge = location(res).searchParams.get("login_challenge")!;
  const browser = new FrontendApi(new Configuration({ basePath: t.publicUrl, fetchApi: jar.fetch }));
  const flow = await browser.createBrowserLoginFlow({ loginChallenge }, json);
  const csrf = flow.ui.nodes.find((n) => (n.attributes as { name?: string }).name === "csrf_token")!;
  return { loginChallenge, flow, csrf: (csrf.attributes as { value: string }).value };
}

describe("the login flow completes OAuth2 login challenges (Kratos↔Hydra glue, in process)", () => {
  it("embeds the login request, and a form post answers 303 to the next OAuth2 URL", async () => {
    const email = "glue-form@example.com";
    const identityId = await register(email);
    const jar = new CookieJar();
    const out: { verifier?: string } = {};
    const { loginChallenge, flow, csrf } = await startLogin(jar, out);
    expect(flow.oauth2_login_challenge).toBe(loginChallenge);
    expect(flow.oauth2_login_request?.client?.client_id).toBe(client.client_id);
    expect(flow.oauth2_login_request?.requested_scope).toEqual(["openid", "offline_access"]);

    const res = await jar.fetch(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: new URLSearchParams({
        csrf_token: csrf,
        method: "password",
        identifier: email,
        password: PASSWORD,
      }),
    });
    expect(res.status).toBe(303);
    const next = location(res);
    expect(next.pathname).toBe("/oauth2/auth");
    expect(next.searchParams.get("login_verifier")).toBeTruthy();

    const toConsent = await jar.fetch(next.toString());
    const consentChallenge = location(toConsent).searchParams.get("consent_challenge")!;
    const consent = (await (
      await t.admin(`/admin/oauth2/auth/requests/consent?consent_challenge=${consentChallenge}`)
    ).json()) as {
      subject: string;
      amr: string[];
      acr: string;
      login_session_id: string;
    };
    expect(consent.subject).toBe(identityId);
    expect(consent.amr).toEqual(["pwd"]);
    // acr is the session's AAL, as Kratos sets it: Athena can require aal2 from administrators.
    expect(consent.acr).toBe("aal1");
    const accepted = (await (
      await t.admin(`/admin/oauth2/auth/requests/consent/accept?consent_challenge=${consentChallenge}`, {
        method: "PUT",
        body: JSON.stringify({ grant_scope: ["openid", "offline_access"] }),
      })
    ).json()) as { redirect_to: string };
    const callback = location(await jar.fetch(accepted.redirect_to));
    const tokens = await exchangeCode(t, client, {
      jar,
      callback,
      code: callback.searchParams.get("code")!,
      verifier: out.verifier,
      state: "",
      nonce: "",
    });
    expect(tokens.status).toBe(200);
    const body = (await tokens.json()) as { id_token: string };
    const claims = JSON.parse(Buffer.from(body.id_token.split(".")[1]!, "base64url").toString());
    expect(claims.sub).toBe(identityId);
    expect(claims.sid).toBe(consent.login_session_id);
    expect(claims.acr).toBe("aal1");

    // The login was remembered for the session's lifespan: the next request skips the login UI.
    const again = await jar.fetch(
      authorizeUrl(t, {
        client_id: client.client_id,
        response_type: "code",
        redirect_uri: REDIRECT,
        scope: "openid",
        state: "state-glue-again",
        code_challenge: pkce().challenge,
        code_challenge_method: "S256",
      }),
    );
    const skipChallenge = location(again).searchParams.get("login_challenge")!;
    const skipped = (await (
      await t.admin(`/admin/oauth2/auth/requests/login?login_challenge=${skipChallenge}`)
    ).json()) as {
      skip: boolean;
      subject: string;
    };
    expect(skipped).toMatchObject({ skip: true, subject: identityId });

    // Logging out of the identity session ends the OAuth2 login session bound to it.
    const browser = new FrontendApi(new Configuration({ basePath: t.publicUrl, fetchApi: jar.fetch }));
    const logout = await browser.createBrowserLogoutFlow({}, json);
    logoutTokens.length = 0;
    await jar.fetch(`${t.publicUrl}/self-service/logout?token=${logout.logout_token}`, json);
    // …and the client hears of it on its back channel (OpenID Connect Back-Channel Logout).
    await backchannelSettled(t.core.oauth2.o2);
    expect(logoutTokens).toHaveLength(1);
    const logoutClaims = JSON.parse(Buffer.from(logoutTokens[0]!.split(".")[1]!, "base64url").toString());
    expect(logoutClaims).toMatchObject({
      sub: identityId,
      sid: consent.login_session_id,
      aud: [client.client_id],
    });
    const afterLogout = await jar.fetch(
      authorizeUrl(t, {
        client_id: client.client_id,
        response_type: "code",
        redirect_uri: REDIRECT,
        scope: "openid",
        state: "state-glue-after",
        prompt: "none",
        code_challenge: pkce().challenge,
        code_challenge_method: "S256",
      }),
    );
    expect(location(afterLogout).searchParams.get("error")).toBe("login_required");
  });

  it("a JSON submission answers 422 browser_location_change_required with the next OAuth2 URL", async () => {
    const email = "glue-json@example.com";
    await register(email);
    const jar = new CookieJar();
    const { flow, csrf } = await startLogin(jar);
    const res = await jar.fetch(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ csrf_token: csrf, method: "password", identifier: email, password: PASSWORD }),
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { id: string }; redirect_browser_to: string };
    expect(body.error.id).toBe("browser_location_change_required");
    const next = new URL(body.redirect_browser_to);
    expect(next.pathname).toBe("/oauth2/auth");
    expect(next.searchParams.get("login_verifier")).toBeTruthy();
    expect(
      location(await jar.fetch(body.redirect_browser_to)).searchParams.get("consent_challenge"),
    ).toBeTruthy();
  });

  it("RP-initiated logout also ends the identity session", async () => {
    const email = "glue-logout@example.com";
    await register(email);
    const jar = new CookieJar();
    const { flow, csrf } = await startLogin(jar);
    const res = await jar.fetch(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: new URLSearchParams({
        csrf_token: csrf,
        method: "password",
        identifier: email,
        password: PASSWORD,
      }),
    });
    await jar.fetch(location(res).toString());
    const browser = new FrontendApi(new Configuration({ basePath: t.publicUrl, fetchApi: jar.fetch }));
    expect((await browser.toSession()).active).toBe(true);

    const end = new URL("/oauth2/sessions/logout", t.oauth2PublicUrl);
    end.search = new URLSearchParams({
      client_id: client.client_id,
      post_logout_redirect_uri: "http://127.0.0.1:5555/bye",
    }).toString();
    const challenge = location(await jar.fetch(end.toString())).searchParams.get("logout_challenge")!;
    const done = (await (
      await t.admin(`/admin/oauth2/auth/requests/logout/accept?logout_challenge=${challenge}`, {
        method: "PUT",
      })
    ).json()) as { redirect_to: string };
    expect(location(await jar.fetch(done.redirect_to)).toString()).toBe("http://127.0.0.1:5555/bye");
    const who = await jar.fetch(`${t.publicUrl}/sessions/whoami`, json);
    expect(who.status, await who.clone().text()).toBe(401);
  });

  it("deleting an identity deletes its OAuth2 grants, tokens and login sessions", async () => {
    const identityId = await register("glue-erase@example.com");
    const flow = await runAuthorization(t, client, { subject: identityId, consent: { remember: true } });
    const tokens = (await (await exchangeCode(t, client, flow)).json()) as { access_token: string };
    expect(await introspect(t, tokens.access_token)).toMatchObject({ active: true });
    const res = await fetch(`${t.adminUrl}/admin/identities/${identityId}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    expect(await introspect(t, tokens.access_token)).toEqual({ active: false });
    expect(await (await t.admin(`/admin/oauth2/auth/sessions/consent?subject=${identityId}`)).json()).toEqual(
      [],
    );
    const again = await flow.jar.fetch(
      authorizeUrl(t, {
        client_id: client.client_id,
        response_type: "code",
        redirect_uri: REDIRECT,
        scope: "openid",
        state: "state-after-erasure",
        prompt: "none",
        code_challenge: pkce().challenge,
        code_challenge_method: "S256",
      }),
    );
    expect(location(again).searchParams.get("error")).toBe("login_required");
  });

  it("an invalid login_challenge is refused when the login flow starts", async () => {
    const jar = new CookieJar();
    const res = await jar.fetch(`${t.publicUrl}/self-service/login/browser?login_challenge=garbage`, json);
    expect(res.status).toBe(400);
  });
});
