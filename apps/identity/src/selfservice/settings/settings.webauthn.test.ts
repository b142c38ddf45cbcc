import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../../app/context.ts";
import { sessions } from "../../db/schema.ts";
import { loadIdentity } from "../../identity/repository.ts";
import { get, json, login, messageIds, node, post, registerVerified } from "../../security/testkit.ts";
import { CookieJar, csrfOf, startTestCore, type TestCore } from "../../testing/index.ts";
import { keysOf } from "../webauthn/credentials.ts";
import { FLAG_UP, SoftAuthenticator } from "../webauthn/testing/soft-authenticator.ts";

/*
 * Passkeys and security keys in the settings flow, over HTTP as Kratos' script drives it: the flow
 * carries the creation options, the browser posts the credential without `method`, the key is listed
 * with a remove button. A security key added to a password account is a second factor: the session
 * that added it is aal2 and the next sign-in asks for it. Keys are made by a software authenticator
 * that signs for real; hostile answers are refused in the flow's shape and store nothing.
 */

const ORIGIN = "http://localhost:4455";
const rp = { id: "localhost", display_name: "Test", origins: [ORIGIN] };
let t: TestCore;
let ctx: AppContext;

beforeAll(async () => {
  t = await startTestCore({
    overrides: {
      selfservice: {
        methods: {
          passkey: { enabled: true, config: { rp } },
          webauthn: { enabled: true, config: { rp, passwordless: false } },
        },
      },
    },
  });
  ctx = t.core.ctx;
}, 180_000);
afterAll(() => t?.stop());

const settingsFlow = async (token: string) => {
  const res = await get(`${t.publicUrl}/self-service/settings/api`, { token });
  expect(res.status).toBe(200);
  return json(res);
};
const submit = (flowId: string, token: string, body: Record<string, unknown>) =>
  post(`${t.publicUrl}/self-service/settings?flow=${flowId}`, body, { token });
const passkeyOptions = (flow: any) => JSON.parse(node(flow, "passkey_create_data").attributes.value);
const webauthnOptions = (flow: any) => JSON.parse(node(flow, "webauthn_register_trigger").attributes.value);
const removeButtons = (flow: any, name: string) =>
  flow.ui.nodes.filter((n: any) => n.attributes.name === name);
const keys = async (id: string, method: "passkey" | "webauthn") =>
  keysOf((await loadIdentity(ctx.db, id))!, method);

describe("settings: passkeys", () => {
  it("shows Kratos' nodes in groups passkey and webauthn, with one script node", async () => {
    const { token } = await registerVerified(
      t.publicUrl,
      t.adminUrl,
      "st-nodes@example.com",
      "correct horse battery",
    );
    const flow = await settingsFlow(token);
    const names = (group: string) =>
      flow.ui.nodes
        .filter((n: any) => n.group === group)
        .map((n: any) => n.attributes.name ?? n.attributes.id);
    expect(names("passkey")).toEqual([
      "passkey_register_trigger",
      "passkey_settings_register",
      "passkey_create_data",
    ]);
    // The script node (group webauthn, as in Kratos) comes with the first section that needs it.
    expect(names("webauthn")).toEqual([
      "webauthn_script",
      "webauthn_register_displayname",
      "webauthn_register_trigger",
      "webauthn_register",
    ]);
    expect(flow.ui.nodes.filter((n: any) => n.type === "script")).toHaveLength(1);
    expect(node(flow, "passkey_register_trigger").attributes.onclickTrigger).toBe(
      "oryPasskeySettingsRegistration",
    );
    expect(node(flow, "webauthn_register_trigger").attributes.onclickTrigger).toBe("oryWebAuthnRegistration");
    const pk = passkeyOptions(flow).publicKey;
    expect(pk.rp.id).toBe("localhost");
    expect(pk.authenticatorSelection).toMatchObject({
      residentKey: "required",
      userVerification: "required",
    });
  });

  it("adds a passkey (no method field, as the script posts it), lists it, signs in with it, removes it", async () => {
    const { id, token } = await registerVerified(
      t.publicUrl,
      t.adminUrl,
      "st-pk@example.com",
      "correct horse battery",
    );
    const auth = new SoftAuthenticator(ORIGIN);
    const flow = await settingsFlow(token);
    const res = await submit(flow.id, token, {
      passkey_settings_register: auth.create(passkeyOptions(flow)).json,
    });
    expect(res.status).toBe(200);
    const after = await json(res);
    expect(after.state).toBe("success");
    const [remove] = removeButtons(after, "passkey_remove");
    expect(remove.meta.label).toMatchObject({ id: 1050020, context: { display_name: "st-pk@example.com" } });
    const stored = await keys(id, "passkey");
    expect(stored).toHaveLength(1);
    expect(remove.attributes.value).toBe(Buffer.from(stored[0]!.id, "base64").toString("hex"));
    // The rebuilt form carries a new challenge: the used one is gone.
    expect(passkeyOptions(after).publicKey.challenge).not.toBe(passkeyOptions(flow).publicKey.challenge);

    const lf = await json(await get(`${t.publicUrl}/self-service/login/api`));
    const signIn = await post(`${t.publicUrl}/self-service/login?flow=${lf.id}`, {
      passkey_login: auth.get(JSON.parse(node(lf, "passkey_challenge").attributes.value)),
    });
    expect(signIn.status).toBe(200);
    expect((await json(signIn)).session.identity.id).toBe(id);

    const removed = await submit(after.id, token, { passkey_remove: remove.attributes.value });
    expect(removed.status).toBe(200);
    expect(removeButtons(await json(removed), "passkey_remove")).toHaveLength(0);
    expect(await keys(id, "passkey")).toHaveLength(0);
  });

  it("refuses forged, replayed, wrong-origin, wrong-RP and unverified attestations: 400, nothing stored", async () => {
    const { id, token } = await registerVerified(
      t.publicUrl,
      t.adminUrl,
      "st-hostile@example.com",
      "correct horse battery",
    );
    const auth = new SoftAuthenticator(ORIGIN);
    let flow = await settingsFlow(token);
    const attempts: [string, (o: any) => string, number][] = [
      ["another challenge", (o) => auth.create(o, { challenge: "Zm9yZ2Vk" }).json, 4000001],
      ["an assertion type", (o) => auth.create(o, { type: "webauthn.get" }).json, 4000006],
      ["a wrong origin", (o) => auth.create(o, { origin: "https://evil.example" }).json, 4000006],
      ["a wrong RP id", (o) => auth.create(o, { rpId: "evil.example" }).json, 4000006],
      ["no user verification", (o) => auth.create(o, { flags: FLAG_UP }).json, 4000006],
      ["garbage", () => '{"id":1}', 4000001],
    ];
    for (const [what, answer, id4xx] of attempts) {
      const res = await submit(flow.id, token, { passkey_settings_register: answer(passkeyOptions(flow)) });
      expect(res.status, what).toBe(400);
      const body = await json(res);
      expect(messageIds(body), what).toEqual([id4xx]);
      expect(body.ui.nodes.length, what).toBeGreaterThan(3);
      flow = body;
    }
    expect(await keys(id, "passkey")).toHaveLength(0);

    // A genuine answer is accepted once; the same answer again (its challenge used up) is refused.
    const genuine = auth.create(passkeyOptions(flow)).json;
    expect((await submit(flow.id, token, { passkey_settings_register: genuine })).status).toBe(200);
    const replay = await submit(flow.id, token, { passkey_settings_register: genuine });
    expect(replay.status).toBe(400);
    expect(messageIds(await json(replay))).toEqual([4000001]);
    // Nor does it count on another flow.
    const other = await settingsFlow(token);
    expect((await submit(other.id, token, { passkey_settings_register: genuine })).status).toBe(400);
    expect(await keys(id, "passkey")).toHaveLength(1);
  });

  it("needs a privileged session: an old one is sent to re-authenticate and nothing is stored", async () => {
    const { id, token } = await registerVerified(
      t.publicUrl,
      t.adminUrl,
      "st-stale@example.com",
      "correct horse battery",
    );
    const flow = await settingsFlow(token);
    await ctx.db
      .update(sessions)
      .set({ authenticatedAt: new Date(Date.now() - 24 * 3600_000) })
      .where(eq(sessions.identityId, id));
    const auth = new SoftAuthenticator(ORIGIN);
    const res = await submit(flow.id, token, {
      passkey_settings_register: auth.create(passkeyOptions(flow)).json,
    });
    expect(res.status).toBe(403);
    expect((await json(res)).error).toMatchObject({ id: "session_refresh_required", code: 403 });
    expect(await keys(id, "passkey")).toHaveLength(0);
  });

  it("an unknown key id to remove is a 400 in the flow's shape", async () => {
    const { token } = await registerVerified(
      t.publicUrl,
      t.adminUrl,
      "st-unknown@example.com",
      "correct horse battery",
    );
    const flow = await settingsFlow(token);
    for (const bad of ["abcdef", "not hex", "0".repeat(5000)]) {
      const res = await submit(flow.id, token, { method: "passkey", passkey_remove: bad });
      expect(res.status).toBe(400);
      expect(messageIds(await json(res))).toEqual([4000001]);
    }
  });
});

describe("settings: a browser posting the whole form natively, as the script does", () => {
  it("adds the passkey from the filled field among the form's empty ones, with its CSRF token", async () => {
    const email = "st-browser@example.com";
    const { id } = await registerVerified(t.publicUrl, t.adminUrl, email, "correct horse battery");
    const jar = new CookieJar();
    const accept = { accept: "application/json" };
    const lf = await json(await jar.fetch(`${t.publicUrl}/self-service/login/browser`, { headers: accept }));
    const signed = await jar.fetch(`${t.publicUrl}/self-service/login?flow=${lf.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: new URLSearchParams({
        csrf_token: csrfOf(lf),
        method: "password",
        identifier: email,
        password: "correct horse battery",
      }),
    });
    expect(signed.status).toBe(303);
    const flow = await json(
      await jar.fetch(`${t.publicUrl}/self-service/settings/browser`, { headers: accept }),
    );
    const auth = new SoftAuthenticator(ORIGIN);
    const form = (extra: Record<string, string>) =>
      jar.fetch(`${t.publicUrl}/self-service/settings?flow=${flow.id}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
        body: new URLSearchParams({
          csrf_token: csrfOf(flow),
          passkey_create_data: node(flow, "passkey_create_data").attributes.value,
          webauthn_register_displayname: "",
          webauthn_register: "",
          passkey_settings_register: "",
          ...extra,
        }),
      });
    // Without the flow's CSRF token nothing is stored.
    const forged = await jar.fetch(`${t.publicUrl}/self-service/settings?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({
        csrf_token: "forged",
        passkey_settings_register: auth.create(passkeyOptions(flow)).json,
      }),
    });
    expect(forged.status).toBe(403);
    expect(await keys(id, "passkey")).toHaveLength(0);
    const fresh = await json(
      await jar.fetch(`${t.publicUrl}/self-service/settings/flows?id=${flow.id}`, { headers: accept }),
    );
    const res = await form({ passkey_settings_register: auth.create(passkeyOptions(fresh)).json });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`http://localhost:4455/settings?flow=${flow.id}`);
    expect(await keys(id, "passkey")).toHaveLength(1);
  });
});

describe("settings: security keys (webauthn)", () => {
  it("adding a named key to a password account makes it a second factor: aal2 now, asked for at the next sign-in", async () => {
    const email = "st-key@example.com";
    const { id, token } = await registerVerified(t.publicUrl, t.adminUrl, email, "correct horse battery");
    const auth = new SoftAuthenticator(ORIGIN);
    const flow = await settingsFlow(token);
    const res = await submit(flow.id, token, {
      webauthn_register_displayname: "My YubiKey",
      webauthn_register: auth.create(webauthnOptions(flow), { flags: FLAG_UP }).json,
    });
    expect(res.status).toBe(200);
    const after = await json(res);
    const [remove] = removeButtons(after, "webauthn_remove");
    expect(remove.meta.label).toMatchObject({ id: 1050018, context: { display_name: "My YubiKey" } });

    // The session that proved the key is aal2, with the key in its methods (as Kratos does).
    const whoami = await json(await get(`${t.publicUrl}/sessions/whoami`, { token }));
    expect(whoami.authenticator_assurance_level).toBe("aal2");
    expect(whoami.authentication_methods.map((m: any) => m.method)).toEqual(["password", "webauthn"]);

    // A new sign-in with the password is aal1 and must finish with the key.
    const first = await login(t.publicUrl, email, "correct horse battery");
    expect(first.res.status).toBe(200);
    const t2 = first.body.session_token;
    expect(first.body.session.authenticator_assurance_level).toBe("aal1");
    const mfa = await json(await get(`${t.publicUrl}/self-service/login/api?aal=aal2`, { token: t2 }));
    const trigger = node(mfa, "webauthn_login_trigger");
    expect(trigger.attributes.onclickTrigger).toBe("oryWebAuthnLogin");
    const options = JSON.parse(trigger.attributes.value);
    expect(options.publicKey.allowCredentials.map((c: any) => c.id)).toEqual([
      Buffer.from(auth.credentials[0]!.id).toString("base64url"),
    ]);
    // A forged assertion does not pass; the genuine one does.
    const forged = await post(
      `${t.publicUrl}/self-service/login?flow=${mfa.id}`,
      { webauthn_login: auth.get(options, { signWith: SoftAuthenticator.foreignKey() }) },
      { token: t2 },
    );
    expect(forged.status).toBe(400);
    const again = await json(forged);
    expect(messageIds(again)).toEqual([4000006]);
    const ok = await post(
      `${t.publicUrl}/self-service/login?flow=${mfa.id}`,
      { webauthn_login: auth.get(JSON.parse(node(again, "webauthn_login_trigger").attributes.value)) },
      { token: t2 },
    );
    expect(ok.status).toBe(200);
    const session = (await json(ok)).session;
    expect(session.authenticator_assurance_level).toBe("aal2");
    expect(session.authentication_methods.map((m: any) => m.method)).toEqual(["password", "webauthn"]);

    // Removing it takes the second factor away again.
    const flow2 = await settingsFlow(t2);
    const removed = await submit(flow2.id, t2, { webauthn_remove: remove.attributes.value });
    expect(removed.status).toBe(200);
    expect(await keys(id, "webauthn")).toHaveLength(0);
  });

  it("a key for another RP id or origin is refused and not stored", async () => {
    const { id, token } = await registerVerified(
      t.publicUrl,
      t.adminUrl,
      "st-key-rp@example.com",
      "correct horse battery",
    );
    const auth = new SoftAuthenticator(ORIGIN);
    let flow = await settingsFlow(token);
    for (const tweak of [{ rpId: "evil.example" }, { origin: "http://localhost:9999" }]) {
      const res = await submit(flow.id, token, {
        webauthn_register: auth.create(webauthnOptions(flow), { ...tweak, flags: FLAG_UP }).json,
      });
      expect(res.status).toBe(400);
      flow = await json(res);
      expect(messageIds(flow)).toEqual([4000006]);
    }
    expect(await keys(id, "webauthn")).toHaveLength(0);
    const whoami = await json(await get(`${t.publicUrl}/sessions/whoami`, { token }));
    expect(whoami.authenticator_assurance_level).toBe("aal1");
  });
});
