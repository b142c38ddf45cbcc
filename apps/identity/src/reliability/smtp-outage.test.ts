import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MailCatcher, startMailCatcher, startTestCore, type TestCore } from "../testing/index.ts";
import { within, writeSummary } from "./child.ts";

/**
 * SMTP outage at flow level, with the real courier worker and a real SMTP catcher (MailDev):
 * - with the catcher down, registration (which mails a verification code) and recovery still answer
 *   200; their messages stay `queued`, with failed dispatches recorded;
 * - when the catcher comes back on the same port, both are delivered and become `sent`;
 * - with a catcher that never returns, a message is `abandoned` after `courier.message_retries`
 *   failed sends and admins find it with GET /admin/courier/messages?status=abandoned.
 */
const PASSWORD = "a long passphrase 42";
const RETRIES = 5;

describe("SMTP outage", () => {
  let t: TestCore;
  let mail: MailCatcher | undefined;
  let smtpPort: number;
  let webPort: number;
  const stats = { requests: 0, faults: 0, errors: 0, lost: 0 };

  beforeAll(async () => {
    // Start a catcher only to learn its ports, then take it down: SMTP is away from the first send.
    const probe = await startMailCatcher();
    smtpPort = probe.smtpPort;
    webPort = Number(new URL(probe.apiUrl).port);
    await probe.stop();
    stats.faults++;
    t = await startTestCore({
      mail: probe,
      overrides: {
        courier: {
          message_retries: RETRIES,
          worker: { poll_interval: "100ms", retry_backoff: "300ms", retry_backoff_max: "600ms" },
        },
      },
    });
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
    await mail?.stop();
    await writeSummary("smtp-outage", stats);
  });

  const call = async (url: string, init: RequestInit = {}) => {
    stats.requests++;
    const res = await fetch(url, {
      ...init,
      headers: { accept: "application/json", "content-type": "application/json", ...(init.headers ?? {}) },
    });
    const body = (await res.json()) as any;
    if (res.status >= 500) stats.errors++;
    return { status: res.status, body };
  };

  const messagesTo = async (recipient: string) =>
    (await call(`${t.adminUrl}/admin/courier/messages?recipient=${encodeURIComponent(recipient)}`))
      .body as any[];

  async function register(email: string) {
    const flow = await call(`${t.publicUrl}/self-service/registration/api`);
    return call(`${t.publicUrl}/self-service/registration?flow=${flow.body.id}`, {
      method: "POST",
      body: JSON.stringify({ method: "password", password: PASSWORD, traits: { email } }),
    });
  }

  it("registration and recovery answer 200 while SMTP is down; the mail is delivered when it returns", {
    timeout: 30_000,
  }, async () => {
    const email = "outage-back@example.com";
    const registered = await register(email);
    expect(registered.status, JSON.stringify(registered.body)).toBe(200);
    const flow = await call(`${t.publicUrl}/self-service/recovery/api`);
    const recovery = await call(`${t.publicUrl}/self-service/recovery?flow=${flow.body.id}`, {
      method: "POST",
      body: JSON.stringify({ method: "code", email }),
    });
    expect(recovery.status, JSON.stringify(recovery.body)).toBe(200);
    expect(recovery.body.state).toBe("sent_email");

    // Both messages fail at least once and stay queued (not lost, not abandoned yet).
    let queued: any[] = [];
    const failed = await within(10_000, async () => {
      queued = await messagesTo(email);
      return queued.length === 2 && queued.every((m) => m.send_count >= 1);
    });
    expect(failed, JSON.stringify(queued)).toBe(true);
    for (const m of queued) {
      expect(m.status).toBe("queued");
      expect(m.dispatches.some((d: any) => d.status === "failed")).toBe(true);
    }
    expect(queued.map((m) => m.template_type).sort()).toEqual([
      "recovery_code_valid",
      "verification_code_valid",
    ]);

    // The catcher returns on the same port: both are delivered.
    mail = await startMailCatcher({ smtpPort, webPort });
    const verification = await mail.waitFor(email, {
      match: (m) => /verif/i.test(m.subject),
      timeoutMs: 10_000,
    });
    const recoveryMail = await mail.waitFor(email, {
      match: (m) => /recover/i.test(m.subject),
      timeoutMs: 10_000,
    });
    expect(verification.text).toMatch(/\b\d{6}\b/);
    expect(recoveryMail.text).toMatch(/\b\d{6}\b/);
    const sent = await within(5_000, async () => (await messagesTo(email)).every((m) => m.status === "sent"));
    if (!sent) stats.lost++;
    expect(sent).toBe(true);
  });

  it(`a catcher that never returns: abandoned after ${RETRIES} failures and visible to admins`, {
    timeout: 30_000,
  }, async () => {
    await mail?.stop({ abrupt: true });
    mail = undefined;
    stats.faults++;
    const email = "outage-gone@example.com";
    const registered = await register(email);
    expect(registered.status, JSON.stringify(registered.body)).toBe(200);
    let listed: any[] = [];
    const abandoned = await within(15_000, async () => {
      listed = (await call(`${t.adminUrl}/admin/courier/messages?status=abandoned`)).body;
      return listed.some((m) => m.recipient === email);
    });
    expect(abandoned, JSON.stringify(await messagesTo(email))).toBe(true);
    const m = listed.find((x) => x.recipient === email);
    expect(m.status).toBe("abandoned");
    expect(m.send_count).toBe(RETRIES);
    expect(m.dispatches.filter((d: any) => d.status === "failed")).toHaveLength(RETRIES);
    // And it is not retried after that.
    await new Promise((r) => setTimeout(r, 800));
    expect((await messagesTo(email))[0].send_count).toBe(RETRIES);
  });
});
