import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../../../app/context.ts";
import { loadIdentity } from "../../../identity/repository.ts";
import { get, json, messageIds, node, post, registerVerified } from "../../../security/testkit.ts";
import { CookieJar, csrfOf, startTestCore, type TestCore } from "../../../testing/index.ts";
import { findFlow } from "../../flow/repository.ts";
import { finishRegistration, registrationOptions, saveCeremony } from "../../webauthn/ceremony.ts";
import { keysOf, newUserHandle } from "../../webauthn/credentials.ts";
import { addKey } from "../../webauthn/store.ts";
import { SoftAuthenticator } from "../../webauthn/testing/soft-authenticator.ts";

/*
 * Passkey sign-in over HTTP, as Kratos' script drives it: the flow carries `passkey_challenge`, the
 * browser posts `passkey_login` (no `method`), and the identity is found by the user handle alone.
 * Keys are enrolled through the core's own ceremony with a software authenticator that signs for real.
 */

const ORIGIN = "http://localhost:4455";
let t: TestCore;
let ctx: AppContext;

beforeAll(async () => {
  t = await startTestCore({
    overrides: {
      selfservice: {
        methods: {
          passkey: {
            enabled: true,
            config: { rp: { id: "localhost", display_name: "Test", origins: [ORIGIN] } },
          },
        },
      },
    },
  });
  ctx = t.core.ctx;
}, 180_000);
afterAll(() => t?.stop());

/** An identity with a password and one passkey held by the returned authenticator. */
async function withPasskey(email: string) {
  const { id } = await registerVerified(t.publicUrl, t.adminUrl, email, "correct horse battery");
  const auth = new SoftAuthenticator(ORIGIN);
  const flow = (await findFlow(
    ctx.db,
    "login",
    (
      await json(await get(`${t.publicUrl}/self-service/login/api`))
    ).id,
  ))!;
  const { options, state } = registrationOptions(ctx, "passkey", {
    userHandle: newUserHandle(),
    userName: email,
    exclude: [],
    discoverable: true,
  });
  await saveCeremony(ctx.db, flow, "passkey", state);
  const reg = await finishRegistration(ctx, flow, "passkey", auth.create(options).json, {
    displayName: email,
    passwordless: true,
  });
  if (!reg.ok) throw new Error(reg.failure);
  expect(await addKey(ctx.db, id, "passkey", reg.userHandle, reg.key)).toBe("added");
  return { id, auth };
}

const challengeOf = (flow: any) => JSON.parse(node(flow, "passkey_challenge").attributes.value);

describe("passkey login", () => {
  it("offers Kratos' nodes: passkey_challenge, the script with its SRI hash, passkey_login (autofill) and the button", async () => {
    const flow = await json(await get(`${t.publicUrl}/self-service/login/api`));
    const pk = flow.ui.nodes.filter((n: any) => n.group === "passkey").map((n: any) => n.attributes.name);
    expect(pk).toEqual(["passkey_challenge", "passkey_login", "passkey_login_trigger"]);
    expect(node(flow, "identifier").attributes.autocomplete).toBe("username webauthn");
    expect(node(flow, "passkey_login").attributes).toMatchObject({
      type: "hidden",
      onloadTrigger: "oryPasskeyLoginAutocompleteInit",
      onload: "window.oryPasskeyLoginAutocompleteInit()",
    });
    expect(node(flow, "passkey_login_trigger").attributes).toMatchObject({
      type: "button",
      onclickTrigger: "oryPasskeyLogin",
    });
    expect(node(flow, "passkey_login_trigger").meta.label.id).toBe(1010021);
    const options = challengeOf(flow).publicKey;
    expect(options).toMatchObject({ rpId: "localhost", userVerification: "required" });
    expect(options.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(options.allowCredentials).toBeUndefined();

    // The script node points at the script the core serves, and its hash is the script's.
    const script = node(flow, "webauthn_script").attributes;
    expect(script).toMatchObject({ async: true, crossorigin: "anonymous", type: "text/javascript" });
    const res = await fetch(script.src.replace(/^.*\/\.well-known/, `${t.publicUrl}/.well-known`));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/javascript/);
    const body = Buffer.from(await res.arrayBuffer());
    expect(script.integrity).toBe(`sha512-${createHash("sha512").update(body).digest("base64")}`);
    for (const fn of [
      "oryPasskeyLogin",
      "oryPasskeyLoginAutocompleteInit",
      "oryWebAuthnLogin",
      "oryPasskeySettingsRegistration",
    ]) {
      expect(body.toString()).toContain(fn);
    }
  });

  it("signs in with the passkey alone (no identifier, no method field): aal1, method passkey", async () => {
    const { id, auth } = await withPasskey("pk-login@example.com");
    const flow = await json(await get(`${t.publicUrl}/self-service/login/api`));
    const res = await post(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
      passkey_login: auth.get(challengeOf(flow)),
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.session.identity.id).toBe(id);
    expect(body.session.authenticator_assurance_level).toBe("aal1");
    expect(body.session.authentication_methods).toEqual([
      { method: "passkey", aal: "aal1", completed_at: expect.any(String) },
    ]);
    expect(body.session_token).toMatch(/^ory_st_/);
    const key = keysOf((await loadIdentity(ctx.db, id))!, "passkey")[0]!;
    expect(key.authenticator.sign_count).toBe(1);
    expect(key.last_used_at).toEqual(expect.any(String));
  });

  it("a browser flow signs in the same way, with its CSRF token", async () => {
    const { id, auth } = await withPasskey("pk-browser@example.com");
    const jar = new CookieJar();
    const init = await jar.fetch(`${t.publicUrl}/self-service/login/browser`, {
      headers: { accept: "application/json" },
    });
    const flow = await json(init);
    const res = await jar.fetch(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        csrf_token: csrfOf(flow),
        identifier: "",
        passkey_challenge: node(flow, "passkey_challenge").attributes.value,
        passkey_login: auth.get(challengeOf(flow)),
      }),
    });
    expect(res.status).toBe(303);
    const whoami = await json(await jar.fetch(`${t.publicUrl}/sessions/whoami`));
    expect(whoami.identity.id).toBe(id);
  });

  it("forged, replayed and wrong-origin assertions get a clear 400 and no session; the flow offers a new challenge", async () => {
    const { auth } = await withPasskey("pk-hostile@example.com");
    const flow = await json(await get(`${t.publicUrl}/self-service/login/api`));
    const options = challengeOf(flow);
    const forged = await post(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
      passkey_login: auth.get(options, { signWith: SoftAuthenticator.foreignKey() }),
    });
    expect(forged.status).toBe(400);
    const after = await json(forged);
    expect(messageIds(after)).toEqual([4000006]);
    expect(after.session).toBeUndefined();
    const fresh = challengeOf(after);
    expect(fresh.publicKey.challenge).not.toBe(options.publicKey.challenge);

    // The genuine answer to the used-up challenge is refused too.
    const replay = await post(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
      passkey_login: auth.get(options),
    });
    expect(replay.status).toBe(400);
    const afterReplay = await json(replay);
    expect(messageIds(afterReplay)).toEqual([4000001]);
    // Every refusal leaves a new challenge behind; the one shown is the only one that answers.
    const current = challengeOf(afterReplay);
    expect(current.publicKey.challenge).not.toBe(fresh.publicKey.challenge);

    const wrongOrigin = await post(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
      passkey_login: auth.get(current, { origin: "https://evil.example" }),
    });
    expect(wrongOrigin.status).toBe(400);
    const last = await json(wrongOrigin);
    expect(messageIds(last)).toEqual([4000006]);

    // And the flow still signs in with a genuine answer to its current challenge.
    const ok = await post(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
      passkey_login: auth.get(challengeOf(last)),
    });
    expect(ok.status).toBe(200);
  });

  it("a successful assertion cannot be replayed on another flow", async () => {
    const { auth } = await withPasskey("pk-replay@example.com");
    const a = await json(await get(`${t.publicUrl}/self-service/login/api`));
    const answer = auth.get(challengeOf(a));
    expect(
      (await post(`${t.publicUrl}/self-service/login?flow=${a.id}`, { passkey_login: answer })).status,
    ).toBe(200);
    const b = await json(await get(`${t.publicUrl}/self-service/login/api`));
    const res = await post(`${t.publicUrl}/self-service/login?flow=${b.id}`, { passkey_login: answer });
    expect(res.status).toBe(400);
    expect((await json(res)).session).toBeUndefined();
  });

  it("garbage in passkey_login is a 400 in the flow's shape, never a 500", async () => {
    const flow = await json(await get(`${t.publicUrl}/self-service/login/api`));
    for (const bad of ["{", "[]", '{"id":1}', "a".repeat(100_000)]) {
      const res = await post(`${t.publicUrl}/self-service/login?flow=${flow.id}`, { passkey_login: bad });
      expect(res.status).toBe(400);
      expect(messageIds(await json(res))).toEqual([4000001]);
    }
    const empty = await post(`${t.publicUrl}/self-service/login?flow=${flow.id}`, { method: "passkey" });
    expect(empty.status).toBe(400);
    expect(node(await json(empty), "passkey_login").messages[0].id).toBe(4000002);
  });

  it("a disabled identity cannot sign in with its passkey", async () => {
    const { id, auth } = await withPasskey("pk-disabled@example.com");
    const patched = await fetch(`${t.adminUrl}/admin/identities/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ op: "replace", path: "/state", value: "inactive" }]),
    });
    expect(patched.status).toBe(200);
    const flow = await json(await get(`${t.publicUrl}/self-service/login/api`));
    const res = await post(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
      passkey_login: auth.get(challengeOf(flow)),
    });
    expect(res.status).toBe(400);
    expect(messageIds(await json(res))).toEqual([4010011]);
  });
});
