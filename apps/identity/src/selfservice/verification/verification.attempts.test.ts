import { Configuration, FrontendApi, ResponseError, type VerificationFlow } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  extractCode,
  type MailCatcher,
  startMailCatcher,
  startTestCore,
  type TestCore,
} from "../../testing/index.ts";

/** A verification flow takes at most five code submissions, right or wrong, however they arrive. */
let mail: MailCatcher;
let t: TestCore;
let api: FrontendApi;

beforeAll(async () => {
  mail = await startMailCatcher();
  t = await startTestCore({ mail });
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
afterAll(async () => {
  await t?.stop();
  await mail?.stop();
});

async function registered(email: string): Promise<{ token: string; flowId: string; code: string }> {
  const flow = await api.createNativeRegistrationFlow();
  const reg = await api.updateRegistrationFlow({
    flow: flow.id,
    updateRegistrationFlowBody: { method: "password", password: "correct horse battery", traits: { email } },
  });
  const show = reg.continue_with?.find((x) => x.action === "show_verification_ui") as {
    flow: { id: string };
  };
  const code = extractCode(
    await mail.waitFor(email, { match: (m) => /please verify your email/i.test(m.subject) }),
  );
  return { token: reg.session_token!, flowId: show.flow.id, code };
}

const wrongOf = (code: string) => (code === "000000" ? "111111" : "000000");

async function submit(flow: string, code: string): Promise<{ status: number; body: VerificationFlow }> {
  try {
    const body = await api.updateVerificationFlow({
      flow,
      updateVerificationFlowBody: { method: "code", code },
    });
    return { status: 200, body };
  } catch (e) {
    if (!(e instanceof ResponseError)) throw e;
    return { status: e.response.status, body: (await e.response.json()) as VerificationFlow };
  }
}

async function verified(token: string): Promise<boolean | undefined> {
  const s = await api.toSession({ xSessionToken: token });
  return s.identity?.verifiable_addresses?.[0]?.verified;
}

describe("verification code attempts", () => {
  it("refuses the sixth submission, even with the right code, and offers a new flow", async () => {
    const { token, flowId, code } = await registered("attempts@example.com");
    for (let i = 0; i < 5; i++) {
      const res = await submit(flowId, wrongOf(code));
      expect(res.status).toBe(200);
      expect(res.body.ui.messages?.map((m) => m.id)).toEqual([4070006]);
    }
    const sixth = await submit(flowId, code);
    expect(sixth.status).toBe(400);
    expect(sixth.body.id).not.toBe(flowId);
    expect(sixth.body.state).toBe("choose_method");
    expect(sixth.body.ui.messages?.[0]).toMatchObject({
      id: 4000001,
      text: "The request was submitted too often. Please request another code.",
    });
    // The new flow knows the address: one click mails a fresh code.
    const email = sixth.body.ui.nodes.find((n) => (n.attributes as { name?: string }).name === "email");
    expect((email!.attributes as { value?: string }).value).toBe("attempts@example.com");
    expect(await verified(token)).toBe(false);

    // The exhausted flow takes no resend either.
    const resend = await api
      .updateVerificationFlow({
        flow: flowId,
        updateVerificationFlowBody: { method: "code", email: "attempts@example.com" },
      })
      .catch((e: ResponseError) => e.response);
    expect((resend as Response).status).toBe(400);

    // A new flow with a new code works.
    await mail.clear();
    const fresh = await api.updateVerificationFlow({
      flow: sixth.body.id,
      updateVerificationFlowBody: { method: "code", email: "attempts@example.com" },
    });
    expect(fresh.state).toBe("sent_email");
    const second = extractCode(
      await mail.waitFor("attempts@example.com", { match: (m) => /please verify/i.test(m.subject) }),
    );
    const done = await submit(fresh.id, second);
    expect(done.body.state).toBe("passed_challenge");
    expect(await verified(token)).toBe(true);
  });

  it("counts concurrent submissions atomically: at most five are ever checked", async () => {
    const { token, flowId, code } = await registered("attempts-race@example.com");
    const results = await Promise.all(Array.from({ length: 12 }, () => submit(flowId, wrongOf(code))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 400)).toHaveLength(7);
    const late = await submit(flowId, code);
    expect(late.status).toBe(400);
    expect(await verified(token)).toBe(false);
  });
});
