import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { NextRequest } from "next/server";
import Provider from "oidc-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { startTestCore, type TestCore } from "@olympus/identity/testing";
import { forgetLiveRole } from "@/lib/auth/live-role";
import { resetAthenaEnv } from "@/lib/env";
import { SESSION_COOKIE, sealSession, unsealSession } from "@/lib/session/seal";
import { GET as listIdentitiesRoute, POST as createIdentityRoute } from "../identities/route";
import { GET as callback } from "./callback/route";
import { GET as login } from "./login/route";
import { POST as logout } from "./logout/route";

/*
 * Athena's sign-in handlers against a real, certified OpenID provider (panva's oidc-provider) in this
 * process and a real Olympus IAM core (PostgreSQL with TEST_DATABASE_URL, else PGlite): discovery,
 * PKCE S256 + state + nonce, the code exchange as a public client, ID-token checks (signature, iss,
 * aud, nonce), the role read from the IAM core's `metadata_admin`, the sealed cookie, and
 * RP-initiated logout. The browser round trip through Hera is e2e/athena's job.
 *
 * The provider puts a `role` claim into its ID tokens, copied from the identity's `role` trait as
 * Hera did before issue 16: a claim the user can influence, which Athena must ignore.
 */

const ATHENA = "http://localhost:4001";
const SECRET = "sign-in-flow-test-secret-32-bytes-at-least";
const PASSWORD = "a-long-test-password-for-athena";
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
let subject = "";
let op: Provider;
let opServer: Server;
let iam: TestCore;
/** IAM identity ids by name. */
const ids: Record<string, string> = {};

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

/** Creates an IAM identity through the core's admin API. */
async function createIdentity(name: string, body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${iam.adminUrl}/admin/identities`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      schema_id: "admin",
      credentials: { password: { config: { password: PASSWORD } } },
      ...body,
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  ids[name] = ((await res.json()) as { id: string }).id;
  return ids[name]!;
}

async function iamIdentity(id: string): Promise<Record<string, unknown> | undefined> {
  const res = await fetch(`${iam.adminUrl}/admin/identities/${id}`);
  return res.ok ? ((await res.json()) as Record<string, unknown>) : undefined;
}

beforeAll(async () => {
  iam = await startTestCore({
    overrides: {
      domain: "iam",
      identity: {
        default_schema_id: "admin",
        schemas: [
          { id: "admin", url: here("../../../../../../seeds/iam/schemas/admin.schema.json") },
          { id: "legacy", url: here("../../../test/legacy-admin.schema.json") },
        ],
      },
    },
  });
  const admin = (email: string, first: string) => ({ email, name: { first, last: "Test" } });
  await createIdentity("admin", {
    traits: admin("admin-1@demo.user", "Ada"),
    metadata_admin: { role: "admin" },
  });
  await createIdentity("viewer", {
    traits: admin("viewer-1@demo.user", "Victor"),
    metadata_admin: { role: "viewer" },
  });
  await createIdentity("norole", { traits: admin("norole@demo.user", "No") });
  await createIdentity("inactive", {
    traits: admin("gone@demo.user", "Gone"),
    metadata_admin: { role: "admin" },
    state: "inactive",
  });
  // An administrator whose schema still has a `role` trait (as before issue 16) and who is a viewer.
  await createIdentity("escalator", {
    schema_id: "legacy",
    traits: { email: "mallory@demo.user", name: { first: "Mallory" }, role: "viewer" },
    metadata_admin: { role: "viewer" },
  });
  opServer = createServer();
  const issuer = await listen(opServer);
  Object.assign(process.env, {
    OLYMPUS_DOMAIN: "iam",
    ATHENA_PUBLIC_URL: ATHENA,
    ATHENA_SESSION_SECRET: SECRET,
    AUTH_ISSUER_URL: issuer,
    AUTH_CLIENT_ID: "athena-iam",
    IAM_KRATOS_ADMIN_URL: iam.adminUrl,
    KRATOS_ADMIN_URL: iam.adminUrl,
    KRATOS_PUBLIC_URL: iam.publicUrl,
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
      claims: async () => {
        const identity = await iamIdentity(sub);
        const traits = (identity?.traits ?? {}) as {
          email?: string;
          name?: { first?: string };
          role?: string;
        };
        return {
          sub,
          email: traits.email,
          email_verified: true,
          name: traits.name?.first ? `${traits.name.first} Test` : undefined,
          // What Hera put into ID tokens before issue 16: the user-writable trait.
          ...(traits.role ? { role: traits.role } : {}),
        };
      },
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
}, 120_000);

afterAll(async () => {
  await new Promise<void>((r) => (opServer ? opServer.close(() => r()) : r()));
  await iam?.stop();
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

/** POST /api/identities through Athena's route handler, as the holder of `sealed`. */
const createViaAthena = (sealed: string, email: string) =>
  createIdentityRoute(
    new NextRequest(`${ATHENA}/api/identities`, {
      method: "POST",
      headers: { origin: ATHENA, "content-type": "application/json", cookie: `${SESSION_COOKIE}=${sealed}` },
      body: JSON.stringify({ schema_id: "admin", traits: { email }, password: PASSWORD }),
    }),
    { params: Promise.resolve({}) },
  );

const listViaAthena = (sealed: string) =>
  listIdentitiesRoute(
    new NextRequest(`${ATHENA}/api/identities`, { headers: { cookie: `${SESSION_COOKIE}=${sealed}` } }),
    { params: Promise.resolve({}) },
  );

const open = (value: string) => unsealSession(value, { secret: SECRET, domain: "iam" });

describe("sign-in handlers against a real OpenID provider", () => {
  it("sends the browser to the provider with PKCE S256, state and nonce, keeping them in a sealed Lax cookie", async () => {
    subject = ids.admin!;
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

  it("exchanges the code, verifies the ID token and seals an 8-hour session with the role IAM gives", async () => {
    subject = ids.admin!;
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
      sub: ids.admin,
      role: "admin",
      email: "admin-1@demo.user",
      name: "Ada Test",
      domain: "iam",
      iss: process.env.AUTH_ISSUER_URL,
    });
    expect(s!.idt).toMatch(/^ey/);
    // Sealed for IAM: the CIAM instance cannot open it.
    expect(await unsealSession(session.value, { secret: SECRET, domain: "ciam" })).toBeUndefined();
  });

  it("takes the role from IAM's metadata_admin, and refuses who has none, an inactive account and an unknown one", async () => {
    subject = ids.viewer!;
    let { flow, callbackUrl } = await startSignIn("/");
    let res = await callbackWith(callbackUrl, flow.value);
    expect(await open(cookiesOf(res).get(SESSION_COOKIE)!.value)).toMatchObject({
      role: "viewer",
      sub: ids.viewer,
    });

    for (const who of [ids.norole!, ids.inactive!, "00000000-0000-4000-8000-00000000dead"]) {
      subject = who;
      ({ flow, callbackUrl } = await startSignIn("/"));
      res = await callbackWith(callbackUrl, flow.value);
      expect(res.headers.get("location")).toBe(`${ATHENA}/signin?error=no_role`);
      expect(cookiesOf(res).has(SESSION_COOKIE)).toBe(false);
    }
  });

  it("a viewer who writes role=admin into their traits through /self-service/settings gets no power (issue 16)", async () => {
    // The attack of the red-team probe, against the real core: sign in, then rewrite the own `role`
    // trait through the settings API (the legacy schema still has that trait, so the core accepts it).
    const login = (await (await fetch(`${iam.publicUrl}/self-service/login/api`)).json()) as { id: string };
    const signedIn = await fetch(`${iam.publicUrl}/self-service/login?flow=${login.id}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ method: "password", identifier: "mallory@demo.user", password: PASSWORD }),
    });
    expect(signedIn.status).toBe(200);
    const token = ((await signedIn.json()) as { session_token: string }).session_token;
    const settings = (await (
      await fetch(`${iam.publicUrl}/self-service/settings/api`, { headers: { "x-session-token": token } })
    ).json()) as { id: string };
    const changed = await fetch(`${iam.publicUrl}/self-service/settings?flow=${settings.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-session-token": token },
      body: JSON.stringify({
        method: "profile",
        traits: { email: "mallory@demo.user", name: { first: "Mallory" }, role: "admin" },
      }),
    });
    expect(changed.status, await changed.clone().text()).toBe(200);
    expect((await iamIdentity(ids.escalator!))?.traits).toMatchObject({ role: "admin" });

    // Her ID token now says role=admin; Athena reads IAM's metadata_admin and seals a viewer.
    subject = ids.escalator!;
    const { flow, callbackUrl } = await startSignIn("/");
    const res = await callbackWith(callbackUrl, flow.value);
    const sealed = cookiesOf(res).get(SESSION_COOKIE)!.value;
    const s = await open(sealed);
    const idToken = JSON.parse(Buffer.from(s!.idt!.split(".")[1]!, "base64url").toString()) as {
      role?: string;
    };
    expect(idToken.role).toBe("admin");
    expect(s!.role).toBe("viewer");

    // The backdoor administrator of the probe: Athena answers 403 and the core has no such identity.
    const backdoor = await createViaAthena(sealed, "backdoor@evil.test");
    expect(backdoor.status).toBe(403);
    const found = await fetch(`${iam.adminUrl}/admin/identities?credentials_identifier=backdoor@evil.test`);
    expect(await found.json()).toEqual([]);

    // Even a cookie sealed with role=admin (as a pre-fix Athena would have sealed it) writes nothing:
    // every request re-reads the role from IAM.
    const forgedRole = await sealSession(
      { sub: ids.escalator!, email: "mallory@demo.user", name: "Mallory", role: "admin", iss: s!.iss },
      { secret: SECRET, domain: "iam" },
    );
    expect((await createViaAthena(forgedRole, "backdoor2@evil.test")).status).toBe(403);
  });

  it("re-reads the role from IAM on every request: a demoted administrator loses writes at once, a removed one everything", async () => {
    const id = await createIdentity(`demoted`, {
      traits: { email: "demoted@demo.user", name: { first: "Dee" } },
      metadata_admin: { role: "admin" },
    });
    subject = id;
    const { flow, callbackUrl } = await startSignIn("/");
    const sealed = cookiesOf(await callbackWith(callbackUrl, flow.value)).get(SESSION_COOKIE)!.value;
    expect((await open(sealed))!.role).toBe("admin");
    expect((await createViaAthena(sealed, "made-by-admin@demo.user")).status).toBe(201);

    const setRole = (value: unknown) =>
      fetch(`${iam.adminUrl}/admin/identities/${id}`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify([{ op: "replace", path: "/metadata_admin", value }]),
      });
    expect((await setRole({ role: "viewer" })).status).toBe(200);
    expect((await createViaAthena(sealed, "after-demotion@demo.user")).status).toBe(403);
    forgetLiveRole(id);
    expect((await listViaAthena(sealed)).status).toBe(200);

    expect((await setRole({})).status).toBe(200);
    forgetLiveRole(id);
    const none = await listViaAthena(sealed);
    expect(none.status).toBe(403);
    expect(((await none.json()) as { error: { id: string } }).error.id).toBe("no_role");
  });

  it("refuses a callback whose state does not match, one without its flow cookie, and one carrying another sign-in's verifier", async () => {
    subject = ids.admin!;
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
    subject = ids.admin!;
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
    subject = ids.admin!;
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

  it("with ATHENA_REQUIRE_SECOND_FACTOR, refuses a sign-in without a second factor and sessions sealed without one", async () => {
    // This provider's ID tokens carry no acr = aal2: a password-only IAM sign-in.
    subject = ids.admin!;
    let started = await startSignIn("/");
    const first = await callbackWith(started.callbackUrl, started.flow.value);
    expect(first.headers.get("location")).toBe(`${ATHENA}/`);
    const weak = cookiesOf(first).get(SESSION_COOKIE)!.value;
    expect((await open(weak))!.aal).toBe("aal1");
    expect((await listViaAthena(weak)).status).toBe(200);

    process.env.ATHENA_REQUIRE_SECOND_FACTOR = "true";
    resetAthenaEnv();
    try {
      started = await startSignIn("/");
      const res = await callbackWith(started.callbackUrl, started.flow.value);
      expect(res.headers.get("location")).toBe(`${ATHENA}/signin?error=second_factor_required`);
      expect(cookiesOf(res).has(SESSION_COOKIE)).toBe(false);
      // The session sealed before the setting was turned on no longer opens anything.
      const refused = await listViaAthena(weak);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: { id: string } }).error.id).toBe("second_factor_required");
      // A session whose IAM sign-in was aal2 works.
      const strong = await sealSession(
        { sub: ids.admin!, email: "admin-1@demo.user", name: "Ada", role: "admin", iss: "x", aal: "aal2" },
        { secret: SECRET, domain: "iam" },
      );
      expect((await listViaAthena(strong)).status).toBe(200);
    } finally {
      delete process.env.ATHENA_REQUIRE_SECOND_FACTOR;
      resetAthenaEnv();
    }
  });
});
