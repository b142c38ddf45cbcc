import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DomainSettings, parseSiteConfig } from "../config";
import type { PendingFlow } from "./flow-cookie";
import { createAuthorizationSecrets } from "./pkce";
import {
  authorizationRequest,
  discover,
  endSessionUrl,
  redeemAgain,
  redeemCallback,
  refreshTokens,
} from "./playground";
import type { PlaygroundSession } from "./store";

/*
 * The playground's protocol code against a real, certified OpenID provider (panva's oidc-provider) in this
 * process: discovery, the authorization request, the code exchange as a public client with PKCE, ID-token
 * checks, /userinfo, refresh with rotation, code reuse and the end-session URL. The browser round trip
 * through Olympus's own identity core and Hera is the e2e suite's job (e2e/site).
 */

const SUBJECT = "user-1";
let server: Server;
let op: Provider;
let settings: DomainSettings;
let decision: "accept" | "deny" = "accept";

async function interaction(req: IncomingMessage, res: ServerResponse) {
  const details = await op.interactionDetails(req, res);
  if (decision === "deny") {
    await op.interactionFinished(req, res, { error: "access_denied", error_description: "End-User denied" });
    return;
  }
  if (details.prompt.name === "login") {
    await op.interactionFinished(req, res, { login: { accountId: SUBJECT } });
    return;
  }
  const grant = new op.Grant({
    accountId: details.session!.accountId,
    clientId: String(details.params.client_id),
  });
  grant.addOIDCScope(String(details.params.scope));
  await op.interactionFinished(
    req,
    res,
    { consent: { grantId: await grant.save() } },
    { mergeWithLastSubmission: true },
  );
}

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  settings = parseSiteConfig({ CIAM_ISSUER_URL: issuer }).domains.ciam;
  op = new Provider(issuer, {
    clients: [
      {
        client_id: settings.clientId,
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        redirect_uris: [settings.redirectUri],
        post_logout_redirect_uris: [settings.postLogoutRedirectUri],
        scope: settings.scope,
      },
    ],
    scopes: ["openid", "offline_access", "email", "profile"],
    claims: { openid: ["sub"], email: ["email", "email_verified"] },
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, email: `${sub}@demo.user`, email_verified: true }),
    }),
    interactions: { url: (_ctx, i) => `/interaction/${i.uid}` },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    issueRefreshToken: async () => true,
    rotateRefreshToken: true,
    pkce: { required: () => true },
    cookies: { keys: ["playground-flow-test-cookie-key"] },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 600,
      IdToken: 600,
      Interaction: 600,
      RefreshToken: 600,
      Session: 600,
    },
  });
  const handle = op.callback();
  server.on("request", (req, res) => {
    if (req.url?.startsWith("/interaction/"))
      interaction(req, res).catch((e) => res.writeHead(500).end(String(e)));
    else handle(req, res);
  });
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  decision = "accept";
});

/** Follows the provider's redirects like a browser (keeping its cookies) until it comes back to the Site. */
async function authorize(url: string): Promise<URLSearchParams> {
  const jar = new Map<string, string>();
  let next = url;
  for (let hop = 0; hop < 20; hop++) {
    if (next.startsWith(settings.redirectUri)) return new URL(next).searchParams;
    const res = await fetch(next, {
      redirect: "manual",
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    const location = res.headers.get("location");
    if (!location) throw new Error(`no redirect from ${next}: HTTP ${res.status} ${await res.text()}`);
    next = new URL(location, next).href;
  }
  throw new Error("too many redirects");
}

async function start() {
  const s = await createAuthorizationSecrets();
  const flow: PendingFlow = {
    codeVerifier: s.codeVerifier,
    state: s.state,
    nonce: s.nonce,
    createdAt: Date.now(),
  };
  const request = authorizationRequest(settings, await discover(settings), flow, s.codeChallenge);
  const session: PlaygroundSession = {
    id: "test",
    domain: "ciam",
    createdAt: Date.now(),
    expiresAt: Date.now() + 60_000,
    steps: [],
  };
  return { flow, request, session };
}

describe("playground against a real OpenID provider", () => {
  it("discovery yields the issuer, whether or not the configured URL has a trailing slash", async () => {
    const withSlash = { ...settings, issuerUrl: `${settings.issuerUrl}/` };
    expect((await discover(withSlash)).issuer).toBe(settings.issuerUrl);
  });

  it("the authorization request carries PKCE S256, state, nonce and the registered redirect URI", async () => {
    const { request, flow } = await start();
    const url = new URL(request.url);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: "code",
      client_id: "site-playground-ciam",
      redirect_uri: "http://localhost:2000/playground/callback/ciam",
      scope: "openid offline_access email profile",
      state: flow.state,
      nonce: flow.nonce,
      code_challenge_method: "S256",
    });
    expect(url.searchParams.has("code_verifier")).toBe(false);
  });

  it("round trip: code redeemed as a public client, ID token verified, userinfo, refresh, reuse refused, logout URL", async () => {
    const { flow, request, session } = await start();
    await redeemCallback(settings, session, flow, await authorize(request.url));
    expect(session.callbackError).toBeUndefined();
    const [exchange, userinfo] = session.steps;
    expect(exchange!.error).toBeUndefined();

    const tokenRequest = exchange!.http.find((x) => x.method === "POST")!;
    expect(tokenRequest.requestHeaders.authorization).toBeUndefined();
    const body = new URLSearchParams(tokenRequest.requestBody);
    expect(body.get("grant_type")).toBe("authorization_code");
    expect(body.get("code_verifier")).toBe(flow.codeVerifier);
    expect(body.get("client_id")).toBe("site-playground-ciam");
    expect(body.has("client_secret")).toBe(false);

    expect(exchange!.response).toMatchObject({ token_type: expect.stringMatching(/^bearer$/i) });
    expect(exchange!.idToken!.checks.map((c) => [c.id, c.ok])).toEqual([
      ["signature", true],
      ["iss", true],
      ["aud", true],
      ["exp", true],
      ["nonce", true],
    ]);
    expect(session.subject).toBe(SUBJECT);
    expect(userinfo).toMatchObject({
      kind: "userinfo",
      response: { sub: SUBJECT, email: "user-1@demo.user" },
    });

    const before = session.tokens!;
    await refreshTokens(settings, session);
    const refresh = session.steps.at(-1)!;
    expect(refresh).toMatchObject({ kind: "refresh_token" });
    expect(refresh.error).toBeUndefined();
    expect(session.tokens!.refresh_token).not.toBe(before.refresh_token);
    expect(session.tokens!.access_token).not.toBe(before.access_token);
    if (refresh.idToken) expect(refresh.idToken.checks.find((c) => c.id === "nonce")!.ok).toBeNull();

    await redeemAgain(settings, session);
    expect(session.steps.at(-1)!.error?.code).toBe("invalid_grant");

    const logout = new URL(await endSessionUrl(settings, session, "logout-state-1234567890"));
    expect(Object.fromEntries(logout.searchParams)).toMatchObject({
      id_token_hint: session.tokens!.id_token,
      post_logout_redirect_uri: "http://localhost:2000/playground",
      state: "logout-state-1234567890",
      client_id: "site-playground-ciam",
    });
  });

  it("a refresh token used twice is refused (rotation)", async () => {
    const { flow, request, session } = await start();
    await redeemCallback(settings, session, flow, await authorize(request.url));
    const old = session.tokens!.refresh_token;
    await refreshTokens(settings, session);
    session.tokens = { ...session.tokens, refresh_token: old };
    await refreshTokens(settings, session);
    expect(session.steps.at(-1)!.error?.code).toBe("invalid_grant");
  });

  it("a callback with another state is refused before any token request", async () => {
    const { flow, request, session } = await start();
    const search = await authorize(request.url);
    search.set("state", "forged-state-forged-state-0000");
    await redeemCallback(settings, session, flow, search);
    expect(session.callbackError?.code).toBe("state_mismatch");
    expect(session.steps).toEqual([]);
  });

  it("a denied authorization comes back as access_denied, explained", async () => {
    decision = "deny";
    const { flow, request, session } = await start();
    await redeemCallback(settings, session, flow, await authorize(request.url));
    expect(session.callbackError).toMatchObject({ code: "access_denied", title: "Access was denied" });
    expect(session.steps).toEqual([]);
  });

  it("without the flow cookie nothing is redeemed", async () => {
    const { request, session } = await start();
    await redeemCallback(settings, session, undefined, await authorize(request.url));
    expect(session.callbackError?.code).toBe("flow_missing");
    expect(session.steps).toEqual([]);
  });

  it("a wrong verifier makes the token endpoint refuse the code", async () => {
    const { flow, request, session } = await start();
    const search = await authorize(request.url);
    await redeemCallback(settings, session, { ...flow, codeVerifier: "x".repeat(43) }, search);
    expect(session.steps[0]!.error?.code).toBe("invalid_grant");
    expect(session.tokens).toBeUndefined();
  });
});
