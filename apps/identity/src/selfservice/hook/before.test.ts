import { Configuration, FrontendApi, ResponseError } from "@ory/client-fetch";
import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { courierDispatches, courierMessages, selfserviceFlows } from "../../db/schema.ts";
import { securityAuditLog } from "../../db/security-schema.ts";
import { startTestCore, type TestCore } from "../../testing/index.ts";
import { answer, ok, Receiver, refusal, slow } from "./receiver.fixture.ts";

/*
 * `before` web hooks against a real HTTP receiver: they run when a flow is created, before it is
 * stored or returned. A refusal answers the creation with an Ory error carrying the receiver's
 * messages (browsers: the error UI); a receiver that does not answer in time gives a 504 and no flow;
 * a fire-and-forget one is queued with the flow and retried until it is delivered.
 */

const ERROR_UI = "http://localhost:4455/error";
const html = { accept: "text/html,application/xhtml+xml" };

let t: TestCore;
let api: FrontendApi;
const hooks = new Receiver();

const blocking = (path: string, extra: Record<string, unknown> = {}) => ({
  hook: "web_hook",
  // In-process receiver: PGlite shares the event loop, so leave it room to answer.
  config: { url: `${hooks.url}${path}`, can_interrupt: true, timeout: "1500ms", ...extra },
});
const queued = (path: string) => ({
  hook: "web_hook",
  config: { url: `${hooks.url}${path}`, response: { ignore: true }, timeout: "300ms" },
});

beforeAll(async () => {
  await hooks.start();
  t = await startTestCore({
    overrides: {
      selfservice: {
        flows: {
          error: { ui_url: ERROR_UI },
          registration: { before: { hooks: [blocking("/before-registration")] } },
          login: { before: { hooks: [blocking("/before-login"), queued("/before-login-queued")] } },
          settings: { before: { hooks: [blocking("/before-settings")] } },
          verification: { before: { hooks: [blocking("/before-verification")] } },
          recovery: { before: { hooks: [queued("/before-recovery")] } },
        },
      },
      courier: {
        worker: { enabled: true, poll_interval: "50ms", retry_backoff: "100ms", retry_backoff_max: "200ms" },
        message_retries: 20,
      },
    },
  });
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
afterAll(async () => {
  await t?.stop();
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

const flowsOf = async (kind: "registration" | "login" | "settings" | "verification" | "recovery") =>
  (await t.core.ctx.db.select().from(selfserviceFlows).where(eq(selfserviceFlows.kind, kind))).length;

describe("before web hooks", () => {
  it("a refusing before-registration hook answers the flow's creation with its messages, and stores no flow", async () => {
    hooks.behaviour["/before-registration"] = answer(403, refusal(10101, "Sign-ups are closed today."));
    const stored = await flowsOf("registration");
    const { status, body } = await failure(api.createNativeRegistrationFlow());
    expect(status).toBe(403);
    expect(body.error).toMatchObject({
      code: 403,
      status: "Forbidden",
      reason: "Sign-ups are closed today.",
      details: { messages: [{ id: 10101, text: "Sign-ups are closed today.", type: "error", context: {} }] },
    });
    expect(await flowsOf("registration")).toBe(stored);
    // The receiver saw the flow about to be returned, and no identity (there is none yet).
    const call = hooks.calls("/before-registration").at(-1)!;
    expect(call.body.ctx.flow).toMatchObject({ type: "api", state: "choose_method" });
    expect(call.body.ctx.flow.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(call.body.ctx.identity).toBeUndefined();
    expect(call.body.ctx.request_method).toBe("GET");
    expect(call.body.ctx.request_url).toContain("/self-service/registration/api");

    // A browser is sent to the error UI, which reads the same error back.
    const res = await fetch(`${t.publicUrl}/self-service/registration/browser`, {
      headers: html,
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(ERROR_UI);
    const shown = await api.getFlowError({ id: location.searchParams.get("id")! });
    expect(shown.error).toMatchObject({ code: 403, reason: "Sign-ups are closed today." });
    expect(await flowsOf("registration")).toBe(stored);

    // Once the receiver lets it through, the flow it saw is the flow returned.
    hooks.behaviour["/before-registration"] = ok;
    const flow = await api.createNativeRegistrationFlow();
    expect(hooks.calls("/before-registration").at(-1)!.body.ctx.flow.id).toBe(flow.id);
    expect(await flowsOf("registration")).toBe(stored + 1);
  });

  it("the before-login hook receives the request's context, without cookies or credentials", async () => {
    const res = await fetch(`${t.publicUrl}/self-service/login/api?refresh=false`, {
      headers: {
        accept: "application/json",
        "user-agent": "hook-test/1.0",
        "accept-language": "de-CH",
        cookie: "olympus_test_session=secret",
        authorization: "Bearer secret",
      },
    });
    expect(res.status).toBe(200);
    const flow = (await res.json()) as { id: string };
    const call = hooks.calls("/before-login").at(-1)!;
    const ctx = call.body.ctx;
    expect(ctx.flow).toMatchObject({ id: flow.id, type: "api", requested_aal: "aal1", refresh: false });
    expect(ctx.request_method).toBe("GET");
    expect(ctx.request_url).toContain("/self-service/login/api?refresh=false");
    expect(ctx.request_headers["User-Agent"]).toEqual(["hook-test/1.0"]);
    expect(ctx.request_headers["Accept-Language"]).toEqual(["de-CH"]);
    expect(ctx.request_headers.Cookie).toBeUndefined();
    expect(ctx.request_headers.Authorization).toBeUndefined();
    expect(JSON.stringify(ctx)).not.toContain("secret");
    expect(ctx.identity).toBeUndefined();
    // The fire-and-forget hook of the same point was queued with the flow and delivered.
    await expect
      .poll(() => hooks.calls("/before-login-queued").filter((r) => r.body.ctx.flow.id === flow.id).length, {
        timeout: 5000,
        interval: 50,
      })
      .toBe(1);
  });

  it("the before-settings hook sees the flow with the identity it is for", async () => {
    hooks.behaviour["/before-registration"] = ok;
    const reg = await api.updateRegistrationFlow({
      flow: (await api.createNativeRegistrationFlow()).id,
      updateRegistrationFlowBody: {
        method: "password",
        password: "a long passphrase 42",
        traits: { email: "before-settings@example.com", name: { first: "Ada" } },
      },
    });
    const flow = await api.createNativeSettingsFlow({ xSessionToken: reg.session_token! });
    const call = hooks.calls("/before-settings").at(-1)!;
    expect(call.body.ctx.flow.id).toBe(flow.id);
    expect(call.body.ctx.flow.identity.id).toBe(reg.identity.id);

    hooks.behaviour["/before-settings"] = answer(400, refusal(10102, "Settings are read-only this week."));
    const { status, body } = await failure(
      api.createNativeSettingsFlow({ xSessionToken: reg.session_token! }),
    );
    expect(status).toBe(403);
    expect(body.error.reason).toBe("Settings are read-only this week.");
  });

  it("a receiver that does not answer in time gives a clear 504 and no flow", async () => {
    hooks.behaviour["/before-registration"] = slow(5000);
    const stored = await flowsOf("registration");
    const started = Date.now();
    const { status, body } = await failure(api.createNativeRegistrationFlow());
    expect(Date.now() - started).toBeLessThan(4500);
    expect(status).toBe(504);
    expect(body.error).toMatchObject({ code: 504, status: "Gateway Timeout" });
    expect(body.error.reason).toMatch(/could not be reached/);
    expect(await flowsOf("registration")).toBe(stored);
    const audits = await t.core.ctx.db
      .select()
      .from(securityAuditLog)
      .where(eq(securityAuditLog.event, "hook.web_hook.failed"));
    expect(audits.some((a) => JSON.stringify(a.metadata).includes("no answer within 1500ms"))).toBe(true);
    hooks.behaviour["/before-registration"] = ok;
  });

  it("a blocking receiver that fails (500, or 4xx without messages) gives a 502 and no flow", async () => {
    const stored = await flowsOf("verification");
    for (const behaviour of [answer(500, { error: "down" }), answer(404, { nope: true })]) {
      hooks.behaviour["/before-verification"] = behaviour;
      const { status, body } = await failure(api.createNativeVerificationFlow());
      expect(status).toBe(502);
      expect(body.error).toMatchObject({ code: 502, status: "Bad Gateway" });
      expect(JSON.stringify(body)).not.toContain(hooks.url);
    }
    expect(await flowsOf("verification")).toBe(stored);
    hooks.behaviour["/before-verification"] = ok;
    expect((await api.createNativeVerificationFlow()).id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("a fire-and-forget before-recovery hook never holds the flow up, and is retried until delivered", async () => {
    // The first attempt outlives the hook's 300ms timeout; later ones are answered.
    let attempts = 0;
    hooks.behaviour["/before-recovery"] = (r, res) => {
      attempts += 1;
      (attempts === 1 ? slow(2000) : ok)(r, res);
    };
    const started = Date.now();
    const flow = await api.createNativeRecoveryFlow();
    expect(Date.now() - started).toBeLessThan(1500);
    const [msg] = await t.core.ctx.db
      .select()
      .from(courierMessages)
      .where(and(eq(courierMessages.channel, "web_hook"), like(courierMessages.body, `%${flow.id}%`)));
    expect(msg?.subject).toBe("recovery.before");
    await expect
      .poll(
        async () =>
          (await t.core.ctx.db.select().from(courierMessages).where(eq(courierMessages.id, msg!.id)))[0]
            ?.status,
        { timeout: 8000, interval: 50 },
      )
      .toBe("sent");
    const dispatches = await t.core.ctx.db
      .select()
      .from(courierDispatches)
      .where(eq(courierDispatches.messageId, msg!.id));
    expect(dispatches.map((d) => d.status).sort()).toEqual(["failed", "success"]);
    expect(JSON.stringify(dispatches.find((d) => d.status === "failed")!.error)).toMatch(
      /no answer within 300ms/,
    );
    const delivered = hooks.calls("/before-recovery").filter((r) => r.body.ctx.flow.id === flow.id);
    expect(delivered.length).toBeGreaterThanOrEqual(2);
  });
});
