import { Configuration, FrontendApi, ResponseError } from "@ory/client-fetch";
import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { courierMessages, identityVerifiableAddresses, sessions } from "../../db/schema.ts";
import {
  extractCode,
  type MailCatcher,
  startMailCatcher,
  startTestCore,
  type TestCore,
} from "../../testing/index.ts";
import { answer, ok, Receiver, refusal, slow } from "./receiver.fixture.ts";

/*
 * After-recovery and after-verification web hooks against a real HTTP receiver: they run once a right
 * code is submitted, receive the identity, and may refuse — then nothing of the step is written (no
 * session, no verified address), the old flow's code is void, and a new flow carries the messages.
 */

let mail: MailCatcher;
let t: TestCore;
let api: FrontendApi;
const hooks = new Receiver();

const blocking = (path: string) => ({
  hook: "web_hook",
  // In-process receiver: PGlite shares the event loop, so leave it room to answer.
  config: { url: `${hooks.url}${path}`, can_interrupt: true, timeout: "1500ms" },
});

beforeAll(async () => {
  await hooks.start();
  mail = await startMailCatcher();
  t = await startTestCore({
    mail,
    overrides: {
      selfservice: {
        flows: {
          recovery: {
            after: {
              hooks: [
                blocking("/after-recovery"),
                {
                  hook: "web_hook",
                  config: {
                    url: `${hooks.url}/after-recovery-queued`,
                    response: { ignore: true },
                    body: { id: "{{ ctx.identity.id }}", flow: "{{ ctx.flow.id }}" },
                  },
                },
              ],
            },
          },
          verification: { after: { hooks: [blocking("/after-verification")] } },
        },
      },
      courier: { worker: { enabled: true, poll_interval: "50ms" } },
    },
  });
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
afterAll(async () => {
  await t?.stop();
  await mail?.stop();
  hooks.stop();
});

async function failure(p: Promise<unknown>): Promise<{ status: number; body: any }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ResponseError);
  const res = (err as ResponseError).response;
  return { status: res.status, body: await res.json() };
}

async function register(email: string) {
  const flow = await api.createNativeRegistrationFlow();
  return api.updateRegistrationFlow({
    flow: flow.id,
    updateRegistrationFlowBody: {
      method: "password",
      password: "a long passphrase 42",
      traits: { email, name: { first: "Ada" } },
    },
  });
}

/** Waits for one more mail to `to` whose subject matches than there were before, and returns its code. */
async function nextCode(to: string, subject: RegExp, before: number): Promise<string> {
  for (let i = 0; i < 150; i++) {
    const mails = (await mail.list()).filter(
      (m) => m.to.some((a) => a.address === to) && subject.test(m.subject),
    );
    if (mails.length > before) return extractCode(mails[mails.length - 1]!);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no new mail to ${to}`);
}
const mailsTo = async (to: string, subject: RegExp) =>
  (await mail.list()).filter((m) => m.to.some((a) => a.address === to) && subject.test(m.subject)).length;

const RECOVERY = /recover access/i;
const VERIFY = /please verify your email/i;

/** A recovery flow with a code sent to `email`, and the code. */
async function recoveryCode(email: string) {
  const before = await mailsTo(email, RECOVERY);
  const flow = await api.createNativeRecoveryFlow();
  await api.updateRecoveryFlow({ flow: flow.id, updateRecoveryFlowBody: { method: "code", email } });
  return { flow, code: await nextCode(email, RECOVERY, before) };
}

/** A verification flow with a code sent to `email`, and the code. */
async function verificationCode(email: string) {
  // The registration mailed a code of its own first: wait for it, so that it is not taken for ours.
  await nextCode(email, VERIFY, 0);
  const before = await mailsTo(email, VERIFY);
  const flow = await api.createNativeVerificationFlow();
  await api.updateVerificationFlow({ flow: flow.id, updateVerificationFlowBody: { method: "code", email } });
  return { flow, code: await nextCode(email, VERIFY, before) };
}

const sessionsOf = async (identityId: string) =>
  (await t.core.ctx.db.select().from(sessions).where(eq(sessions.identityId, identityId))).length;

describe("after-recovery web hooks", () => {
  it("receive the recovered identity before the session is issued, and queue the fire-and-forget ones", async () => {
    const reg = await register("after-recovery@example.com");
    hooks.behaviour["/after-recovery"] = ok;
    const { flow, code } = await recoveryCode("after-recovery@example.com");
    const done = await api.updateRecoveryFlow({
      flow: flow.id,
      updateRecoveryFlowBody: { method: "code", code },
    });
    expect(done.state).toBe("passed_challenge");
    expect(done.continue_with?.map((x) => x.action)).toEqual(["set_ory_session_token", "show_settings_ui"]);
    const call = hooks.calls("/after-recovery").at(-1)!;
    expect(call.body.ctx.identity).toMatchObject({
      id: reg.identity.id,
      traits: { email: "after-recovery@example.com" },
    });
    expect(call.body.ctx.flow.id).toBe(flow.id);
    expect(call.body.ctx.request_url).toContain("/self-service/recovery");
    // The fire-and-forget hook was queued with the completion and delivered.
    await expect
      .poll(() => hooks.calls("/after-recovery-queued").filter((r) => r.body.flow === flow.id).length, {
        timeout: 5000,
        interval: 50,
      })
      .toBe(1);
    expect(hooks.calls("/after-recovery-queued").find((r) => r.body.flow === flow.id)!.body.id).toBe(
      reg.identity.id,
    );
  });

  it("a refusal issues no session, voids the code, and starts over with the receiver's message", async () => {
    const reg = await register("refused-recovery@example.com");
    const sessionsBefore = await sessionsOf(reg.identity.id);
    hooks.behaviour["/after-recovery"] = answer(403, refusal(10201, "Recovery is handled by the help desk."));
    const { flow, code } = await recoveryCode("refused-recovery@example.com");
    const { status, body } = await failure(
      api.updateRecoveryFlow({ flow: flow.id, updateRecoveryFlowBody: { method: "code", code } }),
    );
    expect(status).toBe(400);
    expect(body.id).not.toBe(flow.id);
    expect(body.state).toBe("choose_method");
    expect(body.ui.messages).toEqual([
      { id: 10201, text: "Recovery is handled by the help desk.", type: "error", context: {} },
    ]);
    expect(body.continue_with).toBeUndefined();
    expect(await sessionsOf(reg.identity.id)).toBe(sessionsBefore);
    const queued = await t.core.ctx.db
      .select()
      .from(courierMessages)
      .where(and(eq(courierMessages.channel, "web_hook"), like(courierMessages.body, `%${flow.id}%`)));
    expect(queued).toHaveLength(0);
    // The refused code does not work a second time, whatever the receiver says then.
    hooks.behaviour["/after-recovery"] = ok;
    const again = await api.updateRecoveryFlow({
      flow: flow.id,
      updateRecoveryFlowBody: { method: "code", code },
    });
    expect(again.state).not.toBe("passed_challenge");
    expect(again.ui.messages?.map((m) => m.id)).toEqual([4060006]);
    expect(await sessionsOf(reg.identity.id)).toBe(sessionsBefore);
  });

  it("a receiver that does not answer in time fails the recovery with a clear message, and no session", async () => {
    const reg = await register("slow-recovery@example.com");
    const sessionsBefore = await sessionsOf(reg.identity.id);
    hooks.behaviour["/after-recovery"] = slow(5000);
    const { flow, code } = await recoveryCode("slow-recovery@example.com");
    const started = Date.now();
    const { status, body } = await failure(
      api.updateRecoveryFlow({ flow: flow.id, updateRecoveryFlowBody: { method: "code", code } }),
    );
    expect(Date.now() - started).toBeLessThan(4500);
    expect(status).toBe(400);
    expect(body.ui.messages[0]).toMatchObject({ id: 4000001, type: "error" });
    expect(body.ui.messages[0].text).toMatch(/external service/);
    expect(await sessionsOf(reg.identity.id)).toBe(sessionsBefore);
    hooks.behaviour["/after-recovery"] = ok;
  });
});

describe("after-verification web hooks", () => {
  const addressOf = async (identityId: string) =>
    (
      await t.core.ctx.db
        .select()
        .from(identityVerifiableAddresses)
        .where(eq(identityVerifiableAddresses.identityId, identityId))
    )[0]!;

  it("receive the identity with the address verified", async () => {
    const reg = await register("after-verification@example.com");
    hooks.behaviour["/after-verification"] = ok;
    const { flow, code } = await verificationCode("after-verification@example.com");
    const done = await api.updateVerificationFlow({
      flow: flow.id,
      updateVerificationFlowBody: { method: "code", code },
    });
    expect(done.state).toBe("passed_challenge");
    const call = hooks.calls("/after-verification").at(-1)!;
    expect(call.body.ctx.identity.id).toBe(reg.identity.id);
    expect(call.body.ctx.identity.verifiable_addresses).toEqual([
      expect.objectContaining({
        value: "after-verification@example.com",
        verified: true,
        status: "completed",
      }),
    ]);
    expect(call.body.ctx.flow.id).toBe(flow.id);
    expect((await addressOf(reg.identity.id)).verified).toBe(true);
  });

  it("a refusal leaves the address unverified and starts over with the receiver's message", async () => {
    const reg = await register("refused-verification@example.com");
    hooks.behaviour["/after-verification"] = answer(422, refusal(10202, "Verify at the front desk."));
    const { flow, code } = await verificationCode("refused-verification@example.com");
    const { status, body } = await failure(
      api.updateVerificationFlow({ flow: flow.id, updateVerificationFlowBody: { method: "code", code } }),
    );
    expect(status).toBe(400);
    expect(body.id).not.toBe(flow.id);
    expect(body.ui.messages).toEqual([
      { id: 10202, text: "Verify at the front desk.", type: "error", context: {} },
    ]);
    expect((await addressOf(reg.identity.id)).verified).toBe(false);
    hooks.behaviour["/after-verification"] = ok;
  });
});
