import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { NextRequest } from "next/server";
import Provider from "oidc-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE, unsealSession } from "@/lib/session/seal";
import { GET as callback } from "./callback/route";
import { GET as login } from "./login/route";
import { POST as logout } from "./logout/route";

/*
 * Athena's sign-in handlers against a real, certified OpenID provider (panva's oidc-provider) in this
 * process: discovery, PKCE S256 + state + nonce, the code exchange as a public client, ID-token checks
 * (signature, iss, aud, nonce), the role claim and its IAM fallback, the sealed cookie, and
 * RP-initiated logout. The browser round trip through the Olympus core and Hera is e2e/athena's job.
 */

const ATHENA = "http://localhost:4001";
const SECRET = "sign-in-flow-test-secret-32-bytes-at-least";
/** Accounts the provider knows; `norole` has no role claim, so Athena asks the IAM admin API. */
const ACCOUNTS: Record<string, { role?: string; name: string }> = {
  "admin-1": { role: "admin", name: "Ada Admin" },
  "viewer-1": { role: "viewer", name: "Victor Viewer" },
  norole: { name: "No Role" },
  "iam-viewer": { name: "From IAM" },
};
let subject = "admin-1";
let op: Provider;
let opServer: Server;
let iamServer: Server;

async function interaction(req: IncomingMessage, res: ServerResponse) {
  const details = await op.interactionDetails(req, res);
  if (details.prompt.name === "login") {
    await op.interactionFinished(
      req,
      res,
      { login: { accountId: subject } },
      { mergeWithLastSubmission: false },
    );
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

const listen = (s: Server) =>
  new Promise<string>((r) =>
    s.listen(0, "127.0.0.1", () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
  );

beforeAll(async () => {
  // A stand-in for the IAM Kratos admin API: only the identity lookup the role fallback uses.
  iamServer = createServer((req, res) => {
    const id = decodeURIComponent(req.url!.split("/").pop()!);
    if (id !== "iam-viewer") return res.writeHead(404).end("{}");
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        id,
        state: "active",
        traits: { email: "from-iam@demo.user", role: "viewer", name: { first: "From", last: "IAM" } },
      }),
    );
  });
  const iam = await listen(iamServer);
  opServer = createServer();
  const issuer = await listen(opServer);
  Object.assign(process.env, {
    OLYMPUS_DOMAIN: "iam",
    ATHENA_PUBLIC_URL: ATHENA,
    ATHENA_SESSION_SECRET: SECRET,
    AUTH_ISSUER_URL: issuer,
    AUTH_CLIENT_ID: "athena-iam",
    IAM_KRATOS_ADMIN_URL: iam,
  });
  op = new Provider(issuer, {
    clients: [
      {
        client_id: "athena-iam",
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code"],
        response_types: ["code"],
        redirect_uris: [`${ATHENA}/api/auth/callback`],
        post_logout_redirect_uris: [`${ATHENA}/`],
      },
    ],
    scopes: ["openid", "email", "profile"],
    claims: { openid: ["sub", "role"], email: ["email", "email_verified"], profile: ["name"] },
    conformIdTokenClaims: false,
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({
        sub,
        email: `${sub}@demo.user`,
        email_verified: true,
        name: ACCOUNTS[sub]?.name,
        ...(ACCOUNTS[sub]?.role ? { role: ACCOUNTS[sub].role } : {}),
      }),
    }),
    interactions: { url: (_ctx, i) => `/interaction/${i.uid}` },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    pkce: { required: () => true },
    cookies: { keys: ["athena-flow-test-cookie-key"] },
  });
  const handle = op.callback();
  opServer.on("request", (req, res) => {
    if (req.url?.startsWith("/interaction/"))
      interaction(req, res).catch((e) => res.writeHead(500).end(String(e)));
    else handle(req, res);
  });
});

afterAll(async () => {
  await new Promise<void>((r) => opServer.close(() => r()));
  await new Promise<void>((r) => iamServer.close(() => r()));
});

/** Set-Cookie lines of a response as name → {value, attributes}. */
function cookiesOf(res: Response) {
  const out = new Map<string, { value: string; attrs: string }>();
  for (const line of res.headers.getSetCookie()) {
    const [pair, ...attrs] = line.split(";");
    const eq = pair!.indexOf("=");
    out.set(pair!.slice(0, eq), {
      value: decodeURIComponent(pair!.slice(eq + 1)),
      attrs: attrs.join(";").toLowerCase(),
    });
  }
  return out;
}

/** Follows the provider's redirects like a browser until it comes back to Athena's callback. */
async function authorize(url: string): Promise<string> {
  const jar = new Map<string, string>();
  let next = url;
  for (let hop = 0; hop < 20; hop++) {
    if (next.startsWith(`${ATHENA}/api/auth/callback`)) return next;
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

/** /api/auth/login then the provider; returns the callback URL and the flow cookie. */
async function startSignIn(returnTo = "/identities") {
  const res = await login(
    new NextRequest(`${ATHENA}/api/auth/login?return_to=${encodeURIComponent(returnTo)}`),
  );
  expect(res.status).toBe(303);
  const flow = cookiesOf(res).get("athena-auth-iam")!;
  return {
    authUrl: new URL(res.headers.get("location")!),
    flow,
    callbackUrl: await authorize(res.headers.get("location")!),
  };
}

const callbackWith = (url: string, flowCookie?: string) =>
  callback(new NextRequest(url, { headers: flowCookie ? { cookie: `athena-auth-iam=${flowCookie}` } : {} }));

const open = (value: string) => unsealSession(value, { secret: SECRET, domain: "iam" });

describe("sign-in handlers against a real OpenID provider", () => {
  it("sends the browser to the provider with PKCE S256, state and nonce, keeping them in a sealed Lax cookie", async () => {
    subject = "admin-1";
    const { authUrl, flow } = await startSignIn();
    const p = authUrl.searchParams;
    expect(p.get("client_id")).toBe("athena-iam");
    expect(p.get("redirect_uri")).toBe(`${ATHENA}/api/auth/callback`);
    expect(p.get("code_challenge_method")).toBe("S256");
    expect(p.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(p.get("state")).toBeTruthy();
    expect(p.get("nonce")).toBeTruthy();
    expect(p.get("scope")).toBe("openid email profile");
    expect(flow.attrs).toContain("httponly");
    expect(flow.attrs).toContain("samesite=lax");
    expect(flow.attrs).toContain("path=/api/auth");
    expect(flow.attrs).toContain("max-age=600");
    // The verifier travels sealed: nothing in the cookie reads as the state or a verifier.
    expect(flow.value).not.toContain(p.get("state")!);
  });

  it("exchanges the code, verifies the ID token and seals an 8-hour session with the role claim", async () => {
    subject = "admin-1";
    const { flow, callbackUrl } = await startSignIn("/identities");
    const res = await callbackWith(callbackUrl, flow.value);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${ATHENA}/identities`);
    const c = cookiesOf(res);
    const session = c.get(SESSION_COOKIE)!;
    expect(session.attrs).toContain("httponly");
    expect(session.attrs).toContain("samesite=lax");
    expect(session.attrs).toContain("max-age=28800");
    expect(c.get("athena-auth-iam")!.attrs).toContain("max-age=0");
    const s = await open(session.value);
    expect(s).toMatchObject({
      sub: "admin-1",
      role: "admin",
      email: "admin-1@demo.user",
      name: "Ada Admin",
      domain: "iam",
      iss: process.env.AUTH_ISSUER_URL,
    });
    expect(s!.idt).toMatch(/^ey/);
    // Sealed for IAM: the CIAM instance cannot open it.
    expect(await unsealSession(session.value, { secret: SECRET, domain: "ciam" })).toBeUndefined();
  });

  it("reads the role from the IAM admin API when the ID token has none, and refuses who has no role", async () => {
    subject = "iam-viewer";
    let { flow, callbackUrl } = await startSignIn("/");
    let res = await callbackWith(callbackUrl, flow.value);
    expect(await open(cookiesOf(res).get(SESSION_COOKIE)!.value)).toMatchObject({
      role: "viewer",
      sub: "iam-viewer",
    });

    subject = "norole";
    ({ flow, callbackUrl } = await startSignIn("/"));
    res = await callbackWith(callbackUrl, flow.value);
    expect(res.headers.get("location")).toBe(`${ATHENA}/signin?error=no_role`);
    expect(cookiesOf(res).has(SESSION_COOKIE)).toBe(false);
  });

  it("refuses a callback whose state does not match, one without its flow cookie, and one carrying another sign-in's verifier", async () => {
    subject = "admin-1";
    const { flow, callbackUrl } = await startSignIn();
    const forged = new URL(callbackUrl);
    forged.searchParams.set("state", "attacker-state");
    let res = await callbackWith(forged.href, flow.value);
    expect(res.headers.get("location")).toBe(`${ATHENA}/signin?error=callback_rejected`);
    expect(cookiesOf(res).has(SESSION_COOKIE)).toBe(false);

    res = await callbackWith(callbackUrl);
    expect(res.headers.get("location")).toBe(`${ATHENA}/signin?error=flow_expired`);

    // Another sign-in's flow cookie (other verifier and nonce) cannot redeem this code.
    const other = await startSignIn();
    res = await callbackWith(callbackUrl, other.flow.value);
    expect(res.headers.get("location")).toBe(`${ATHENA}/signin?error=callback_rejected`);
  });

  it("passes a provider error on as a sign-in error", async () => {
    const res = await callbackWith(`${ATHENA}/api/auth/callback?error=access_denied&state=x`);
    expect(res.headers.get("location")).toBe(`${ATHENA}/signin?error=access_denied`);
  });

  it("never returns to another site after sign-in", async () => {
    subject = "admin-1";
    // The tab, newline and encoded variants are what browsers strip or fold after a naive check
    // (red-team finding 4); the table in src/lib/auth/return-to.test.ts has the rest.
    for (const evil of [
      "//evil.test/x",
      "https://evil.test/",
      "/\\evil.test",
      "/\t/evil.test/",
      "/\n/evil.test/",
      "/%2f/evil.test/",
      "/.//evil.test/",
    ]) {
      const { flow, callbackUrl } = await startSignIn(evil);
      const res = await callbackWith(callbackUrl, flow.value);
      expect(res.headers.get("location")).toBe(`${ATHENA}/`);
    }
  });

  it("signs out with RP-initiated logout at the provider (id_token_hint, post_logout_redirect_uri)", async () => {
    subject = "admin-1";
    const { flow, callbackUrl } = await startSignIn();
    const session = cookiesOf(await callbackWith(callbackUrl, flow.value)).get(SESSION_COOKIE)!.value;
    const s = await open(session);
    const res = await logout(
      new NextRequest(`${ATHENA}/api/auth/logout`, {
        method: "POST",
        headers: { origin: ATHENA, cookie: `${SESSION_COOKIE}=${session}` },
      }),
    );
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get("location")!);
    expect(to.href.startsWith(`${process.env.AUTH_ISSUER_URL}/session/end`)).toBe(true);
    expect(to.searchParams.get("id_token_hint")).toBe(s!.idt);
    expect(to.searchParams.get("post_logout_redirect_uri")).toBe(`${ATHENA}/`);
    expect(cookiesOf(res).get(SESSION_COOKIE)!.attrs).toContain("max-age=0");
    // A cross-site form cannot sign an administrator out.
    const cross = await logout(
      new NextRequest(`${ATHENA}/api/auth/logout`, {
        method: "POST",
        headers: { origin: "http://localhost:4000" },
      }),
    );
    expect(cross.status).toBe(403);
  });
});
