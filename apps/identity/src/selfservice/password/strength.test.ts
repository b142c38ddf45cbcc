import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { get, json, node, post, register } from "../../security/testkit.ts";
import { startTestCore, type TestCore } from "../../testing/index.ts";
import { passwordStrength } from "./strength.ts";

/**
 * Red-team finding 6: `password`, `12345678` and `aaaaaaaa` were accepted. The offline estimator
 * (zxcvbn-ts, common-password + English dictionaries) refuses them with no network — the test core
 * runs with the breached-password check off, as an offline deployment would — on sign-up and in
 * settings, with Kratos' policy message 4000005. The seed walkthrough's password still works.
 */

let t: TestCore;

beforeAll(async () => {
  t = await startTestCore({ overrides: { security: { rate_limit: { enabled: false } } } });
});
afterAll(() => t?.stop());

const WEAK = ["password", "12345678", "aaaaaaaa", "qwertyuiop", "Password1", "iloveyou12", "P@ssw0rd!"];

async function signUp(email: string, password: string) {
  const flow = await json(await get(`${t.publicUrl}/self-service/registration/api`));
  const res = await post(`${t.publicUrl}/self-service/registration?flow=${flow.id}`, {
    method: "password",
    password,
    traits: { email },
  });
  return { res, body: await json(res) };
}

describe("offline password strength", () => {
  it("is on by default (score 3) with no network", () => {
    const cfg = t.core.ctx.config.selfservice.methods.password.config;
    expect(cfg.min_password_score).toBe(3);
    expect(cfg.haveibeenpwned_enabled).toBe(false);
  });

  it("refuses common and trivial passwords at sign-up with 4000005, creating nothing", async () => {
    for (const [i, password] of WEAK.entries()) {
      const { res, body } = await signUp(`weak${i}@example.com`, password);
      expect(res.status, password).toBe(400);
      const msg = node(body, "password").messages[0];
      expect(msg, password).toMatchObject({ id: 4000005, type: "error" });
      expect(msg.text).toMatch(/^The password can not be used because it is too easy to guess/);
      expect(msg.context.reason).toMatch(/too easy to guess/);
    }
    const list = await (
      await fetch(`${t.adminUrl}/admin/identities?credentials_identifier=weak0@example.com`)
    ).json();
    expect(list).toEqual([]);
  });

  it("accepts the seed walkthrough's password and ordinary passphrases", async () => {
    for (const [i, password] of [
      "CustomerTest123!",
      "correct horse battery",
      "Right-password-2026!",
    ].entries()) {
      const { res } = await signUp(`strong${i}@example.com`, password);
      expect(res.status, password).toBe(200);
    }
  });

  it("refuses a weak new password in settings too", async () => {
    const { token } = await register(t.publicUrl, "settings-weak@example.com", "a long passphrase 42");
    const flow = await json(await get(`${t.publicUrl}/self-service/settings/api`, { token }));
    const res = await post(
      `${t.publicUrl}/self-service/settings?flow=${flow.id}`,
      { method: "password", password: "12345678" },
      { token },
    );
    expect(res.status).toBe(400);
    expect(node(await json(res), "password").messages[0]).toMatchObject({ id: 4000005 });
  });

  it("counts the user's own identifiers as known words", async () => {
    const plain = await passwordStrength("kallisto-vega");
    const knowing = await passwordStrength("kallisto-vega", ["kallisto.vega@example.com"]);
    expect(plain.score).toBeGreaterThanOrEqual(3);
    expect(knowing.score).toBeLessThan(3);
  });

  it("the minimum score is the operator's: 0 turns the check off", async () => {
    const cfg = t.core.ctx.config.selfservice.methods.password.config;
    cfg.min_password_score = 0;
    try {
      expect((await signUp("weak-allowed@example.com", "aaaaaaaa")).res.status).toBe(200);
    } finally {
      cfg.min_password_score = 3;
    }
  });

  it("publishes the policy and checks a password for Hera and Athena (admin API)", async () => {
    const rules = await (await fetch(`${t.adminUrl}/admin/olympus/password-policy`)).json();
    expect(rules).toMatchObject({
      min_length: 8,
      min_score: 3,
      identifier_similarity_check: true,
      breached_check: false,
    });
    const check = (password: string, identifiers?: string[]) =>
      fetch(`${t.adminUrl}/admin/olympus/password-policy/check`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ password, ...(identifiers ? { identifiers } : {}) }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const weak = await check("password");
    expect(weak.status).toBe(200);
    expect(weak.body.valid).toBe(false);
    expect(weak.body.messages[0]).toMatchObject({ id: 4000005 });
    expect((await check("short")).body.messages[0]).toMatchObject({ id: 4000032 });
    expect((await check("CustomerTest123!")).body).toEqual({ valid: true, messages: [] });
    const bad = await fetch(`${t.adminUrl}/admin/olympus/password-policy/check`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ password: 42 }),
    });
    expect(bad.status).toBe(400);
  });
});
