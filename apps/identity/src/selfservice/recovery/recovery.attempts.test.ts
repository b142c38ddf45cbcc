import { Configuration, FrontendApi, type ResponseError } from "@ory/client-fetch";
import { and, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { courierMessages } from "../../db/schema.ts";
import { startTestCore, type TestCore } from "../../testing/index.ts";

/*
 * A recovery code is six digits: a flow accepts five submissions, right or wrong, and the count is
 * kept by the database so that parallel guesses cannot slip past it. The code is read from the
 * courier queue here, so this file does not depend on mail delivery.
 */

let t: TestCore;
let api: FrontendApi;

beforeAll(async () => {
  t = await startTestCore();
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
afterAll(() => t?.stop());

async function register(email: string) {
  const flow = await api.createNativeRegistrationFlow();
  await api.updateRegistrationFlow({
    flow: flow.id,
    updateRegistrationFlowBody: { method: "password", password: "correct horse battery", traits: { email } },
  });
}

async function queuedCode(to: string): Promise<string> {
  const [msg] = await t.core.ctx.db
    .select()
    .from(courierMessages)
    .where(and(eq(courierMessages.recipient, to), eq(courierMessages.templateType, "recovery_code_valid")))
    .orderBy(desc(courierMessages.createdAt))
    .limit(1);
  return /\b(\d{6})\b/.exec(msg!.body)![1]!;
}

/** A native recovery flow in state sent_email for `email`, and the code that was mailed. */
async function codeSent(email: string) {
  await register(email);
  const flow = await api.createNativeRecoveryFlow();
  const sent = await api.updateRecoveryFlow({
    flow: flow.id,
    updateRecoveryFlowBody: { method: "code", email },
  });
  expect(sent.state).toBe("sent_email");
  return { flowId: flow.id, code: await queuedCode(email) };
}

function wrong(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, "0");
}

/** Submits a code; resolves to the status and body whatever the outcome. */
async function submit(flowId: string, code: string): Promise<{ status: number; body: any }> {
  try {
    const raw = await api.updateRecoveryFlowRaw({
      flow: flowId,
      updateRecoveryFlowBody: { method: "code", code },
    });
    return { status: raw.raw.status, body: await raw.raw.json() };
  } catch (e) {
    const res = (e as ResponseError).response;
    return { status: res.status, body: await res.json() };
  }
}

describe("recovery code attempts", () => {
  it("answers a wrong code with 200, message 4060006, and the flow still waiting for a code", async () => {
    const { flowId, code } = await codeSent("attempts-wrong@example.com");
    const res = await submit(flowId, wrong(code));
    expect(res.status).toBe(200);
    expect(res.body.state).toBe("sent_email");
    expect(res.body.ui.messages.map((m: any) => m.id)).toEqual([4060006]);
    const ok = await submit(flowId, code);
    expect(ok.status).toBe(200);
    expect(ok.body.state).toBe("passed_challenge");
  });

  it("refuses the sixth submission, even with the right code", async () => {
    const { flowId, code } = await codeSent("attempts-sixth@example.com");
    for (let i = 0; i < 5; i++) {
      const res = await submit(flowId, wrong(code));
      expect(res.body.ui.messages[0].id).toBe(4060006);
    }
    const sixth = await submit(flowId, code);
    expect(sixth.status).toBe(400);
    expect(sixth.body.ui.messages[0]).toMatchObject({ id: 4000001, type: "error" });
    // A fresh flow to start over with; the old one stays locked.
    expect(sixth.body.id).not.toBe(flowId);
    expect(sixth.body.state).toBe("choose_method");
    expect((await submit(flowId, code)).status).toBe(400);
  });

  it("counts parallel wrong submissions: exactly five are evaluated", async () => {
    const { flowId, code } = await codeSent("attempts-parallel@example.com");
    const results = await Promise.all(Array.from({ length: 12 }, () => submit(flowId, wrong(code))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 400)).toHaveLength(7);
    expect((await submit(flowId, code)).status).toBe(400);
  });

  it("a resend replaces the code but does not reset the count", async () => {
    const { flowId, code } = await codeSent("attempts-resend@example.com");
    for (let i = 0; i < 4; i++) await submit(flowId, wrong(code));
    await api.updateRecoveryFlow({
      flow: flowId,
      updateRecoveryFlowBody: { method: "code", email: "attempts-resend@example.com" },
    });
    const fresh = await queuedCode("attempts-resend@example.com");
    if (fresh !== code) expect((await submit(flowId, code)).body.ui.messages[0].id).toBe(4060006);
    else await submit(flowId, wrong(code));
    expect((await submit(flowId, fresh)).status).toBe(400);
  });
});
