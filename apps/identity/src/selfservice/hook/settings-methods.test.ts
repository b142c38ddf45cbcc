import { and, eq } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityCredentials } from "../../db/schema.ts";
import { get, json, node, post, registerVerified } from "../../security/testkit.ts";
import { startTestCore, type TestCore } from "../../testing/index.ts";
import { SoftAuthenticator } from "../webauthn/testing/soft-authenticator.ts";
import { answer, ok, Receiver, refusal } from "./receiver.fixture.ts";

/*
 * After-settings web hooks of the methods besides profile and password, against a real HTTP receiver:
 * linking TOTP, confirming backup codes and adding a passkey run `settings.after.<method>.hooks` before
 * the change is written; a refusal writes nothing and shows the receiver's messages on the flow.
 */

const ORIGIN = "http://localhost:4455";
const rp = { id: "localhost", display_name: "Test", origins: [ORIGIN] };
const PW = "correct horse battery";
let t: TestCore;
const hooks = new Receiver();

const blocking = (path: string) => ({
  hook: "web_hook",
  // In-process receiver: PGlite shares the event loop, so leave it room to answer.
  config: { url: `${hooks.url}${path}`, can_interrupt: true, timeout: "1500ms" },
});

beforeAll(async () => {
  await hooks.start();
  t = await startTestCore({
    overrides: {
      selfservice: {
        methods: {
          totp: { enabled: true, config: { issuer: "Olympus" } },
          lookup_secret: { enabled: true },
          passkey: { enabled: true, config: { rp } },
        },
        flows: {
          settings: {
            after: {
              totp: { hooks: [blocking("/after-totp")] },
              lookup_secret: { hooks: [blocking("/after-lookup")] },
              passkey: {
                hooks: [
                  blocking("/after-passkey"),
                  {
                    hook: "web_hook",
                    config: {
                      url: `${hooks.url}/after-passkey-queued`,
                      response: { ignore: true },
                      body: { id: "{{ ctx.identity.id }}" },
                    },
                  },
                ],
              },
            },
          },
        },
      },
      secrets: { cipher: ["0123456789abcdef0123456789abcdef"] },
      security: { rate_limit: { enabled: false } },
      courier: { worker: { enabled: true, poll_interval: "50ms" } },
    },
  });
}, 180_000);
afterAll(async () => {
  await t?.stop();
  hooks.stop();
});

const settingsFlow = async (token: string) =>
  json(await get(`${t.publicUrl}/self-service/settings/api`, { token }));
const submit = (flowId: string, token: string, body: Record<string, unknown>) =>
  post(`${t.publicUrl}/self-service/settings?flow=${flowId}`, body, { token });
const credential = async (identityId: string, type: string) =>
  (
    await t.core.ctx.db
      .select()
      .from(identityCredentials)
      .where(and(eq(identityCredentials.identityId, identityId), eq(identityCredentials.type, type)))
  )[0];

describe("after-settings web hooks of the other methods", () => {
  it("linking TOTP: a refusal links nothing; once allowed, the hook received the identity", async () => {
    const { id, token } = await registerVerified(t.publicUrl, t.adminUrl, "hook-totp@example.com", PW);
    const flow = await settingsFlow(token);
    const secret = node(flow, "totp_secret_key").attributes.text.context.secret as string;
    const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" });

    hooks.behaviour["/after-totp"] = answer(403, refusal(10301, "Authenticator apps are not allowed here."));
    const refused = await submit(flow.id, token, { method: "totp", totp_code: totp.generate() });
    expect(refused.status).toBe(400);
    const body = await json(refused);
    expect(body.ui.messages).toEqual([
      { id: 10301, text: "Authenticator apps are not allowed here.", type: "error", context: {} },
    ]);
    expect(await credential(id, "totp")).toBeUndefined();
    expect(hooks.calls("/after-totp").at(-1)!.body.ctx.identity.id).toBe(id);

    hooks.behaviour["/after-totp"] = ok;
    const linked = await submit(flow.id, token, { method: "totp", totp_code: totp.generate() });
    expect(linked.status).toBe(200);
    expect(await credential(id, "totp")).toMatchObject({ identityId: id, type: "totp" });
    expect(hooks.calls("/after-totp").at(-1)!.body.ctx.flow.id).toBe(flow.id);
  });

  it("confirming backup codes: a refusal stores none", async () => {
    const { id, token } = await registerVerified(t.publicUrl, t.adminUrl, "hook-lookup@example.com", PW);
    const flow = await settingsFlow(token);
    const shown = await submit(flow.id, token, { method: "lookup_secret", lookup_secret_regenerate: true });
    expect(shown.status).toBe(200);
    // Showing codes changes nothing: no hook yet.
    expect(hooks.calls("/after-lookup")).toHaveLength(0);
    hooks.behaviour["/after-lookup"] = answer(400, refusal(10302, "Backup codes are disabled."));
    const refused = await submit(flow.id, token, { method: "lookup_secret", lookup_secret_confirm: true });
    expect(refused.status).toBe(400);
    expect((await json(refused)).ui.messages.map((m: { id: number }) => m.id)).toEqual([10302]);
    expect(await credential(id, "lookup_secret")).toBeUndefined();
    expect(hooks.calls("/after-lookup").at(-1)!.body.ctx.identity.id).toBe(id);
  });

  it("adding a passkey: a refusal adds no key; once allowed, the fire-and-forget hook is queued and delivered", async () => {
    const { id, token } = await registerVerified(t.publicUrl, t.adminUrl, "hook-passkey@example.com", PW);
    const auth = new SoftAuthenticator(ORIGIN);
    const options = (flow: any) => JSON.parse(node(flow, "passkey_create_data").attributes.value);

    hooks.behaviour["/after-passkey"] = answer(403, refusal(10303, "Passkeys are not allowed yet."));
    const flow = await settingsFlow(token);
    const refused = await submit(flow.id, token, {
      passkey_settings_register: auth.create(options(flow)).json,
    });
    expect(refused.status).toBe(400);
    const body = await json(refused);
    expect(body.ui.messages.map((m: { id: number }) => m.id)).toEqual([10303]);
    expect(await credential(id, "passkey")).toBeUndefined();
    expect(hooks.calls("/after-passkey-queued").filter((r) => r.body.id === id)).toHaveLength(0);

    hooks.behaviour["/after-passkey"] = ok;
    const added = await submit(body.id, token, {
      passkey_settings_register: auth.create(options(body)).json,
    });
    expect(added.status).toBe(200);
    expect(await credential(id, "passkey")).toMatchObject({ identityId: id, type: "passkey" });
    expect(hooks.calls("/after-passkey").at(-1)!.body.ctx.identity.id).toBe(id);
    await expect
      .poll(() => hooks.calls("/after-passkey-queued").filter((r) => r.body.id === id).length, {
        timeout: 5000,
        interval: 50,
      })
      .toBe(1);
  });
});
