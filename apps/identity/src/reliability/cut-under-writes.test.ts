import { hash as bcryptHash } from "@node-rs/bcrypt";
import { createTestDatabase, type TestDatabase } from "@olympus/testdb";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChildCore, spawnCore, within, writeChildConfig, writeSummary } from "./child.ts";
import { FaultProxy } from "./fault-proxy.ts";

/**
 * Issue 24's crash, as it was seen: the core as its own process (`tsx src/main.ts serve`) reaching
 * PostgreSQL through a fault proxy, writes in flight (eight clients creating identities, each a
 * multi-row transaction), and the database connections cut three times. Before the driver fix the
 * process died 0.3–0.5 s after a cut (`TypeError: Cannot read properties of null (reading 'write')
 * at Immediate.nextWrite`), every time. Asserted: the process is still running after each cut, it is
 * ready again within 1.5 s of the database's return, every acknowledged identity is stored complete,
 * none is half-written. PostgreSQL only (PGlite runs in-process, there is no connection to cut).
 */
const pg = process.env.TEST_DATABASE_URL;

describe.skipIf(!pg)("cut under writes: the core process survives (PostgreSQL only)", () => {
  let database: TestDatabase;
  let proxy: FaultProxy;
  let child: ChildCore | undefined;
  let direct: postgres.Sql;
  const stats = { requests: 0, faults: 0, errors: 0, lost: 0 };

  beforeAll(async () => {
    database = await createTestDatabase("olympus_identity");
    const target = new URL(database.dsn);
    proxy = new FaultProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const via = new URL(database.dsn);
    via.hostname = "127.0.0.1";
    via.port = String(await proxy.listen());
    child = await spawnCore(
      writeChildConfig({
        dsn: via.toString(),
        overrides: { courier: { worker: { enabled: false } } },
      }),
    );
    direct = postgres(database.dsn, { max: 1, onnotice: () => {} });
  }, 60_000);

  afterAll(async () => {
    await child?.kill();
    await proxy?.close();
    await direct?.end({ timeout: 2 });
    await database?.drop();
    await writeSummary("cut-under-writes", stats);
  });

  it("three cuts with writes in flight: still running, ready again, nothing acknowledged lost", {
    timeout: 90_000,
  }, async () => {
    const c = child!;
    const hashed = await bcryptHash("cut under writes", { cost: 4 });
    const acked: string[] = [];
    let stop = false;
    let n = 0;
    const worker = async () => {
      while (!stop && c.proc.exitCode === null) {
        const email = `cw-${n++}@example.com`;
        stats.requests++;
        try {
          const res = await fetch(`${c.adminUrl}/admin/identities`, {
            method: "POST",
            headers: { "content-type": "application/json", accept: "application/json" },
            body: JSON.stringify({
              schema_id: "default",
              traits: { email },
              credentials: { password: { config: { hashed_password: hashed } } },
            }),
            signal: AbortSignal.timeout(10_000),
          });
          const body = (await res.json()) as { id?: string; error?: { code?: number } };
          if (res.status === 201 && body.id) acked.push(body.id);
          else if (!(res.status === 503 && body.error?.code === 503)) stats.errors++;
          if (res.status === 503) await new Promise((r) => setTimeout(r, 20));
        } catch {
          // No answer: the process died, or a request hung past 10 s.
          stats.errors++;
          if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
        }
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, worker));
    const ready = async () =>
      (await fetch(`${c.publicUrl}/health/ready`, { signal: AbortSignal.timeout(3_000) }).catch(() => null))
        ?.status === 200;
    const recoveries: number[] = [];
    try {
      for (let cut = 0; cut < 3; cut++) {
        await new Promise((r) => setTimeout(r, 600));
        proxy.inject("cut");
        stats.faults++;
        // The crash came 0.3–0.5 s after the cut; wait well past it.
        await new Promise((r) => setTimeout(r, 1_200));
        expect(
          c.proc.exitCode,
          `exited after cut ${cut + 1}: ${JSON.stringify(c.logs.slice(-3))}`,
        ).toBeNull();
        expect(c.proc.signalCode).toBeNull();
        await proxy.restore();
        const at = performance.now();
        expect(await within(5_000, ready)).toBe(true);
        recoveries.push(Math.round(performance.now() - at));
      }
      await new Promise((r) => setTimeout(r, 600));
    } finally {
      stop = true;
      await load;
    }
    expect(c.proc.exitCode).toBeNull();
    expect(c.logs.filter((l) => /uncaught|TypeError/i.test(JSON.stringify(l)))).toEqual([]);
    for (const ms of recoveries) expect(ms).toBeLessThanOrEqual(1_500);
    expect(stats.errors).toBe(0);

    const rows = await direct`
      select i.id,
        (select count(*)::int from identity_credentials c where c.identity_id = i.id) as credentials,
        (select count(*)::int from identity_credential_identifiers ci where ci.identity_id = i.id) as identifiers,
        (select count(*)::int from identity_verifiable_addresses v where v.identity_id = i.id) as verifiable,
        (select count(*)::int from identity_recovery_addresses r where r.identity_id = i.id) as recovery
      from identities i where i.traits->>'email' like 'cw-%'`;
    const stored = new Set(rows.map((r) => r.id as string));
    stats.lost =
      acked.filter((id) => !stored.has(id)).length +
      rows.filter((r) => r.credentials !== 1 || r.identifiers !== 1 || r.verifiable !== 1 || r.recovery !== 1)
        .length;
    console.log(
      `cut-under-writes: ${stats.requests} writes sent, ${acked.length} acknowledged, ${rows.length} stored, ready again after ${recoveries.join(" / ")} ms`,
    );
    expect(acked.length).toBeGreaterThan(0);
    expect(stats.lost).toBe(0);
  });
});
