import { readFileSync } from "node:fs";
import { Configuration, MetadataApi } from "@ory/client-fetch";
import { createTestDatabase } from "@olympus/testdb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCore } from "../app/create.ts";
import { createLogger } from "../app/logger.ts";
import { parseConfig } from "../config/index.ts";
import { openDatabase } from "../db/client.ts";
import { startTestCore, testConfig, type TestCore } from "../testing/index.ts";

let t: TestCore;
beforeAll(async () => {
  t = await startTestCore();
});
afterAll(() => t?.stop());

const packageVersion = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

describe("metadata endpoints, on the public and the admin port", () => {
  it("/health/alive answers 200 {status: ok}", async () => {
    for (const base of [t.publicUrl, t.adminUrl]) {
      const res = await fetch(`${base}/health/alive`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ok" });
    }
  });

  it("/health/ready answers 200 {status: ok} while the database answers", async () => {
    for (const base of [t.publicUrl, t.adminUrl]) {
      const res = await fetch(`${base}/health/ready`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ok" });
    }
  });

  it("/health/ready answers 503 in the Ory error shape once the database is gone, /health/alive still 200", async () => {
    const database = await createTestDatabase("olympus_identity");
    const config = parseConfig(testConfig({ dsn: database.dsn }));
    const handle = await openDatabase(config.dsn);
    try {
      const { publicApp } = await createCore(config, {
        database: handle,
        log: createLogger("silent", { domain: "test" }),
      });
      expect((await publicApp.request("/health/ready")).status).toBe(200);
      await handle.close();
      const res = await publicApp.request("/health/ready");
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: Record<string, unknown> };
      expect(body.error).toMatchObject({ code: 503, status: "Service Unavailable" });
      expect((await publicApp.request("/health/alive")).status).toBe(200);
    } finally {
      await handle.close().catch(() => {});
      await database.drop();
    }
  });

  it("/version reports the version of apps/identity/package.json", async () => {
    expect(packageVersion).toMatch(/^\d+\.\d+\.\d+/);
    for (const base of [t.publicUrl, t.adminUrl]) {
      const res = await fetch(`${base}/version`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ version: packageVersion });
      const sdk = new MetadataApi(new Configuration({ basePath: base }));
      expect(await sdk.getVersion()).toEqual({ version: packageVersion });
    }
  });
});
