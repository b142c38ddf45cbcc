import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionCache } from "../session/session.ts";
import { startTestCore, type TestCore } from "../testing/index.ts";

// Per-core state lives on the core (its context and its database handle), never in a module: two
// cores in one process share none of it, and what one writes is seen by its own caches only.
describe("two cores in one process", () => {
  let a: TestCore;
  let b: TestCore;
  beforeAll(async () => {
    [a, b] = await Promise.all([startTestCore(), startTestCore()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("have their own database state, caches, metrics, strategies and overrides", () => {
    const [x, y] = [a.core.ctx, b.core.ctx];
    expect(x.db.$olympus).toBe(x.database.state);
    expect(x.db.$olympus).not.toBe(y.db.$olympus);
    expect(x.db.$olympus.writes).not.toBe(y.db.$olympus.writes);
    expect(sessionCache(x.db)).toBe(sessionCache(x.db));
    expect(sessionCache(x.db)).not.toBe(sessionCache(y.db));
    expect(x.metrics.registry).not.toBe(y.metrics.registry);
    expect(x.overrides).not.toBe(y.overrides);
    expect(x.strategies).not.toBe(y.strategies);
    expect(x.loginFlows).not.toBe(y.loginFlows);
    expect(x.loginFlows).not.toBe(y.loginFlows);
    expect(a.core.oauth2.o2.backchannelInFlight).not.toBe(b.core.oauth2.o2.backchannelInFlight);
  });

  it("hear only their own writes", async () => {
    const heard = { a: [] as string[], b: [] as string[] };
    const stopA = a.core.ctx.db.$olympus.writes.onTableWrite((table, op) => heard.a.push(`${op} ${table}`));
    const stopB = b.core.ctx.db.$olympus.writes.onTableWrite((table, op) => heard.b.push(`${op} ${table}`));
    try {
      const res = await fetch(`${a.adminUrl}/admin/identities`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ schema_id: "default", traits: { email: "two-cores@example.com" } }),
      });
      expect(res.status).toBe(201);
    } finally {
      stopA();
      stopB();
    }
    expect(heard.a).toContain("insert identities");
    // B's own workers (courier, janitors) may write meanwhile; A's insert is never heard there.
    expect(heard.b).not.toContain("insert identities");
  });

  it("close what their database handle kept when they stop", async () => {
    const c = await startTestCore();
    const state = c.core.ctx.db.$olympus;
    sessionCache(c.core.ctx.db);
    expect(state.cacheStats.size).toBeGreaterThan(0);
    await c.stop();
    expect(state.cacheStats.size).toBe(0);
  }, 60_000);
});
