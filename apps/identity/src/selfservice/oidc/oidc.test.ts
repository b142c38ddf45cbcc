import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, csrfOf, startTestCore, type TestCore } from "../../testing/index.ts";
import { startTestUpstream, type TestUpstream } from "./upstream.fixture.ts";

/*
 * Social sign-in against a second, independent OpenID provider (oidc-provider) through the core's
 * public API, as a browser does it: the provider button on the login or registration flow, the
 * redirect dance (state, nonce, PKCE), the callback, the session. First sign-in registers; a profile
 * the schema refuses brings back the registration form; an address owned by another account is
 * linked only after signing in to that account; settings link and unlink, never the last way in.
 */

const CLIENT = { clientId: "olympus-test", clientSecret: "a-confidential-client-secret-for-tests" };
const CIPHER = "0123456789abcdef0123456789abcdef";
let t: TestCore;
let up: TestUpstream;

beforeAll(async () => {
  const pending = await startTestUpstream();
  t = await startTestCore({
    overrides: {
      secrets: { cipher: [CIPHER] },
      selfservice: {
        flows: {
          registration: { after: { oidc: { hooks: [{ hook: "session" }] } } },
          settings: { privileged_session_max_age: "1h" },
        },
        methods: {
          oidc: {
            enabled: true,
            config: {
              providers: [
                {
                  id: "upstream",
                  provider: "generic",
                  label: "Test Upstream",
                  client_id: CLIENT.clientId,
                  client_secret: CLIENT.clientSecret,
                  issuer_url: pending.issuer,
                  scope: ["openid", "email", "profile", "offline_access"],
                  mapping: {
                    traits: { email: "email", "name.first": "given_name", "name.last": "family_name" },
                    verified: { email: "email_verified" },
                  },
                },
              ],
            },
          },
        },
      },
    },
  });
  up = await pending.register({
    ...CLIENT,
    redirectUris: [callbackUrl()],
  });
}, 120_000);

afterAll(async () => {
  await up?.close();
  await t?.stop();
});

/** The callback under the core's public base URL (what the upstream redirects to). */
const callbackUrl = () =>
  new URL("self-service/methods/oidc/callback/upstream", t.core.ctx.rt.publicBaseUrl).toString();

type Flow = {
  id: string;
  ui: {
    nodes: { group: string; attributes: Record<string, unknown>; messages: { id: number }[] }[];
    messages?: { id: number; text: string; context?: Record<string, unknown> }[];
  };
};

/** Starts a browser flow and reads it back as the UI would. */
async function browserFlow(jar: CookieJar, kind: "login" | "registration" | "settings"): Promise<Flow> {
  const init = await jar.fetch(`${t.publicUrl}/self-service/${kind}/browser`);
  expect(init.status).toBe(303);
  const id = new URL(init.headers.get("location")!).searchParams.get("flow")!;
  return readFlow(jar, kind, id);
}

async function readFlow(jar: CookieJar, kind: string, id: string): Promise<Flow> {
  const res = await jar.fetch(`${t.publicUrl}/self-service/${kind}/flows?id=${id}`, {
    headers: { accept: "application/json" },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Flow;
}

function form(fields: Record<string, string>): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  };
}

/** Follows redirects like a browser (same jar) until the core's callback has answered. */
async function followToCallback(jar: CookieJar, start: string): Promise<Response> {
  let url = start;
  for (let i = 0; i < 15; i++) {
    const res = await jar.fetch(url);
    const loc = res.headers.get("location");
    if (url.includes("/self-service/methods/oidc/callback/")) return res;
    if (res.status < 300 || res.status >= 400 || !loc) throw new Error(`stuck at ${url}: ${res.status}`);
    url = new URL(loc, url).toString();
  }
  throw new Error("too many redirects");
}

/** Clicks the provider button on a flow and walks through the upstream. */
async function signInWithUpstream(jar: CookieJar, kind: "login" | "registration", subject: string) {
  const flow = await browserFlow(jar, kind);
  up.nextSubject = subject;
  const submit = await jar.fetch(
    `${t.publicUrl}/self-service/${kind}?flow=${flow.id}`,
    form({ csrf_token: csrfOf(flow), provider: "upstream" }),
  );
  expect(submit.status).toBe(303);
  const auth = new URL(submit.headers.get("location")!);
  return { flow, auth, callback: await followToCallback(jar, auth.toString()) };
}

/** A browser signed in with a password, to an identity registered with it (through the API). */
async function passwordUser(email: string): Promise<CookieJar> {
  const password = `${email} correct horse battery`;
  const api = (await (await fetch(`${t.publicUrl}/self-service/registration/api`)).json()) as { id: string };
  await fetch(`${t.publicUrl}/self-service/registration?flow=${api.id}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ method: "password", password, traits: { email } }),
  });
  const jar = new CookieJar();
  const lf = await browserFlow(jar, "login");
  const res = await jar.fetch(
    `${t.publicUrl}/self-service/login?flow=${lf.id}`,
    form({ csrf_token: csrfOf(lf), method: "password", identifier: email, password }),
  );
  expect(res.status).toBe(303);
  return jar;
}

async function whoami(jar: CookieJar) {
  const res = await jar.fetch(`${t.publicUrl}/sessions/whoami`, { headers: { accept: "application/json" } });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function identityCount(): Promise<number> {
  const res = await fetch(`${t.adminUrl}/admin/identities?page_size=1000`);
  return ((await res.json()) as unknown[]).length;
}

describe("social sign-in with a generic OpenID provider", () => {
  it("offers the provider on login and registration flows", async () => {
    const jar = new CookieJar();
    const login = await browserFlow(jar, "login");
    const button = login.ui.nodes.find((n) => n.group === "oidc");
    expect(button?.attributes).toMatchObject({ name: "provider", type: "submit", value: "upstream" });
    expect((button as unknown as { meta: { label: { id: number; text: string } } }).meta.label).toMatchObject(
      {
        id: 1010002,
        text: "Sign in with Test Upstream",
      },
    );
    const reg = await browserFlow(new CookieJar(), "registration");
    const regButton = reg.ui.nodes.find((n) => n.group === "oidc") as unknown as {
      meta: { label: { id: number } };
    };
    expect(regButton.meta.label.id).toBe(1040002);
  });

  it("sends the browser to the upstream with state, nonce and PKCE S256", async () => {
    const jar = new CookieJar();
    const flow = await browserFlow(jar, "login");
    const submit = await jar.fetch(
      `${t.publicUrl}/self-service/login?flow=${flow.id}`,
      form({ csrf_token: csrfOf(flow), provider: "upstream" }),
    );
    expect(submit.status).toBe(303);
    const auth = new URL(submit.headers.get("location")!);
    expect(auth.origin).toBe(up.issuer);
    expect(auth.searchParams.get("client_id")).toBe(CLIENT.clientId);
    expect(auth.searchParams.get("redirect_uri")).toBe(callbackUrl());
    expect(auth.searchParams.get("state")).toMatch(new RegExp(`^login\\.${flow.id}\\.[A-Za-z0-9]{32}$`));
    expect(auth.searchParams.get("nonce")?.length).toBeGreaterThanOrEqual(32);
    expect(auth.searchParams.get("code_challenge_method")).toBe("S256");
    expect(auth.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("registers on first sign-in, signs in on the second, and keeps the upstream tokens encrypted", async () => {
    up.accounts.set("alice-sub", {
      email: "alice@upstream.test",
      email_verified: true,
      given_name: "Alice",
      family_name: "Liddell",
    });
    const jar = new CookieJar();
    const before = await identityCount();
    const first = await signInWithUpstream(jar, "login", "alice-sub");
    expect(first.callback.status).toBe(303);
    expect(first.callback.headers.get("location")).toBe("http://localhost:4455/");
    const me = await whoami(jar);
    expect(me.status).toBe(200);
    expect(me.body.identity.traits).toEqual({
      email: "alice@upstream.test",
      name: { first: "Alice", last: "Liddell" },
    });
    expect(me.body.authentication_methods[0]).toMatchObject({ method: "oidc", provider: "upstream" });
    // The provider vouched for the address.
    expect(me.body.identity.verifiable_addresses[0]).toMatchObject({
      value: "alice@upstream.test",
      verified: true,
    });
    expect(await identityCount()).toBe(before + 1);

    // Kratos' include_credential shape, tokens decrypted for the admin; ciphertext at rest.
    const id = me.body.identity.id as string;
    const admin = (await (
      await fetch(`${t.adminUrl}/admin/identities/${id}?include_credential=oidc`)
    ).json()) as Record<string, any>;
    expect(admin.credentials.oidc.identifiers).toEqual(["upstream:alice-sub"]);
    const entry = admin.credentials.oidc.config.providers[0];
    expect(entry).toMatchObject({ subject: "alice-sub", provider: "upstream" });
    expect(entry.initial_id_token.split(".")).toHaveLength(3);
    expect(entry.initial_access_token.length).toBeGreaterThan(10);
    const plain = (await (await fetch(`${t.adminUrl}/admin/identities/${id}`)).json()) as Record<string, any>;
    expect(plain.credentials.oidc.config).toBeUndefined();
    const { identityCredentials } = await import("../../db/schema.ts");
    const { eq, and } = await import("drizzle-orm");
    const [stored] = await t.core.ctx.db
      .select()
      .from(identityCredentials)
      .where(and(eq(identityCredentials.identityId, id), eq(identityCredentials.type, "oidc")));
    const storedEntry = (stored!.config.providers as Record<string, string>[])[0]!;
    expect(storedEntry.initial_id_token).toMatch(/^v1:[0-9a-f]{8}:/);
    expect(storedEntry.initial_access_token).not.toBe(entry.initial_access_token);

    // Second time: the same identity, no new one.
    const jar2 = new CookieJar();
    const second = await signInWithUpstream(jar2, "login", "alice-sub");
    expect(second.callback.status).toBe(303);
    expect((await whoami(jar2)).body.identity.id).toBe(id);
    expect(await identityCount()).toBe(before + 1);
  });

  it("shows the registration form with the missing fields when the profile lacks what the schema requires", async () => {
    up.accounts.set("no-mail-sub", { given_name: "Nemo" });
    const jar = new CookieJar();
    const before = await identityCount();
    const { callback } = await signInWithUpstream(jar, "registration", "no-mail-sub");
    expect(callback.status).toBe(303);
    const to = new URL(callback.headers.get("location")!);
    expect(to.pathname).toBe("/registration");
    const flow = await readFlow(jar, "registration", to.searchParams.get("flow")!);
    const email = flow.ui.nodes.find((n) => n.attributes.name === "traits.email")!;
    expect(email.group).toBe("oidc");
    expect(email.messages.map((m) => m.id)).toContain(4000002);
    expect(flow.ui.nodes.find((n) => n.attributes.name === "traits.name.first")?.attributes.value).toBe(
      "Nemo",
    );
    expect(await identityCount()).toBe(before);
    expect((await whoami(jar)).status).toBe(401);

    // The user completes the form; the stored upstream account is used, no second round trip.
    const done = await jar.fetch(
      `${t.publicUrl}/self-service/registration?flow=${flow.id}`,
      form({
        csrf_token: csrfOf(flow),
        provider: "upstream",
        method: "oidc",
        "traits.email": "nemo@example.com",
        "traits.name.first": "Nemo",
      }),
    );
    expect(done.status).toBe(303);
    const me = await whoami(jar);
    expect(me.body.identity.traits.email).toBe("nemo@example.com");
    // An address the provider did not vouch for stays unverified.
    expect(me.body.identity.verifiable_addresses[0].verified).toBe(false);
    // And the upstream account signs in to it from now on.
    const again = new CookieJar();
    await signInWithUpstream(again, "login", "no-mail-sub");
    expect((await whoami(again)).body.identity.id).toBe(me.body.identity.id);
  });

  it("never takes over an existing account with the same address: sign in there first, then it is linked", async () => {
    // Bob registered with a password; the upstream claims his address, verified.
    const reg = await fetch(`${t.publicUrl}/self-service/registration/api`);
    const regFlow = (await reg.json()) as { id: string };
    const created = await fetch(`${t.publicUrl}/self-service/registration?flow=${regFlow.id}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        method: "password",
        password: "bob's correct horse battery",
        traits: { email: "bob@example.com" },
      }),
    });
    expect(created.status).toBe(200);
    const bobId = ((await created.json()) as { identity: { id: string } }).identity.id;
    up.accounts.set("mallory-sub", { email: "bob@example.com", email_verified: true });

    const jar = new CookieJar();
    const before = await identityCount();
    const { callback } = await signInWithUpstream(jar, "login", "mallory-sub");
    expect(callback.status).toBe(303);
    const to = new URL(callback.headers.get("location")!);
    expect(to.pathname).toBe("/login");
    // No session, no new identity, nothing linked yet.
    expect((await whoami(jar)).status).toBe(401);
    expect(await identityCount()).toBe(before);
    const bob = (await (await fetch(`${t.adminUrl}/admin/identities/${bobId}`)).json()) as Record<
      string,
      any
    >;
    expect(bob.credentials.oidc).toBeUndefined();
    const login = await readFlow(jar, "login", to.searchParams.get("flow")!);
    expect(login.ui.messages?.[0]).toMatchObject({ id: 1010016 });
    expect(login.ui.messages?.[0]?.context?.duplicateIdentifier).toBe("bob@example.com");

    // A wrong password links nothing.
    const wrong = await jar.fetch(
      `${t.publicUrl}/self-service/login?flow=${login.id}`,
      form({
        csrf_token: csrfOf(login),
        method: "password",
        identifier: "bob@example.com",
        password: "not bob's password",
      }),
    );
    expect(wrong.status).toBe(303);
    expect(
      ((await (await fetch(`${t.adminUrl}/admin/identities/${bobId}`)).json()) as Record<string, any>)
        .credentials.oidc,
    ).toBeUndefined();

    // Bob signs in with his password on that flow: the upstream account joins his.
    const fresh = await readFlow(jar, "login", login.id);
    const ok = await jar.fetch(
      `${t.publicUrl}/self-service/login?flow=${login.id}`,
      form({
        csrf_token: csrfOf(fresh),
        method: "password",
        identifier: "bob@example.com",
        password: "bob's correct horse battery",
      }),
    );
    expect(ok.status).toBe(303);
    expect((await whoami(jar)).body.identity.id).toBe(bobId);
    const linked = (await (await fetch(`${t.adminUrl}/admin/identities/${bobId}`)).json()) as Record<
      string,
      any
    >;
    expect(linked.credentials.oidc.identifiers).toEqual(["upstream:mallory-sub"]);
    const next = new CookieJar();
    await signInWithUpstream(next, "login", "mallory-sub");
    expect((await whoami(next)).body.identity.id).toBe(bobId);
  });

  it("links and unlinks in settings, and never unlinks the last way in", async () => {
    // Carol has only the upstream (registered through it).
    up.accounts.set("carol-sub", { email: "carol@upstream.test", email_verified: true });
    const jar = new CookieJar();
    await signInWithUpstream(jar, "login", "carol-sub");
    let settings = await browserFlow(jar, "settings");
    const unlink = settings.ui.nodes.find((n) => n.attributes.name === "unlink");
    expect(unlink).toBeUndefined();
    const refused = await jar.fetch(
      `${t.publicUrl}/self-service/settings?flow=${settings.id}`,
      form({ csrf_token: csrfOf(settings), method: "oidc", unlink: "upstream" }),
    );
    expect(refused.status).toBe(303);
    settings = await readFlow(jar, "settings", settings.id);
    expect(settings.ui.messages?.map((m) => m.id)).toContain(4000122);
    const me = await whoami(jar);
    const carol = (await (
      await fetch(`${t.adminUrl}/admin/identities/${me.body.identity.id}`)
    ).json()) as Record<string, any>;
    expect(carol.credentials.oidc.identifiers).toEqual(["upstream:carol-sub"]);

    // Dave has a password and links the upstream in settings, then unlinks it.
    const dave = await passwordUser("dave@example.com");
    const daveId = (await whoami(dave)).body.identity.id as string;
    up.accounts.set("dave-sub", { email: "dave.elsewhere@upstream.test", email_verified: true });
    up.nextSubject = "dave-sub";
    const sf = await browserFlow(dave, "settings");
    expect(sf.ui.nodes.find((n) => n.attributes.name === "link")?.attributes.value).toBe("upstream");
    const linkStart = await dave.fetch(
      `${t.publicUrl}/self-service/settings?flow=${sf.id}`,
      form({ csrf_token: csrfOf(sf), method: "oidc", link: "upstream" }),
    );
    expect(linkStart.status).toBe(303);
    const back = await followToCallback(dave, linkStart.headers.get("location")!);
    expect(back.status).toBe(303);
    const afterLink = await readFlow(dave, "settings", sf.id);
    expect(afterLink.ui.nodes.find((n) => n.attributes.name === "unlink")?.attributes.value).toBe("upstream");
    const daveAdmin = (await (await fetch(`${t.adminUrl}/admin/identities/${daveId}`)).json()) as Record<
      string,
      any
    >;
    expect(daveAdmin.credentials.oidc.identifiers).toEqual(["upstream:dave-sub"]);
    // The upstream account now signs in to Dave.
    const via = new CookieJar();
    await signInWithUpstream(via, "login", "dave-sub");
    expect((await whoami(via)).body.identity.id).toBe(daveId);

    const un = await dave.fetch(
      `${t.publicUrl}/self-service/settings?flow=${sf.id}`,
      form({ csrf_token: csrfOf(afterLink), method: "oidc", unlink: "upstream" }),
    );
    expect(un.status).toBe(303);
    const gone = (await (await fetch(`${t.adminUrl}/admin/identities/${daveId}`)).json()) as Record<
      string,
      any
    >;
    expect(gone.credentials.oidc).toBeUndefined();
    // Unlinked: the upstream account is a stranger again (it would register anew).
    expect(
      (await readFlow(dave, "settings", sf.id)).ui.nodes.find((n) => n.attributes.name === "link"),
    ).toBeDefined();
  });

  it("links as @ory/elements-react asks (JSON, no csrf_token: Ory's body has none), never from another site or browser", async () => {
    const frank = await passwordUser("frank@example.com");
    const sf = await browserFlow(frank, "settings");
    const url = `${t.publicUrl}/self-service/settings?flow=${sf.id}`;
    const json = (extra: Record<string, string> = {}): RequestInit => ({
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...extra },
      body: JSON.stringify({ method: "oidc", link: "upstream" }),
    });
    const csrfRefusal = async (res: Response) => {
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { id: string } }).error.id).toBe("security_csrf_violation");
    };
    // A form post without the token (what a page of another site can send): refused.
    await csrfRefusal(await frank.fetch(url, form({ method: "oidc", link: "upstream" })));
    // JSON the browser marks cross-site: refused.
    await csrfRefusal(await frank.fetch(url, json({ "sec-fetch-site": "cross-site" })));
    // JSON from a browser without the flow's CSRF cookie (the session alone): refused.
    const session = frank.get(t.core.ctx.rt.sessionCookieName)!;
    await csrfRefusal(await fetch(url, json({ cookie: `${t.core.ctx.rt.sessionCookieName}=${session}` })));
    // What elements sends: the way to the provider, as Kratos answers a JSON browser request.
    const ok = await frank.fetch(url, json({ "sec-fetch-site": "same-origin" }));
    expect(ok.status).toBe(422);
    const body = (await ok.json()) as { error: { id: string }; redirect_browser_to: string };
    expect(body.error.id).toBe("browser_location_change_required");
    expect(new URL(body.redirect_browser_to).origin).toBe(new URL(up.issuer).origin);
  });

  it("refuses to link an upstream account that already belongs to another identity", async () => {
    const jar = await passwordUser("erin@example.com");
    up.nextSubject = "alice-sub";
    const sf = await browserFlow(jar, "settings");
    const start = await jar.fetch(
      `${t.publicUrl}/self-service/settings?flow=${sf.id}`,
      form({ csrf_token: csrfOf(sf), method: "oidc", link: "upstream" }),
    );
    const back = await followToCallback(jar, start.headers.get("location")!);
    expect(back.status).toBe(303);
    const after = await readFlow(jar, "settings", sf.id);
    expect(after.ui.messages?.[0]).toMatchObject({ id: 4000007 });
  });
});
