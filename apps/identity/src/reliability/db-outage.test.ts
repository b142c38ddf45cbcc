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
  let up = true;
  const server = net.createServer((client) => {
    if (!up) return client.destroy();
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
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
    close: () => new Promise<void>((r) => (server.listening ? server.close(() => r()) : r())),
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

  const get = async (path: string) => {
    stats.requests++;
    const started = Date.now();
    const res = await fetch(core.publicUrl + path, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(20_000),
    });
    return { status: res.status, body: (await res.json()) as any, ms: Date.now() - started };
  };

  it("answers 503 fast while the database is away and recovers by itself", { timeout: 90_000 }, async () => {
    const before = await get("/self-service/registration/api");
    expect(before.status).toBe(200);
    expect((await get("/health/ready")).status).toBe(200);

    proxy.cut();
    stats.faults++;
    for (const path of [
      "/health/ready",
      "/self-service/registration/api",
      `/self-service/registration/flows?id=${before.body.id}`,
    ]) {
      const r = await get(path);
      if (r.status !== 503) stats.errors++;
      expect(r.status, path).toBe(503);
      expect(r.ms, path).toBeLessThan(12_000);
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
    if (after.status !== 200) stats.lost++;
    expect(after.status).toBe(200);
    expect(after.body.id).toBe(before.body.id);
  });
});
