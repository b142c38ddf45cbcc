import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../../../app/context.ts";
import { identities } from "../../../db/schema.ts";
import { loadIdentity } from "../../../identity/repository.ts";
import { get, json, messageIds, node, post } from "../../../security/testkit.ts";
import { startTestCore, type TestCore } from "../../../testing/index.ts";
import { keysOf } from "../../webauthn/credentials.ts";
import { FLAG_UP, SoftAuthenticator } from "../../webauthn/testing/soft-authenticator.ts";

/*
 * Sign-up with a passkey, as Kratos' script drives it: `method=passkey` with the traits shows the
 * ceremony (`passkey_create_data`), the script posts the credential in `passkey_register` (no
 * `method`), and the identity is created with its passkey and nothing else — then signs in with it.
 * Hostile answers (wrong origin, no user verification, replays, another flow's challenge) are refused
 * and create nothing.
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
        flows: { registration: { after: { passkey: { hooks: [{ hook: "session" }] } } } },
      },
    },
  });
  ctx = t.core.ctx;
}, 180_000);
afterAll(() => t?.stop());

const newFlow = async () => json(await get(`${t.publicUrl}/self-service/registration/api`));
const submit = (flowId: string, body: Record<string, unknown>) =>
  post(`${t.publicUrl}/self-service/registration?flow=${flowId}`, body);
const createData = (flow: any) => JSON.parse(node(flow, "passkey_create_data").attributes.value);
const identityCount = async () =>
  (await ctx.db.select({ n: sql<number>`count(*)::int` }).from(identities))[0]!.n;

/** Step one: the traits; returns the flow showing the ceremony. */
async function start(email: string) {
  const flow = await newFlow();
  const res = await submit(flow.id, { method: "passkey", traits: { email } });
  // A next step answers 400 with the flow, as Kratos does (200 would mean "signed up" to Ory's UIs).
  expect(res.status).toBe(400);
  const shown = await json(res);
  expect(shown.active).toBe("passkey");
  return shown;
}

describe("passkey registration", () => {
  it("offers 'Sign up with passkey' beside the traits, then Kratos' ceremony nodes with the traits kept", async () => {
    const flow = await newFlow();
    const button = flow.ui.nodes.find((n: any) => n.group === "passkey" && n.attributes.name === "method");
    expect(button.attributes).toMatchObject({ type: "submit", value: "passkey" });
    expect(button.meta.label.id).toBe(1040007);

    const shown = await start("pk-nodes@example.com");
    const names = shown.ui.nodes.map((n: any) => n.attributes.name ?? n.attributes.id);
    expect(names).toEqual(
      expect.arrayContaining([
        "traits.email",
        "webauthn_script",
        "passkey_register",
        "passkey_register_trigger",
      ]),
    );
    expect(names).not.toContain("password");
    expect(node(shown, "traits.email").attributes).toMatchObject({
      type: "hidden",
      value: "pk-nodes@example.com",
    });
    expect(node(shown, "passkey_register_trigger").attributes.onclickTrigger).toBe("oryPasskeyRegistration");
    const data = createData(shown);
    expect(data.displayNameFieldName).toBe("traits.email");
    expect(data.credentialOptions.publicKey).toMatchObject({
      rp: { id: "localhost" },
      user: { name: "pk-nodes@example.com" },
      authenticatorSelection: { residentKey: "required", userVerification: "required" },
    });
  });

  it("signs up with a passkey alone, then signs in with it: aal1, method passkey", async () => {
    const auth = new SoftAuthenticator(ORIGIN);
    const shown = await start("pk-signup@example.com");
    const res = await submit(shown.id, {
      passkey_register: auth.create(createData(shown).credentialOptions).json,
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.identity.traits.email).toBe("pk-signup@example.com");
    expect(body.session_token).toMatch(/^ory_st_/);
    expect(body.session.authenticator_assurance_level).toBe("aal1");
    expect(body.session.authentication_methods).toEqual([
      { method: "passkey", aal: "aal1", completed_at: expect.any(String) },
    ]);
    const identity = (await loadIdentity(ctx.db, body.identity.id))!;
    expect(identity.credentials.map((c) => c.type).sort()).toEqual(["passkey"]);
    expect(keysOf(identity, "passkey")).toHaveLength(1);

    const lf = await json(await get(`${t.publicUrl}/self-service/login/api`));
    const signIn = await post(`${t.publicUrl}/self-service/login?flow=${lf.id}`, {
      passkey_login: auth.get(JSON.parse(node(lf, "passkey_challenge").attributes.value)),
    });
    expect(signIn.status).toBe(200);
    const session = (await json(signIn)).session;
    expect(session.identity.id).toBe(body.identity.id);
    expect(session.authenticator_assurance_level).toBe("aal1");
    expect(session.authentication_methods[0].method).toBe("passkey");

    // The passkey is this account's only way in: settings will not remove it.
    const settings = await json(
      await get(`${t.publicUrl}/self-service/settings/api`, { token: body.session_token }),
    );
    const remove = node(settings, "passkey_remove");
    const refused = await post(
      `${t.publicUrl}/self-service/settings?flow=${settings.id}`,
      { passkey_remove: remove.attributes.value },
      { token: body.session_token },
    );
    expect(refused.status).toBe(400);
    expect(messageIds(await json(refused))).toEqual([4000001]);
    expect(keysOf((await loadIdentity(ctx.db, body.identity.id))!, "passkey")).toHaveLength(1);
  });

  it("refuses a wrong origin, a wrong RP id and a missing user verification; creates nothing; a fresh challenge still works", async () => {
    const auth = new SoftAuthenticator(ORIGIN);
    let flow = await start("pk-bad@example.com");
    const before = await identityCount();
    for (const tweak of [{ origin: "https://evil.example" }, { rpId: "evil.example" }, { flags: FLAG_UP }]) {
      const res = await submit(flow.id, {
        passkey_register: auth.create(createData(flow).credentialOptions, tweak).json,
      });
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(messageIds(body)).toEqual([4000006]);
      expect(body.identity).toBeUndefined();
      // Shown again with a new challenge and the same traits.
      expect(createData(body).credentialOptions.publicKey.challenge).not.toBe(
        createData(flow).credentialOptions.publicKey.challenge,
      );
      expect(node(body, "traits.email").attributes.value).toBe("pk-bad@example.com");
      flow = body;
    }
    expect(await identityCount()).toBe(before);
    const ok = await submit(flow.id, {
      passkey_register: auth.create(createData(flow).credentialOptions).json,
    });
    expect(ok.status).toBe(200);
    expect(await identityCount()).toBe(before + 1);
  });

  it("a challenge answers once and only on its own flow", async () => {
    const auth = new SoftAuthenticator(ORIGIN);
    const a = await start("pk-replay-a@example.com");
    const b = await start("pk-replay-b@example.com");
    const answerA = auth.create(createData(a).credentialOptions).json;
    // A's answer on B's flow: B's challenge is not the one signed.
    const crossed = await submit(b.id, { passkey_register: answerA });
    expect(crossed.status).toBe(400);
    expect(messageIds(await json(crossed))).toEqual([4000001]);
    const before = await identityCount();
    expect((await submit(a.id, { passkey_register: answerA })).status).toBe(200);
    const again = await submit(a.id, { passkey_register: answerA });
    expect(again.status).toBe(400);
    expect(await identityCount()).toBe(before + 1);
  });

  it("bad input is a 400 in the flow's shape: no traits step, garbage, invalid traits", async () => {
    const flow = await newFlow();
    const early = await submit(flow.id, { passkey_register: '{"id":"x"}' });
    expect(early.status).toBe(400);
    expect(messageIds(await json(early))).toEqual([4000001]);

    const shown = await start("pk-garbage@example.com");
    for (const bad of ["{", "[]", "a".repeat(70_000)]) {
      const res = await submit(shown.id, { passkey_register: bad });
      expect(res.status).toBe(400);
      expect(messageIds(await json(res))).toEqual([4000001]);
    }

    const invalid = await submit((await newFlow()).id, {
      method: "passkey",
      traits: { email: "not an email" },
    });
    expect(invalid.status).toBe(400);
    expect(node(await json(invalid), "traits.email").messages.length).toBeGreaterThan(0);
  });
});
