import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, startTestCore, type TestCore } from "../testing/index.ts";
import { securityAuditLog, securityLoginThrottles } from "../db/security-schema.ts";
import { eq } from "drizzle-orm";
import { json, login, messageIds, register } from "./testkit.ts";

let t: TestCore;
const hashes = { verify: 0, burn: 0 };
const PW = "correct horse battery";

beforeAll(async () => {
  t = await startTestCore({
    overrides: {
      security: {
        brute_force: { max_attempts: 3, window: "10m", lockout_duration: "15m", ip_max_attempts: 8 },
        rate_limit: { enabled: false },
      },
    },
  });
  // Count password checks: a locked identifier must not cost (or leak) one.
  const h = t.core.ctx.hasher;
  const verify = h.verify.bind(h);
  const burn = h.burn.bind(h);
  h.verify = (p: string, hash: string) => {
    hashes.verify++;
    return verify(p, hash);
  };
  h.burn = (p: string) => {
    hashes.burn++;
    return burn(p);
  };
});
afterAll(() => t?.stop());

// burn() verifies against a dummy hash, so every password check shows up as one verify().
const checks = () => hashes.verify;

describe("login lockout", () => {
  it("locks an identifier after max_attempts failures and refuses even the right password, without checking it", async () => {
    await register(t.publicUrl, "locked@example.com", PW);
    const ip = "203.0.113.1";
    for (let i = 0; i < 3; i++) {
      const { res, body } = await login(t.publicUrl, "locked@example.com", "wrong password!", { ip });
      expect(res.status).toBe(400);
      expect(messageIds(body)).toEqual([4000006]);
    }
    const before = checks();
    const { res, body } = await login(t.publicUrl, "Locked@Example.com", PW, { ip });
    expect(checks()).toBe(before);
    expect(res.status).toBe(400);
    expect(messageIds(body)).toEqual([4000100]);
    const msg = body.ui.messages[0];
    expect(msg.text).toMatch(/^Too many failed sign-in attempts\. Try again in 15 minutes\.$/);
    expect(msg.context.retry_after_seconds).toBeGreaterThan(890);
    expect(Date.parse(msg.context.locked_until)).toBeGreaterThan(Date.now() + 890_000);
    expect(Number(res.headers.get("retry-after"))).toBe(msg.context.retry_after_seconds);
    const audit = await t.core.ctx.db
      .select()
      .from(securityAuditLog)
      .where(eq(securityAuditLog.event, "lockout.created"));
    expect(audit.some((r) => (r.metadata as { key?: string }).key === "locked@example.com")).toBe(true);
  });

  it("a browser flow asking for JSON gets the lock message and Retry-After too; a form post gets a 303", async () => {
    await register(t.publicUrl, "browser-locked@example.com", PW);
    const ip = "203.0.113.40";
    const jar = new CookieJar();
    const init = await jar.fetch(`${t.publicUrl}/self-service/login/browser`, {
      headers: { accept: "application/json", "x-forwarded-for": ip },
    });
    const flow = (await json(init)) as { id: string; ui: { nodes: any[] } };
    const csrf = flow.ui.nodes.find((n) => n.attributes.name === "csrf_token").attributes.value as string;
    const submit = (password: string) =>
      jar.fetch(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", "x-forwarded-for": ip },
        body: JSON.stringify({
          csrf_token: csrf,
          method: "password",
          identifier: "browser-locked@example.com",
          password,
        }),
      });
    for (let i = 0; i < 3; i++) {
      const res = await submit("wrong password!");
      expect(res.status).toBe(400);
      expect(res.headers.get("retry-after")).toBeNull();
      expect(messageIds(await json(res))).toEqual([4000006]);
    }
    const locked = await submit(PW);
    expect(locked.status).toBe(400);
    const body = await json(locked);
    expect(messageIds(body)).toEqual([4000100]);
    const retryAfter = Number(locked.headers.get("retry-after"));
    expect(retryAfter).toBe(body.ui.messages[0].context.retry_after_seconds);
    expect(retryAfter).toBeGreaterThan(890);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(jar.get("olympus_test_session")).toBeUndefined();

    // A plain form post is sent back to the login UI, where the message is shown.
    const form = await jar.fetch(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "text/html",
        "x-forwarded-for": ip,
      },
      body: new URLSearchParams({
        csrf_token: csrf,
        method: "password",
        identifier: "browser-locked@example.com",
        password: PW,
      }),
    });
    expect(form.status).toBe(303);
    expect(form.headers.get("location")).toBe(`http://localhost:4455/login?flow=${flow.id}`);
    expect(jar.get("olympus_test_session")).toBeUndefined();
    const shown = await jar.fetch(`${t.publicUrl}/self-service/login/flows?id=${flow.id}`, {
      headers: { accept: "application/json" },
    });
    expect(messageIds(await json(shown))).toEqual([4000100]);
  });

  it("treats unknown identifiers exactly like known ones, and an unlocked unknown one still costs a hash", async () => {
    await register(t.publicUrl, "known@example.com", PW);
    const answers: { status: number; ids: number[] }[][] = [[], []];
    for (const [i, who] of ["known@example.com", "nobody@example.com"].entries()) {
      for (let n = 0; n < 4; n++) {
        const before = checks();
        const { res, body } = await login(t.publicUrl, who, "wrong password!", { ip: `203.0.113.${10 + i}` });
        answers[i]!.push({ status: res.status, ids: messageIds(body) });
        // The first three are checked (a hash each, real or burnt); the locked fourth is not.
        expect(checks() - before).toBe(n < 3 ? 1 : 0);
      }
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]!.at(-1)!.ids).toEqual([4000100]);
  });

  it("a successful sign-in clears the identifier's counter", async () => {
    await register(t.publicUrl, "clears@example.com", PW);
    const ip = "203.0.113.20";
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2; i++) await login(t.publicUrl, "clears@example.com", "wrong password!", { ip });
      const ok = await login(t.publicUrl, "clears@example.com", PW, { ip });
      expect(ok.res.status).toBe(200);
    }
  });

  it("concurrent sign-ins of one account with its password all succeed and leave no count behind", async () => {
    // The counting upsert and the clearing statement once took the identifier's and the address'
    // rows in opposite orders: concurrent sign-ins deadlocked (500), and the counts they left locked
    // the account of someone who never typed a wrong password. (At most max_attempts at once: more
    // concurrent attempts lock the identifier by design, each taking its slot before the check.)
    await register(t.publicUrl, "together@example.com", PW);
    const ip = "203.0.113.77";
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 3 }, async () => {
        for (let i = 0; i < 50; i++)
          statuses.push((await login(t.publicUrl, "together@example.com", PW, { ip })).res.status);
      }),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const left = await t.core.ctx.db
      .select()
      .from(securityLoginThrottles)
      .where(eq(securityLoginThrottles.key, "together@example.com"));
    expect(left).toEqual([]);
  });

  it("concurrent guesses cannot exceed the limit: each takes its slot before the password check", async () => {
    await register(t.publicUrl, "race@example.com", PW);
    const before = hashes.verify;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        login(t.publicUrl, "race@example.com", `wrong password ${i}`, { ip: `198.51.100.${i + 1}` }),
      ),
    );
    expect(hashes.verify - before).toBeLessThanOrEqual(3);
    expect(results.filter((r) => messageIds(r.body).includes(4000100)).length).toBeGreaterThanOrEqual(5);
  });

  it("locks a client address after ip_max_attempts failures across identifiers", async () => {
    const ip = "192.0.2.50";
    for (let i = 0; i < 8; i++) await login(t.publicUrl, `spray${i}@example.com`, "wrong password!", { ip });
    await register(t.publicUrl, "victim@example.com", PW);
    const blocked = await login(t.publicUrl, "victim@example.com", PW, { ip });
    expect(messageIds(blocked.body)).toEqual([4000100]);
    const elsewhere = await login(t.publicUrl, "victim@example.com", PW, { ip: "192.0.2.51" });
    expect(elsewhere.res.status).toBe(200);
  });

  it("admins list active locks and unlock an identifier (204, audited); sign-in works again", async () => {
    await register(t.publicUrl, "unlock-me@example.com", PW);
    const ip = "203.0.113.30";
    for (let i = 0; i < 3; i++) await login(t.publicUrl, "unlock-me@example.com", "wrong password!", { ip });
    const list = await fetch(`${t.adminUrl}/admin/olympus/lockouts?page_size=500`);
    expect(list.status).toBe(200);
    const rows = (await json(list)) as any[];
    const row = rows.find((r) => r.identifier === "unlock-me@example.com");
    expect(row).toMatchObject({ type: "identifier", attempts: 3, last_ip_address: ip });
    expect(Date.parse(row.locked_until)).toBeGreaterThan(Date.now());

    const del = await fetch(
      `${t.adminUrl}/admin/olympus/lockouts/${encodeURIComponent("Unlock-Me@example.com")}`,
      {
        method: "DELETE",
        headers: { "x-olympus-actor": "admin@demo.user" },
      },
    );
    expect(del.status).toBe(204);
    const again = await fetch(`${t.adminUrl}/admin/olympus/lockouts/unlock-me%40example.com`, {
      method: "DELETE",
    });
    expect(again.status).toBe(404);
    const audit = await t.core.ctx.db
      .select()
      .from(securityAuditLog)
      .where(eq(securityAuditLog.event, "lockout.removed"));
    expect(audit[0]).toMatchObject({ actor: "admin" });
    expect(audit[0]!.metadata).toMatchObject({ admin: "admin@demo.user", key: "unlock-me@example.com" });
    const ok = await login(t.publicUrl, "unlock-me@example.com", PW, { ip });
    expect(ok.res.status).toBe(200);
  });
});
