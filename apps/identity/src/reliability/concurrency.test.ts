import { mkdirSync, writeFileSync } from "node:fs";
import { Configuration, FrontendApi, type ResponseError } from "@ory/client-fetch";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCore, type TestCore } from "../testing/index.ts";

/**
 * Concurrency: 50 registrations of one email racing create exactly one identity, and it is whole
 * (credential, identifier, addresses). Parallel code submissions counting toward the attempt limit
 * are proven in src/selfservice/recovery and verification (*.attempts.test.ts) and not repeated here.
 */
describe("concurrency", () => {
  let t: TestCore;
  let api: FrontendApi;
  const stats = { requests: 0, faults: 0, errors: 0 };

  beforeAll(async () => {
    t = await startTestCore();
    api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
    const summary = {
      name: "concurrency",
      requests_sent: stats.requests,
      faults_injected: stats.faults,
      errors_seen: stats.errors,
      data_lost: 0,
    };
    mkdirSync(new URL("../../.reports/", import.meta.url), { recursive: true });
    writeFileSync(
      new URL("../../.reports/reliability-concurrency.json", import.meta.url),
      JSON.stringify(summary, null, 2),
    );
    console.log(`reliability concurrency: ${JSON.stringify(summary)}`);
  });

  it("50 parallel registrations of one email create exactly one whole identity", {
    timeout: 120_000,
  }, async () => {
    const flows = await Promise.all(Array.from({ length: 50 }, () => api.createNativeRegistrationFlow()));
    stats.requests += 50;
    stats.faults += 50;
    const attempts = await Promise.allSettled(
      flows.map((flow) =>
        api.updateRegistrationFlow({
          flow: flow.id,
          updateRegistrationFlowBody: {
            method: "password",
            password: "a long passphrase 42",
            traits: { email: "race50@example.com" },
          },
        }),
      ),
    );
    stats.requests += 50;
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
    for (const a of attempts.filter((x) => x.status === "rejected")) {
      const status = ((a as PromiseRejectedResult).reason as ResponseError).response?.status;
      if (status !== 400) stats.errors++;
      expect(status).toBe(400);
    }
    const rows = await t.core.ctx.db.execute(sql`
      select i.id,
        (select count(*) from identity_credentials c where c.identity_id = i.id)::int as creds,
        (select count(*) from identity_credential_identifiers ci where ci.identity_id = i.id)::int as idents,
        (select count(*) from identity_verifiable_addresses v where v.identity_id = i.id)::int as vaddrs,
        (select count(*) from identity_recovery_addresses r where r.identity_id = i.id)::int as raddrs
      from identities i where i.traits->>'email' = 'race50@example.com'`);
    const list = ((rows as { rows?: unknown[] }).rows ?? rows) as {
      creds: number;
      idents: number;
      vaddrs: number;
      raddrs: number;
    }[];
    expect(list).toHaveLength(1);
    expect(list[0]!.creds).toBeGreaterThanOrEqual(1);
    expect(list[0]!.idents).toBeGreaterThanOrEqual(1);
    expect(list[0]!.vaddrs).toBeGreaterThanOrEqual(1);
    expect(list[0]!.raddrs).toBeGreaterThanOrEqual(1);
  });
});
