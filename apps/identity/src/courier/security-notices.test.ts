import { readFileSync } from "node:fs";
import { Secret, TOTP } from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { get, json, login, node, post, registerVerified } from "../security/testkit.ts";
import {
  fixtureSchemaPath,
  type MailCatcher,
  startMailCatcher,
  startTestCore,
  type TestCore,
} from "../testing/index.ts";
import { EMAIL_LOCALES } from "./locale.ts";
import { emailMessages } from "./messages.ts";

/*
 * Security notices through the real courier to a real SMTP catcher (MailDev): a password change, a
 * second factor added or removed, and a sign-in lockout are mailed to the account's owner, in the
 * identity's language.
 */

const schema = JSON.parse(readFileSync(fixtureSchemaPath, "utf8"));
schema.properties.traits.properties.locale = { type: "string", title: "Language", maxLength: 35 };
const schemaUrl = `base64://${Buffer.from(JSON.stringify(schema)).toString("base64")}`;
const PW = "correct horse battery";

let mail: MailCatcher;
let t: TestCore;

beforeAll(async () => {
  mail = await startMailCatcher();
  t = await startTestCore({
    mail,
    overrides: {
      identity: { default_schema_id: "default", schemas: [{ id: "default", url: schemaUrl }] },
      selfservice: { methods: { totp: { enabled: true }, lookup_secret: { enabled: true } } },
      secrets: { cipher: ["0123456789abcdef0123456789abcdef"] },
      security: {
        rate_limit: { enabled: false },
        brute_force: { max_attempts: 3, lockout_duration: "15m", ip_max_attempts: 1000 },
      },
    },
  });
});
afterAll(async () => {
  await t?.stop();
  await mail?.stop();
});

async function settingsFlow(token: string): Promise<any> {
  return json(await get(`${t.publicUrl}/self-service/settings/api`, { token }));
}

async function submit(token: string, body: Record<string, unknown>): Promise<Response> {
  const flow = await settingsFlow(token);
  const res = await post(`${t.publicUrl}/self-service/settings?flow=${flow.id}`, body, { token });
  expect(res.status).toBe(200);
  return res;
}

const bySubject = (email: string, re: RegExp) => mail.waitFor(email, { match: (m) => re.test(m.subject) });

describe("security notices (through MailDev)", () => {
  it("mails the owner when the password is changed", async () => {
    const email = "pw-notice@example.com";
    const { token } = await registerVerified(t.publicUrl, t.adminUrl, email, PW);
    const before = Date.now();
    await submit(token, { method: "password", password: "another fine passphrase" });
    const m = await bySubject(email, /password was changed/);
    expect(m.subject).toBe("Olympus TEST: your password was changed");
    expect(m.text).toMatch(/^The password of your account was changed on \d{4}-\d\d-\d\d \d\d:\d\d UTC\.\n/);
    const at = Date.parse(`${/on (\S+ \S+) UTC/.exec(m.text!)![1]!.replace(" ", "T")}Z`);
    expect(Math.abs(at - before)).toBeLessThan(120_000);
    expect(m.text).toContain("If this was not you, recover your account now");
    expect(m.html).toContain("Your password was changed");
    // A security notice is not something to "ignore".
    expect(m.html).not.toContain("you can ignore this email");
  });

  it("mails the owner when a second factor is added and when it is removed", async () => {
    const email = "factor-notice@example.com";
    const { token } = await registerVerified(t.publicUrl, t.adminUrl, email, PW);
    const flow = await settingsFlow(token);
    const secret = node(flow, "totp_secret_key").attributes.text.context.secret as string;
    const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" });
    const linked = await post(
      `${t.publicUrl}/self-service/settings?flow=${flow.id}`,
      { method: "totp", totp_code: totp.generate() },
      { token },
    );
    expect(linked.status).toBe(200);
    const added = await bySubject(email, /second factor was added/);
    expect(added.text).toContain("An authenticator app was added to your account as a second factor on ");

    await submit(token, { method: "totp", totp_unlink: true });
    const removed = await bySubject(email, /second factor was removed/);
    expect(removed.text).toContain("An authenticator app was removed from your account on ");

    // Backup codes: shown, then confirmed, is "added".
    const codesFlow = await settingsFlow(token);
    const shown = await post(
      `${t.publicUrl}/self-service/settings?flow=${codesFlow.id}`,
      { method: "lookup_secret", lookup_secret_regenerate: true },
      { token },
    );
    expect(shown.status).toBe(200);
    const confirmed = await post(
      `${t.publicUrl}/self-service/settings?flow=${codesFlow.id}`,
      { method: "lookup_secret", lookup_secret_confirm: true },
      { token },
    );
    expect(confirmed.status).toBe(200);
    const codes = await mail.waitFor(email, {
      match: (m) => /second factor was added/.test(m.subject) && m.id !== added.id,
    });
    expect(codes.text).toContain("A set of backup codes was added to your account");
  });

  it("mails the owner once when sign-in is locked, in the identity's language", async () => {
    const email = "gesperrt@example.com";
    await registerVerified(t.publicUrl, t.adminUrl, email, PW);
    const patched = await fetch(
      `${t.adminUrl}/admin/identities/${(await login(t.publicUrl, email, PW)).body.session.identity.id}`,
      {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify([{ op: "add", path: "/traits/locale", value: "de" }]),
      },
    );
    expect(patched.status).toBe(200);
    for (let i = 0; i < 4; i++) await login(t.publicUrl, email, "wrong password!");
    const m = await bySubject(email, /gesperrt/);
    expect(m.subject).toBe("Olympus TEST: Die Anmeldung bei Ihrem Konto ist gesperrt");
    expect(m.text).toContain("für 15 Minuten gesperrt");
    expect(m.html).toContain('<html lang="de">');
    // Further failures while locked send nothing more.
    await login(t.publicUrl, email, "wrong password!");
    await new Promise((r) => setTimeout(r, 1000));
    const all = (await mail.list()).filter(
      (x) => x.to.some((a) => a.address === email) && /gesperrt/.test(x.subject),
    );
    expect(all).toHaveLength(1);
  });

  it("nobody is mailed when an unknown identifier is locked", async () => {
    const before = (await mail.list()).length;
    for (let i = 0; i < 4; i++) await login(t.publicUrl, "nobody-here@example.com", "wrong password!");
    await new Promise((r) => setTimeout(r, 1000));
    expect((await mail.list()).length).toBe(before);
  });
});

describe("security notice texts", () => {
  it("exist in every language the courier writes, each its own", () => {
    for (const locale of EMAIL_LOCALES) {
      const m = emailMessages[locale];
      for (const s of [
        m.passwordChangedSubject("B"),
        m.passwordChangedBody("T"),
        m.factorAddedBody(m.factorNames.totp, "T"),
        m.factorRemovedBody(m.factorNames.lookup_secret, "T"),
        m.lockedBody(15),
        m.notYou,
      ]) {
        expect(s.length).toBeGreaterThan(10);
      }
      if (locale !== "en") {
        expect(m.passwordChangedHeading).not.toBe(emailMessages.en.passwordChangedHeading);
        expect(m.notYou).not.toBe(emailMessages.en.notYou);
        expect(m.lockedBody(15)).toContain("15");
      }
    }
  });
});
