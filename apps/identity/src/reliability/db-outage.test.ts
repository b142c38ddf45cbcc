import { mkdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import { createTestDatabase, type TestDatabase } from "@olympus/testdb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../app/logger.ts";
import { type RunningCore, startCore } from "../app/server.ts";
import { parseConfig } from "../config/index.ts";
import { testConfig } from "../testing/index.ts";

/**
 * Database outage: a TCP proxy sits between the core and PostgreSQL; cutting it makes readiness
 * 503 and flow requests 503 in the Ory error shape within a bounded time; restoring it recovers
 * without a restart, with earlier data intact. PostgreSQL only (PGlite runs in-process).
 */
const pg = process.env.TEST_DATABASE_URL;

function startProxy(target: URL) {
  const sockets = new Set<net.Socket>();
  const pairs = new Set<[net.Socket, net.Socket]>();
  const held = new Set<net.Socket>();
  let up = true;
  let stalled = false;
  const server = net.createServer((client) => {
    if (!up) return client.destroy();
    sockets.add(client);
    if (stalled) {
      // Accept, then say nothing: the connection stays open and no byte ever comes back.
      held.add(client);
      client.resume(); // read and drop whatever comes, so a close from the core is seen
      client
        .on("error", () => client.destroy())
        .on("close", () => {
          sockets.delete(client);
          held.delete(client);
        });
      return;
    }
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(upstream);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
      pairs.delete(pair);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  let port = 0;
  return {
    listen: () =>
      new Promise<number>((r) =>
        server.listen(port, "127.0.0.1", () => {
          port = (server.address() as net.AddressInfo).port;
          r(port);
        }),
      ),
    /** Kills every open connection and stops listening: new connections are refused. */
    cut() {
      up = false;
      server.close();
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    async restore() {
      if (up) return;
      up = true;
      await new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
    },
    /**
     * The database stops answering but nothing is refused or closed: open connections stop
     * forwarding (both ways), new connections are accepted and never answered.
     */
    stall() {
      stalled = true;
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    /** Forwarding resumes on the connections still open; new connections reach the database again. */
    unstall() {
      stalled = false;
      for (const s of held) s.destroy();
      for (const [client, upstream] of pairs) {
        client.pipe(upstream);
        upstream.pipe(client);
      }
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        if (server.listening) server.close(() => r());
        else r();
      }),
  };
}

describe.skipIf(!pg)("database outage", () => {
  let database: TestDatabase;
  let core: RunningCore;
  let proxy: ReturnType<typeof startProxy>;
  const stats = { requests: 0, faults: 0, errors: 0, lost: 0 };

  beforeAll(async () => {
    database = await createTestDatabase("olympus_identity");
    const dsn = new URL(database.dsn);
    proxy = startProxy(dsn);
    const port = await proxy.listen();
    const viaProxy = new URL(database.dsn);
    viaProxy.hostname = "127.0.0.1";
    viaProxy.port = String(port);
    const config = parseConfig(testConfig({ dsn: viaProxy.toString() }));
    core = await startCore(config, { log: createLogger("error", { domain: "test" }) });
  }, 60_000);

  afterAll(async () => {
    await proxy?.restore();
    await core?.stop(2000);
    await proxy?.close();
    await database?.drop();
    const summary = {
      name: "db-outage",
      requests_sent: stats.requests,
      faults_injected: stats.faults,
      errors_seen: stats.errors,
      data_lost: stats.lost,
    };
    mkdirSync(new URL("../../.reports/", import.meta.url), { recursive: true });
    writeFileSync(
      new URL("../../.reports/reliability-db-outage.json", import.meta.url),
      JSON.stringify(summary, null, 2),
    );
    console.log(`reliability db-outage: ${JSON.stringify(summary)}`);
  });

  const get = async (path: string, headers: Record<string, string> = {}) => {
    stats.requests++;
    const started = Date.now();
    const res = await fetch(core.publicUrl + path, {
      headers: { accept: "application/json", ...headers },
      signal: AbortSignal.timeout(20_000),
    });
    return { status: res.status, body: (await res.json()) as any, ms: Date.now() - started };
  };

  it("answers 503 fast while the database is away and recovers by itself", { timeout: 90_000 }, async () => {
    const before = await get("/self-service/registration/api");
    expect(before.status).toBe(200);
    expect((await get("/health/ready")).status).toBe(200);
    // A session issued before the outage and not looked up since (so not in the whoami cache).
    const regFlow = await get("/self-service/registration/api");
    stats.requests++;
    const registered = await fetch(`${core.publicUrl}/self-service/registration?flow=${regFlow.body.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({
        method: "password",
        password: "a long passphrase 42",
        traits: { email: "cut@example.com" },
      }),
    });
    expect(registered.status).toBe(200);
    const token = ((await registered.json()) as { session_token: string }).session_token;

    proxy.cut();
    stats.faults++;
    for (const [path, headers] of [
      ["/health/ready", {}],
      ["/self-service/registration/api", {}],
      [`/self-service/registration/flows?id=${before.body.id}`, {}],
      // whoami has to read the session from the database: 503, not 401 (the session exists).
      ["/sessions/whoami", { "x-session-token": token }],
      ["/sessions/whoami", { "x-session-token": `ory_st_${"y".repeat(32)}` }],
    ] as const) {
      const r = await get(path, headers);
      if (r.status !== 503) stats.errors++;
      expect(r.status, path).toBe(503);
      expect(r.ms, path).toBeLessThan(2_000);
      if (path !== "/health/ready") expect(r.body.error?.code, path).toBe(503);
    }

    await proxy.restore();
    let ready = 0;
    for (let i = 0; i < 50 && ready !== 200; i++) {
      ready = (await get("/health/ready")).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(ready).toBe(200);
    const after = await get(`/self-service/registration/flows?id=${before.body.id}`);
    const whoami = await get("/sessions/whoami", { "x-session-token": token });
    if (after.status !== 200 || whoami.status !== 200) stats.lost++;
    expect(after.status).toBe(200);
    expect(after.body.id).toBe(before.body.id);
    expect(whoami.status).toBe(200);
    expect(whoami.body.identity?.traits?.email).toBe("cut@example.com");
  });

  it("answers 503 within 3 s when the database accepts connections but never answers, and recovers", {
    timeout: 60_000,
  }, async () => {
    const flow = await get("/self-service/registration/api");
    expect(flow.status).toBe(200);
    stats.requests++;
    const registered = await fetch(`${core.publicUrl}/self-service/registration?flow=${flow.body.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({
        method: "password",
        password: "a long passphrase 42",
        traits: { email: "stall@example.com" },
      }),
    });
    expect(registered.status).toBe(200);
    const token = ((await registered.json()) as { session_token: string }).session_token;

    proxy.stall();
    stats.faults++;
    // In parallel: requests on pooled connections that go silent and on new connections never
    // answered must all end within the bound (the socket watchdog in db/socket-watchdog.ts).
    const unknownToken = `ory_st_${"x".repeat(32)}`;
    const answers = await Promise.all([
      get("/self-service/registration/api"),
      get(`/self-service/registration/flows?id=${flow.body.id}`),
      get("/self-service/login/api"),
      get("/sessions/whoami", { "x-session-token": unknownToken }),
      get("/sessions/whoami", { "x-session-token": token }),
    ]);
    const [cachedWhoami] = answers.splice(4, 1);
    for (const r of answers) {
      if (r.status !== 503) stats.errors++;
      expect(r.status, JSON.stringify(r.body)).toBe(503);
      expect(r.body.error?.code).toBe(503);
      expect(r.ms).toBeLessThanOrEqual(3_000);
    }
    // A session this process has cached may still be answered from the cache; never a hang.
    expect([200, 503]).toContain(cachedWhoami!.status);
    expect(cachedWhoami!.ms).toBeLessThanOrEqual(3_000);

    proxy.unstall();
    let ready = 0;
    for (let i = 0; i < 50 && ready !== 200; i++) {
      ready = (await get("/health/ready")).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(ready).toBe(200);
    const after = await get(`/self-service/registration/flows?id=${flow.body.id}`);
    const whoami = await get("/sessions/whoami", { "x-session-token": token });
    if (after.status !== 200 || whoami.status !== 200) stats.lost++;
    expect(after.status).toBe(200);
    expect(whoami.status).toBe(200);
  });
});
