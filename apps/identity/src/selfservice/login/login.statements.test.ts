import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCore, type TestCore } from "../../testing/index.ts";

/*
 * What one password sign-in costs the database, counted at drizzle's logger (every statement the
 * core sends): creating the flow, then submitting identifier and password until the session is issued.
 * docs/performance.md records the figures; these bounds keep them from creeping back.
 */

let t: TestCore;
beforeAll(async () => {
  t = await startTestCore();
});
afterAll(() => t?.stop());

// A client behind the core's trusted proxy (loopback): its own address is counted too.
const headers = {
  accept: "application/json",
  "content-type": "application/json",
  "x-forwarded-for": "203.0.113.9",
};

async function measure(fn: () => Promise<void>) {
  const tables: string[] = [];
  const writeObserver = t.core.ctx.db.$olympus.writes;
  const stop = writeObserver.onTableWrite((table, op) => tables.push(`${op} ${table}`));
  const before = { statements: writeObserver.statements, writes: writeObserver.writes };
  try {
    await fn();
  } finally {
    stop();
  }
  return {
    statements: writeObserver.statements - before.statements,
    writes: writeObserver.writes - before.writes,
    tables,
  };
}

async function register(email: string, password: string) {
  const res = await fetch(`${t.publicUrl}/self-service/registration/api`, { headers });
  const flow = (await res.json()) as { id: string };
  const done = await fetch(`${t.publicUrl}/self-service/registration?flow=${flow.id}`, {
    method: "POST",
    headers,
    body: JSON.stringify({ method: "password", password, traits: { email } }),
  });
  expect(done.status).toBe(200);
}

async function login(identifier: string, password: string) {
  let flowId = "";
  let status = 0;
  const created = await measure(async () => {
    const res = await fetch(`${t.publicUrl}/self-service/login/api`, { headers });
    expect(res.status).toBe(200);
    flowId = ((await res.json()) as { id: string }).id;
  });
  const submitted = await measure(async () => {
    const res = await fetch(`${t.publicUrl}/self-service/login?flow=${flowId}`, {
      method: "POST",
      headers,
      body: JSON.stringify({ method: "password", identifier, password }),
    });
    status = res.status;
    await res.arrayBuffer();
  });
  return { created, submitted, status };
}

describe("statements per password sign-in", () => {
  it("at most 8 statements, 4 of them writes: flow, both counters, their clearing, session with flow and audit row", async () => {
    await register("statements@example.com", "correct horse battery");
    const { created, submitted, status } = await login("statements@example.com", "correct horse battery");
    expect(status).toBe(200);
    expect(created.statements + submitted.statements).toBeLessThanOrEqual(8);
    expect(created.writes + submitted.writes).toBe(4);
    // Every table written is seen (the session cache and the change feed rely on it), CTEs included.
    expect(created.tables).toEqual(["insert selfservice_flows"]);
    expect(submitted.tables).toEqual([
      "insert security_login_throttles",
      "delete security_login_throttles",
      "update security_login_throttles",
      "update selfservice_flows",
      "insert security_audit_log",
      "insert sessions",
    ]);
  });

  it("a wrong password: the counters, the lock check and the audit row, no session", async () => {
    await register("statements-wrong@example.com", "correct horse battery");
    const { submitted, status } = await login("statements-wrong@example.com", "not the password");
    expect(status).toBe(400);
    expect(submitted.tables).not.toContain("insert sessions");
    expect(submitted.tables.filter((w) => w === "insert security_audit_log")).toHaveLength(1);
  });
});
