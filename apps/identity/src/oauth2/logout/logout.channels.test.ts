import { createServer, type Server } from "node:http";
import { Configuration, OAuth2Api } from "@ory/client";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar } from "../../testing/index.ts";
import {
  createClient,
  location,
  type OAuth2TestCore,
  REDIRECT,
  runAuthorization,
  startOAuth2Core,
  type TestClient,
} from "../test-helpers.ts";
import { BACKCHANNEL_EVENT, backchannelSettled } from "./channels.ts";

/*
 * Back-channel and front-channel logout (OpenID Connect): a user signs in to two clients in one
 * login session (openid-client is the RP: code flow, ID token with `sid`, end-session URL); when the
 * session ends, each client with a backchannel_logout_uri gets a logout token POSTed to a real HTTP
 * server, and the browser's last logout page loads each frontchannel_logout_uri.
 */

const POST_LOGOUT = "http://127.0.0.1:5555/signed-out";

interface Received {
  path: string;
  contentType: string;
  token: string;
}

let t: OAuth2TestCore;
let admin: OAuth2Api;
let rp: Server;
let rpBase = "";
const received: Received[] = [];
let a: TestClient;
let b: TestClient;
let quiet: TestClient;
let verifyLogoutToken: (token: string, audience: string) => ReturnType<typeof jwtVerify>;

beforeAll(async () => {
  t = await startOAuth2Core();
  admin = new OAuth2Api(new Configuration({ basePath: t.oauth2AdminUrl }));
  // The clients' back-channel endpoint: records every logout token it gets; /broken answers 500.
  rp = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => {
      body += d.toString("utf8");
    });
    req.on("end", () => {
      received.push({
        path: req.url ?? "",
        contentType: String(req.headers["content-type"]),
        token: new URLSearchParams(body).get("logout_token") ?? "",
      });
      res.writeHead(req.url === "/broken" ? 500 : 200).end();
    });
  });
  await new Promise<void>((r) => rp.listen(0, "127.0.0.1", r));
  rpBase = `http://127.0.0.1:${(rp.address() as { port: number }).port}`;
  const common = { post_logout_redirect_uris: [POST_LOGOUT], scope: "openid offline_access" };
  a = await createClient(t, {
    ...common,
    client_name: "A",
    backchannel_logout_uri: `${rpBase}/a/backchannel`,
    backchannel_logout_session_required: true,
    frontchannel_logout_uri: "https://a.example/frontchannel?x=1",
    frontchannel_logout_session_required: true,
  });
  b = await createClient(t, {
    ...common,
    client_name: "B",
    backchannel_logout_uri: `${rpBase}/broken`,
    frontchannel_logout_uri: "https://b.example/logout",
  });
  quiet = await createClient(t, { ...common, client_name: "no logout URIs" });
  const jwks = createRemoteJWKSet(new URL(".well-known/jwks.json", t.issuer));
  verifyLogoutToken = (token, audience) =>
    jwtVerify(token, jwks, { issuer: t.issuer, audience, typ: "logout+jwt" });
});
afterAll(async () => {
  await t?.stop();
  await new Promise<void>((r) => (rp ? rp.close(() => r()) : r()));
});

/** Signs in to A with openid-client, then to B and the quiet client in the same browser (remembered login). */
async function signInToAll(subject: string) {
  const jar = new CookieJar();
  const config = await oidc.discovery(
    new URL(t.issuer),
    a.client_id,
    undefined,
    oidc.ClientSecretBasic(a.client_secret!),
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
  const flow = await runAuthorization(t, a, { jar, subject });
  const tokens = await oidc.authorizationCodeGrant(config, flow.callback, {
    pkceCodeVerifier: flow.verifier,
    expectedState: flow.state,
    expectedNonce: flow.nonce,
  });
  await runAuthorization(t, b, { jar, subject });
  await runAuthorization(t, quiet, { jar, subject });
  const sid = tokens.claims()!.sid as string;
  expect(sid).toMatch(/^[0-9a-f-]{36}$/);
  return { jar, config, idToken: tokens.id_token!, sid };
}

describe("back-channel and front-channel logout", () => {
  it("discovery advertises both, with session support", async () => {
    const meta = (await (
      await fetch(new URL(".well-known/openid-configuration", t.issuer))
    ).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
      frontchannel_logout_supported: true,
      frontchannel_logout_session_supported: true,
    });
  });

  it("RP-initiated logout: every client of the session gets a logout token, and the last page loads the front-channel URLs", async () => {
    received.length = 0;
    const { jar, config, idToken, sid } = await signInToAll("alice");
    const end = oidc.buildEndSessionUrl(config, {
      id_token_hint: idToken,
      post_logout_redirect_uri: POST_LOGOUT,
      state: "st-123",
    });
    let res = await jar.fetch(end.href);
    const challenge = location(res).searchParams.get("logout_challenge")!;
    const accepted = await admin.acceptOAuth2LogoutRequest({ logoutChallenge: challenge });
    await backchannelSettled(t.core.oauth2.o2);

    // A (its endpoint answered 200) and B (its endpoint answered 500: logged, the logout goes on).
    expect(received.map((r) => r.path).sort()).toEqual(["/a/backchannel", "/broken"]);
    for (const r of received) {
      expect(r.contentType).toBe("application/x-www-form-urlencoded");
      const audience = r.path === "/broken" ? b.client_id : a.client_id;
      const { payload, protectedHeader } = await verifyLogoutToken(r.token, audience);
      expect(protectedHeader.typ).toBe("logout+jwt");
      expect(payload).toMatchObject({
        sub: "alice",
        sid,
        aud: [audience],
        events: { [BACKCHANNEL_EVENT]: {} },
      });
      expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
      expect(payload).not.toHaveProperty("nonce");
      expect(payload.exp! - payload.iat!).toBe(120);
    }
    expect(new Set(received.map((r) => decodeProtectedHeader(r.token).kid))).toHaveProperty("size", 1);

    res = await jar.fetch(accepted.data.redirect_to);
    expect(res.status).toBe(200);
    const html = await res.text();
    const frames = [...html.matchAll(/<iframe src="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, "&"));
    expect(frames).toHaveLength(2);
    const fa = new URL(frames.find((f) => f.startsWith("https://a.example"))!);
    expect(Object.fromEntries(fa.searchParams)).toEqual({ x: "1", iss: t.issuer, sid });
    expect(frames).toContain("https://b.example/logout");
    expect(html).toContain(`url=${POST_LOGOUT}?state=st-123`);
    expect(html).toContain(JSON.stringify(`${POST_LOGOUT}?state=st-123`));
  });

  it("revoking a login session by sid (admin) performs the back-channel logout; by subject it does not, as in Hydra", async () => {
    received.length = 0;
    const one = await signInToAll("bob");
    await admin.revokeOAuth2LoginSessions({ sid: one.sid });
    await backchannelSettled(t.core.oauth2.o2);
    expect(received.map((r) => r.path).sort()).toEqual(["/a/backchannel", "/broken"]);
    expect(
      (
        await verifyLogoutToken(
          received[0]!.token,
          received[0]!.path === "/broken" ? b.client_id : a.client_id,
        )
      ).payload.sid,
    ).toBe(one.sid);

    received.length = 0;
    await signInToAll("carol");
    await admin.revokeOAuth2LoginSessions({ subject: "carol" });
    await backchannelSettled(t.core.oauth2.o2);
    expect(received).toEqual([]);
  });

  it("a session with no client that asked for logout notifications sends nothing and redirects at once", async () => {
    received.length = 0;
    const jar = new CookieJar();
    await runAuthorization(t, quiet, { jar, subject: "dave" });
    const end = new URL("oauth2/sessions/logout", t.issuer);
    end.search = new URLSearchParams({
      client_id: quiet.client_id,
      post_logout_redirect_uri: POST_LOGOUT,
    }).toString();
    const challenge = location(await jar.fetch(end.href)).searchParams.get("logout_challenge")!;
    const accepted = await admin.acceptOAuth2LogoutRequest({ logoutChallenge: challenge });
    await backchannelSettled(t.core.oauth2.o2);
    expect(received).toEqual([]);
    const res = await jar.fetch(accepted.data.redirect_to);
    expect(res.status).toBe(302);
    expect(location(res).href).toBe(POST_LOGOUT);
  });
});

describe("logout URIs: hostile input", () => {
  it("refuses script, data and non-web URLs and fragments in the logout fields", async () => {
    for (const [field, value] of [
      ["backchannel_logout_uri", "javascript:alert(1)"],
      ["frontchannel_logout_uri", "javascript:alert(document.cookie)"],
      ["frontchannel_logout_uri", "data:text/html,<script>alert(1)</script>"],
      ["backchannel_logout_uri", "file:///etc/passwd"],
      ["frontchannel_logout_uri", "https://rp.example/logout#frag"],
      ["backchannel_logout_uri", "https://user:pass@rp.example/logout"],
      ["backchannel_logout_uri", "not a url"],
    ] as const) {
      const res = await t.admin("/admin/clients", {
        method: "POST",
        body: JSON.stringify({ redirect_uris: [REDIRECT], [field]: value }),
      });
      expect(res.status, `${field}=${value}`).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe("invalid_client_metadata");
    }
  });

  it("a front-channel URL can not break out of the page (the iframe src is escaped)", async () => {
    const sneaky = await createClient(t, {
      post_logout_redirect_uris: [POST_LOGOUT],
      frontchannel_logout_uri: 'https://rp.example/logout?a="><script>alert(1)</script>',
    });
    const jar = new CookieJar();
    await runAuthorization(t, sneaky, { jar, subject: "erin" });
    const end = new URL("oauth2/sessions/logout", t.issuer);
    end.search = new URLSearchParams({ client_id: sneaky.client_id }).toString();
    const challenge = location(await jar.fetch(end.href)).searchParams.get("logout_challenge")!;
    const accepted = await admin.acceptOAuth2LogoutRequest({ logoutChallenge: challenge });
    const html = await (await jar.fetch(accepted.data.redirect_to)).text();
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).toContain(
      '<iframe src="https://rp.example/logout?a=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"',
    );
  });
});
