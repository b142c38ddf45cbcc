import { mkdirSync, writeFileSync } from "node:fs";
import { hash as bcryptHash } from "@node-rs/bcrypt";
import { createTestDatabase, type TestDatabase } from "@olympus/testdb";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../app/logger.ts";
import { type RunningCore, startCore } from "../app/server.ts";
import { parseConfig } from "../config/index.ts";
import { testConfig } from "../testing/index.ts";
import { FaultProxy, type NetworkFault } from "./fault-proxy.ts";

/**
 * The fault matrix (issue 24): the core reaches PostgreSQL through a fault proxy (fault-proxy.ts)
 * while eight clients keep sending reads and writes — admin identity creation (a multi-row
 * transaction: identity, password credential and identifier, verifiable and recovery address),
 * admin identity reads, registration flow creation (a write) and OAuth2 token requests (a client
 * lookup). Each fault is injected under that load: cut, refuse, reset, stall, half-open, and every
 * backend killed by PostgreSQL (`pg_terminate_backend`). Asserted:
 *
 * - the process survives (an uncaught exception fails this file), every request is answered, only
 *   with a success, 503 in the Ory error shape, or 503 `temporarily_unavailable` (RFC 6749) on the
 *   OAuth2 port — never a 500, never a hang;
 * - every request in flight during the fault is answered within BOUND_MS of the fault (or of its
 *   start, if later); the answer-time distribution (p50/p90/max) is printed per fault;
 * - the core is ready again within RECOVERY_MS of the fault's end, without a restart, and writes
 *   succeed again;
 * - every acknowledged write (201) is there afterwards, complete; no identity is half-written.
 *
 * PostgreSQL only: PGlite runs in-process, there is no connection to break.
 */
const pg = process.env.TEST_DATABASE_URL;
/** The answer-time bound asserted during a fault (ms); the design target is 2 s. */
const BOUND_MS = Number(process.env.FAULT_BOUND_MS ?? 2_000);
/** Slack for a loaded machine (other test files, other work) on top of the bound, for the maximum only. */
const SLACK_MS = Number(process.env.FAULT_SLACK_MS ?? 1_000);
/** Time from the fault's end until /health/ready says ready (ms); the design target is 1 s. */
const RECOVERY_MS = Number(process.env.FAULT_RECOVERY_MS ?? 1_500);
const WORKERS = 8;
const FAULT_MS = 1_500;
const HEALTHY_MS = 700;

type Fault = NetworkFault | "terminate";
const FAULTS: Fault[] = ["cut", "refuse", "reset", "stall", "half-open", "terminate"];

interface Answer {
  op: "create" | "read" | "flow" | "token";
  start: number;
  end: number;
  status: number;
  ok: boolean;
  detail?: string;
  id?: string;
  email?: string;
}

const quantile = (xs: number[], q: number) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};

describe.skipIf(!pg)(
  "fault matrix: database faults under concurrent reads and writes (PostgreSQL only: PGlite runs in-process, there is no connection to fault)",
  () => {
    let database: TestDatabase;
    let core: RunningCore;
    let proxy: FaultProxy;
    let direct: postgres.Sql;
    let passwordHash: string;
    const answers: Answer[] = [];
    const report: Record<string, unknown>[] = [];
    let lost = 0;
    let halfWritten = 0;

    beforeAll(async () => {
      database = await createTestDatabase("olympus_identity");
      const target = new URL(database.dsn);
      proxy = new FaultProxy({ host: target.hostname, port: Number(target.port || 5432) });
      const viaProxy = new URL(database.dsn);
      viaProxy.hostname = "127.0.0.1";
      viaProxy.port = String(await proxy.listen());
      const config = parseConfig(testConfig({ dsn: viaProxy.toString() }));
      core = await startCore(config, { log: createLogger("silent", { domain: "test" }) });
      direct = postgres(database.dsn, { max: 2, onnotice: () => {} });
      passwordHash = await bcryptHash("fault matrix password", { cost: 4 });
    }, 60_000);

    afterAll(async () => {
      await proxy?.restore();
      await core?.stop(2_000);
      await proxy?.close();
      await direct?.end({ timeout: 2 });
      await database?.drop();
      const summary = {
        name: "fault-matrix",
        requests_sent: answers.length,
        faults_injected: report.length,
        errors_seen: answers.filter((a) => !a.ok).length,
        data_lost: lost + halfWritten,
        faults: report,
      };
      mkdirSync(new URL("../../.reports/", import.meta.url), { recursive: true });
      writeFileSync(
        new URL("../../.reports/reliability-fault-matrix.json", import.meta.url),
        JSON.stringify(summary, null, 2),
      );
    });

    /** One request with its answer classified: success, or 503 in the right shape; anything else is an error. */
    async function send(op: Answer["op"], n: number, acked: Answer[]): Promise<Answer> {
      const start = performance.now();
      const signal = AbortSignal.timeout(15_000);
      let status = 0;
      let body: any;
      const email = `fm-${n}@example.com`;
      try {
        let res: Response;
        if (op === "create") {
          res = await fetch(`${core.adminUrl}/admin/identities`, {
            method: "POST",
            headers: { "content-type": "application/json", accept: "application/json" },
            body: JSON.stringify({
              schema_id: "default",
              traits: { email },
              credentials: { password: { config: { hashed_password: passwordHash } } },
            }),
            signal,
          });
        } else if (op === "read") {
          const known = acked.length ? acked[n % acked.length]!.id : "00000000-0000-4000-8000-000000000000";
          res = await fetch(`${core.adminUrl}/admin/identities/${known}`, {
            headers: { accept: "application/json" },
            signal,
          });
        } else if (op === "flow") {
          res = await fetch(`${core.publicUrl}/self-service/registration/api`, {
            headers: { accept: "application/json" },
            signal,
          });
        } else {
          res = await fetch(`${core.oauth2PublicUrl}/oauth2/token`, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
            body: new URLSearchParams({
              grant_type: "client_credentials",
              client_id: "fault-matrix-unknown",
              client_secret: "x",
            }),
            signal,
          });
        }
        status = res.status;
        body = await res.json().catch(() => undefined);
      } catch (e) {
        return { op, start, end: performance.now(), status: 0, ok: false, detail: `no answer: ${String(e)}` };
      }
      const end = performance.now();
      let ok: boolean;
      if (status === 503) {
        ok =
          op === "token"
            ? body?.error === "temporarily_unavailable" && typeof body?.error_description === "string"
            : body?.error?.code === 503 && body?.error?.status === "Service Unavailable";
      } else {
        ok =
          (op === "create" && status === 201 && body?.traits?.email === email) ||
          (op === "read" && (status === 200 || (status === 404 && acked.length === 0))) ||
          (op === "flow" && status === 200 && typeof body?.id === "string") ||
          (op === "token" && status === 401 && body?.error === "invalid_client");
      }
      return {
        op,
        start,
        end,
        status,
        ok,
        ...(ok ? {} : { detail: JSON.stringify(body)?.slice(0, 300) }),
        ...(op === "create" && status === 201 ? { id: body.id as string, email } : {}),
      };
    }

    async function ready(): Promise<boolean> {
      const res = await fetch(`${core.publicUrl}/health/ready`, { signal: AbortSignal.timeout(5_000) }).catch(
        () => null,
      );
      return res?.status === 200;
    }

    async function killBackends(): Promise<number> {
      const rows = await direct`
      select pg_terminate_backend(pid) as killed from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid()`;
      return rows.filter((r) => r.killed).length;
    }

    it("no fault crashes the process, every request is answered in bound, no acknowledged write is lost", {
      timeout: 110_000,
    }, async () => {
      const acked: Answer[] = [];
      let stop = false;
      let counter = 0;
      const ops: Answer["op"][] = ["create", "create", "read", "flow", "create", "token", "read", "create"];
      const worker = async (w: number) => {
        while (!stop) {
          const n = counter++;
          const a = await send(ops[(n + w) % ops.length]!, n, acked);
          answers.push(a);
          if (a.id) acked.push(a);
          // Refused requests come back at once; pace them a little so the loop does not spin.
          if (a.status === 503) await new Promise((r) => setTimeout(r, 20));
        }
      };
      const load = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

      try {
        for (const fault of FAULTS) {
          await sleep(HEALTHY_MS);
          const injectAt = performance.now();
          let killed = 0;
          if (fault === "terminate") killed = await killBackends();
          else proxy.inject(fault);
          await sleep(FAULT_MS);
          const restoreAt = performance.now();
          if (fault !== "terminate") await proxy.restore();
          let readyAt = Number.NaN;
          while (performance.now() - restoreAt < 10_000) {
            if (await ready()) {
              readyAt = performance.now();
              break;
            }
            await sleep(50);
          }
          const ackedBefore = acked.length;
          await sleep(HEALTHY_MS);
          // On a loaded machine the first write after recovery can take longer than the healthy pause:
          // wait for one (bounded), so that "writes resume" is what is checked, not the machine's speed.
          const resumeBy = performance.now() + 10_000;
          while (acked.length === ackedBefore && performance.now() < resumeBy) await sleep(50);
          // Answer time of every request that overlapped the fault, counted from the fault (or from the
          // request's start, when it started during the fault).
          const during = answers.filter((a) => a.end >= injectAt && a.start < restoreAt);
          const times = during.map((a) => a.end - Math.max(a.start, injectAt));
          const statuses: Record<string, number> = {};
          for (const a of during) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
          const row = {
            fault,
            requests: during.length,
            statuses,
            p50_ms: Math.round(quantile(times, 0.5)),
            p90_ms: Math.round(quantile(times, 0.9)),
            max_ms: Math.round(Math.max(0, ...times)),
            recovery_ms: Math.round(readyAt - restoreAt),
            writes_after: acked.length - ackedBefore,
            ...(fault === "terminate" ? { backends_killed: killed } : {}),
          };
          report.push(row);
          console.log(`fault-matrix ${JSON.stringify(row)}`);
        }
      } finally {
        stop = true;
        await load;
      }

      // Every request answered, each with a success or a well-formed 503.
      const bad = answers.filter((a) => !a.ok);
      expect(bad.map((a) => `${a.op} ${a.status} ${a.detail ?? ""}`)).toEqual([]);
      for (const row of report as {
        fault: string;
        p90_ms: number;
        max_ms: number;
        recovery_ms: number;
        writes_after: number;
        requests: number;
      }[]) {
        expect(row.requests, row.fault).toBeGreaterThan(0);
        expect(row.p90_ms, `${row.fault}: p90 answer time`).toBeLessThanOrEqual(BOUND_MS);
        expect(row.max_ms, `${row.fault}: max answer time`).toBeLessThanOrEqual(BOUND_MS + SLACK_MS);
        expect(row.recovery_ms, `${row.fault}: ready again after`).toBeLessThanOrEqual(RECOVERY_MS);
        expect(row.writes_after, `${row.fault}: writes acknowledged after recovery`).toBeGreaterThan(0);
      }

      // Acknowledged writes are all there, complete; no identity (acknowledged or not) is half-written.
      const ackedIds = acked.map((a) => a.id!);
      const rows = await direct`
      select i.id, i.traits->>'email' as email,
        (select count(*)::int from identity_credentials c where c.identity_id = i.id and c.type = 'password') as passwords,
        (select count(*)::int from identity_credential_identifiers ci where ci.identity_id = i.id) as identifiers,
        (select count(*)::int from identity_verifiable_addresses v where v.identity_id = i.id) as verifiable,
        (select count(*)::int from identity_recovery_addresses r where r.identity_id = i.id) as recovery
      from identities i where i.traits->>'email' like 'fm-%'`;
      const byId = new Map(rows.map((r) => [r.id as string, r]));
      lost = ackedIds.filter((id) => !byId.has(id)).length;
      halfWritten = rows.filter(
        (r) => r.passwords !== 1 || r.identifiers !== 1 || r.verifiable !== 1 || r.recovery !== 1,
      ).length;
      console.log(
        `fault-matrix writes: ${ackedIds.length} acknowledged, ${rows.length} stored, ${lost} lost, ${halfWritten} half-written; ${answers.length} requests`,
      );
      expect(lost).toBe(0);
      expect(halfWritten).toBe(0);
      expect(ackedIds.length).toBeGreaterThan(0);
    });
  },
);
