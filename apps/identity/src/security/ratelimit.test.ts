import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCore, type TestCore } from "../testing/index.ts";
import { get, json, post } from "./testkit.ts";
import { TokenBuckets } from "./ratelimit.ts";

let t: TestCore;

beforeAll(async () => {
  t = await startTestCore({
    overrides: { security: { rate_limit: { enabled: true, requests_per_minute: 3 } } },
  });
});
afterAll(() => t?.stop());

async function submitLogin(ip: string): Promise<Response> {
  const flow = await json(await get(`${t.publicUrl}/self-service/login/api`, { ip }));
  return post(
    `${t.publicUrl}/self-service/login?flow=${flow.id}`,
    { method: "password", identifier: "someone@example.com", password: "not the password" },
    { ip },
  );
}

describe("rate limits", () => {
  it("answers 429 in the Ory error shape with Retry-After once an address spent its budget", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await submitLogin("198.51.100.7")).status);
    expect(statuses).toEqual([400, 400, 400]);
    const limited = await submitLogin("198.51.100.7");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const body = await json(limited);
    expect(body.error).toMatchObject({ code: 429, status: "Too Many Requests" });
    expect(body.error.reason).toMatch(/Too many requests/);
  });

  it("counts per address and per route: another address, or another flow route, is unaffected", async () => {
    for (let i = 0; i < 4; i++) await submitLogin("198.51.100.8");
    expect((await submitLogin("198.51.100.9")).status).toBe(400);
    const reg = await json(await get(`${t.publicUrl}/self-service/registration/api`, { ip: "198.51.100.8" }));
    const res = await post(
      `${t.publicUrl}/self-service/registration?flow=${reg.id}`,
      { method: "password" },
      {
        ip: "198.51.100.8",
      },
    );
    expect(res.status).toBe(400);
  });

  it("does not pool everyone behind our own proxy: a trusted proxy without X-Forwarded-For is not limited", async () => {
    // The test configuration trusts 127.0.0.1 (as a deployment trusts Hera); without the header there
    // is no client address to limit.
    const flow = async () => json(await get(`${t.publicUrl}/self-service/login/api`));
    for (let i = 0; i < 5; i++) {
      const f = await flow();
      const res = await post(`${t.publicUrl}/self-service/login?flow=${f.id}`, {
        method: "password",
        identifier: "someone@example.com",
        password: "not the password",
      });
      expect(res.status).toBe(400);
    }
  });

  it("does nothing when security.rate_limit.enabled is false", async () => {
    t.core.ctx.config.security.rate_limit.enabled = false;
    try {
      for (let i = 0; i < 5; i++) expect((await submitLogin("198.51.100.10")).status).toBe(400);
    } finally {
      t.core.ctx.config.security.rate_limit.enabled = true;
    }
  });

  it("refills tokens over time and keeps its map bounded", () => {
    const b = new TokenBuckets(2, 1);
    expect(b.take("a", 0)).toBe(0);
    expect(b.take("a", 0)).toBe(0);
    expect(b.take("a", 0)).toBe(1);
    expect(b.take("a", 1000)).toBe(0);
    for (let i = 0; i < 100_010; i++) b.take(`k${i}`, 5000);
    expect(b.size).toBeLessThanOrEqual(100_000);
  });
});
