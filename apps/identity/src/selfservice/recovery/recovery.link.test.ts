import { Configuration, FrontendApi, type RecoveryFlow } from "@ory/client-fetch";
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
 * Recovery mails carry the code and a link that submits it: GET
 * `<public base_url>/self-service/recovery?flow=<id>&code=<code>` signs in (privileged session) and
 * lands on the settings UI, as the code form does. Mails are read from real SMTP delivery (MailDev).
 */

const json = { headers: { accept: "application/json" } };
const html = { headers: { accept: "text/html" } };
const SESSION = "olympus_test_session";
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

function browser() {
  const jar = new CookieJar();
  return {
    jar,
    api: new FrontendApi(
      new Configuration({ basePath: t.publicUrl, fetchApi: jar.fetch, credentials: "include" }),
    ),
  };
}

async function register(email: string): Promise<string> {
  const flow = await api.createNativeRegistrationFlow();
  const res = await api.updateRegistrationFlow({
    flow: flow.id,
    updateRegistrationFlowBody: { method: "password", password: "correct horse battery", traits: { email } },
  });
  return res.identity.id;
}

/** A registered `email` and a browser recovery flow in sent_email for it, with the mailed code and link. */
async function codeSent(email: string) {
  const identityId = await register(email);
  const b = browser();
  const flow = await b.api.createBrowserRecoveryFlow({}, json);
  await b.api.updateRecoveryFlow({
    flow: flow.id,
    updateRecoveryFlowBody: { method: "code", email, csrf_token: csrfOf(flow) },
  });
  const m = await mail.waitFor(email, { match: (x) => /recover access/i.test(x.subject) });
  return { b, identityId, flowId: flow.id, mail: m, code: extractCode(m), link: linkOf(m, "recovery") };
}

const wrongOf = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

/** Follows `link` in `b` and expects the settings UI with a recovered session for `identityId`. */
async function expectRecovered(b: ReturnType<typeof browser>, link: string, identityId: string) {
  const res = await b.jar.fetch(link, html);
  expect(res.status).toBe(303);
  const to = new URL(res.headers.get("location")!);
  expect(to.origin + to.pathname).toBe("http://localhost:4455/settings");
  const who = await b.api.toSession();
  expect(who.identity?.id).toBe(identityId);
  expect(who.authentication_methods?.map((m) => m.method)).toEqual(["code_recovery"]);
  // The settings flow opens in the privileged window, ready for a new password.
  const settings = await b.api.getSettingsFlow({ id: to.searchParams.get("flow")! });
  expect(settings.ui.messages?.[0]?.id).toBe(1060001);
  const done = await b.api.updateSettingsFlow({
    flow: settings.id,
    updateSettingsFlowBody: {
      method: "password",
      password: "a brand new passphrase",
      csrf_token: csrfOf(settings),
    },
  });
  expect(done.state).toBe("success");
}

describe("recovery link", () => {
  it("is in the text and HTML mail next to the code, and signs in to settings", async () => {
    const { b, identityId, flowId, code, link, mail: m } = await codeSent("rlink-mail@example.com");
    expect(link).toBe(`${t.core.ctx.rt.publicBaseUrl}self-service/recovery?flow=${flowId}&code=${code}`);
    const lines = m.text!.split("\n");
    expect(lines.indexOf(link)).toBeGreaterThan(lines.indexOf(code));
    expect(lines.indexOf(code)).toBeGreaterThan(-1);
    expect(m.html).toContain(`href="${link.replace("&", "&amp;")}"`);
    await expectRecovered(b, link, identityId);

    // Used: following it again starts over with "already completed".
    const again = await b.jar.fetch(link, html);
    expect(again.status).toBe(303);
    const fresh = await b.api.getRecoveryFlow({ id: flowIn(again.headers.get("location")) });
    expect(fresh.id).not.toBe(flowId);
    expect(fresh.ui.messages?.map((m) => m.id)).toEqual([4060001]);
  });

  it("signs in only the browser that asked: elsewhere (another browser, a mail scanner, a victim sent an attacker's link) nothing is submitted", async () => {
    const { b, identityId, flowId, link } = await codeSent("rlink-other@example.com");
    for (const other of [browser(), browser()]) {
      const res = await other.jar.fetch(link, html);
      expect(res.status).toBe(303);
      const fresh = await other.api.getRecoveryFlow({ id: flowIn(res.headers.get("location")) });
      expect(fresh.id).not.toBe(flowId);
      expect(fresh.ui.messages?.map((m) => m.id)).toEqual([4060900]);
      expect(other.jar.get(SESSION)).toBeUndefined();
    }
    // A bare fetch without any cookie (a scanner) neither: no session cookie is set.
    const scanner = await fetch(link, { ...html, redirect: "manual" });
    expect(scanner.status).toBe(303);
    expect(scanner.headers.getSetCookie().some((c) => c.startsWith(`${SESSION}=`))).toBe(false);
    // The flow is untouched: still waiting, still bound to its browser, no attempt counted.
    const flow = await b.api.getRecoveryFlow({ id: flowId });
    expect(flow.state).toBe("sent_email");
    const [row] = await t.core.ctx.db
      .select({ data: selfserviceFlows.data })
      .from(selfserviceFlows)
      .where(eq(selfserviceFlows.id, flowId));
    expect((row!.data as { submit_count?: number }).submit_count ?? 0).toBe(0);
    // And the link still works where it was asked for.
    await expectRecovered(b, link, identityId);
  });

  it("mails a native app's flow the code alone: there is no browser to open a link in", async () => {
    await register("rlink-native@example.com");
    const flow = await api.createNativeRecoveryFlow();
    await api.updateRecoveryFlow({
      flow: flow.id,
      updateRecoveryFlowBody: { method: "code", email: "rlink-native@example.com" },
    });
    const m = await mail.waitFor("rlink-native@example.com", { match: (x) => /recover/i.test(x.subject) });
    expect(extractCode(m)).toMatch(/^\d{6}$/);
    expect(m.text).not.toContain("/self-service/recovery?");
    expect(m.html).not.toContain("/self-service/recovery?");
    expect(m.text).toContain("The code is valid for");
    // A hand-made link for it is refused like one opened in another browser.
    const b = browser();
    const res = await b.jar.fetch(
      `${t.publicUrl}/self-service/recovery?flow=${flow.id}&code=${extractCode(m)}`,
      html,
    );
    expect(res.status).toBe(303);
    const fresh = await b.api.getRecoveryFlow({ id: flowIn(res.headers.get("location")) });
    expect(fresh.ui.messages?.map((x) => x.id)).toEqual([4060900]);
    expect(b.jar.get(SESSION)).toBeUndefined();
  });

  it("counts a wrong code toward the five attempts exactly like a POST", async () => {
    const { b, flowId, code, link } = await codeSent("rlink-attempts@example.com");
    for (let i = 0; i < 4; i++) {
      const res = await b.jar.fetch(withCode(link, wrongOf(code)), html);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe(`http://localhost:4455/recovery?flow=${flowId}`);
      const flow = await b.api.getRecoveryFlow({ id: flowId });
      expect(flow.state).toBe("sent_email");
      expect(flow.ui.messages?.map((m) => m.id)).toEqual([4060006]);
      expect(b.jar.get(SESSION)).toBeUndefined();
    }
    const fifth = await b.api.updateRecoveryFlow({
      flow: flowId,
      updateRecoveryFlowBody: {
        method: "code",
        code: wrongOf(code),
        csrf_token: csrfOf(await b.api.getRecoveryFlow({ id: flowId })),
      },
    });
    expect(fifth.ui.messages?.map((m) => m.id)).toEqual([4060006]);
    // The sixth submission, by link with the right code: refused, a new flow offered, no session.
    const sixth = await b.jar.fetch(link, html);
    expect(sixth.status).toBe(303);
    const fresh = await b.api.getRecoveryFlow({ id: flowIn(sixth.headers.get("location")) });
    expect(fresh.id).not.toBe(flowId);
    expect(fresh.state).toBe("choose_method");
    expect(fresh.ui.messages?.map((m) => m.id)).toEqual([4000001]);
    expect(b.jar.get(SESSION)).toBeUndefined();
  });

  it("starts over for an unknown or expired flow; without a code the admin link rules still apply", async () => {
    const b = browser();
    const unknown = await b.jar.fetch(
      `${t.publicUrl}/self-service/recovery?flow=8d3b7a2e-8f0c-4a57-9c1e-3f2b9e5d1a00&code=123456`,
      html,
    );
    expect(unknown.status).toBe(303);
    const fresh = await b.api.getRecoveryFlow({ id: flowIn(unknown.headers.get("location")) });
    expect(fresh.ui.messages?.map((m) => m.id)).toEqual([4060006]);

    const { flowId, link } = await codeSent("rlink-expired@example.com");
    await t.core.ctx.db
      .update(selfserviceFlows)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(selfserviceFlows.id, flowId));
    const expired = await b.jar.fetch(link, html);
    expect(expired.status).toBe(303);
    const next = (await b.api.getRecoveryFlow({
      id: flowIn(expired.headers.get("location")),
    })) as RecoveryFlow;
    expect(next.id).not.toBe(flowId);
    expect(next.ui.messages?.map((m) => m.id)).toEqual([4060005]);
    const expiredJson = await fetch(link, json);
    expect(expiredJson.status).toBe(410);
    expect(b.jar.get(SESSION)).toBeUndefined();

    // No code and no token: the admin-link endpoint's answer, as before.
    const bare = await fetch(`${t.publicUrl}/self-service/recovery?flow=${flowId}`, json);
    expect(bare.status).toBe(400);
    expect(((await bare.json()) as { error: { code: number } }).error.code).toBe(400);
  });
});
