import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { securityAuditLog } from "../db/security-schema.ts";
import { startTestCore, type TestCore } from "../testing/index.ts";
import { describeAdminWrite } from "./admin-audit.ts";
import { securityJanitor } from "../security/register.ts";
import { get, json, login, post, register } from "../security/testkit.ts";

let t: TestCore;
const PW = "correct horse battery";

beforeAll(async () => {
  t = await startTestCore({ overrides: { security: { rate_limit: { enabled: false } } } });
});
afterAll(() => t?.stop());

async function auditRows(query = ""): Promise<any[]> {
  const res = await fetch(`${t.adminUrl}/admin/olympus/audit${query}`);
  expect(res.status).toBe(200);
  return json(res);
}

describe("audit log", () => {
  it("records sign-ins, failures, registrations, settings changes, session revocations and admin writes", async () => {
    const ua = { "user-agent": "audit-test/1.0" };
    const { id, token } = await register(t.publicUrl, "audited@example.com", PW);
    await login(t.publicUrl, "audited@example.com", "wrong password!", { ip: "203.0.113.77" });
    const ok = await login(t.publicUrl, "audited@example.com", PW, { ip: "203.0.113.77" });
    const flow = await json(await get(`${t.publicUrl}/self-service/settings/api`, { token }));
    await post(
      `${t.publicUrl}/self-service/settings?flow=${flow.id}`,
      { method: "password", password: "a new passphrase 99" },
      { token, headers: ua },
    );
    const other = ok.body.session.id as string;
    const revoke = await fetch(`${t.publicUrl}/sessions/${other}`, {
      method: "DELETE",
      headers: { "x-session-token": token },
    });
    expect(revoke.status).toBe(204);
    const admin = await fetch(`${t.adminUrl}/admin/recovery/code`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-olympus-actor": "root@iam" },
      body: JSON.stringify({ identity_id: id }),
    });
    expect(admin.status).toBe(201);

    const mine = await auditRows(`?target=${id}&page_size=100`);
    const events = mine.map((r) => r.event);
    expect(events).toEqual(
      expect.arrayContaining([
        "registration.succeeded",
        "login.failed",
        "login.succeeded",
        "settings.password.changed",
      ]),
    );
    const failed = mine.find((r) => r.event === "login.failed");
    expect(failed).toMatchObject({ actor: "anonymous", ip_address: "203.0.113.77" });
    expect(failed.metadata).toMatchObject({ reason: "invalid_credentials" });
    expect(mine.find((r) => r.event === "settings.password.changed")).toMatchObject({
      actor: id,
      user_agent: "audit-test/1.0",
    });
    const [adminRow] = await auditRows("?event=admin.recovery.code.create");
    expect(adminRow).toMatchObject({ actor: "admin", metadata: { admin: "root@iam", status: 201 } });
    const revoked = await auditRows(`?event=session.revoked&target=${other}`);
    expect(revoked).toHaveLength(1);
    expect(revoked[0].actor).toBe(id);
    // Nothing secret is written: no password, no token.
    const all = JSON.stringify(await auditRows("?page_size=1000"));
    expect(all).not.toContain(PW);
    expect(all).not.toContain(token);
  });

  it("keeps an event whose long value is cut through an emoji (no lone surrogate reaches jsonb)", async () => {
    const failures = async () =>
      (await auditRows("?event=login.failed&page_size=500")).filter((r) =>
        JSON.stringify(r.metadata).includes("aaaaaaaaaa"),
      ).length;
    const before = await failures();
    // 499 characters, then an emoji (two UTF-16 units) across the 500-character cut.
    const identifier = `${"a".repeat(499)}\u{1F600}bbb`;
    const { res } = await login(t.publicUrl, identifier, "wrong password!", { ip: "203.0.113.78" });
    expect(res.status).toBe(400);
    expect(await failures()).toBe(before + 1);
  });

  it("filters by event prefix, actor and time, newest first, with Ory pagination", async () => {
    await register(t.publicUrl, "paged@example.com", PW);
    const logins = await auditRows("?event=login.*&page_size=1000");
    expect(logins.length).toBeGreaterThan(0);
    expect(logins.every((r) => r.event.startsWith("login."))).toBe(true);
    const times = logins.map((r) => Date.parse(r.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const page = await fetch(`${t.adminUrl}/admin/olympus/audit?page_size=1`);
    expect(page.headers.get("link")).toContain('rel="next"');
    expect(
      (await auditRows(`?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).length,
    ).toBe(0);
    const bad = await fetch(`${t.adminUrl}/admin/olympus/audit?since=yesterday`);
    expect(bad.status).toBe(400);
  });

  it("is append-only: the database refuses to change a row", async () => {
    await expect(
      t.core.ctx.db.update(securityAuditLog).set({ event: "tampered" }).where(sql`true`),
    ).rejects.toThrow();
    const rows = await auditRows("?event=tampered");
    expect(rows).toEqual([]);
  });

  it("the janitor deletes rows older than security.audit.retention", async () => {
    const cfg = t.core.ctx.config.security.audit;
    const before = (await auditRows("?page_size=1000")).length;
    expect(before).toBeGreaterThan(0);
    const retention = cfg.retention;
    cfg.retention = 0;
    try {
      await new Promise((r) => setTimeout(r, 5));
      const { audit } = await securityJanitor(t.core.ctx);
      expect(audit).toBeGreaterThanOrEqual(before);
    } finally {
      cfg.retention = retention;
    }
    expect(await auditRows()).toEqual([]);
  });

  it("names admin writes after their route", () => {
    expect(describeAdminWrite("DELETE", "/admin/identities/:id", "/admin/identities/abc")).toMatchObject({
      event: "admin.identities.delete",
      target: "abc",
    });
    expect(describeAdminWrite("PATCH", "/clients/:id", "/clients/my%20client")).toMatchObject({
      event: "admin.clients.update",
      target: "my client",
    });
  });
});
