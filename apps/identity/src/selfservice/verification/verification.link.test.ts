import { Configuration, FrontendApi, type ResponseError, type VerificationFlow } from "@ory/client-fetch";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selfserviceFlows } from "../../db/schema.ts";
import {
  CookieJar,
  csrfOf,
  extractCode,
  flowIn,
  linkOf,
  type MailCatcher,
  startMailCatcher,
  startTestCore,
  type TestCore,
  withCode,
} from "../../testing/index.ts";

/*
 * Verification mails carry the code and a link that submits it: GET
 * `<public base_url>/self-service/verification?flow=<id>&code=<code>`, as Kratos' code method mails.
 * The mails are read from real SMTP delivery into MailDev.
 */

const json = { headers: { accept: "application/json" } };
const html = { headers: { accept: "text/html" } };
let mail: MailCatcher;
let t: TestCore;
/** A core whose public API is reached through a proxy under /.ory/, as Hera serves it. */
let proxied: TestCore;
let api: FrontendApi;

beforeAll(async () => {
  mail = await startMailCatcher();
  [t, proxied] = await Promise.all([
    startTestCore({ mail }),
    startTestCore({ mail, overrides: { serve: { public: { base_url: "http://localhost:3000/.ory/" } } } }),
  ]);
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
afterAll(async () => {
  await Promise.all([t?.stop(), proxied?.stop()]);
  await mail?.stop();
});

function browser(base = t.publicUrl) {
  const jar = new CookieJar();
  return {
    jar,
    api: new FrontendApi(new Configuration({ basePath: base, fetchApi: jar.fetch, credentials: "include" })),
  };
}

const codeMail = (to: string) =>
  mail.waitFor(to, { match: (m) => /please verify your email/i.test(m.subject) });

/** A native registration of `email`: its session token, verification flow and the mailed code and link. */
async function registered(email: string, core = t) {
  const a = core === t ? api : new FrontendApi(new Configuration({ basePath: core.publicUrl }));
  const flow = await a.createNativeRegistrationFlow();
  const reg = await a.updateRegistrationFlow({
    flow: flow.id,
    updateRegistrationFlowBody: { method: "password", password: "correct horse battery", traits: { email } },
  });
  const show = reg.continue_with?.find((x) => x.action === "show_verification_ui") as {
    flow: { id: string };
  };
  const m = await codeMail(email);
  return {
    token: reg.session_token!,
    flowId: show.flow.id,
    mail: m,
    code: extractCode(m),
    link: linkOf(m, "verification"),
  };
}

/** A browser verification flow in sent_email for an already registered `email`, and its mail. */
async function browserFlow(email: string, returnTo?: string) {
  const reg = await registered(email);
  await mail.clear();
  const b = browser();
  const flow = await b.api.createBrowserVerificationFlow(returnTo ? { returnTo } : {}, json);
  await b.api.updateVerificationFlow({
    flow: flow.id,
    updateVerificationFlowBody: { method: "code", email, csrf_token: csrfOf(flow) },
  });
  const m = await codeMail(email);
  return { b, token: reg.token, flowId: flow.id, code: extractCode(m), link: linkOf(m, "verification") };
}

async function verified(token: string): Promise<boolean | undefined> {
  const s = await api.toSession({ xSessionToken: token });
  return s.identity?.verifiable_addresses?.[0]?.verified;
}

const wrongOf = (code: string) => (code === "000000" ? "111111" : "000000");

describe("verification link", () => {
  it("is in the text and HTML mail next to the code, under the public base URL", async () => {
    const { flowId, code, link, mail: m } = await registered("link-mail@example.com");
    const base = t.core.ctx.rt.publicBaseUrl;
    expect(link).toBe(`${base}self-service/verification?flow=${flowId}&code=${code}`);
    const lines = m.text!.split("\n");
    expect(lines.indexOf(code)).toBeGreaterThan(-1);
    expect(lines.indexOf(link)).toBeGreaterThan(lines.indexOf(code));
    expect(m.html).toContain(`href="${link.replace("&", "&amp;")}"`);
    expect(m.html).toContain(code);
  });

  it("points through a proxied public base URL (Hera's /.ory/) and works there", async () => {
    const { flowId, code, link, token } = await registered("link-proxied@example.com", proxied);
    expect(link).toBe(`http://localhost:3000/.ory/self-service/verification?flow=${flowId}&code=${code}`);
    // What Hera's pass-through does: strip /.ory and forward to the core.
    const upstream = link.replace("http://localhost:3000/.ory/", `${proxied.publicUrl.replace(/\/$/, "")}/`);
    const res = await new CookieJar().fetch(upstream, html);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`http://localhost:4455/verification?flow=${flowId}`);
    const who = await new FrontendApi(new Configuration({ basePath: proxied.publicUrl })).toSession({
      xSessionToken: token,
    });
    expect(who.identity?.verifiable_addresses?.[0]?.verified).toBe(true);
  });

  it("verifies when followed in another browser, which can then load the passed flow", async () => {
    const { b, flowId, link, code, token } = await browserFlow("link-other-browser@example.com");
    expect(await verified(token)).toBe(false);
    // A wrong code from elsewhere does not take the flow from the browser that started it.
    const prober = browser();
    const probe = await prober.jar.fetch(withCode(link, wrongOf(code)), html);
    expect(probe.status).toBe(303);
    expect(flowIn(probe.headers.get("location"))).not.toBe(flowId);
    expect((await b.api.getVerificationFlow({ id: flowId })).state).toBe("sent_email");
    await expect(prober.api.getVerificationFlow({ id: flowId })).rejects.toThrow();
    const other = browser();
    const res = await other.jar.fetch(link, html);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`http://localhost:4455/verification?flow=${flowId}`);
    const done = await other.api.getVerificationFlow({ id: flowId });
    expect(done.state).toBe("passed_challenge");
    expect(done.ui.messages?.map((m) => m.id)).toEqual([1080002]);
    expect(await verified(token)).toBe(true);
  });

  it("goes on to the flow's return_to after success", async () => {
    const { b, flowId, link, token } = await browserFlow(
      "link-return-to@example.com",
      "http://localhost:4455/welcome",
    );
    const res = await b.jar.fetch(link, html);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("http://localhost:4455/welcome");
    expect((await b.api.getVerificationFlow({ id: flowId })).state).toBe("passed_challenge");
    expect(await verified(token)).toBe(true);

    // Followed again: the flow is done, a new one says so.
    const again = await b.jar.fetch(link, html);
    expect(again.status).toBe(303);
    const fresh = await b.api.getVerificationFlow({ id: flowIn(again.headers.get("location")) });
    expect(fresh.id).not.toBe(flowId);
    expect(fresh.ui.messages?.map((m) => m.id)).toEqual([4070001]);
  });

  it("answers a JSON client with the passed flow", async () => {
    const { flowId, link, token } = await registered("link-json@example.com");
    const res = await fetch(link, json);
    expect(res.status).toBe(200);
    const flow = (await res.json()) as VerificationFlow;
    expect(flow.id).toBe(flowId);
    expect(flow.state).toBe("passed_challenge");
    expect(await verified(token)).toBe(true);
  });

  it("counts a wrong code toward the five attempts exactly like a POST", async () => {
    const { flowId, code, link, token } = await registered("link-attempts@example.com");
    const b = browser();
    for (let i = 0; i < 3; i++) {
      // Opened in a browser the (app's) flow is not bound to: the attempt counts, the flow stays
      // where it was, and the opener gets a flow of its own saying the code was wrong.
      const res = await b.jar.fetch(withCode(link, wrongOf(code)), html);
      expect(res.status).toBe(303);
      const own = await b.api.getVerificationFlow({ id: flowIn(res.headers.get("location")) });
      expect(own.id).not.toBe(flowId);
      expect(own.ui.messages?.map((m) => m.id)).toEqual([4070006]);
      const flow = await api.getVerificationFlow({ id: flowId });
      expect(flow.state).toBe("sent_email");
      expect(flow.ui.messages?.map((m) => m.id)).toEqual([4070006]);
    }
    for (let i = 0; i < 2; i++) {
      const flow = await api.updateVerificationFlow({
        flow: flowId,
        updateVerificationFlowBody: { method: "code", code: wrongOf(code) },
      });
      expect(flow.ui.messages?.map((m) => m.id)).toEqual([4070006]);
    }
    // The sixth submission, by link with the right code: refused, a new flow offered.
    const sixth = await b.jar.fetch(link, html);
    expect(sixth.status).toBe(303);
    const fresh = await b.api.getVerificationFlow({ id: flowIn(sixth.headers.get("location")) });
    expect(fresh.id).not.toBe(flowId);
    expect(fresh.state).toBe("choose_method");
    expect(fresh.ui.messages?.map((m) => m.id)).toEqual([4000001]);
    expect(await verified(token)).toBe(false);
    // And by POST too.
    const post = await api
      .updateVerificationFlow({ flow: flowId, updateVerificationFlowBody: { method: "code", code } })
      .catch((e: ResponseError) => e.response);
    expect((post as Response).status).toBe(400);
    expect(await verified(token)).toBe(false);
  });

  it("starts over for an unknown or expired flow, and keeps GET without a code a 404", async () => {
    const b = browser();
    for (const flow of ["8d3b7a2e-8f0c-4a57-9c1e-3f2b9e5d1a00", "not-a-uuid"]) {
      const res = await b.jar.fetch(
        `${t.publicUrl}/self-service/verification?flow=${flow}&code=123456`,
        html,
      );
      expect(res.status).toBe(303);
      const fresh = await b.api.getVerificationFlow({ id: flowIn(res.headers.get("location")) });
      expect(fresh.state).toBe("choose_method");
      expect(fresh.ui.messages?.map((m) => m.id)).toEqual([4070006]);
    }

    const { flowId, link, token } = await registered("link-expired@example.com");
    await t.core.ctx.db
      .update(selfserviceFlows)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(selfserviceFlows.id, flowId));
    const expired = await b.jar.fetch(link, html);
    expect(expired.status).toBe(303);
    const fresh = await b.api.getVerificationFlow({ id: flowIn(expired.headers.get("location")) });
    expect(fresh.id).not.toBe(flowId);
    expect(fresh.ui.messages?.map((m) => m.id)).toEqual([4070005]);
    const expiredJson = await fetch(link, json);
    expect(expiredJson.status).toBe(410);
    expect(((await expiredJson.json()) as { error: { id: string } }).error.id).toBe(
      "self_service_flow_expired",
    );
    expect(await verified(token)).toBe(false);

    const bare = await fetch(`${t.publicUrl}/self-service/verification?flow=${flowId}`, json);
    expect(bare.status).toBe(404);
    expect(((await bare.json()) as { error: { code: number } }).error.code).toBe(404);
  });
});
