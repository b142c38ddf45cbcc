import { createTestDatabase, type TestDatabase } from "@olympus/testdb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../app/logger.ts";
import { type RunningCore, startCore } from "../app/server.ts";
import { parseConfig } from "../config/index.ts";
import { testConfig } from "../testing/index.ts";
import { openDatabase, type Database } from "./client.ts";
import { isConnectionError } from "./errors.ts";

/**
 * A database that can no longer store or answer (PGlite closed or its storage failing; PostgreSQL
 * closed, out of disk or shutting down) is an outage, answered 503 — never a 500 that blames the
 * request or hides the cause. Runs on PGlite and on PostgreSQL.
 */
describe("storage errors answer 503", () => {
  let database: TestDatabase;
  let handle: Database;
  let core: RunningCore;

  beforeAll(async () => {
    database = await createTestDatabase("olympus_identity");
    const config = parseConfig(testConfig({ dsn: database.dsn }));
    handle = await openDatabase(config.dsn);
    core = await startCore(config, { database: handle, log: createLogger("silent", { domain: "test" }) });
  }, 60_000);

  afterAll(async () => {
    await core?.stop(2_000).catch(() => {});
    await database?.drop();
  });

  it("classifies driver, PGlite and SQLSTATE storage failures as unavailability, not request errors", () => {
    for (const code of [
      "53100",
      "53200",
      "53300",
      "57P01",
      "57P02",
      "57P03",
      "58030",
      "08006",
      "CONNECTION_ENDED",
    ]) {
      expect(isConnectionError(Object.assign(new Error("x"), { code })), code).toBe(true);
    }
    expect(isConnectionError(new Error("PGlite is closed"))).toBe(true);
    expect(isConnectionError(Object.assign(new Error("fs"), { name: "ErrnoError", errno: 28 }))).toBe(true);
    expect(
      isConnectionError(new Error("x", { cause: Object.assign(new Error("y"), { code: "53100" }) })),
    ).toBe(true);
    for (const code of ["23505", "22021", "42P01", "40001", undefined]) {
      expect(isConnectionError(Object.assign(new Error("x"), { code })), String(code)).toBe(false);
    }
  });

  it("with the database closed under it, the Kratos and Hydra ports answer 503 in their shapes", async () => {
    const before = await fetch(`${core.publicUrl}/self-service/registration/api`, {
      headers: { accept: "application/json" },
    });
    expect(before.status).toBe(200);
    await handle.close();

    for (const url of [
      `${core.publicUrl}/self-service/registration/api`,
      `${core.adminUrl}/admin/identities`,
    ]) {
      const res = await fetch(url, { headers: { accept: "application/json" } });
      expect(res.status, url).toBe(503);
      const body = (await res.json()) as { error: Record<string, unknown> };
      expect(body.error, url).toMatchObject({ code: 503, status: "Service Unavailable" });
    }
    const token = await fetch(`${core.oauth2PublicUrl}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: "c", client_secret: "s" }),
    });
    expect(token.status).toBe(503);
    expect(await token.json()).toMatchObject({ error: "temporarily_unavailable" });
    const clients = await fetch(`${core.oauth2AdminUrl}/admin/clients`, {
      headers: { accept: "application/json" },
    });
    expect(clients.status).toBe(503);
    expect(((await clients.json()) as { error: Record<string, unknown> }).error).toMatchObject({ code: 503 });
    expect((await fetch(`${core.publicUrl}/health/ready`)).status).toBe(503);
    expect((await fetch(`${core.publicUrl}/health/alive`)).status).toBe(200);
  });
});
